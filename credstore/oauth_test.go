package credstore_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/notion-auth-proxy/notion-auth-proxy/credstore"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
)

const (
	notionVersion = "2025-09-03"
	clientSecret  = "secret_oauth_client_do_not_print"
	redirectURL   = "http://127.0.0.1:8787/oauth/callback"
)

var (
	oauthBot = notiontest.Bot{
		ID: "7d2c9f1e-3b4a-4c5d-8e6f-0a1b2c3d4e5f", Name: "OAuth Bot",
		WorkspaceID: "5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c", WorkspaceName: "OAuth Workspace",
	}
	fakeClient = notiontest.OAuthClient{
		ID: "0b1c2d3e-4f50-4617-8899-aabbccddeeff", Secret: clientSecret,
		RedirectURI: redirectURL, Bot: oauthBot,
	}
	epoch = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
)

// newOAuth returns a fake knowing fakeClient and an OAuthClient for it whose
// clock stands at epoch; edit changes the options first.
func newOAuth(t *testing.T, edit func(*credstore.OAuthOptions)) (*notiontest.Server, *credstore.OAuthClient) {
	t.Helper()
	fake := notiontest.NewServer()
	t.Cleanup(fake.Close)
	fake.AddOAuthClient(fakeClient)
	o := credstore.OAuthOptions{
		Upstream: fake.URL() + "/", ClientID: fakeClient.ID, ClientSecret: clientSecret,
		RedirectURL: redirectURL, NotionVersion: notionVersion,
		Now: func() time.Time { return epoch },
	}
	if edit != nil {
		edit(&o)
	}
	return fake, credstore.NewOAuthClient(o)
}

