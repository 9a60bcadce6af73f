package main

import (
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/eventually"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/lockedbuf"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
)

const oauthSecret = "secret_oauth_client_value_e2e"

// oauthEnv is a fake with a public integration and a config for it.
type oauthEnv struct {
	fake   *notiontest.Server
	cfg    string
	port   string
	store  string
	clock  *fakeClock
	client notiontest.OAuthClient
}

type fakeClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off += d
}

func newOAuthEnv(t *testing.T, extra string) *oauthEnv {
	t.Helper()
	dir := isolate(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	e := &oauthEnv{fake: newFake(t), port: port, clock: &fakeClock{},
		store: filepath.Join(dir, "state", "notion-auth-proxy", "credentials.json")}
	e.client = notiontest.OAuthClient{ID: "partner-client", Secret: oauthSecret,
		RedirectURI: "http://127.0.0.1:" + port + "/oauth/callback",
		Bot:         notiontest.Bot{ID: "bot-p", Name: "Partner Bot", WorkspaceID: "5c1a6a0e0d6f4bd09b7a2f8e3c4d5e6f", WorkspaceName: "Acme"}}
	e.fake.AddOAuthClient(e.client)
	e.fake.SetTokenLifetime(time.Hour)
	e.fake.SetClock(e.clock.now)
	t.Setenv("PARTNER_SECRET", oauthSecret)
	e.cfg = filepath.Join(dir, "notion-auth-proxy.yaml")
	writeFile(t, e.cfg, "upstream: "+e.fake.URL()+"\ndefault_credential: partner\ncredentials:\n"+
		"  - {name: partner, type: oauth, client_id: partner-client, client_secret_env: PARTNER_SECRET, redirect_url: "+e.client.RedirectURI+"}\n"+extra)
	return e
}

func (e *oauthEnv) serve(t *testing.T) *served {
	return startServeOn(t, "127.0.0.1:"+e.port, "--config", e.cfg)
}

// browserLogin follows /oauth/start through Notion's authorize page back to
// the callback, as a browser would.
func browserLogin(t *testing.T, s *served) string {
	t.Helper()
	resp, body := s.get(t, "/oauth/start/partner")
	if resp.StatusCode != 200 || !strings.Contains(body, "Logged in") {
		t.Fatalf("login ended with %d: %s", resp.StatusCode, body)
	}
	return body
}

func (e *oauthEnv) refreshes() int {
	_, n := e.fake.TokenCalls()
	return n
}

func TestOAuthLoginRefreshAndRestart(t *testing.T) {
	e := newOAuthEnv(t, "")
	s := e.serve(t)
	if resp, _ := s.get(t, "/readyz"); resp.StatusCode != 503 {
		t.Errorf("/readyz before login: %d, want 503", resp.StatusCode)
	}
	resp, body := s.get(t, "/v1/users/me")
	if resp.StatusCode != 401 || !strings.Contains(body, "notion-auth-proxy login partner") {
		t.Errorf("before login: %d %s", resp.StatusCode, body)
	}
	if page := browserLogin(t, s); !strings.Contains(page, "Acme") {
		t.Errorf("the result page does not name the workspace: %s", page)
	}
	if resp, body := s.get(t, "/v1/users/me"); resp.StatusCode != 200 || !strings.Contains(body, "Partner Bot") {
		t.Fatalf("after login: %d %s", resp.StatusCode, body)
	}
	if resp, _ := s.get(t, "/readyz"); resp.StatusCode != 200 {
		t.Errorf("/readyz after login: %d", resp.StatusCode)
	}
	checkStoreFile(t, e.store)

	// Notion expires the token; the proxy's clock does not know yet, so
	// the 401 triggers the refresh, and the POST is replayed.
	e.clock.advance(2 * time.Hour)
	resp, err := http.Post(s.url+"/v1/search", "application/json", strings.NewReader(`{"query":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || e.refreshes() != 1 {
		t.Fatalf("after expiry: %d with %d refreshes, want 200 after one refresh", resp.StatusCode, e.refreshes())
	}

	// 50 concurrent requests across the next expiry: one refresh.
	e.clock.advance(2 * time.Hour)
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if resp, _ := s.get(t, "/v1/users/me"); resp.StatusCode != 200 {
				t.Errorf("concurrent request: %d", resp.StatusCode)
			}
		})
	}
	wg.Wait()
	if n := e.refreshes(); n != 2 || e.fake.RefreshTokenReuses() != 0 {
		t.Errorf("%d refreshes (want 2), %d rotated-token reuses", n, e.fake.RefreshTokenReuses())
	}

	// A restart serves from the stored pair, refreshing nothing.
	s.stop()
	s = e.serve(t)
	if resp, _ := s.get(t, "/v1/users/me"); resp.StatusCode != 200 || e.refreshes() != 2 {
		t.Errorf("after restart: %d, %d refreshes", resp.StatusCode, e.refreshes())
	}
	assertNoSecrets(t, e.store, s.stderr.String())
}

func TestCLIRefreshReachesRunningProxy(t *testing.T) {
	e := newOAuthEnv(t, "")
	s := e.serve(t)
	browserLogin(t, s)
	s.get(t, "/v1/users/me")
	code, out, errOut := runCmd(t, "refresh", "partner", "--config", e.cfg)
	if code != 0 || !strings.Contains(out, "refreshed partner") {
		t.Fatalf("refresh: exit %d %s %s", code, out, errOut)
	}
	stored := readStore(t, e.store)
	if !eventually.True(func() bool { // the store is polled every second
		s.get(t, "/v1/users/me")
		req, _ := e.fake.LastRequest()
		return req.Token == stored.AccessToken
	}) {
		t.Fatal("the proxy never used the token the CLI stored")
	}
	// When that token expires, the proxy refreshes with the CLI's refresh
	// token, never its own stale one.
	e.clock.advance(2 * time.Hour)
	if resp, _ := s.get(t, "/v1/users/me"); resp.StatusCode != 200 {
		t.Errorf("after expiry: %d", resp.StatusCode)
	}
	if e.refreshes() != 2 || e.fake.RefreshTokenReuses() != 0 {
		t.Errorf("%d refreshes, %d stale refresh tokens sent", e.refreshes(), e.fake.RefreshTokenReuses())
	}
	assertNoSecrets(t, e.store, out+errOut+s.stderr.String())
}

func TestRevokedGrant(t *testing.T) {
	e := newOAuthEnv(t, "")
	s := e.serve(t)
	browserLogin(t, s)
	e.fake.RevokeGrants(e.client.ID)
	for range 3 {
		resp, body := s.get(t, "/v1/users/me")
		if resp.StatusCode != 401 || resp.Header.Get("X-Notion-Proxy-Error") != "credential_needs_login" ||
			!strings.Contains(body, "notion-auth-proxy login partner") {
			t.Fatalf("after revoke: %d %s", resp.StatusCode, body)
		}
	}
	resp, body := s.get(t, "/readyz")
	if resp.StatusCode != 503 || !strings.Contains(body, `"partner":"needs_login"`) {
		t.Errorf("/readyz: %d %s", resp.StatusCode, body)
	}
	if n := strings.Count(s.stderr.String(), `"event":"refresh_failed"`); n != 1 {
		t.Errorf("refresh_failed logged %d times, want once", n)
	}
	code, out, _ := runCmd(t, "credentials", "--config", e.cfg, "--json")
	var rows []credentialRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil || code != 0 || len(rows) != 1 || rows[0].WorkspaceName != "Acme" {
		t.Errorf("credentials --json: exit %d %v %s", code, err, out)
	}
}

func TestSetTokenAndCredentials(t *testing.T) {
	e := newOAuthEnv(t, "  - {name: central, type: token}\n")
	s := e.serve(t)
	if resp, _ := s.get(t, "/w/x/v1/users/me"); resp.StatusCode != 400 {
		t.Fatalf("unknown workspace: %d", resp.StatusCode)
	}
	tokenFile := filepath.Join(filepath.Dir(e.cfg), "tok")
	writeFile(t, tokenFile, testToken+"\n")
	for _, args := range [][]string{
		{"set-token", "central", "--from-file", tokenFile},
		{"set-token", "central", "--from-env", "CENTRAL_TOKEN"},
	} {
		t.Setenv("CENTRAL_TOKEN", otherToken)
		if code, out, errOut := runCmd(t, append(args, "--config", e.cfg)...); code != 0 || !strings.Contains(out, "stored a token for central") {
			t.Fatalf("%v: exit %d %s %s", args, code, out, errOut)
		}
	}
	var out, errOut lockedbuf.Buffer
	if code := run(t.Context(), []string{"set-token", "central", "--config", e.cfg}, strings.NewReader(testToken+"\n"), &out, &errOut); code != 0 {
		t.Fatalf("set-token from stdin: %d %s", code, errOut.String())
	}
	if code, _, errOut := runCmd(t, "set-token", "partner", "--config", e.cfg); code != 2 || !strings.Contains(errOut, "set-token is for token credentials") {
		t.Errorf("set-token on an oauth credential: %d %s", code, errOut)
	}
	code, table, _ := runCmd(t, "credentials", "--config", e.cfg)
	for _, want := range []string{"NAME", "central", "token", "ready", "partner", "oauth", "needs_login"} {
		if code != 0 || !strings.Contains(table, want) {
			t.Errorf("credentials table lacks %q:\n%s", want, table)
		}
	}
	assertNoSecrets(t, "", table+out.String()+errOut.String()+s.stderr.String())
}

// startServeOn runs serve on a given address.
func startServeOn(t *testing.T, addr string, args ...string) *served {
	t.Helper()
	return startServe(t, append(args, "--listen", addr)...)
}

type storedPair struct {
	AccessToken, RefreshToken string
}

// readStore reads the partner pair from a plaintext store file.
func readStore(t *testing.T, path string) storedPair {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Credentials map[string]struct {
			AccessToken  string `json:"access_token"`
			RefreshToken string `json:"refresh_token"`
		} `json:"credentials"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	p := f.Credentials["partner"]
	return storedPair{p.AccessToken, p.RefreshToken}
}

func checkStoreFile(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("the login stored nothing: %v", err)
	}
	di, _ := os.Stat(filepath.Dir(path))
	if fi.Mode().Perm() != 0o600 || di.Mode().Perm() != 0o700 {
		t.Errorf("store file %v, directory %v; want 0600 and 0700", fi.Mode().Perm(), di.Mode().Perm())
	}
}

// assertNoSecrets checks text for the client secret, the test tokens and,
// when storePath is set, the stored pair.
func assertNoSecrets(t *testing.T, storePath, text string) {
	t.Helper()
	secrets := []string{oauthSecret, testToken, otherToken}
	if storePath != "" {
		p := readStore(t, storePath)
		secrets = append(secrets, p.AccessToken, p.RefreshToken)
		if b, _ := os.ReadFile(storePath); strings.Contains(string(b), oauthSecret) {
			t.Error("the client secret is in the store")
		}
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("a secret appears in output or logs")
		}
	}
}

// runLogin runs `login partner` in the background and follows the URL it
// prints, as the person at the browser would.
func runLogin(t *testing.T, e *oauthEnv) (code int, out string) {
	t.Helper()
	stdout := &lockedbuf.Buffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(t.Context(), []string{"login", "partner", "--config", e.cfg}, strings.NewReader(""), stdout, &lockedbuf.Buffer{})
	}()
	var authURL string
	if !eventually.True(func() bool {
		for _, line := range strings.Split(stdout.String(), "\n") {
			if u := strings.TrimSpace(line); strings.HasPrefix(u, "http://") {
				authURL = u
			}
		}
		return authURL != ""
	}) {
		t.Fatalf("login printed no URL: %s", stdout)
	}
	resp, err := http.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("the browser ended on %d", resp.StatusCode)
	}
	select {
	case code = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("login did not finish after the callback")
	}
	return code, stdout.String()
}

