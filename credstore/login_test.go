package credstore

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// callback sends the browser's return to the Login: state and code as
// Notion would put them.
func callback(t *testing.T, l *Login, state, code string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	l.ServeHTTP(rec, httptest.NewRequest("GET", "/oauth/callback?"+url.Values{"state": {state}, "code": {code}}.Encode(), nil))
	body, _ := io.ReadAll(rec.Body)
	return rec.Code, string(body)
}

func stateOf(t *testing.T, authURL string) string {
	t.Helper()
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("owner") != "user" || q.Get("response_type") != "code" || q.Get("client_id") != clientID || q.Get("redirect_uri") != redirectURI {
		t.Errorf("authorize URL lacks Notion's parameters: %s", authURL)
	}
	return q.Get("state")
}

func TestLoginState(t *testing.T) {
	r := newOAuthRig(t, 0)
	store := r.store()
	var logged []string
	l := NewLogin(LoginOptions{Clients: map[string]*OAuthClient{"partner": r.client}, Store: store, Now: r.clock.Now,
		OnLogin: func(name string, _ Record) { logged = append(logged, name) }})

	authURL, err := l.Start("partner")
	if err != nil {
		t.Fatal(err)
	}
	state := stateOf(t, authURL)
	if other, _ := l.Start("partner"); stateOf(t, other) == state || len(state) < 32 {
		t.Error("states are not random and long")
	}
	// A forged callback is refused and spends nothing.
	if code, body := callback(t, l, "forged", r.code()); code != 400 || !strings.Contains(body, "Start the login again") {
		t.Errorf("forged state: %d %s", code, body)
	}
	if code, body := callback(t, l, state, r.code()); code != 200 || !strings.Contains(body, "Acme") {
		t.Fatalf("right state after a forged one: %d %s", code, body)
	}
	if len(logged) != 1 {
		t.Errorf("OnLogin called %d times", len(logged))
	}
	if _, err := store.Get(context.Background(), "partner"); err != nil {
		t.Errorf("nothing stored: %v", err)
	}
	// Single use.
	if code, _ := callback(t, l, state, r.code()); code != 400 {
		t.Errorf("a spent state was accepted again: %d", code)
	}
	// Ten minutes.
	late, _ := l.Start("partner")
	r.clock.Advance(10*time.Minute + time.Second)
	if code, _ := callback(t, l, stateOf(t, late), r.code()); code != 400 {
		t.Errorf("an expired state was accepted: %d", code)
	}
	if _, err := l.Start("wiki"); err == nil {
		t.Error("login started for a credential that is not OAuth")
	}
}

func TestLoginStartRedirects(t *testing.T) {
	r := newOAuthRig(t, 0)
	l := NewLogin(LoginOptions{Clients: map[string]*OAuthClient{"partner": r.client}, Store: r.store()})
	rec := httptest.NewRecorder()
	l.ServeHTTP(rec, httptest.NewRequest("GET", "/oauth/start/partner", nil))
	if rec.Code != http.StatusFound || !strings.HasPrefix(rec.Header().Get("Location"), r.fake.URL()+"/v1/oauth/authorize?") {
		t.Errorf("start: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	rec = httptest.NewRecorder()
	l.ServeHTTP(rec, httptest.NewRequest("GET", "/oauth/start/nope", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("unknown credential: %d", rec.Code)
	}
}
