package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/eventually"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/lockedbuf"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
)

const (
	testToken  = "ntn_e2e_secret_value_0123456789"
	otherToken = "ntn_e2e_rotated_value_9876543210"
)

// isolate gives the test an environment with no configuration of the user's.
func isolate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	for _, k := range []string{"NOTION_API_TOKEN", "NOTION_PROXY_CONFIG", "NOTION_PROXY_LISTEN", "NOTION_PROXY_UPSTREAM"} {
		t.Setenv(k, "")
	}
	// The store is the file store: a test must never write to the
	// keychain of the machine it runs on.
	t.Setenv("NOTION_KEYRING", "0")
	// Pacing is tested on its own; elsewhere it would only slow tests down.
	t.Setenv("NOTION_PROXY_RATE_LIMIT_REQUESTS_PER_SECOND", "0")
	t.Setenv("HOME", dir)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
	return dir
}

func newFake(t *testing.T) *notiontest.Server {
	t.Helper()
	fake := notiontest.NewServer()
	t.Cleanup(fake.Close)
	bot := notiontest.Bot{ID: "bot-1", Name: "Wiki Bot", WorkspaceID: "ws-1", WorkspaceName: "Acme Wiki"}
	fake.AddToken(testToken, bot)
	fake.AddToken(otherToken, bot)
	return fake
}

// runCmd runs a command to completion.
func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut lockedbuf.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

// served is a running `serve`.
type served struct {
	url    string
	stderr *lockedbuf.Buffer
	stop   func() int
}

// startServe runs `serve` in-process on a free loopback port and waits until
// it listens.
func startServe(t *testing.T, args ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &lockedbuf.Buffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...), strings.NewReader(""), io.Discard, stderr)
	}()
	addr := regexp.MustCompile(`"event":"listening","addr":"([^"]+)"`)
	var m []string
	exited, code := false, 0
	listening := eventually.True(func() bool {
		if m = addr.FindStringSubmatch(stderr.String()); m != nil {
			return true
		}
		select {
		case code = <-done:
			exited = true
		default:
		}
		return exited
	})
	switch {
	case exited:
		cancel()
		t.Fatalf("serve exited with %d before listening:\n%s", code, stderr)
	case !listening:
		cancel()
		t.Fatalf("serve did not listen:\n%s", stderr)
	}
	s := &served{url: "http://" + m[1], stderr: stderr}
	var once sync.Once
	s.stop = func() int {
		once.Do(func() { cancel(); code = <-done })
		return code
	}
	t.Cleanup(func() { s.stop() })
	return s
}

func (s *served) get(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(s.url + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// checkLogs asserts every log line is JSON with an event and holds no token.
func checkLogs(t *testing.T, logs string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Errorf("log line is not JSON: %q", line)
			continue
		}
		if m["event"] == nil || m["event"] == "" {
			t.Errorf("log line without event: %q", line)
		}
	}
	if strings.Contains(logs, testToken) || strings.Contains(logs, otherToken) {
		t.Error("a token appears in the logs")
	}
}

