//go:build linux

package credstore

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// Without a D-Bus session, auto picks the file store without probing:
// a probe would make the D-Bus library autolaunch a session bus and leave
// its daemon behind a headless proxy.
func TestAutoWithoutSessionBusDoesNotProbe(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	backend, reason, err := ChooseBackend(context.Background(), AutoOptions{Path: filepath.Join(t.TempDir(), "credentials.json"),
		Getenv: func(string) string { return "" }})
	if err != nil || backend != BackendFile || !strings.Contains(reason, "no D-Bus session") {
		t.Errorf("ChooseBackend = %s, %q, %v", backend, reason, err)
	}
}
