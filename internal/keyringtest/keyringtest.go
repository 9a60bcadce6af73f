// Package keyringtest runs a private Secret Service for tests: a D-Bus
// session bus of its own (dbus-daemon) with a gnome-keyring-daemon on it
// whose login keyring is unlocked, their files in a temporary directory.
// A test that starts one talks to it through DBUS_SESSION_BUS_ADDRESS,
// which Start sets for the test, as go-keyring and secret-tool do.
//
// Tests that need the Secret Service call Start. Without dbus-daemon,
// gnome-keyring-daemon or secret-tool they are skipped, except when the
// environment variable CI is "true": there a missing tool is a failure, so
// that CI never passes by skipping.
//
// go-keyring talks over godbus's one shared session-bus connection, which
// would outlive the bus it was made for. Start, Unreachable and Silent
// close it, so that each test dials its own bus.
package keyringtest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/lockedbuf"
)

// The tools a Secret Service needs, and the Debian packages they come in.
var tools = map[string]string{
	"dbus-daemon":          "dbus-daemon",
	"gnome-keyring-daemon": "gnome-keyring",
	"secret-tool":          "libsecret-tools",
}

const (
	secretsName     = "org.freedesktop.secrets"
	secretsPath     = "/org/freedesktop/secrets"
	secretsIface    = "org.freedesktop.Secret.Service"
	loginCollection = dbus.ObjectPath("/org/freedesktop/secrets/collection/login")
	// password unlocks the throwaway login keyring.
	password = "keyringtest"
	// startTimeout bounds how long the daemons may take to come up.
	startTimeout = 10 * time.Second
)

// Service is a running Secret Service on a private session bus.
type Service struct {
	t    testing.TB
	dir  string
	addr string

	bus, keyring *process
}

// Start runs a session bus and a Secret Service on it until the test ends,
// and points the test's DBUS_SESSION_BUS_ADDRESS at the bus. Tests that
// call it cannot run in parallel.
func Start(t testing.TB) *Service {
	t.Helper()
	requireTools(t)
	s := &Service{t: t, dir: shortTempDir(t)}
	bus, addr, err := startBus(s.dir)
	if err != nil {
		t.Fatalf("start dbus-daemon: %v", err)
	}
	s.bus, s.addr = bus, addr
	t.Cleanup(s.bus.stop)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	closeSharedBus()
	if s.keyring, err = startKeyring(s.dir, addr); err != nil {
		t.Fatalf("start gnome-keyring-daemon: %v", err)
	}
	// Cleanups run last first: the shared connection is closed while the
	// variable still names this bus, then the keyring stops, then the bus.
	t.Cleanup(s.keyring.stop)
	t.Cleanup(closeSharedBus)
	return s
}

// Addr returns the bus's address, as DBUS_SESSION_BUS_ADDRESS holds it.
func (s *Service) Addr() string { return s.addr }

// Lookup returns the secret of the item with service and username
// attributes as secret-tool, a libsecret client independent of go-keyring,
// reads it. It reports false when there is no such item.
func (s *Service) Lookup(service, username string) (string, bool) {
	s.t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("secret-tool", "lookup", "service", service, "username", username)
	cmd.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS="+s.addr)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return stdout.String(), true
	case errors.As(err, &exit) && exit.ExitCode() == 1 && stdout.Len() == 0 && stderr.Len() == 0:
		return "", false
	}
	s.t.Fatalf("secret-tool lookup: %v: %s", err, strings.TrimSpace(stderr.String()))
	return "", false
}

// Unreachable points the test's DBUS_SESSION_BUS_ADDRESS at a socket
// nobody listens on, as in a session without D-Bus.
func Unreachable(t testing.TB) {
	t.Helper()
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(shortTempDir(t), "no-bus"))
	closeSharedBus() // dials nothing that could hang
}

// Silent points the test's DBUS_SESSION_BUS_ADDRESS at a socket that
// accepts connections and never answers, as a wedged D-Bus does. The
// connections are closed when the test ends, which ends any call still
// waiting on them.
func Silent(t testing.TB) {
	t.Helper()
	Unreachable(t) // closes the shared connection first: dialling this bus would hang
	path := filepath.Join(shortTempDir(t), "silent-bus")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+path)
}

func requireTools(t testing.TB) {
	t.Helper()
	for tool, pkg := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not installed; CI must install the Debian package %s (see .ci/run)", tool, pkg)
			}
			t.Skipf("%s is not installed; install the Debian package %s to run the keychain tests", tool, pkg)
		}
	}
}

