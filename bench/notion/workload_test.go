package main

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/notion-auth-proxy/notion-auth-proxy/bench/internal/procs"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
)

func newFake(t *testing.T) (*notiontest.Server, notiontest.Demo) {
	t.Helper()
	fake := notiontest.NewServer()
	t.Cleanup(fake.Close)
	fake.AddToken(procs.Token, notiontest.Bot{ID: "7d2c9f1e-3b4a-4c5d-8e6f-0a1b2c3d4e5f", Name: "Bench Bot"})
	return fake, fake.SeedDemo(procs.Token)
}

func directHeader() http.Header {
	return http.Header{"Authorization": {"Bearer " + procs.Token}, "Notion-Version": {notionVersion}}
}

// TestMixIsAcceptedByTheFake keeps the benchmark honest: every request of
// the mix is one Notion (the fake) answers 200, so errors in a run come
// from the rate limit, not from a malformed request.
func TestMixIsAcceptedByTheFake(t *testing.T) {
	fake, demo := newFake(t)
	c := &client{http: fake.Client(), base: fake.URL(), header: directHeader(), attempts: 1}
	kinds := map[string]bool{}
	for i := range 8 {
		for j := range 5 {
			o := mix(demo, i, j)
			kinds[o.name] = true
			if got := c.do(context.Background(), o); got.err != nil || got.status != http.StatusOK {
				t.Errorf("client %d call %d (%s %s): status %d, err %v", i, j, o.method, o.path, got.status, got.err)
			}
		}
	}
	if len(kinds) != 4 {
		t.Errorf("the mix has %d kinds of request, want 4: %v", len(kinds), kinds)
	}
}

// TestClientRetriesAfterRetryAfter checks the clients behave like the
// SDKs: a 429 is sent again after its Retry-After, up to the attempts.
func TestClientRetriesAfterRetryAfter(t *testing.T) {
	tests := []struct {
		name        string
		limited     int // 429s the fake answers before letting requests through
		attempts    int
		wantStatus  int
		wantLimited int
	}{
		{"no 429", 0, 3, http.StatusOK, 0},
		{"429s then success", 2, 3, http.StatusOK, 2},
		{"429s beyond the attempts", 5, 3, http.StatusTooManyRequests, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, demo := newFake(t)
			var left atomic.Int64
			left.Store(int64(tt.limited))
			var last atomic.Int64 // when the latest 429 was sent, unix nanoseconds
			var early atomic.Bool
			fake.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
				if prev := last.Load(); prev != 0 && time.Since(time.Unix(0, prev)) < 180*time.Millisecond {
					early.Store(true) // came back before the Retry-After
				}
				if left.Add(-1) < 0 {
					return false
				}
				last.Store(time.Now().UnixNano())
				w.Header().Set("Retry-After", "0.2")
				notiontest.WriteError(w, http.StatusTooManyRequests, "rate_limited", "slow down")
				return true
			})
			c := &client{http: fake.Client(), base: fake.URL(), header: directHeader(), attempts: tt.attempts}
			got := c.do(context.Background(), mix(demo, 0, 0))
			if got.err != nil || got.status != tt.wantStatus || got.limited != tt.wantLimited {
				t.Errorf("status %d, 429s %d, err %v; want %d, %d", got.status, got.limited, got.err, tt.wantStatus, tt.wantLimited)
			}
			if early.Load() {
				t.Error("a retry came sooner than the Retry-After of 0.2 s")
			}
		})
	}
}
