package ratelimit

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/redistest"
)

// redisTol is how far a wait booked on Redis's clock may stray from the
// ideal: the time calls take on a busy machine, not the turns' spacing
// (100ms or more in these tests).
const redisTol = 25 * time.Millisecond

// replicas returns n Redis pacers on srv sharing the test's key prefix, as
// n replicas of the proxy would, each with its own connections.
func replicas(t testing.TB, srv *redistest.Server, n int, opts RedisOptions) []*Redis {
	t.Helper()
	opts.Addr = srv.Addr()
	if opts.KeyPrefix == "" {
		opts.KeyPrefix = "test:" + t.Name() + ":"
	}
	ps := make([]*Redis, n)
	for i := range ps {
		ps[i] = NewRedis(opts)
		t.Cleanup(func() { ps[i].Close() })
		// Connect and load the scripts, so that the first booking of a
		// test is not late by a dial.
		ps[i].Take(context.Background(), "warm-up", 0, 1, forever)
	}
	return ps
}

// TestRedis plays every scenario that holds for any Pacer on three
// replicas sharing one Redis, each step on the next replica: a pause set by
// one, turns booked by another and given back by a third all meet in the
// one budget.
func TestRedis(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	ps := replicas(t, srv, 3, RedisOptions{})
	pacers := []pacer{ps[0], ps[1], ps[2]}
	for _, sc := range slices.Concat(sharedScenarios, []scenario{
		{"a turn with a later one booked after it is not given back",
			steps(repeatTakes(1, 1, 0, time.Second, 2*time.Second), cancelTake(1), take(1, 1, 3*time.Second))},
	}) {
		t.Run(sc.name, func(t *testing.T) {
			start := time.Now()
			play(t, sc, sc.name, pacers, nil, redisTol, func() time.Duration { return time.Since(start) })
		})
	}
}

// TestRedisReplicasShareOneBudget: three replicas taking turns at once
// from one key get one budget's turns between them, never the same turn:
// the i-th turn (from 1) comes (i-burst)/rate after the first.
func TestRedisReplicasShareOneBudget(t *testing.T) {
	const (
		rate  = 10
		burst = 3
		each  = 6
	)
	srv := redistest.Start(t, redistest.Options{})
	ps := replicas(t, srv, 3, RedisOptions{})
	var (
		mu    sync.Mutex
		turns []time.Time // when each booked turn comes, as its caller saw it
		wg    sync.WaitGroup
	)
	start := time.Now()
	for _, p := range ps {
		wg.Go(func() {
			for range each {
				before := time.Now()
				wait, _, ok := p.Take(context.Background(), "partner", rate, burst, forever)
				if !ok {
					t.Errorf("Take refused a turn %s ahead with no max wait", wait)
				}
				mu.Lock()
				turns = append(turns, before.Add(wait))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.SortFunc(turns, time.Time.Compare)
	for i, at := range turns {
		want := time.Duration(max(i+1-burst, 0)) * time.Second / rate
		if got := at.Sub(start); got < want-redisTol || got > want+redisTol {
			t.Errorf("turn %d comes %s after the first, want %s", i+1, got, want)
		}
	}
}

// TestRedisKeys: the budget and the pause live under the prefix and
// expire, so that idle credentials leave nothing behind.
func TestRedisKeys(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	ps := replicas(t, srv, 1, RedisOptions{KeyPrefix: "notion-auth-proxy:"})
	ctx := context.Background()
	ps[0].Pause(ctx, "partner", 30*time.Second)
	ps[0].Take(ctx, "partner", 1, 1, forever)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), DisableIdentity: true})
	defer rdb.Close()
	for key, want := range map[string]time.Duration{
		"notion-auth-proxy:pause:partner": 30 * time.Second,
		"notion-auth-proxy:rate:partner":  31 * time.Second, // one turn after the pause
	} {
		ttl, err := rdb.PTTL(ctx, key).Result()
		if err != nil || ttl <= want-time.Second || ttl > want {
			t.Errorf("%s expires in %s (%v), want about %s", key, ttl, err, want)
		}
	}
}