// approve follows c's authorize URL on fake as a browser whose user approves,
// without following the redirect, and returns the code and state it carries.
func approve(t *testing.T, fake *notiontest.Server, c *credstore.OAuthClient, state string) (code, gotState string) {
	t.Helper()
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.Get(c.AuthCodeURL(state))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), redirectURL+"?") {
		t.Fatalf("authorize: %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query().Get("code"), loc.Query().Get("state")
}

// login runs the whole flow and returns the first grant.
func login(t *testing.T, fake *notiontest.Server, c *credstore.OAuthClient) credstore.Grant {
	t.Helper()
	code, _ := approve(t, fake, c, "state")
	g, err := c.Exchange(t.Context(), code)
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return g
}

// usersMe returns the status of GET /v1/users/me on fake with token.
func usersMe(t *testing.T, fake *notiontest.Server, token credstore.Secret) int {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, fake.URL()+"/v1/users/me", nil)
	req.Header.Set("Authorization", "Bearer "+token.Reveal())
	req.Header.Set("Notion-Version", notionVersion)
	resp, err := fake.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// oauthError returns err as an *OAuthError or fails the test.
func oauthError(t *testing.T, err error) *credstore.OAuthError {
	t.Helper()
	var oe *credstore.OAuthError
	if !errors.As(err, &oe) {
		t.Fatalf("error %v (%T) is no *OAuthError", err, err)
	}
	return oe
}

func TestOAuthAuthCodeURL(t *testing.T) {
	_, c := newOAuth(t, nil)
	u, err := url.Parse(c.AuthCodeURL("st/a+te"))
	if err != nil {
		t.Fatal(err)
	}
	if u.Path != "/v1/oauth/authorize" {
		t.Errorf("path %q", u.Path)
	}
	want := url.Values{
		"client_id": {fakeClient.ID}, "response_type": {"code"}, "owner": {"user"},
		"redirect_uri": {redirectURL}, "state": {"st/a+te"},
	}
	if got := u.Query(); got.Encode() != want.Encode() {
		t.Errorf("query %v\nwant  %v", got, want)
	}
}

func TestOAuthLogin(t *testing.T) {
	fake, c := newOAuth(t, nil)
	code, state := approve(t, fake, c, "xyz-123")
	if code == "" || state != "xyz-123" {
		t.Fatalf("redirect carried code %q, state %q", code, state)
	}
	g, err := c.Exchange(t.Context(), code)
	if err != nil {
		t.Fatal(err)
	}
	if g.AccessToken == "" || g.RefreshToken == "" || !g.Expiry.IsZero() {
		t.Errorf("grant %+v (expiry %v)", g, g.Expiry)
	}
	if g.BotID != oauthBot.ID || g.WorkspaceID != oauthBot.WorkspaceID || g.WorkspaceName != oauthBot.WorkspaceName {
		t.Errorf("grant %+v", g)
	}
	tok := g.Token()
	if tok.AccessToken != g.AccessToken.Reveal() || tok.RefreshToken != g.RefreshToken.Reveal() ||
		tok.Type() != "Bearer" || !tok.Expiry.IsZero() || !tok.Valid() {
		t.Errorf("oauth2 token %+v", tok)
	}

	rec, ok := fake.LastRequest()
	if !ok || rec.Method != http.MethodPost || rec.Path != "/v1/oauth/token" {
		t.Fatalf("last request %+v", rec)
	}
	id, secret, ok := (&http.Request{Header: rec.Header}).BasicAuth()
	if !ok || id != fakeClient.ID || secret != clientSecret {
		t.Error("token request without the client's Basic auth")
	}
	for k, v := range map[string]string{
		"Content-Type": "application/json", "Accept": "application/json", "Notion-Version": notionVersion,
	} {
		if got := rec.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if st := usersMe(t, fake, g.AccessToken); st != http.StatusOK {
		t.Errorf("access token: %d", st)
	}
	if ex, _ := fake.TokenCalls(); ex != 1 {
		t.Errorf("exchanges = %d", ex)
	}

	// The code is single-use.
	_, err = c.Exchange(t.Context(), code)
	if oe := oauthError(t, err); oe.Code != "invalid_grant" || !oe.NeedsLogin() || credstore.IsTemporary(err) {
		t.Errorf("second exchange: %v", err)
	}
}

func TestOAuthRefreshRotates(t *testing.T) {
	fake, c := newOAuth(t, nil)
	first := login(t, fake, c)
	second, err := c.Refresh(t.Context(), first.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if second.AccessToken == first.AccessToken || second.RefreshToken == first.RefreshToken ||
		second.WorkspaceID != oauthBot.WorkspaceID {
		t.Errorf("refresh did not rotate: %+v", second)
	}
	if st := usersMe(t, fake, second.AccessToken); st != http.StatusOK {
		t.Errorf("new access token: %d", st)
	}

	_, err = c.Refresh(t.Context(), first.RefreshToken)
	oe := oauthError(t, err)
	if oe.Status != http.StatusBadRequest || oe.Code != "invalid_grant" || !oe.NeedsLogin() ||
		oe.Temporary() || credstore.IsTemporary(err) {
		t.Errorf("reused refresh token: %+v", oe)
	}
	if !strings.HasPrefix(err.Error(), "notion oauth: invalid_grant (400): ") {
		t.Errorf("error text %q", err)
	}
	if n := fake.RefreshTokenReuses(); n != 1 {
		t.Errorf("RefreshTokenReuses = %d", n)
	}
	if _, err := c.Refresh(t.Context(), second.RefreshToken); err != nil {
		t.Errorf("refresh with the rotated-in token: %v", err)
	}
}

func TestOAuthInvalidClient(t *testing.T) {
	fake, c := newOAuth(t, func(o *credstore.OAuthOptions) { o.ClientSecret = "secret_wrong_value" })
	code, _ := approve(t, fake, c, "s")
	_, err := c.Exchange(t.Context(), code)
	oe := oauthError(t, err)
	if oe.Status != http.StatusUnauthorized || oe.Code != "invalid_client" || !oe.NeedsLogin() || credstore.IsTemporary(err) {
		t.Errorf("wrong secret: %+v", oe)
	}
	if strings.Contains(err.Error(), "secret_wrong_value") || strings.Contains(err.Error(), code) {
		t.Errorf("error text %q holds a secret", err)
	}
}

// TestOAuthErrorAnswers checks how answers of a misbehaving or overloaded
// token endpoint are classified.
func TestOAuthErrorAnswers(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		body       string // empty: a Notion error from FailNext
		code       string
		temporary  bool
		needsLogin bool
	}{
		{"notion 500", 500, "", "internal_server_error", true, false},
		{"notion 429", 429, "", "rate_limited", true, false},
		{"notion 503", 503, "", "service_unavailable", true, false},
		{"notion 400", 400, "", "validation_error", false, false},
		{"oauth invalid_grant", 400, `{"error":"invalid_grant","error_description":"gone"}`, "invalid_grant", false, true},
		{"html 502", 502, "<html>bad gateway</html>", "", true, false},
		{"empty 504", 504, " ", "", true, false},
		{"redirect", 302, "moved", "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, c := newOAuth(t, nil)
			first := login(t, fake, c)
			if tt.body == "" {
				fake.FailNext(1, tt.status, tt.code, "injected")
			} else {
				fake.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
					if tt.status == 302 {
						w.Header().Set("Location", "http://127.0.0.1:1/elsewhere")
					}
					w.WriteHeader(tt.status)
					fmt.Fprint(w, tt.body)
					return true
				})
			}
			_, err := c.Refresh(t.Context(), first.RefreshToken)
			oe := oauthError(t, err)
			if oe.Status != tt.status || oe.Code != tt.code || oe.Temporary() != tt.temporary ||
				credstore.IsTemporary(err) != tt.temporary || oe.NeedsLogin() != tt.needsLogin || oe.Description == "" {
				t.Errorf("got %+v (temporary %v, needs login %v)", oe, oe.Temporary(), oe.NeedsLogin())
			}
			// The refresh token was never used: once the fault is gone it works.
			fake.Reset()
			if _, err := c.Refresh(t.Context(), first.RefreshToken); err != nil {
				t.Errorf("refresh after the fault: %v", err)
			}
		})
	}
}

