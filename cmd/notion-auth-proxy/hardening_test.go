package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/eventually"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/lockedbuf"
)

// echoAuthorization makes the fake quote the Authorization it received in
// its error bodies: Notion (or a middlebox) reflecting a secret.
func echoAuthorization(w http.ResponseWriter, r *http.Request) bool {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	quoted := r.Header.Get("Authorization")
	if strings.HasPrefix(r.URL.Path, "/v1/oauth/token") {
		json.NewEncoder(w).Encode(map[string]string{"error": "invalid_request",
			"error_description": "bad client: " + quoted})
		return true
	}
	json.NewEncoder(w).Encode(map[string]any{"object": "error", "status": 400,
		"code": "validation_error", "message": "bad header: " + quoted})
	return true
}

// Whatever an upstream sends back, no secret reaches the log or the output
// of check --online and refresh: tokens, the refresh token, the client
// secret and its Basic form are all redacted.
func TestEchoedSecretsAreRedacted(t *testing.T) {
	e := newOAuthEnv(t, "  - {name: wiki, type: token, token_env: WIKI_TOKEN}\n")
	t.Setenv("WIKI_TOKEN", testToken)
	s := e.serve(t)
	browserLogin(t, s)
	pair := readStore(t, e.store)
	e.fake.SetFault(echoAuthorization)

	s.get(t, "/v1/users/me")
	_, checkOut, checkErr := runCmd(t, "check", "--online", "--config", e.cfg)
	_, refreshOut, refreshErr := runCmd(t, "refresh", "partner", "--config", e.cfg)
	printed := checkOut + checkErr + refreshOut + refreshErr
	if !strings.Contains(printed, "[REDACTED]") {
		t.Error("the echoed secrets did not reach the output at all, so redaction was not tested")
	}
	basic := base64.StdEncoding.EncodeToString([]byte(e.client.ID + ":" + oauthSecret))
	for name, secret := range map[string]string{"static token": testToken, "access token": pair.AccessToken,
		"refresh token": pair.RefreshToken, "client secret": oauthSecret, "Basic form": basic} {
		if strings.Contains(printed, secret) {
			t.Errorf("the %s is in a command's output", name) // not printed: it is a secret
		}
		if strings.Contains(s.stderr.String(), secret) {
			t.Errorf("the %s is in the proxy's log", name)
		}
	}
}

// A proxy started on every interface with client keys must not become
// open when its file is rewritten to a loopback listen without keys: the
// listener stays where it is, so the keys stay required.
func TestReloadCannotDropKeysFromAPublicListener(t *testing.T) {
	dir := isolate(t)
	fake := newFake(t)
	t.Setenv("WIKI_TOKEN", testToken)
	t.Setenv("CI_KEY", "client-key-for-ci-0001")
	cfg := filepath.Join(dir, "c.yaml")
	base := "upstream: " + fake.URL() + "\ncredentials:\n  - {name: wiki, type: token, token_env: WIKI_TOKEN}\n"
	writeFile(t, cfg, base+"listen: 0.0.0.0:0\nclient_keys:\n  - {name: ci, key_env: CI_KEY}\n")
	s := startServeAny(t, "--config", cfg)
	writeFile(t, cfg, base+"listen: 127.0.0.1:8700\n")
	waitLog(t, s.stderr, `"event":"config_reload_failed"`)
	if resp, _ := s.get(t, "/v1/users/me"); resp.StatusCode != 401 || resp.Header.Get("X-Notion-Proxy-Error") != "client_key_required" {
		t.Errorf("after the refused reload a request without a key got %d", resp.StatusCode)
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("upstream saw %d requests without a client key", n)
	}
}

// startServeAny is startServe for a configuration that sets its own listen
// address (such as 0.0.0.0:0); requests go to its port on 127.0.0.1.
func startServeAny(t *testing.T, args ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &lockedbuf.Buffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve"}, args...), strings.NewReader(""), io.Discard, stderr)
	}()
	t.Cleanup(func() { cancel(); <-done })
	addr := regexp.MustCompile(`"event":"listening","addr":"[^"]*:(\d+)"`)
	var port string
	if !eventually.True(func() bool {
		if m := addr.FindStringSubmatch(stderr.String()); m != nil {
			port = m[1]
			return true
		}
		return false
	}) {
		t.Fatalf("serve did not listen:\n%s", stderr)
	}
	return &served{url: "http://127.0.0.1:" + port, stderr: stderr, stop: func() int { cancel(); return <-done }}
}

// The login command's own callback listener answers like the proxy's: a
// request whose Host is not a loopback name (DNS rebinding) is refused.
func TestLoginListenerRefusesForeignHosts(t *testing.T) {
	e := newOAuthEnv(t, "")
	ctx, cancel := context.WithCancel(context.Background())
	out := &lockedbuf.Buffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"login", "partner", "--config", e.cfg}, strings.NewReader(""), out, io.Discard)
	}()
	t.Cleanup(func() { cancel(); <-done })
	if !eventually.True(func() bool { return strings.Contains(out.String(), "Waiting for the callback") }) {
		t.Fatalf("login did not start:\n%s", out)
	}
	get := func(host string) *http.Response {
		req, _ := http.NewRequest("GET", "http://127.0.0.1:"+e.port+"/oauth/callback?state=forged&code=x", nil)
		req.Host = host
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := get("attacker.example:" + e.port); resp.StatusCode != 403 || resp.Header.Get("X-Notion-Proxy-Error") != "forbidden_host" {
		t.Errorf("a foreign Host got %d %q", resp.StatusCode, resp.Header.Get("X-Notion-Proxy-Error"))
	}
	if resp := get("127.0.0.1:" + e.port); resp.StatusCode != 400 {
		t.Errorf("a forged state from loopback got %d, want the login page's 400", resp.StatusCode)
	}
}

// A token or key with a CR or LF once made every request fail with 502.
// It is refused where it enters: at load, and by set-token.
func TestControlCharactersInSecretsAreRefused(t *testing.T) {
	dir := isolate(t)
	t.Setenv("WIKI_TOKEN", "ntn_first_line\r\nX-Injected: 1")
	t.Setenv("CI_KEY", "key-with\nnewline-0001")
	cfg := filepath.Join(dir, "c.yaml")
	writeFile(t, cfg, "credentials:\n  - {name: wiki, type: token, token_env: WIKI_TOKEN}\n  - {name: central, type: token}\n")
	code, out, _ := runCmd(t, "check", "--config", cfg)
	if code != 0 || !strings.Contains(out, "warning: credential wiki") || !strings.Contains(out, "control character") {
		t.Errorf("check: exit %d\n%s", code, out)
	}
	var stdout, stderr lockedbuf.Buffer
	code = run(context.Background(), []string{"set-token", "central", "--config", cfg},
		strings.NewReader("ntn_pasted\r\nwith a second line"), &stdout, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "control character") {
		t.Errorf("set-token: exit %d %s", code, stderr.String())
	}
	writeFile(t, cfg, "credentials:\n  - {name: central, type: token}\nclient_keys:\n  - {name: ci, key_env: CI_KEY}\n")
	if code, _, errOut := runCmd(t, "serve", "--config", cfg); code != 2 || !strings.Contains(errOut, "control character") {
		t.Errorf("serve with a key holding a newline: exit %d %s", code, errOut)
	}
}
