package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/eventually"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/lockedbuf"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/redistest"
)

// replicaProcess is a `serve` running as its own process.
type replicaProcess struct {
	url    string
	stderr *lockedbuf.Buffer
	cmd    *exec.Cmd
	exited chan error
}

// buildBinary builds the command into a temporary directory. It must run
// before the test changes directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go tool is not on PATH; cannot build the binary")
	}
	bin := filepath.Join(t.TempDir(), "notion-auth-proxy")
	build := exec.Command(goTool, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startProcess runs `bin serve` with the test's environment and waits until
// it listens.
func startProcess(t *testing.T, bin string, args ...string) *replicaProcess {
	t.Helper()
	p := &replicaProcess{stderr: &lockedbuf.Buffer{}, exited: make(chan error, 1)}
	p.cmd = exec.Command(bin, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...)...)
	p.cmd.Env = os.Environ()
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- p.cmd.Wait() }()
	t.Cleanup(func() { p.stop(t) })
	addr := regexp.MustCompile(`"event":"listening","addr":"([^"]+)"`)
	var m []string
	var exitErr error
	exited := false
	listening := eventually.True(func() bool {
		if m = addr.FindStringSubmatch(p.stderr.String()); m != nil {
			return true
		}
		select {
		case exitErr = <-p.exited:
			exited = true
		default:
		}
		return exited
	})
	switch {
	case exited:
		p.exited = nil
		t.Fatalf("the process exited (%v) before listening:\n%s", exitErr, p.stderr)
	case !listening:
		t.Fatalf("the process did not listen:\n%s", p.stderr)
	}
	p.url = "http://" + m[1]
	return p
}

// stop sends SIGTERM and returns the exit error, killing the process if it
// does not stop in time.
func (p *replicaProcess) stop(t *testing.T) error {
	if p.cmd.Process == nil || p.exited == nil {
		return nil
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	var err error
	select {
	case err = <-p.exited:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		err = <-p.exited
		t.Error("a replica did not stop on SIGTERM")
	}
	p.exited = nil
	return err
}

// TestReplicaProcessesRefreshOnce runs three proxy processes over one
// Redis: across several expiries, one refresh each, and no rotated
// refresh token is ever sent.
func TestReplicaProcessesRefreshOnce(t *testing.T) {
	bin := buildBinary(t)
	e := newOAuthEnv(t, "")
	useRedis(t, redistest.Start(t, redistest.Options{}))
	if code, out := runLogin(t, e); code != 0 {
		t.Fatalf("login: exit %d %s", code, out)
	}
	var procs []*replicaProcess
	var urls []string
	for range 3 {
		p := startProcess(t, bin, "--config", e.cfg)
		procs, urls = append(procs, p), append(urls, p.url)
	}
	for round := 1; round <= 3; round++ {
		e.clock.advance(2 * time.Hour)
		if bad := hammer(urls, "/v1/users/me", 60); len(bad) > 0 {
			t.Fatalf("round %d: %d requests failed: %v", round, len(bad), bad)
		}
		if n := e.refreshes(); n != round {
			t.Fatalf("round %d: %d refreshes in all, want %d", round, n, round)
		}
	}
	if n := e.fake.RefreshTokenReuses(); n != 0 {
		t.Errorf("%d uses of a rotated refresh token", n)
	}
	for _, p := range procs {
		if err := p.stop(t); err != nil {
			t.Errorf("a replica exited with %v", err)
		}
		checkLogs(t, p.stderr.String())
		assertNoSecrets(t, "", p.stderr.String())
	}
}
