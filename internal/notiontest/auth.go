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

// grant is what one token may do. The access tokens of one OAuth
// authorization share one shared set, so that what is shared with one is
// shared with the tokens that replace it.
type grant struct {
	bot          Bot
	active       bool
	shared       map[string]struct{} // ids of the objects shared, each with its subtree
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
		g = &grant{shared: make(map[string]struct{})}
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
	return s.botLocked(token)
}

// botLocked is bot with s.mu held.
func (s *Server) botLocked(token string) Bot {
	if g := s.grants[token]; g != nil {
		return g.bot
	}
	return Bot{}
}
