package notiontest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
)

var (
	clientA = notiontest.OAuthClient{
		ID: "1a2b3c4d-0000-4000-8000-00000000000a", Secret: "secret_client_a",
		RedirectURI: "http://127.0.0.1:9999/oauth/callback?from=notion", Bot: botA,
	}
	clientB = notiontest.OAuthClient{
		ID: "1a2b3c4d-0000-4000-8000-00000000000b", Secret: "secret_client_b",
		RedirectURI: "http://127.0.0.1:9999/cb",
		Bot:         notiontest.Bot{ID: "bot-b", Name: "Bot B", WorkspaceID: "ws-b", WorkspaceName: "Workspace B"},
	}
)

// newOAuthFake returns a fake that knows clientA and clientB.
func newOAuthFake(t *testing.T) *notiontest.Server {
	t.Helper()
	s := notiontest.NewServer()
	t.Cleanup(s.Close)
	s.AddOAuthClient(clientA)
	s.AddOAuthClient(clientB)
	return s
}

// authorizeURL returns the authorize URL of s for c with state, with
// overrides applied to the query (an empty value deletes the parameter).
func authorizeURL(s *notiontest.Server, c notiontest.OAuthClient, state string, overrides map[string]string) string {
	q := url.Values{
		"client_id": {c.ID}, "response_type": {"code"}, "owner": {"user"},
		"redirect_uri": {c.RedirectURI}, "state": {state},
	}
	for k, v := range overrides {
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
	}
	return s.URL() + "/v1/oauth/authorize?" + q.Encode()
}

