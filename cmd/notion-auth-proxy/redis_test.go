package main

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/eventually"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/redistest"
)

// useRedis points every command of the test at srv.
func useRedis(t *testing.T, srv *redistest.Server) {
	t.Helper()
	t.Setenv("NOTION_PROXY_STORE_BACKEND", "redis")
	t.Setenv("NOTION_PROXY_STORE_REDIS_ADDR", srv.Addr())
}

// hammer sends n concurrent GETs, spread over the replicas' base URLs,
// and returns the statuses that were not 200.
func hammer(urls []string, path string, n int) []string {
	var mu sync.Mutex
	var bad []string
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			resp, err := http.Get(urls[i%len(urls)] + path)
			status := "error"
			if err == nil {
				resp.Body.Close()
				status = resp.Status
			}
			if err != nil || resp.StatusCode != http.StatusOK {
				mu.Lock()
				bad = append(bad, status)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return bad
}

// TestReplicasRefreshOnceAcrossExpiries runs three proxies over one Redis.
// Each expiry makes every replica see 401s at once; exactly one refresh
// runs among them, and no replica ever sends a rotated refresh token.
func TestReplicasRefreshOnceAcrossExpiries(t *testing.T) {
	e := newOAuthEnv(t, "")
	useRedis(t, redistest.Start(t, redistest.Options{}))
	first := e.serve(t)
	browserLogin(t, first)
	replicas := []*served{first, startServe(t, "--config", e.cfg), startServe(t, "--config", e.cfg)}
	urls := make([]string, len(replicas))
	for i, r := range replicas {
		urls[i] = r.url
	}
	for round := 1; round <= 3; round++ {
		e.clock.advance(2 * time.Hour) // Notion expires the token; the replicas learn by 401
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
	for _, r := range replicas {
		if resp, _ := r.get(t, "/readyz"); resp.StatusCode != 200 {
			t.Errorf("/readyz on a replica: %d", resp.StatusCode)
		}
		checkLogs(t, r.stderr.String())
		assertNoSecrets(t, "", r.stderr.String())
	}
}

// TestSetTokenReachesReplicas: set-token against Redis is used by every
// running replica within 2 seconds, without a restart.
func TestSetTokenReachesReplicas(t *testing.T) {
	e := newOAuthEnv(t, "  - {name: central, type: token}\nworkspaces:\n  - {name: c, credential: central}\n")
	useRedis(t, redistest.Start(t, redistest.Options{}))
	replicas := []*served{e.serve(t), startServe(t, "--config", e.cfg), startServe(t, "--config", e.cfg)}
	for _, token := range []string{testToken, otherToken} {
		t.Setenv("CENTRAL_TOKEN", token)
		if code, out, errOut := runCmd(t, "set-token", "central", "--from-env", "CENTRAL_TOKEN", "--config", e.cfg); code != 0 {
			t.Fatalf("set-token: exit %d %s %s", code, out, errOut)
		}
		stored := time.Now()
		for i, r := range replicas {
			if !eventually.Within(2*time.Second-time.Since(stored), func() bool { return usesToken(t, e, r, token) }) {
				t.Fatalf("replica %d did not use the new token within 2s of set-token", i)
			}
		}
	}
	for _, r := range replicas {
		assertNoSecrets(t, "", r.stderr.String())
	}
}

// usesToken reports whether a request through r reaches Notion with token.
func usesToken(t *testing.T, e *oauthEnv, r *served, token string) bool {
	t.Helper()
	resp, _ := r.get(t, "/w/c/v1/users/me")
	last, _ := e.fake.LastRequest()
	return resp.StatusCode == 200 && last.Token == token
}

// TestRedisDownAndBack kills Redis under traffic: requests keep being
// served with the held token, /readyz turns 503 naming the store, a
// refresh that becomes necessary fails closed, and when Redis returns
// the replica is ready again by itself with the stored pair intact.
func TestRedisDownAndBack(t *testing.T) {
	e := newOAuthEnv(t, "")
	srv := redistest.Start(t, redistest.Options{Persist: true})
	useRedis(t, srv)
	s := e.serve(t)
	browserLogin(t, s)
	urls := []string{s.url}

	// Traffic runs across the kill and until the replica says it is not
	// ready; then 20 more requests are made with Redis surely down.
	stop, failed := make(chan struct{}), make(chan []string, 1)
	go func() {
		var bad []string
		for {
			select {
			case <-stop:
				failed <- bad
				return
			default:
			}
			bad = append(bad, hammer(urls, "/v1/users/me", 4)...)
		}
	}()
	srv.Kill()
	waitStatus(t, s, "/readyz", 503, `"partner":"store_unavailable"`)
	close(stop)
	bad := append(<-failed, hammer(urls, "/v1/users/me", 20)...)
	if len(bad) > 0 {
		t.Fatalf("with Redis down, requests with the held token failed: %v", bad)
	}
	if _, body := s.get(t, "/metrics"); !strings.Contains(body, `notion_proxy_credential_ready{credential="partner"} 0`) {
		t.Error("the ready metric does not show the credential as not ready")
	}

	// The token expires at Notion: the refresh it needs must not run
	// without the lock.
	e.clock.advance(2 * time.Hour)
	resp, body := s.get(t, "/v1/users/me")
	if resp.StatusCode != 503 || resp.Header.Get("X-Notion-Proxy-Error") != "credential_unavailable" || e.refreshes() != 0 {
		t.Fatalf("a refresh with Redis down: %d %s (%d refreshes); want 503 credential_unavailable", resp.StatusCode, body, e.refreshes())
	}
	logs := s.stderr.String()
	if !strings.Contains(logs, `"event":"refresh_failed"`) || !strings.Contains(logs, `"reason":"store_unavailable"`) ||
		!strings.Contains(logs, "redis "+srv.Addr()) {
		t.Errorf("no refresh_failed naming the store in the logs:\n%s", logs)
	}

	srv.Restart()
	waitStatus(t, s, "/readyz", 200, `"status":"ready"`)
	if bad := hammer(urls, "/v1/users/me", 20); len(bad) > 0 {
		t.Fatalf("after Redis returned: %v", bad)
	}
	if e.refreshes() != 1 || e.fake.RefreshTokenReuses() != 0 {
		t.Errorf("%d refreshes, %d rotated-token reuses; want the stored pair refreshed once", e.refreshes(), e.fake.RefreshTokenReuses())
	}
	if _, body := s.get(t, "/metrics"); !strings.Contains(body, `notion_proxy_credential_ready{credential="partner"} 1`) {
		t.Error("the ready metric did not recover")
	}
	checkLogs(t, s.stderr.String())
}

// waitStatus polls path until it answers status with a body holding want.
func waitStatus(t *testing.T, s *served, path string, status int, want string) {
	t.Helper()
	var got int
	var body string
	if !eventually.True(func() bool {
		var resp *http.Response
		resp, body = s.get(t, path)
		got = resp.StatusCode
		return got == status && strings.Contains(body, want)
	}) {
		t.Fatalf("%s never answered %d with %s; last %d %s", path, status, want, got, body)
	}
}

func TestRedisPasswordEnvMustBeSet(t *testing.T) {
	dir := isolate(t)
	t.Setenv("WIKI_TOKEN", testToken)
	cfg := dir + "/c.yaml"
	writeFile(t, cfg, "credentials:\n  - {name: wiki, type: token, token_env: WIKI_TOKEN}\n"+
		"store: {backend: redis, redis: {password_env: REDIS_PW}}\n")
	code, _, stderr := runCmd(t, "serve", "--config", cfg)
	if code != 2 || !strings.Contains(stderr, "REDIS_PW") {
		t.Errorf("exit %d %q; want 2 naming REDIS_PW", code, stderr)
	}
}
