package notiontest

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"time"
)

// Grant types of the token endpoint.
const (
	grantAuthorizationCode = "authorization_code"
	grantRefreshToken      = "refresh_token"
)

// OAuth error codes (RFC 6749 §5.2) the token endpoint answers with.
const (
	oauthInvalidRequest   = "invalid_request"
	oauthInvalidClient    = "invalid_client"
	oauthInvalidGrant     = "invalid_grant"
	oauthUnsupportedGrant = "unsupported_grant_type"
)

// tokenRequest is the JSON body of a token request.
type tokenRequest struct {
	GrantType    string `json:"grant_type"`
	Code         string `json:"code"`
	RedirectURI  string `json:"redirect_uri"`
	RefreshToken string `json:"refresh_token"`
}

// tokenResponse is Notion's token response; the field order is Notion's.
type tokenResponse struct {
	AccessToken          string     `json:"access_token"`
	TokenType            string     `json:"token_type"`
	RefreshToken         string     `json:"refresh_token"`
	ExpiresIn            int64      `json:"expires_in,omitempty"`
	BotID                string     `json:"bot_id"`
	WorkspaceID          string     `json:"workspace_id"`
	WorkspaceName        string     `json:"workspace_name"`
	WorkspaceIcon        *string    `json:"workspace_icon"`
	Owner                tokenOwner `json:"owner"`
	DuplicatedTemplateID *string    `json:"duplicated_template_id"`
	RequestID            string     `json:"request_id"`
}

type tokenOwner struct {
	Type string    `json:"type"`
	User ownerUser `json:"user"`
}

type ownerUser struct {
	Object string `json:"object"`
	ID     string `json:"id"`
}

// oauthErrorBody is an OAuth error answer of the token endpoint.
type oauthErrorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
	RequestID   string `json:"request_id"`
}

// writeOAuthError answers a token request with an OAuth error.
func writeOAuthError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, oauthErrorBody{Error: code, Description: description, RequestID: requestID(w)})
}