// noRedirects returns a client for s that returns redirects instead of
// following them.
func noRedirects(s *notiontest.Server) *http.Client {
	c := *s.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// authorize has c's user approve and returns the code from the redirect.
func authorize(t *testing.T, s *notiontest.Server, c notiontest.OAuthClient) string {
	t.Helper()
	resp, err := noRedirects(s).Get(authorizeURL(s, c, "st", nil))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil {
		t.Fatalf("authorize: %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query().Get("code")
}

// tokenCall is a request to the token endpoint.
type tokenCall struct {
	id, secret  string // Basic auth, when id is not empty
	contentType string // default application/json
	noVersion   bool
	body        string
}

// tokenResult is the union of the token endpoint's answers.
type tokenResult struct {
	status           int
	header           http.Header
	AccessToken      string         `json:"access_token"`
	TokenType        string         `json:"token_type"`
	RefreshToken     string         `json:"refresh_token"`
	ExpiresIn        *int64         `json:"expires_in"`
	BotID            string         `json:"bot_id"`
	WorkspaceID      string         `json:"workspace_id"`
	WorkspaceName    string         `json:"workspace_name"`
	Owner            map[string]any `json:"owner"`
	Error            string         `json:"error"`
	ErrorDescription string         `json:"error_description"`
	Code             string         `json:"code"` // Notion-style errors
}

func postToken(t *testing.T, s *notiontest.Server, c tokenCall) tokenResult {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL()+"/v1/oauth/token", strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	if c.id != "" {
		req.SetBasicAuth(c.id, c.secret)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	if !c.noVersion {
		req.Header.Set("Notion-Version", version)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	res := tokenResult{status: resp.StatusCode, header: resp.Header}
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		t.Fatalf("token response: %v", err)
	}
	return res
}

func exchangeBody(code, redirect string) string {
	b, _ := json.Marshal(map[string]string{"grant_type": "authorization_code", "code": code, "redirect_uri": redirect})
	return string(b)
}

func refreshBody(rt string) string {
	b, _ := json.Marshal(map[string]string{"grant_type": "refresh_token", "refresh_token": rt})
	return string(b)
}

// login runs the whole flow for c and returns the first pair.
func login(t *testing.T, s *notiontest.Server, c notiontest.OAuthClient) tokenResult {
	t.Helper()
	res := postToken(t, s, tokenCall{id: c.ID, secret: c.Secret, body: exchangeBody(authorize(t, s, c), c.RedirectURI)})
	if res.status != http.StatusOK {
		t.Fatalf("exchange: %d %s: %s", res.status, res.Error, res.ErrorDescription)
	}
	return res
}

func refresh(t *testing.T, s *notiontest.Server, c notiontest.OAuthClient, rt string) tokenResult {
	t.Helper()
	return postToken(t, s, tokenCall{id: c.ID, secret: c.Secret, body: refreshBody(rt)})
}

// wantOAuthError checks an OAuth error answer.
func wantOAuthError(t *testing.T, res tokenResult, status int, code string) {
	t.Helper()
	if res.status != status || res.Error != code || res.ErrorDescription == "" || res.AccessToken != "" {
		t.Fatalf("got %d error=%q (%q), want %d %s", res.status, res.Error, res.ErrorDescription, status, code)
	}
}

// usersMe returns the status of GET /v1/users/me with token.
func usersMe(t *testing.T, s *notiontest.Server, token string) int {
	t.Helper()
	resp, _ := do(t, s, call{path: "/v1/users/me", token: token, version: version})
	return resp.StatusCode
}

func TestOAuthAuthorizeRedirects(t *testing.T) {
	s := newOAuthFake(t)
	resp, err := noRedirects(s).Get(authorizeURL(s, clientA, "a b&c=d", nil))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("status %d", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	q := loc.Query()
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != "http://127.0.0.1:9999/oauth/callback" {
		t.Errorf("redirected to %s", got)
	}
	if q.Get("from") != "notion" || q.Get("state") != "a b&c=d" || !strings.HasPrefix(q.Get("code"), "ntn_oauth_code_") {
		t.Errorf("redirect query %v", q)
	}
	if again := authorize(t, s, clientA); again == q.Get("code") {
		t.Error("two authorizations got the same code")
	}
}

func TestOAuthAuthorizeRejects(t *testing.T) {
	s := newOAuthFake(t)
	tests := []struct {
		name     string
		override map[string]string
	}{
		{"unknown client", map[string]string{"client_id": "nope"}},
		{"no client", map[string]string{"client_id": ""}},
		{"response_type token", map[string]string{"response_type": "token"}},
		{"no owner", map[string]string{"owner": ""}},
		{"owner workspace", map[string]string{"owner": "workspace"}},
		{"other redirect_uri", map[string]string{"redirect_uri": "http://evil.example/cb"}},
		{"no redirect_uri", map[string]string{"redirect_uri": ""}},
		{"redirect_uri of another client", map[string]string{"redirect_uri": clientB.RedirectURI}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := noRedirects(s).Get(authorizeURL(s, clientA, "st", tt.override))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" ||
				!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Errorf("got %d, Location %q, Content-Type %q", resp.StatusCode,
					resp.Header.Get("Location"), resp.Header.Get("Content-Type"))
			}
		})
	}
}

func TestOAuthExchange(t *testing.T) {
	s := newOAuthFake(t)
	code := authorize(t, s, clientA)
	res := postToken(t, s, tokenCall{id: clientA.ID, secret: clientA.Secret, body: exchangeBody(code, clientA.RedirectURI)})
	if res.status != http.StatusOK {
		t.Fatalf("status %d: %s", res.status, res.ErrorDescription)
	}
	if !strings.HasPrefix(res.AccessToken, "ntn_oauth_at_") || !strings.HasPrefix(res.RefreshToken, "ntn_oauth_rt_") ||
		res.TokenType != "bearer" || res.ExpiresIn != nil {
		t.Errorf("pair %+v", res)
	}
	if res.BotID != botA.ID || res.WorkspaceID != botA.WorkspaceID || res.WorkspaceName != botA.WorkspaceName {
		t.Errorf("bot fields %+v", res)
	}
	if res.Owner["type"] != "user" || res.header.Get("Cache-Control") != "no-store" {
		t.Errorf("owner %v, Cache-Control %q", res.Owner, res.header.Get("Cache-Control"))
	}
	if st := usersMe(t, s, res.AccessToken); st != http.StatusOK {
		t.Errorf("users/me with the new token: %d", st)
	}

	var recorded []notiontest.Request
	for _, r := range s.Requests() {
		if r.Path == "/v1/oauth/token" {
			recorded = append(recorded, r)
		}
	}
	if len(recorded) != 1 {
		t.Fatalf("recorded %d token requests", len(recorded))
	}
	rec := recorded[0]
	user, pass, ok := (&http.Request{Header: rec.Header}).BasicAuth()
	if !ok || user != clientA.ID || pass != clientA.Secret || rec.Method != http.MethodPost ||
		rec.Header.Get("Content-Type") != "application/json" || rec.Header.Get("Notion-Version") != version {
		t.Errorf("recorded token request %+v", rec)
	}

	// The code is single-use.
	again := postToken(t, s, tokenCall{id: clientA.ID, secret: clientA.Secret, body: exchangeBody(code, clientA.RedirectURI)})
	wantOAuthError(t, again, http.StatusBadRequest, "invalid_grant")
	if ex, rf := s.TokenCalls(); ex != 2 || rf != 0 {
		t.Errorf("TokenCalls = %d, %d; want 2, 0", ex, rf)
	}
}

func TestOAuthTokenErrors(t *testing.T) {
	s := newOAuthFake(t)
	good := func(c tokenCall) tokenCall {
		if c.id == "" {
			c.id, c.secret = clientA.ID, clientA.Secret
		}
		if c.body == "" {
			c.body = exchangeBody(authorize(t, s, clientA), clientA.RedirectURI)
		}
		return c
	}
	tests := []struct {
		name   string
		call   tokenCall
		status int
		code   string
	}{
		{"wrong secret", tokenCall{id: clientA.ID, secret: "wrong"}, 401, "invalid_client"},
		{"secret of another client", tokenCall{id: clientA.ID, secret: clientB.Secret}, 401, "invalid_client"},
		{"unknown client", tokenCall{id: "nope", secret: clientA.Secret}, 401, "invalid_client"},
		{"form encoded", tokenCall{contentType: "application/x-www-form-urlencoded",
			body: "grant_type=authorization_code&code=x"}, 400, "invalid_request"},
		{"bad json", tokenCall{body: `{"grant_type":`}, 400, "invalid_request"},
		{"trailing json", tokenCall{body: `{} {}`}, 400, "invalid_request"},
		{"no grant_type", tokenCall{body: `{"code":"x"}`}, 400, "invalid_request"},
		{"password grant", tokenCall{body: `{"grant_type":"password"}`}, 400, "unsupported_grant_type"},
		{"unknown code", tokenCall{body: exchangeBody("ntn_oauth_code_nope", clientA.RedirectURI)}, 400, "invalid_grant"},
		{"other redirect_uri", tokenCall{body: exchangeBody(authorize(t, s, clientA), "http://127.0.0.1:9999/other")}, 400, "invalid_grant"},
		{"code of another client", tokenCall{body: exchangeBody(authorize(t, s, clientB), clientB.RedirectURI)}, 400, "invalid_grant"},
		{"unknown refresh token", tokenCall{body: refreshBody("ntn_oauth_rt_nope")}, 400, "invalid_grant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := postToken(t, s, good(tt.call))
			wantOAuthError(t, res, tt.status, tt.code)
			if tt.status == 401 && res.header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}

	t.Run("no basic auth", func(t *testing.T) {
		c := good(tokenCall{})
		c.id = ""
		wantOAuthError(t, postToken(t, s, c), 401, "invalid_client")
	})
	t.Run("no Notion-Version", func(t *testing.T) {
		res := postToken(t, s, good(tokenCall{noVersion: true}))
		if res.status != 400 || res.Code != "missing_version" {
			t.Errorf("got %d %q", res.status, res.Code)
		}
	})
	t.Run("GET", func(t *testing.T) {
		resp, _ := do(t, s, call{path: "/v1/oauth/token", version: version})
		if resp.StatusCode == http.StatusOK {
			t.Error("GET token endpoint succeeded")
		}
	})
}