func TestServeZeroConfig(t *testing.T) {
	isolate(t)
	fake := newFake(t)
	t.Setenv("NOTION_API_TOKEN", testToken)
	t.Setenv("NOTION_PROXY_UPSTREAM", fake.URL())
	s := startServe(t)

	resp, body := s.get(t, "/v1/users/me")
	if resp.StatusCode != 200 || !strings.Contains(body, `"Wiki Bot"`) {
		t.Fatalf("users/me: %d %s", resp.StatusCode, body)
	}
	if resp.Header.Get("X-Notion-Proxy-Credential") != "default" {
		t.Errorf("credential %q, want default", resp.Header.Get("X-Notion-Proxy-Credential"))
	}
	if req, _ := fake.LastRequest(); req.Token != testToken || req.Header.Get("Notion-Version") != "2025-09-03" {
		t.Errorf("upstream got the wrong token or version %q", req.Header.Get("Notion-Version"))
	}
	if resp, _ := s.get(t, "/readyz"); resp.StatusCode != 200 {
		t.Errorf("/readyz: %d", resp.StatusCode)
	}
	if code := s.stop(); code != 0 {
		t.Errorf("serve exited %d after a graceful stop", code)
	}
	logs := s.stderr.String()
	checkLogs(t, logs)
	for _, want := range []string{`"event":"request"`, `"event":"shutdown"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s", want)
		}
	}
}

func TestServeWithoutConfiguration(t *testing.T) {
	isolate(t)
	code, _, stderr := runCmd(t, "serve")
	if code != 2 || !strings.Contains(stderr, "NOTION_API_TOKEN") {
		t.Errorf("exit %d, stderr %q; want 2 naming NOTION_API_TOKEN", code, stderr)
	}
}

func TestServeRejectsInvalidConfig(t *testing.T) {
	dir := isolate(t)
	path := filepath.Join(dir, "bad.yaml")
	writeFile(t, path, "listen: 0.0.0.0:8700\nbogus: 1\ncredentials:\n  - {name: wiki, type: token, token_env: X}\n")
	code, _, stderr := runCmd(t, "serve", "--config", path)
	if code != 2 || !strings.Contains(stderr, "bogus") || !strings.Contains(stderr, "client_keys") {
		t.Errorf("exit %d, stderr %q; want 2 naming both problems", code, stderr)
	}
}

func TestTokenFileRotation(t *testing.T) {
	dir := isolate(t)
	fake := newFake(t)
	tokenFile := filepath.Join(dir, "wiki.token")
	writeFile(t, tokenFile, testToken+"\n")
	cfg := filepath.Join(dir, "notion-auth-proxy.yaml")
	writeFile(t, cfg, "upstream: "+fake.URL()+"\ncredentials:\n  - {name: wiki, type: token, token_file: "+tokenFile+"}\n")
	s := startServe(t)

	s.get(t, "/v1/users/me")
	if req, _ := fake.LastRequest(); req.Token != testToken {
		t.Fatal("first request did not use the file's token")
	}
	writeFile(t, tokenFile, otherToken+"\n")
	waitUpstreamToken(t, s, fake, otherToken, "the rotated token file was never used")
	checkLogs(t, s.stderr.String())
}

// waitUpstreamToken sends requests through s until the fake sees token.
func waitUpstreamToken(t *testing.T, s *served, fake *notiontest.Server, token, failure string) {
	t.Helper()
	if !eventually.True(func() bool {
		s.get(t, "/v1/users/me")
		req, _ := fake.LastRequest()
		return req.Token == token
	}) {
		t.Fatal(failure)
	}
}

func TestReloadOnSIGHUP(t *testing.T) {
	dir := isolate(t)
	fake := newFake(t)
	t.Setenv("WIKI_TOKEN", testToken)
	t.Setenv("OTHER_TOKEN", otherToken)
	cfg := filepath.Join(dir, "notion-auth-proxy.yaml")
	base := "upstream: " + fake.URL() + "\ncredentials:\n  - {name: wiki, type: token, token_env: WIKI_TOKEN}\n  - {name: other, type: token, token_env: OTHER_TOKEN}\n"
	writeFile(t, cfg, base+"default_credential: wiki\n")
	s := startServe(t)

	if resp, _ := s.get(t, "/v1/users/me"); resp.Header.Get("X-Notion-Proxy-Credential") != "wiki" {
		t.Fatal("default is not wiki")
	}
	writeFile(t, cfg, base+"default_credential: nope\n")
	hangUp(t)
	waitLog(t, s.stderr, `"event":"config_reload_failed"`)
	if resp, _ := s.get(t, "/v1/users/me"); resp.Header.Get("X-Notion-Proxy-Credential") != "wiki" {
		t.Error("an invalid reload changed the serving configuration")
	}
	writeFile(t, cfg, base+"default_credential: other\n")
	hangUp(t)
	waitLog(t, s.stderr, `"event":"config_reloaded"`)
	if resp, _ := s.get(t, "/v1/users/me"); resp.Header.Get("X-Notion-Proxy-Credential") != "other" {
		t.Error("a valid reload was not applied")
	}
	checkLogs(t, s.stderr.String())
}

func hangUp(t *testing.T) {
	t.Helper()
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
}

func waitLog(t *testing.T, logs *lockedbuf.Buffer, want string) {
	t.Helper()
	if !eventually.True(func() bool { return strings.Contains(logs.String(), want) }) {
		t.Fatalf("no %s in logs:\n%s", want, logs)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestShutdownDrainsInFlightRequests(t *testing.T) {
	isolate(t)
	fake := newFake(t)
	t.Setenv("NOTION_API_TOKEN", testToken)
	t.Setenv("NOTION_PROXY_UPSTREAM", fake.URL())
	s := startServe(t)
	fake.SetDelay(500 * time.Millisecond)
	result := make(chan int, 1)
	go func() {
		resp, err := http.Get(s.url + "/v1/users/me")
		if err != nil {
			result <- 0
			return
		}
		resp.Body.Close()
		result <- resp.StatusCode
	}()
	eventually.Require(t, "the request to reach upstream", func() bool { return len(fake.Requests()) > 0 })
	if code := s.stop(); code != 0 {
		t.Errorf("serve exited %d", code)
	}
	if status := <-result; status != 200 {
		t.Errorf("in-flight request got %d during shutdown, want 200", status)
	}
	if _, err := http.Get(s.url + "/healthz"); err == nil {
		t.Error("still accepting after shutdown")
	}
}

func TestServerTimeouts(t *testing.T) {
	srv := newServer(http.NotFoundHandler(), zap.NewNop())
	if srv.ReadHeaderTimeout != 10*time.Second || srv.IdleTimeout != 120*time.Second || srv.WriteTimeout != 0 {
		t.Errorf("read-header %s, idle %s, write %s; want 10s, 120s, none", srv.ReadHeaderTimeout, srv.IdleTimeout, srv.WriteTimeout)
	}
}

func TestServePacesPerCredential(t *testing.T) {
	isolate(t)
	fake := newFake(t)
	t.Setenv("NOTION_API_TOKEN", testToken)
	t.Setenv("NOTION_PROXY_UPSTREAM", fake.URL())
	t.Setenv("NOTION_PROXY_RATE_LIMIT_REQUESTS_PER_SECOND", "0.01")
	t.Setenv("NOTION_PROXY_RATE_LIMIT_BURST", "1")
	t.Setenv("NOTION_PROXY_RATE_LIMIT_MAX_WAIT", "1s")
	s := startServe(t)
	if resp, _ := s.get(t, "/v1/users/me"); resp.StatusCode != 200 {
		t.Fatalf("first request: %d", resp.StatusCode)
	}
	resp, _ := s.get(t, "/v1/users/me")
	if resp.StatusCode != 429 || resp.Header.Get("X-Notion-Proxy-Error") != "rate_limit_wait_exceeded" || resp.Header.Get("Retry-After") == "" {
		t.Errorf("second request: %d %q", resp.StatusCode, resp.Header.Get("X-Notion-Proxy-Error"))
	}
}

func TestServeRetriesWhatNotionDidNotProcess(t *testing.T) {
	isolate(t)
	fake := newFake(t)
	t.Setenv("NOTION_API_TOKEN", testToken)
	t.Setenv("NOTION_PROXY_UPSTREAM", fake.URL())
	t.Setenv("NOTION_PROXY_RETRY_MAX_RETRY_AFTER", "10ms")
	s := startServe(t)
	fake.FailNext(2, http.StatusTooManyRequests, "rate_limited", "slow down")
	if resp, _ := s.get(t, "/v1/users/me"); resp.StatusCode != 200 {
		t.Fatalf("status %d after two 429s, want the third attempt's 200", resp.StatusCode)
	}
	if n := strings.Count(s.stderr.String(), `"event":"rate_limited"`); n != 2 {
		t.Errorf("%d rate_limited events, want 2", n)
	}
	_, metrics := s.get(t, "/metrics")
	if !strings.Contains(metrics, `notion_proxy_upstream_retries_total{credential="default",reason="rate_limited"} 2`) {
		t.Error("metrics do not count the retries")
	}
	checkLogs(t, s.stderr.String())
}
