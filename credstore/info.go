package credstore

import "time"

// Info is what a credential source can tell about itself for people: the
// status page and the credentials command. It holds no secret; LastError
// may quote text an upstream sent, so redact it before showing it.
type Info struct {
	WorkspaceID   string
	WorkspaceName string
	ObtainedAt    time.Time // when the token or pair was first obtained, if known
	RefreshedAt   time.Time // when an OAuth pair was last refreshed
	LastError     string    // why the credential is not ready, or ""
}

// Info describes the token cell: only its last error.
func (c *tokenCell) Info() Info {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var i Info
	if c.err != nil {
		i.LastError = c.err.Error()
	}
	return i
}

// Info describes the OAuth credential as this process holds it.
func (s *OAuthSource) Info() Info {
	s.mu.RLock()
	defer s.mu.RUnlock()
	i := Info{WorkspaceID: s.rec.WorkspaceID, WorkspaceName: s.rec.WorkspaceName,
		ObtainedAt: s.rec.ObtainedAt, RefreshedAt: s.rec.RefreshedAt}
	if s.lastErr != nil {
		i.LastError = s.lastErr.Error()
	}
	return i
}
