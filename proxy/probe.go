package proxy

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
)

// Probe sends one request with the named credential through the same
// stages as every proxied request (injection, refresh and replay on a
// 401, pacing, retries, diagnostics) and returns Notion's answer, or the
// proxy's own error answer. `check --online` asks each credential who it
// is with it. The answer's body is held in memory: probe small endpoints.
func (h *Handler) Probe(ctx context.Context, credential, method, path string) (*http.Response, error) {
	s := h.current.Load()
	cred := s.credentials[credential]
	if cred == nil {
		return nil, fmt.Errorf("probe: unknown credential %q", credential)
	}
	r, err := http.NewRequestWithContext(ctx, method, path, http.NoBody)
	if err != nil {
		return nil, fmt.Errorf("probe: %w", err)
	}
	c := &call{routing: routing{snap: s, start: h.now(), cred: cred, path: r.URL.Path}}
	rec := httptest.NewRecorder()
	h.reverse.ServeHTTP(rec, r.WithContext(context.WithValue(ctx, callKey{}, c)))
	return rec.Result(), nil
}
