package ratelimit

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/redistest"
)

// TestRedisOutage: when Redis dies, a replica keeps answering at once,
// pacing locally at its share of the rate, and says so once; it does not
// try Redis again before the probe interval; when Redis is back it returns
// to the shared budget by itself, and says so once.
func TestRedisOutage(t *testing.T) {
	const (
		password = "redis_password_never_logged"
		key      = "partner"
		rate     = 10
		burst    = 4
	)
	srv := redistest.Start(t, redistest.Options{Password: password})
	core, logs := observer.New(zap.InfoLevel)
	clock := newFakeClock()
	prefix := "test:outage:"
	opts := RedisOptions{Password: password, KeyPrefix: prefix, Replicas: 2}
	peer := replicas(t, srv, 1, opts)[0]
	opts.Log, opts.Now = zap.New(core), clock.now
	p := replicas(t, srv, 1, opts)[0]
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), Password: password, DisableIdentity: true})
	defer rdb.Close()
	shared := func(t *testing.T) {
		t.Helper()
		start := time.Now()
		if wait, _, _ := p.Take(ctx, key, rate, burst, forever); wait != 0 {
			t.Fatalf("the first turn of a full shared budget waits %s", wait)
		}
		for range burst - 1 {
			peer.Take(ctx, key, rate, burst, forever)
		}
		wait, _, _ := p.Take(ctx, key, rate, burst, forever)
		if want := 100 * time.Millisecond; wait < want-time.Since(start)-redisTol || wait > want+redisTol {
			t.Errorf("after the peer took the rest of the burst, a turn waits %s, want %s", wait, want)
		}
	}
	events := func(event string) int { return logs.FilterField(zap.String("event", event)).Len() }

	shared(t)
	srv.Kill()
	// Local pacing at rate/2 with burst/2, on a fresh local bucket.
	for i, want := range []time.Duration{0, 0, 200 * time.Millisecond, 400 * time.Millisecond} {
		if wait, _, ok := p.Take(ctx, key, rate, burst, forever); !ok || wait != want {
			t.Errorf("degraded turn %d waits %s (ok %t), want %s", i+1, wait, ok, want)
		}
	}
	degraded := logs.FilterField(zap.String("event", "rate_limit_degraded")).All()
	if len(degraded) != 1 {
		t.Fatalf("rate_limit_degraded logged %d times, want once", len(degraded))
	}
	fields := degraded[0].ContextMap()
	if degraded[0].Level != zap.WarnLevel || fields["key"] != key || fields["replicas"] != int64(2) ||
		fields["error"] == "" || strings.Contains(fields["error"].(string), password) {
		t.Errorf("rate_limit_degraded: level %s, fields %v", degraded[0].Level, fields)
	}

	// A probe that fails keeps the local pacing, and says nothing more.
	clock.advance(time.Second)
	if wait, _, _ := p.Take(ctx, key, rate, burst, forever); wait != 0 || events("rate_limit_degraded") != 1 {
		t.Errorf("after a failed probe a turn waits %s, and degraded is logged %d times; want 0 and once",
			wait, events("rate_limit_degraded"))
	}

	srv.Restart()
	// Before the probe interval has passed, Redis is not asked.
	if wait, _, _ := p.Take(ctx, key, rate, burst, forever); wait != 0 {
		t.Errorf("the local bucket's last free turn waits %s", wait)
	}
	if n, err := rdb.Exists(ctx, prefix+"rate:"+key).Result(); err != nil || n != 0 || events("rate_limit_restored") != 0 {
		t.Fatalf("Redis was asked before the probe interval passed (%d keys, %v)", n, err)
	}

	clock.advance(time.Second)
	shared(t)
	if events("rate_limit_restored") != 1 || events("rate_limit_degraded") != 1 {
		t.Errorf("logged degraded %d and restored %d times, want once each",
			events("rate_limit_degraded"), events("rate_limit_restored"))
	}
	if strings.Contains(logs.All()[0].Message, password) {
		t.Error("a log line holds the Redis password")
	}
}

// TestRedisSilent: a Redis that accepts connections and never answers
// holds a Take up for one call's timeout, once, and then once per probe
// interval; every other Take is answered locally at once.
func TestRedisSilent(t *testing.T) {
	const timeout = 100 * time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0") // never accepts: the kernel completes the handshakes
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	core, logs := observer.New(zap.InfoLevel)
	clock := newFakeClock()
	p := NewRedis(RedisOptions{Addr: ln.Addr().String(), Timeout: timeout, Log: zap.New(core), Now: clock.now})
	defer p.Close()
	ctx := context.Background()
	take := func() (time.Duration, time.Duration) {
		start := time.Now()
		wait, _, ok := p.Take(ctx, "partner", 10, 1, forever)
		if !ok {
			t.Fatal("Take refused a turn with no max wait")
		}
		return wait, time.Since(start)
	}

	if wait, took := take(); wait != 0 || took > 10*timeout {
		t.Fatalf("the first Take waits %s after %s, want 0 after about %s", wait, took, timeout)
	}
	if logs.FilterField(zap.String("event", "rate_limit_degraded")).Len() != 1 {
		t.Fatalf("logs: %v", logs.All())
	}
	start := time.Now()
	for i := range 20 {
		if wait, _ := take(); wait != time.Duration(i+1)*100*time.Millisecond {
			t.Fatalf("local turn %d waits %s", i+2, wait)
		}
	}
	if took := time.Since(start); took >= timeout {
		t.Errorf("20 Takes between probes took %s: they waited for Redis", took)
	}
	clock.advance(time.Second)
	if _, took := take(); took < timeout {
		t.Errorf("the Take after the probe interval took %s: it did not try Redis", took)
	}
}