// shortTempDir returns a temporary directory removed when the test ends.
// Its path is short, unlike t.TempDir's, because a unix socket's path must
// fit in 108 bytes.
func shortTempDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "kr")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// closeSharedBus closes godbus's shared session-bus connection, if it has
// one, so that the next call dials DBUS_SESSION_BUS_ADDRESS afresh.
func closeSharedBus() {
	if c, err := dbus.SessionBus(); err == nil {
		c.Close()
	}
}

// busConfig is a session bus that anyone may use and that starts no
// services on demand: a name nobody owns fails at once.
const busConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

// startBus runs dbus-daemon on a socket in dir and returns its address.
func startBus(dir string) (*process, string, error) {
	conf := filepath.Join(dir, "bus.conf")
	if err := os.WriteFile(conf, fmt.Appendf(nil, busConfig, filepath.Join(dir, "bus")), 0o600); err != nil {
		return nil, "", err
	}
	cmd := exec.Command("dbus-daemon", "--nofork", "--config-file="+conf, "--print-address=1")
	// A pipe of our own, not StdoutPipe: Wait, which runs while we read,
	// would close that one.
	r, w, err := os.Pipe()
	if err != nil {
		return nil, "", err
	}
	defer r.Close()
	cmd.Stdout = w
	p, err := start(cmd)
	w.Close()
	if err != nil {
		return nil, "", err
	}
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(l)
	}()
	select {
	case addr := <-line:
		if addr != "" {
			return p, addr, nil // printed once it listens
		}
	case <-time.After(startTimeout):
	}
	p.stop()
	return nil, "", fmt.Errorf("no address printed: %s", p.output())
}

// startKeyring runs gnome-keyring-daemon's Secret Service on the bus at
// addr, its home and data in dir, and waits until its login collection
// can be used.
func startKeyring(dir, addr string) (*process, error) {
	env := []string{"PATH=" + os.Getenv("PATH"), "DBUS_SESSION_BUS_ADDRESS=" + addr}
	for _, v := range []string{"HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"} {
		d := filepath.Join(dir, strings.ToLower(v))
		if err := os.Mkdir(d, 0o700); err != nil {
			return nil, err
		}
		env = append(env, v+"="+d)
	}
	watch, err := dbus.Connect(addr)
	if err != nil {
		return nil, fmt.Errorf("connect to the bus: %w", err)
	}
	defer watch.Close()
	signals := make(chan *dbus.Signal, 16)
	watch.Signal(signals)
	for _, m := range [][]dbus.MatchOption{
		{dbus.WithMatchMember("NameOwnerChanged"), dbus.WithMatchArg(0, secretsName)},
		{dbus.WithMatchInterface(secretsIface), dbus.WithMatchMember("CollectionCreated")},
	} {
		if err := watch.AddMatchSignal(m...); err != nil {
			return nil, fmt.Errorf("watch the bus: %w", err)
		}
	}
	cmd := exec.Command("gnome-keyring-daemon", "--foreground", "--components=secrets", "--unlock")
	cmd.Env, cmd.Dir = env, dir
	cmd.Stdin = strings.NewReader(password)
	p, err := start(cmd)
	if err != nil {
		return nil, err
	}
	deadline := time.After(startTimeout)
	for !loginReady(watch) {
		select {
		case <-signals:
		case <-p.exited:
			return nil, fmt.Errorf("exited: %s", p.output())
		case <-deadline:
			p.stop()
			return nil, fmt.Errorf("no login collection on the bus: %s", p.output())
		}
	}
	return p, nil
}

// loginReady reports whether the Secret Service owns its name and has an
// (unlocked) login collection.
func loginReady(c *dbus.Conn) bool {
	var owned bool
	if err := c.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, secretsName).Store(&owned); err != nil || !owned {
		return false
	}
	v, err := c.Object(secretsName, secretsPath).GetProperty(secretsIface + ".Collections")
	if err != nil {
		return false
	}
	paths, _ := v.Value().([]dbus.ObjectPath)
	return slices.Contains(paths, loginCollection)
}

// process is a started daemon and its combined output.
type process struct {
	cmd    *exec.Cmd
	out    *lockedbuf.Buffer
	exited chan struct{} // closed once the process has exited
}

func start(cmd *exec.Cmd) (*process, error) {
	p := &process{cmd: cmd, out: &lockedbuf.Buffer{}, exited: make(chan struct{})}
	if cmd.Stdout == nil {
		cmd.Stdout = p.out
	}
	cmd.Stderr = p.out
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// stop kills the process and waits for it. It is harmless on one that
// has exited.
func (p *process) stop() {
	_ = p.cmd.Process.Kill()
	<-p.exited
}

func (p *process) output() string { return strings.TrimSpace(p.out.String()) }
