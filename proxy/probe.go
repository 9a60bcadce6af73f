package proxy

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"go.uber.org/zap"
)

// Probe sends one request with the named credential through the same
// stages as every proxied request (injection, refresh and replay on a
// 401, pacing, retries, diagnostics) and returns Notion's answer, or the
// proxy's own error answer. `check --online` asks each credential who it
// is with it; object scopes look up parents with it. When event is set,
// the request is logged with that event in place of "request" (for
// example scope_lookup). The answer's body is held in memory: probe small
// endpoints.
func (h *Handler) Probe(ctx context.Context, event, credential, method, path string) (*http.Response, error) {
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
	if event != "" {
		h.log.Info("probe", zap.String("event", event), zap.String("credential", credential),
			zap.String("method", method), zap.String("path", path), zap.Int("status", rec.Code),
			zap.Float64("duration_ms", float64(h.now().Sub(c.start))/float64(time.Millisecond)),
			zap.Int("retries", c.out.retries))
	}
	return rec.Result(), nil
}
