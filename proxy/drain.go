package proxy

import (
	"context"
	"io"
	"sync"
)

// DrainTunnels waits, until ctx ends, for the requests being served inside
// forward-proxy tunnels. http.Server.Shutdown cannot see them: goproxy took
// their connections over. From the moment DrainTunnels is called, tunnelled
// answers carry Connection: close, so clients leave their tunnels. Call it
// beside http.Server.Shutdown with the same deadline.
func (h *Handler) DrainTunnels(ctx context.Context) error {
	return h.forward.inflight.drain(ctx)
}

// tunnelRequests counts the tunnelled requests in flight.
type tunnelRequests struct {
	mu       sync.Mutex
	n        int
	draining bool
	idle     chan struct{} // closed once draining and none is in flight
	closed   bool
}

func newTunnelRequests() *tunnelRequests {
	return &tunnelRequests{idle: make(chan struct{})}
}

// start counts a request in.
func (t *tunnelRequests) start() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n++
}

// isDraining reports whether DrainTunnels was called.
func (t *tunnelRequests) isDraining() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.draining
}

// done counts a request out.
func (t *tunnelRequests) done() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n--
	t.closeIfIdle()
}

func (t *tunnelRequests) drain(ctx context.Context) error {
	t.mu.Lock()
	t.draining = true
	t.closeIfIdle()
	t.mu.Unlock()
	select {
	case <-t.idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (t *tunnelRequests) closeIfIdle() {
	if t.draining && t.n == 0 && !t.closed {
		t.closed = true
		close(t.idle)
	}
}

// countedBody calls done once, when goproxy closes the body after writing
// the whole answer into the tunnel.
type countedBody struct {
	io.ReadCloser
	once sync.Once
	done func()
}

func (b *countedBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.done)
	return err
}
