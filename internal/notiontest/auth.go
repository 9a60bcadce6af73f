package notiontest

import (
	"net/http"
	"strings"
)

// Bot is the integration (bot user) a token belongs to, as GET /v1/users/me
// reports it.
type Bot struct {
	ID            string
	Name          string
	WorkspaceID   string
	WorkspaceName string
}

// grant is what one token may do. Shares and restrictions live here rather
// than on the token string so that a token endpoint can later hand a rotated
// access token the same grant.
type grant struct {
	bot          Bot
	active       bool
	shared       map[objectKey]struct{}
	restrictions []restriction
}

type restriction struct {
	method     string // empty: any method
	pathPrefix string
}

// grantLocked returns the grant for token, creating an inactive one. s.mu
// must be held.
func (s *Server) grantLocked(token string) *grant {
	g := s.grants[token]
	if g == nil {
		g = &grant{shared: make(map[objectKey]struct{})}
		s.grants[token] = g
	}
	return g
}

// AddToken makes token valid for bot. Adding a revoked token again makes it
// valid again; objects already shared with it stay shared.
func (s *Server) AddToken(token string, bot Bot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.grantLocked(token)
	g.bot = bot
	g.active = true
}

// RevokeToken makes later requests with token fail with 401 unauthorized.
func (s *Server) RevokeToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.grants[token]; g != nil {
		g.active = false
	}
}

// Restrict makes requests with token whose method is method (any method when
// method is empty; case-insensitive) and whose path starts with pathPrefix
// fail with 403 restricted_resource, as when the integration lacks a
// capability. Restrictions are not cleared by Reset.
func (s *Server) Restrict(token, method, pathPrefix string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.grantLocked(token)
	g.restrictions = append(g.restrictions, restriction{method: method, pathPrefix: pathPrefix})
}

// bearerToken returns the token of an "Authorization: Bearer <token>" header,
// or "" when there is none or more than one Authorization header.
func bearerToken(r *http.Request) string {
	values := r.Header.Values("Authorization")
	if len(values) != 1 {
		return ""
	}
	scheme, token, ok := strings.Cut(values[0], " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// authenticate returns the request's token when it is known and not revoked.
// A request with several Authorization headers is rejected, which catches a
// proxy that adds its credential instead of replacing the client's.
func (s *Server) authenticate(r *http.Request) (string, bool) {
	token := bearerToken(r)
	if token == "" {
		return "", false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.grants[token]
	return token, g != nil && g.active
}

// restricted reports whether token lacks the capability for r.
func (s *Server) restricted(token string, r *http.Request) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.grants[token]
	if g == nil {
		return false
	}
	for _, rs := range g.restrictions {
		if (rs.method == "" || strings.EqualFold(rs.method, r.Method)) &&
			strings.HasPrefix(r.URL.Path, rs.pathPrefix) {
			return true
		}
	}
	return false
}

// bot returns the bot token belongs to.
func (s *Server) bot(token string) Bot {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.grants[token]; g != nil {
		return g.bot
	}
	return Bot{}
}

// usersMe serves GET /v1/users/me: the token's bot user.
func (s *Server) usersMe(w http.ResponseWriter, _ *http.Request, token string) {
	bot := s.bot(token)
	writeJSON(w, http.StatusOK, map[string]any{
		"object":     "user",
		"id":         bot.ID,
		"name":       bot.Name,
		"avatar_url": nil,
		"type":       "bot",
		"bot": map[string]any{
			"owner":          map[string]any{"type": "workspace", "workspace": true},
			"workspace_name": bot.WorkspaceName,
			"workspace_id":   bot.WorkspaceID,
		},
		"request_id": requestID(w),
	})
}
