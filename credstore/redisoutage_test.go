package credstore

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/eventually"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/redistest"
)

// TestRedisOutage: while Redis is down, a replica keeps its token, reports
// store_unavailable, refuses to refresh (naming the store), and comes back
// by itself, with nothing lost, when Redis returns.
func TestRedisOutage(t *testing.T) {
	const password = "redis_password_never_printed"
	srv := redistest.Start(t, redistest.Options{Persist: true, Password: password})
	store, err := OpenRedis(RedisOptions{Addr: srv.Addr(), Password: password, KeyPrefix: testPrefix,
		PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	r := newOAuthRig(t, time.Hour)
	first := r.login(store)
	src := r.source(store, "")
	src.Reload(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changes := store.Changes(ctx)

	srv.Kill()
	eventually.Require(t, "store_unavailable", func() bool { return src.State() == string(StateStoreUnavailable) })
	if err := store.Health(); !errors.Is(err, ErrUnavailable) || strings.Contains(err.Error(), password) {
		t.Errorf("Health: %v", err)
	}
	if tok, err := src.Token(ctx); err != nil || tok != first.AccessToken.Reveal() {
		t.Errorf("the held token is not served during the outage: %v", err)
	}
	start := time.Now()
	_, err = src.Refresh(ctx, first.AccessToken.Reveal())
	var ce *Error
	if !errors.As(err, &ce) || ce.State != StateRefreshFailed || !errors.Is(err, ErrUnavailable) {
		t.Fatalf("a refresh during the outage: %v, want refresh_failed wrapping ErrUnavailable", err)
	}
	if waited := time.Since(start); waited > 30*time.Second {
		t.Errorf("the refresh took %s to fail; it should fail at once", waited)
	}
	if r.refreshes() != 0 {
		t.Error("a refresh ran without the lock")
	}
	logs := r.logs.FilterField(zap.String("event", "refresh_failed")).All()
	if len(logs) != 1 || logs[0].ContextMap()["reason"] != "store_unavailable" ||
		!strings.Contains(logs[0].ContextMap()["hint"].(string), srv.Addr()) {
		t.Errorf("refresh_failed logs: %v", logs)
	}
	if strings.Contains(r.logs.All()[0].Message+err.Error(), password) {
		t.Error("the password appears in an error or log")
	}

	srv.Restart()
	expectChange(t, changes, "partner") // everything is re-read after an outage
	src.Reload(ctx)                     // as serve does on a change
	eventually.Require(t, "ready again", func() bool { return store.Health() == nil && src.State() == string(StateReady) })
	got, err := store.Get(ctx, "partner")
	if err != nil || got.Version != first.Version || got.RefreshToken != first.RefreshToken {
		t.Errorf("after the restart the store holds %+v, %v; want the pair stored before", got.Version, err)
	}
	if fresh, err := src.Refresh(ctx, first.AccessToken.Reveal()); err != nil || fresh == first.AccessToken.Reveal() {
		t.Errorf("a refresh after recovery: %v", err)
	}
}
