package credstore

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
)

const (
	clientID     = "client-partner"
	clientSecret = "secret_client_value_not_to_be_stored"
	redirectURI  = "http://127.0.0.1:8700/oauth/callback"
)

// clock is a settable clock shared by the fake and the source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// oauthRig is the fake with one public integration, a file store, and a
// way to log in.
type oauthRig struct {
	t      *testing.T
	fake   *notiontest.Server
	clock  *clock
	client *OAuthClient
	path   string
	logs   *observer.ObservedLogs
}

func newOAuthRig(t *testing.T, lifetime time.Duration) *oauthRig {
	t.Helper()
	fake := notiontest.NewServer()
	t.Cleanup(fake.Close)
	c := &clock{now: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)}
	fake.SetClock(c.Now)
	fake.SetTokenLifetime(lifetime)
	fake.AddOAuthClient(notiontest.OAuthClient{ID: clientID, Secret: clientSecret, RedirectURI: redirectURI,
		Bot: notiontest.Bot{ID: "bot-p", Name: "Partner Bot", WorkspaceID: "5c1a6a0e-0d6f-4bd0-9b7a-2f8e3c4d5e6f", WorkspaceName: "Acme"}})
	client := NewOAuthClient(OAuthOptions{Upstream: fake.URL(), ClientID: clientID, ClientSecret: clientSecret,
		RedirectURL: redirectURI, NotionVersion: "2025-09-03", Now: c.Now})
	return &oauthRig{t: t, fake: fake, clock: c, client: client, path: filepath.Join(t.TempDir(), "credentials.json")}
}

// store opens the rig's store file; several stores on one path stand for
// several processes.
func (r *oauthRig) store() Store {
	r.t.Helper()
	s, err := OpenFile(FileOptions{Path: r.path, PollInterval: 10 * time.Millisecond})
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { s.Close() })
	return s
}

// source returns an OAuthSource for "partner" on store.
func (r *oauthRig) source(store Store, seed Secret) *OAuthSource {
	core, logs := observer.New(zap.DebugLevel)
	r.logs = logs
	return NewOAuthSource(OAuthSourceOptions{Name: "partner", Client: r.client, Store: store, Seed: seed,
		Log: zap.New(core), Now: r.clock.Now, Sleep: func(context.Context, time.Duration) error { return nil }})
}

// code runs the browser half of the flow: the fake approves at once.
func (r *oauthRig) code() string {
	r.t.Helper()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(r.client.AuthCodeURL("st"))
	if err != nil {
		r.t.Fatal(err)
	}
	resp.Body.Close()
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || u.Query().Get("code") == "" {
		r.t.Fatalf("authorize did not redirect with a code: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return u.Query().Get("code")
}

// login stores a fresh pair for partner.
func (r *oauthRig) login(store Store) Record {
	r.t.Helper()
	l := NewLogin(LoginOptions{Clients: map[string]*OAuthClient{"partner": r.client}, Store: store, Now: r.clock.Now})
	rec, err := l.complete(context.Background(), "partner", r.code())
	if err != nil {
		r.t.Fatal(err)
	}
	return rec
}

func (r *oauthRig) refreshes() int {
	_, n := r.fake.TokenCalls()
	return n
}

func TestConcurrentCallersAcrossExpiryRefreshOnce(t *testing.T) {
	r := newOAuthRig(t, time.Hour)
	store := r.store()
	first := r.login(store)
	src := r.source(store, "")
	for round := 1; round <= 3; round++ {
		r.clock.Advance(time.Hour - 30*time.Second) // inside the refresh margin
		tokens := make(chan string, 50)
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				tok, err := src.Token(context.Background())
				if err != nil {
					t.Error(err)
				}
				tokens <- tok
			})
		}
		wg.Wait()
		close(tokens)
		seen := map[string]bool{}
		for tok := range tokens {
			seen[tok] = true
		}
		if len(seen) != 1 || seen[first.AccessToken.Reveal()] {
			t.Fatalf("round %d: callers got %d distinct tokens (old one among them: %v), want one new token", round, len(seen), seen[first.AccessToken.Reveal()])
		}
		if n := r.refreshes(); n != round {
			t.Fatalf("round %d: %d refreshes in all, want %d", round, n, round)
		}
	}
	if n := r.fake.RefreshTokenReuses(); n != 0 {
		t.Errorf("%d uses of a rotated refresh token", n)
	}
	if n := len(r.logs.FilterField(zap.String("event", "token_refreshed")).All()); n != 3 {
		t.Errorf("%d token_refreshed events, want 3", n)
	}
}

func TestRefreshAfterRejectionHappensOnce(t *testing.T) {
	r := newOAuthRig(t, 0)
	store := r.store()
	first := r.login(store)
	src := r.source(store, "")
	rejected := first.AccessToken.Reveal()
	fresh, err := src.Refresh(context.Background(), rejected)
	if err != nil || fresh == rejected {
		t.Fatalf("Refresh: %v", err)
	}
	again, err := src.Refresh(context.Background(), rejected)
	if err != nil || again != fresh || r.refreshes() != 1 {
		t.Errorf("a second 401 on the old token refreshed again (%d refreshes)", r.refreshes())
	}
	stored, _ := store.Get(context.Background(), "partner")
	if stored.AccessToken.Reveal() != fresh || stored.RefreshedAt.IsZero() || stored.WorkspaceName != "Acme" {
		t.Errorf("the refreshed pair was not stored: %+v", stored)
	}
}

