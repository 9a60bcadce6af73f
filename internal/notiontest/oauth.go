package notiontest

import (
	"crypto/rand"
	"html"
	"net/http"
	"net/url"
	"time"
)

// The fake's OAuth follows Notion's public-integration flow: a browser visits
// GET /v1/oauth/authorize, which approves at once and redirects back with a
// single-use code; the client trades the code at POST /v1/oauth/token for an
// access and refresh token pair, and trades the refresh token for a new pair.
// Refresh tokens rotate: each refresh kills the refresh token presented.

// Prefixes of the credentials the fake issues, so that tests and logs can
// tell them apart at a glance.
const (
	accessTokenPrefix  = "ntn_oauth_at_"
	refreshTokenPrefix = "ntn_oauth_rt_"
	codePrefix         = "ntn_oauth_code_"
)

// OAuthClient is a public integration registered with the fake by
// AddOAuthClient.
type OAuthClient struct {
	// ID and Secret are the client credentials the token endpoint expects
	// in HTTP Basic auth.
	ID     string
	Secret string
	// RedirectURI is the only redirect_uri the fake accepts for the
	// client, compared exactly.
	RedirectURI string
	// Bot is the bot user every access token issued to the client belongs
	// to; its workspace fields are reported in token responses.
	Bot Bot
}

// oauthState is the fake's OAuth state; it lives in Server and s.mu guards
// it. Its maps are made on first use (see oauthLocked).
type oauthState struct {
	clients map[string]*oauthClient // by client id
	codes   map[string]authCode     // unused codes
	refresh map[string]*oauthChain  // every refresh token ever issued
	access  map[string]accessGrant  // every access token ever issued

	lifetime time.Duration    // 0: access tokens never expire
	now      func() time.Time // nil: time.Now
	calls    map[string]int   // token requests by grant type
	reuses   int              // requests presenting a rotated refresh token
}

// oauthClient is a registered client and the user who "approves" its
// authorizations.
type oauthClient struct {
	OAuthClient
	userID string
}

// authCode is an authorization code not yet exchanged.
type authCode struct {
	clientID    string
	redirectURI string
}

// oauthChain is one authorization: the pairs issued from one code, of which
// only the latest refresh token (current) works.
type oauthChain struct {
	clientID string
	current  string
	revoked  bool
	shared   map[string]struct{} // shared by every access token of the chain
}

// accessGrant is what the fake knows about an access token it issued.
type accessGrant struct {
	clientID string
	expiry   time.Time // zero: never expires
}

// oauthLocked returns the OAuth state, making its maps on first use. s.mu
// must be held.
func (s *Server) oauthLocked() *oauthState {
	o := &s.oauth
	if o.clients == nil {
		o.clients = make(map[string]*oauthClient)
		o.codes = make(map[string]authCode)
		o.refresh = make(map[string]*oauthChain)
		o.access = make(map[string]accessGrant)
		o.calls = make(map[string]int)
	}
	return o
}

// AddOAuthClient registers c as a public integration. Registering an ID
// again replaces its secret, redirect URI and bot for later requests; tokens
// already issued keep working.
func (s *Server) AddOAuthClient(c OAuthClient) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.oauthLocked()
	if old := o.clients[c.ID]; old != nil {
		old.OAuthClient = c
		return
	}
	o.clients[c.ID] = &oauthClient{OAuthClient: c, userID: newUUID()}
}

// SetTokenLifetime makes access tokens issued later expire d after they are
// issued (by the SetClock clock); token responses then carry expires_in. Zero,
// the default, issues tokens that never expire, without expires_in.
func (s *Server) SetTokenLifetime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oauthLocked().lifetime = max(d, 0)
}

// SetClock replaces the clock the fake uses for token expiry (time.Now when
// now is nil). An access token counts as expired from the first request that
// sees the clock at or past its expiry; expiry is final, also if the clock is
// later set back. now is called without the fake's lock held.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oauthLocked().now = now
}