func TestOAuthRedirectNotFollowed(t *testing.T) {
	var hits atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer elsewhere.Close()
	fake, c := newOAuth(t, nil)
	fake.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
		http.Redirect(w, r, elsewhere.URL+"/steal", http.StatusTemporaryRedirect)
		return true
	})
	_, err := c.Exchange(t.Context(), "some-code")
	if oe := oauthError(t, err); oe.Status != http.StatusTemporaryRedirect {
		t.Errorf("got %v", err)
	}
	if hits.Load() != 0 {
		t.Error("the default client followed the token endpoint's redirect with the client secret")
	}
}

func TestOAuthNetworkErrors(t *testing.T) {
	fake, c := newOAuth(t, nil)
	first := login(t, fake, c)
	fake.Close()
	_, err := c.Refresh(t.Context(), first.RefreshToken)
	if err == nil || !credstore.IsTemporary(err) {
		t.Fatalf("closed server: %v, temporary %v", err, credstore.IsTemporary(err))
	}
	if _, ok := errors.AsType[*credstore.OAuthError](err); ok {
		t.Errorf("network error %v is an OAuthError", err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := c.Refresh(ctx, first.RefreshToken); err == nil || credstore.IsTemporary(err) || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled call: %v, temporary %v", err, credstore.IsTemporary(err))
	}

	slow, c := newOAuth(t, func(o *credstore.OAuthOptions) { o.HTTPClient = &http.Client{Timeout: 50 * time.Millisecond} })
	slow.SetDelay(time.Minute)
	if _, err := c.Exchange(t.Context(), "code"); err == nil || !credstore.IsTemporary(err) {
		t.Errorf("timed out call: %v, temporary %v", err, credstore.IsTemporary(err))
	}
}

func TestOAuthExpiry(t *testing.T) {
	fake, c := newOAuth(t, nil)
	fake.SetTokenLifetime(time.Hour)
	g := login(t, fake, c)
	if want := epoch.Add(time.Hour); !g.Expiry.Equal(want) || !g.Token().Expiry.Equal(want) {
		t.Errorf("expiry %v, want %v", g.Expiry, want)
	}
	later := epoch.Add(30 * time.Minute)
	_, c2 := newOAuth(t, func(o *credstore.OAuthOptions) {
		o.Upstream, o.Now = fake.URL(), func() time.Time { return later }
	})
	g2, err := c2.Refresh(t.Context(), g.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if want := later.Add(time.Hour); !g2.Expiry.Equal(want) {
		t.Errorf("refreshed expiry %v, want %v", g2.Expiry, want)
	}
}

func TestOAuthErrorsHoldNoSecrets(t *testing.T) {
	fake, c := newOAuth(t, nil)
	code, _ := approve(t, fake, c, "s")
	g, err := c.Exchange(t.Context(), code)
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{clientSecret, code, g.AccessToken.Reveal(), g.RefreshToken.Reveal()}
	var errs []error
	collect := func(_ credstore.Grant, err error) {
		if err == nil {
			t.Fatal("call succeeded")
		}
		errs = append(errs, err)
	}
	collect(c.Exchange(t.Context(), code)) // used code
	if _, err := c.Refresh(t.Context(), g.RefreshToken); err != nil {
		t.Fatal(err)
	}
	collect(c.Refresh(t.Context(), g.RefreshToken)) // rotated refresh token
	fake.FailNext(1, 500, "internal_server_error", "boom")
	collect(c.Refresh(t.Context(), g.RefreshToken))
	_, wrong := newOAuth(t, func(o *credstore.OAuthOptions) { o.Upstream = fake.URL(); o.ClientSecret += "x" })
	collect(wrong.Exchange(t.Context(), code))
	fake.Close()
	collect(c.Exchange(t.Context(), code))

	for _, err := range errs {
		for _, out := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("error %q holds a secret", out)
				}
			}
		}
	}
}