func TestLoginCommandWithOwnListener(t *testing.T) {
	e := newOAuthEnv(t, "")
	code, out := runLogin(t, e)
	if code != 0 || !strings.Contains(out, `connected to workspace "Acme"`) {
		t.Fatalf("login: exit %d\n%s", code, out)
	}
	checkStoreFile(t, e.store)
	s := e.serve(t)
	if resp, _ := s.get(t, "/v1/users/me"); resp.StatusCode != 200 || e.refreshes() != 0 {
		t.Errorf("a proxy started after login: %d", resp.StatusCode)
	}
	assertNoSecrets(t, e.store, out+s.stderr.String())
}

func TestLoginCommandThroughRunningProxy(t *testing.T) {
	e := newOAuthEnv(t, "")
	s := e.serve(t)
	code, out := runLogin(t, e)
	if code != 0 || !strings.Contains(out, "/oauth/start/partner") || !strings.Contains(out, "Acme") {
		t.Fatalf("login through the proxy: exit %d\n%s", code, out)
	}
	if resp, _ := s.get(t, "/v1/users/me"); resp.StatusCode != 200 {
		t.Errorf("after login: %d", resp.StatusCode)
	}
}

func TestEncryptedStore(t *testing.T) {
	e := newOAuthEnv(t, "store: {encryption_key_env: STORE_KEY}\n")
	t.Setenv("STORE_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=") // 32 bytes, base64
	s := e.serve(t)
	browserLogin(t, s)
	b, err := os.ReadFile(e.store)
	if err != nil || strings.Contains(string(b), "ntn_oauth_") || !strings.Contains(string(b), "aes-256-gcm") {
		t.Fatalf("store is not encrypted: %v", err)
	}
	s.stop()
	t.Setenv("STORE_KEY", "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=")
	code, out, errOut := runCmd(t, "credentials", "--config", e.cfg)
	if code == 0 && !strings.Contains(out, "credentials.json") || !strings.Contains(out+errOut, "credentials.json") {
		t.Errorf("a wrong key: exit %d, output does not name the store file:\n%s%s", code, out, errOut)
	}
	if after, _ := os.ReadFile(e.store); string(after) != string(b) {
		t.Error("the store was overwritten after a decryption failure")
	}
}