// oauthToken serves POST /v1/oauth/token. It checks, in this order, the
// client's Basic auth, the Notion-Version header and the JSON body, then
// grants what the body asks for.
func (s *Server) oauthToken(w http.ResponseWriter, r *http.Request) {
	req, bodyProblem := readTokenRequest(r)
	if bodyProblem == "" {
		s.mu.Lock()
		s.oauthLocked().calls[req.GrantType]++
		s.mu.Unlock()
	}
	client, ok := s.authenticateClient(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="notion-oauth"`)
		writeOAuthError(w, http.StatusUnauthorized, oauthInvalidClient,
			"Client authentication failed: send HTTP Basic auth with a registered client id and its secret.")
		return
	}
	if _, err := checkVersion(r); err != nil {
		err.write(w)
		return
	}
	if bodyProblem != "" {
		writeOAuthError(w, http.StatusBadRequest, oauthInvalidRequest, bodyProblem)
		return
	}
	switch req.GrantType {
	case grantAuthorizationCode:
		s.exchangeCode(w, client, req)
	case grantRefreshToken:
		s.refreshGrant(w, client, req)
	case "":
		writeOAuthError(w, http.StatusBadRequest, oauthInvalidRequest, "grant_type is required.")
	default:
		writeOAuthError(w, http.StatusBadRequest, oauthUnsupportedGrant,
			"grant_type must be authorization_code or refresh_token.")
	}
}

// readTokenRequest decodes the JSON body of a token request. When the body
// is not acceptable it returns why, for an invalid_request answer.
func readTokenRequest(r *http.Request) (req tokenRequest, problem string) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return req, "The body must be JSON, sent with Content-Type: application/json."
	}
	lr := &io.LimitedReader{R: r.Body, N: maxJSONBody + 1}
	dec := json.NewDecoder(lr)
	err = dec.Decode(&req)
	if err == nil {
		// Exactly one JSON value is allowed.
		if _, terr := dec.Token(); !errors.Is(terr, io.EOF) {
			err = errors.New("trailing data")
		}
	}
	switch {
	case lr.N <= 0:
		return req, "The body is too large."
	case err != nil:
		return req, "The body is not a valid JSON object."
	}
	return req, ""
}

// authenticateClient returns the client whose id and secret the request's
// HTTP Basic auth names. A request with several Authorization headers is
// rejected, as the API endpoints reject them.
func (s *Server) authenticateClient(r *http.Request) (oauthClient, bool) {
	if len(r.Header.Values("Authorization")) != 1 {
		return oauthClient{}, false
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		return oauthClient{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.oauthLocked().clients[id]
	if c == nil || subtle.ConstantTimeCompare([]byte(secret), []byte(c.Secret)) != 1 {
		return oauthClient{}, false
	}
	return *c, true
}

// exchangeCode answers an authorization_code request: a code issued to the
// client for the same redirect URI, used once, starts a new authorization.
func (s *Server) exchangeCode(w http.ResponseWriter, c oauthClient, req tokenRequest) {
	now := s.clock()
	s.mu.Lock()
	o := s.oauthLocked()
	code, ok := o.codes[req.Code]
	if !ok || code.clientID != c.ID || code.redirectURI != req.RedirectURI {
		s.mu.Unlock()
		writeOAuthError(w, http.StatusBadRequest, oauthInvalidGrant,
			"The authorization code is invalid, already used, issued to another client or for another redirect_uri.")
		return
	}
	delete(o.codes, req.Code)
	resp := s.issueLocked(c, &oauthChain{clientID: c.ID}, now)
	s.mu.Unlock()
	writeTokenResponse(w, resp)
}

// refreshGrant answers a refresh_token request: only the current refresh
// token of a live authorization of the client works, and it is rotated out
// by the new pair. The access tokens issued before keep working until they
// expire.
func (s *Server) refreshGrant(w http.ResponseWriter, c oauthClient, req tokenRequest) {
	now := s.clock()
	s.mu.Lock()
	o := s.oauthLocked()
	chain := o.refresh[req.RefreshToken]
	var problem string
	switch {
	case chain != nil && chain.current != req.RefreshToken:
		o.reuses++
		problem = "The refresh token has already been used; use the refresh token of the latest response."
	case chain == nil || chain.clientID != c.ID:
		problem = "The refresh token is invalid or was issued to another client."
	case chain.revoked:
		problem = "The authorization was revoked; the user must authorize the integration again."
	}
	if problem != "" {
		s.mu.Unlock()
		writeOAuthError(w, http.StatusBadRequest, oauthInvalidGrant, problem)
		return
	}
	resp := s.issueLocked(c, chain, now)
	s.mu.Unlock()
	writeTokenResponse(w, resp)
}

// issueLocked issues a new pair of chain to c at now: the access token
// becomes valid for c's bot, the refresh token becomes chain's only working
// one. s.mu must be held.
func (s *Server) issueLocked(c oauthClient, chain *oauthChain, now time.Time) tokenResponse {
	o := s.oauthLocked()
	at := accessTokenPrefix + rand.Text()
	rt := refreshTokenPrefix + rand.Text()

	g := s.grantLocked(at)
	g.bot = c.Bot
	g.active = true
	if chain.shared == nil {
		chain.shared = g.shared
	}
	g.shared = chain.shared
	a := accessGrant{clientID: c.ID}
	var expiresIn int64
	if o.lifetime > 0 {
		a.expiry = now.Add(o.lifetime)
		expiresIn = int64((o.lifetime + time.Second - 1) / time.Second)
	}
	o.access[at] = a
	chain.current = rt
	o.refresh[rt] = chain

	return tokenResponse{
		AccessToken:   at,
		TokenType:     "bearer",
		RefreshToken:  rt,
		ExpiresIn:     expiresIn,
		BotID:         c.Bot.ID,
		WorkspaceID:   c.Bot.WorkspaceID,
		WorkspaceName: c.Bot.WorkspaceName,
		Owner:         tokenOwner{Type: "user", User: ownerUser{Object: "user", ID: c.userID}},
	}
}

// writeTokenResponse answers a token request with resp.
func writeTokenResponse(w http.ResponseWriter, resp tokenResponse) {
	resp.RequestID = requestID(w)
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, resp)
}