// RevokeGrants revokes every authorization of the client clientID, as when
// the user removes the integration: its refresh tokens get invalid_grant and
// its access tokens 401 unauthorized.
func (s *Server) RevokeGrants(clientID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.oauthLocked()
	for _, chain := range o.refresh {
		if chain.clientID == clientID {
			chain.revoked = true
		}
	}
	for token, a := range o.access {
		if a.clientID == clientID {
			if g := s.grants[token]; g != nil {
				g.active = false
			}
		}
	}
}

// TokenCalls returns how many token-endpoint requests asked for each grant
// type: authorization_code (exchanges) and refresh_token (refreshes). A
// request counts once its JSON body is read, whatever its answer; requests
// answered by SetFault or FailNext do not count (see Requests for those).
func (s *Server) TokenCalls() (exchanges, refreshes int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.oauthLocked()
	return o.calls[grantAuthorizationCode], o.calls[grantRefreshToken]
}

// RefreshTokenReuses returns how many token requests presented a refresh
// token that an earlier refresh had already rotated out, the mistake of a
// client that did not persist the new pair or refreshed twice.
func (s *Server) RefreshTokenReuses() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.oauthLocked().reuses
}

// clock returns the current time of the SetClock clock, calling it without
// s.mu held so that it may use the Server.
func (s *Server) clock() time.Time {
	s.mu.Lock()
	now := s.oauthLocked().now
	s.mu.Unlock()
	if now == nil {
		return time.Now()
	}
	return now()
}

// withTokenExpiry returns a mux that first retires the request's bearer
// token when it is an issued access token past its expiry, so that the API
// endpoints' own authentication answers 401, then passes the request to next.
func (s *Server) withTokenExpiry(next http.Handler) *http.ServeMux {
	outer := http.NewServeMux()
	outer.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.expireAccessToken(bearerToken(r))
		next.ServeHTTP(w, r)
	}))
	return outer
}

// expireAccessToken deactivates token if it is an access token the fake
// issued and the clock has reached its expiry.
func (s *Server) expireAccessToken(token string) {
	if token == "" {
		return
	}
	s.mu.Lock()
	a, ok := s.oauthLocked().access[token]
	s.mu.Unlock()
	if !ok || a.expiry.IsZero() {
		return
	}
	if now := s.clock(); now.Before(a.expiry) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.grants[token]; g != nil {
		g.active = false
	}
}

// oauthAuthorize serves GET /v1/oauth/authorize as if the user approved at
// once: it checks the request and redirects to the client's redirect URI
// with a new code and the state unchanged. A bad request gets a 400 page,
// never a redirect, as an authorization server must not redirect to an
// unverified URI.
func (s *Server) oauthAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	clientID := q.Get("client_id")
	s.mu.Lock()
	var c OAuthClient
	known := false
	if oc := s.oauthLocked().clients[clientID]; oc != nil {
		c, known = oc.OAuthClient, true
	}
	s.mu.Unlock()

	var problem string
	switch {
	case !known:
		problem = "Unknown client_id."
	case q.Get("response_type") != "code":
		problem = "response_type must be code."
	case q.Get("owner") != "user":
		problem = "owner must be user."
	case q.Get("redirect_uri") != c.RedirectURI:
		problem = "redirect_uri does not match the integration's redirect URI."
	}
	target, err := url.Parse(c.RedirectURI)
	if problem == "" && (err != nil || !target.IsAbs()) {
		problem = "The integration's redirect URI is invalid."
	}
	if problem != "" {
		authorizeError(w, problem)
		return
	}

	code := codePrefix + rand.Text()
	s.mu.Lock()
	s.oauthLocked().codes[code] = authCode{clientID: c.ID, redirectURI: c.RedirectURI}
	s.mu.Unlock()

	v := target.Query()
	v.Set("code", code)
	if q.Has("state") {
		v.Set("state", q.Get("state"))
	}
	target.RawQuery = v.Encode()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, target.String(), http.StatusFound)
}

// authorizeError answers a bad authorize request with a 400 page a person
// can read.
func authorizeError(w http.ResponseWriter, problem string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write([]byte("<!doctype html>\n<title>Invalid authorization request</title>\n<h1>Invalid authorization request</h1>\n<p>" +
		html.EscapeString(problem) + "</p>\n"))
}