// TestProcessesShareOneRefresh stands two processes on one store file: a
// rejection seen by both causes one refresh, and neither sends a rotated
// refresh token.
func TestProcessesShareOneRefresh(t *testing.T) {
	r := newOAuthRig(t, 0)
	first := r.login(r.store())
	a, b := r.source(r.store(), ""), r.source(r.store(), "")
	var wg sync.WaitGroup
	got := make([]string, 2)
	for i, src := range []*OAuthSource{a, b} {
		wg.Go(func() {
			var err error
			if got[i], err = src.Refresh(context.Background(), first.AccessToken.Reveal()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got[0] != got[1] || r.refreshes() != 1 || r.fake.RefreshTokenReuses() != 0 {
		t.Errorf("tokens equal %v, refreshes %d, reuses %d; want one shared refresh", got[0] == got[1], r.refreshes(), r.fake.RefreshTokenReuses())
	}
}

func TestRevokedGrantNeedsLogin(t *testing.T) {
	r := newOAuthRig(t, 0)
	store := r.store()
	first := r.login(store)
	src := r.source(store, "")
	r.fake.RevokeGrants(clientID)
	for range 3 {
		_, err := src.Refresh(context.Background(), first.AccessToken.Reveal())
		var ce *Error
		if !errors.As(err, &ce) || !ce.NeedsLogin() {
			t.Fatalf("Refresh after revoke: %v, want a needs-login error", err)
		}
		if _, err := src.Token(context.Background()); err == nil {
			t.Fatal("a credential that needs login still hands out a token")
		}
	}
	if src.State() != "needs_login" {
		t.Errorf("state %s, want needs_login", src.State())
	}
	logs := r.logs.FilterField(zap.String("event", "refresh_failed")).All()
	if len(logs) != 1 || logs[0].ContextMap()["reason"] != "invalid_grant" ||
		!strings.Contains(logs[0].ContextMap()["hint"].(string), "notion-auth-proxy login partner") {
		t.Errorf("refresh_failed logged %d times: %v", len(logs), logs)
	}
	// A new login (here, by another process) brings it back.
	r.fake.AddOAuthClient(notiontest.OAuthClient{ID: clientID, Secret: clientSecret, RedirectURI: redirectURI,
		Bot: notiontest.Bot{ID: "bot-p", Name: "Partner Bot", WorkspaceName: "Acme"}})
	r.login(r.store())
	src.Reload(context.Background())
	if _, err := src.Token(context.Background()); err != nil || src.State() != "ready" {
		t.Errorf("after a new login: %v, state %s", err, src.State())
	}
}

func TestTransientFailures(t *testing.T) {
	r := newOAuthRig(t, time.Hour)
	store := r.store()
	first := r.login(store)
	src := r.source(store, "")

	r.fake.FailNext(2, 503, "service_unavailable", "Notion is unavailable")
	if _, err := src.Refresh(context.Background(), first.AccessToken.Reveal()); err != nil {
		t.Fatalf("two transient failures were not retried: %v", err)
	}
	if r.refreshes() != 1 {
		t.Errorf("%d successful refreshes, want 1", r.refreshes())
	}

	r.fake.FailNext(100, 500, "internal_server_error", "boom")
	r.clock.Advance(2 * time.Hour) // the current token has expired
	_, err := src.Token(context.Background())
	var ce *Error
	if !errors.As(err, &ce) || ce.NeedsLogin() || src.State() != "refresh_failed" {
		t.Fatalf("Token during an outage after expiry: %v, state %s; want refresh_failed and no token", err, src.State())
	}
	r.fake.FailNext(0, 0, "", "")
	r.clock.Advance(time.Minute) // past the retry backoff
	if _, err := src.Token(context.Background()); err != nil || src.State() != "ready" {
		t.Errorf("after recovery: %v, state %s", err, src.State())
	}
}

func TestSeedRefreshTokenAndRestart(t *testing.T) {
	r := newOAuthRig(t, 0)
	grant, err := r.client.Exchange(context.Background(), r.code())
	if err != nil {
		t.Fatal(err)
	}
	store := r.store()
	src := r.source(store, grant.RefreshToken)
	tok, err := src.Token(context.Background())
	if err != nil || tok == grant.AccessToken.Reveal() || r.refreshes() != 1 {
		t.Fatalf("seeded source: %v (refreshes %d)", err, r.refreshes())
	}
	// A restart reads the stored pair and refreshes nothing.
	again := r.source(r.store(), grant.RefreshToken)
	if tok2, err := again.Token(context.Background()); err != nil || tok2 != tok || r.refreshes() != 1 {
		t.Errorf("after restart: %v, same token %v, refreshes %d", err, tok2 == tok, r.refreshes())
	}
	if src.WorkspaceID() == "" {
		t.Error("the stored workspace id is not reported")
	}
}

func TestStoreNeverHoldsTheClientSecret(t *testing.T) {
	r := newOAuthRig(t, 0)
	rec := r.login(r.store())
	b, err := os.ReadFile(r.path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte(clientSecret)) {
		t.Error("the client secret is in the store")
	}
	if !bytes.Contains(b, []byte(rec.RefreshToken.Reveal())) {
		t.Error("the unencrypted store does not hold the refresh token it should")
	}
}
