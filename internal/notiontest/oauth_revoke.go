package notiontest

import (
	"encoding/json"
	"io"
	"net/http"
)

// oauthTokenRequest reads the {"token": ...} body of the introspect and
// revoke endpoints after checking the client's Basic auth and
// Notion-Version, or answers the error and returns false.
func (s *Server) oauthTokenRequest(w http.ResponseWriter, r *http.Request) (string, bool) {
	if _, ok := s.authenticateClient(r); !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="notion-oauth"`)
		writeOAuthError(w, http.StatusUnauthorized, oauthInvalidClient,
			"Client authentication failed: send HTTP Basic auth with a registered client id and its secret.")
		return "", false
	}
	if _, err := checkVersion(r); err != nil {
		err.write(w)
		return "", false
	}
	var body struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, maxJSONBody)).Decode(&body); err != nil || body.Token == "" {
		writeOAuthError(w, http.StatusBadRequest, oauthInvalidRequest, "The body must be a JSON object with a token.")
		return "", false
	}
	return body.Token, true
}

// oauthTokenCall returns the handler of an endpoint on the token that a
// {"token": ...} body names (introspect, revoke): once oauthTokenRequest
// has read it, answer makes the reply with s.mu held.
func (s *Server) oauthTokenCall(answer func(o *oauthState, token string) map[string]any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := s.oauthTokenRequest(w, r)
		if !ok {
			return
		}
		s.mu.Lock()
		out := answer(s.oauthLocked(), token)
		s.mu.Unlock()
		reply(w, http.StatusOK, out)
	}
}

// introspectLocked answers POST /v1/oauth/introspect: whether an access or
// refresh token the fake issued is still active.
func (s *Server) introspectLocked(o *oauthState, token string) map[string]any {
	active := false
	if _, issued := o.access[token]; issued {
		active = s.grants[token] != nil && s.grants[token].active
	} else if chain := o.refresh[token]; chain != nil {
		active = chain.current == token && !chain.revoked
	}
	out := map[string]any{"active": active}
	if active {
		out["scope"], out["iat"] = "read_content update_content insert_content", 1735689600
	}
	return out
}

// revokeLocked answers POST /v1/oauth/revoke: the token stops working; a
// refresh token takes its whole authorization with it.
func (s *Server) revokeLocked(o *oauthState, token string) map[string]any {
	if g := s.grants[token]; g != nil && o.access[token] != (accessGrant{}) {
		g.active = false
	}
	if chain := o.refresh[token]; chain != nil {
		chain.revoked = true
	}
	return map[string]any{}
}
