// Package procs starts and stops the processes the benchmark drivers under
// bench/ measure (the proxy, nginx, redis-server), waits for them to answer
// and reads their memory use from /proc. It is for benchmarks only: every
// process listens on loopback and is stopped by the driver that started it.
package procs

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Proc is a started process whose output goes to a log file. Its methods
// are not safe for concurrent use.
type Proc struct {
	Name    string
	Log     string // path of the file holding its stdout and stderr
	Started time.Time

	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// Start runs argv with exactly env (nothing is inherited, so that a
// caller's GOGC or NOTION_* variables cannot leak into a measurement),
// writing its output to dir/name.log.
func Start(name, dir string, env []string, argv ...string) (*Proc, error) {
	logPath := filepath.Join(dir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	defer f.Close() // the child holds its own copy
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = f, f
	p := &Proc{Name: name, Log: logPath, cmd: cmd, done: make(chan struct{})}
	p.Started = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// PID returns the process id.
func (p *Proc) PID() int { return p.cmd.Process.Pid }

// Exited reports whether the process has ended.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stop sends SIGTERM, waits up to 10 s for the process to end, then kills
// it. It returns nil when the process ended by the signal or exited 0.
func (p *Proc) Stop() error {
	if p.Exited() {
		return p.exitErr()
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("stop %s: killed after 10 s", p.Name)
	}
	return p.exitErr()
}

func (p *Proc) exitErr() error {
	var exit *exec.ExitError
	if errors.As(p.err, &exit) {
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGTERM {
			return nil
		}
	}
	if p.err != nil {
		return fmt.Errorf("%s: %w (log: %s)", p.Name, p.err, p.Log)
	}
	return nil
}

// WaitHTTP polls url every interval until it answers status want, the
// process ends, or timeout passes. It returns the moment the answer came.
func (p *Proc) WaitHTTP(url string, want int, interval, timeout time.Duration) (time.Time, error) {
	// A fresh connection per poll, as a probe has: keep-alive would let
	// the first successful dial decide the timing.
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(timeout)
	for {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == want {
				return time.Now(), nil
			}
		}
		if p.Exited() {
			return time.Time{}, fmt.Errorf("%s ended before %s answered %d (log: %s)", p.Name, url, want, p.Log)
		}
		if time.Now().After(deadline) {
			return time.Time{}, fmt.Errorf("%s: %s did not answer %d within %s (log: %s)", p.Name, url, want, timeout, p.Log)
		}
		time.Sleep(interval)
	}
}

// Memory is a process's resident memory in bytes, from /proc/PID/status.
type Memory struct {
	RSS  int64 // VmRSS
	Peak int64 // VmHWM: the largest RSS so far
	Anon int64 // RssAnon: heap, stacks, runtime structures
	File int64 // RssFile: pages of the binary and other files mapped
}

// ReadMemory reads the memory of process pid.
func ReadMemory(pid int) (Memory, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return Memory{}, fmt.Errorf("read memory of %d: %w", pid, err)
	}
	defer f.Close()
	var m Memory
	fields := map[string]*int64{"VmRSS": &m.RSS, "VmHWM": &m.Peak, "RssAnon": &m.Anon, "RssFile": &m.File}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		field := fields[k]
		if !ok || field == nil {
			continue
		}
		kib, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			return Memory{}, fmt.Errorf("read memory of %d: %s: %w", pid, k, err)
		}
		*field = kib << 10
	}
	if err := sc.Err(); err != nil {
		return Memory{}, fmt.Errorf("read memory of %d: %w", pid, err)
	}
	return m, nil
}

// FreeAddr returns a loopback address no one listened on a moment ago.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

// Env returns a minimal environment for a child: PATH, a HOME and XDG
// directories under dir (so no user file is read or written), then kv.
func Env(dir string, kv ...string) []string {
	return append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"XDG_STATE_HOME=" + filepath.Join(dir, "state"),
		"XDG_DATA_HOME=" + filepath.Join(dir, "data"),
	}, kv...)
}

// WaitTCP waits until something accepts connections at addr, the process
// ends, or timeout passes.
func WaitTCP(p *Proc, addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			return c.Close()
		}
		if p.Exited() {
			return fmt.Errorf("%s ended before it listened on %s (log: %s)", p.Name, addr, p.Log)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not listen on %s within %s (log: %s)", p.Name, addr, timeout, p.Log)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// StartRedis runs a throwaway redis-server on addr that keeps nothing on
// disk, and waits up to 10 s until it answers PING.
func StartRedis(dir, addr string) (*Proc, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("start redis: %w", err)
	}
	p, err := Start("redis", dir, Env(dir), "redis-server", "--bind", host, "--port", port,
		"--save", "", "--appendonly", "no", "--dir", dir)
	if err != nil {
		return nil, err
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && !p.Exited(); {
		if ping(addr) == nil {
			return p, nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	_ = p.Stop()
	return nil, fmt.Errorf("start redis: it never answered PING (log: %s)", p.Log)
}

func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("redis answered %q", line)
	}
	return nil
}

// WriteCSV writes header and rows to dir/name, creating dir if need be.
func WriteCSV(dir, name string, header []string, rows [][]string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	w := csv.NewWriter(f)
	_ = w.Write(header)
	_ = w.WriteAll(rows) // WriteAll flushes; its error is w.Error()
	if err := errors.Join(w.Error(), f.Close()); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}
