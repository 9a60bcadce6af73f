package procs

import (
	"os"
	"testing"
)

func TestReadMemoryOfThisProcess(t *testing.T) {
	m, err := ReadMemory(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if m.RSS <= 0 || m.Peak < m.RSS || m.Anon <= 0 || m.File <= 0 || m.Anon+m.File > m.RSS+(1<<20) {
		t.Errorf("implausible memory of a running test binary: %+v", m)
	}
}
