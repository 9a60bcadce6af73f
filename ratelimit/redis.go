package ratelimit

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
	"go.uber.org/zap"
)

// RedisOptions configure a Redis.
type RedisOptions struct {
	// Addr is the server's host:port; default 127.0.0.1:6379.
	Addr string
	// Password authenticates to the server; empty for none. It is never
	// logged.
	Password string
	// DB is the database number.
	DB int
	// KeyPrefix starts every key, so that several deployments can share one
	// server; the keys are {KeyPrefix}rate:{key} and {KeyPrefix}pause:{key}.
	KeyPrefix string
	// Replicas is how many processes share the budget; while Redis cannot
	// be reached each paces alone at rate/Replicas with burst/Replicas (at
	// least 1). Default 1.
	Replicas int
	// Timeout bounds each call to Redis; default 250ms.
	Timeout time.Duration
	// ProbeInterval is how often, while Redis cannot be reached, a Take
	// tries it again; default 1s.
	ProbeInterval time.Duration
	// Log receives rate_limit_degraded and rate_limit_restored; nil logs
	// nothing.
	Log *zap.Logger
	// Now is the clock of the local fallback and of the probes (Redis
	// keeps the shared budget on its own clock); nil means time.Now.
	Now func() time.Time
}

// Redis books turns in one budget per key shared by every process that
// uses the same Redis server and key prefix, with a GCRA script on Redis's
// clock. When Redis cannot be reached it paces locally at the process's
// share of the rate and goes back to the shared budget by itself when Redis
// answers again (see the package documentation). It is safe for concurrent
// use.
type Redis struct {
	rdb      *redis.Client
	prefix   string
	replicas int
	timeout  time.Duration
	local    *Local // the fallback, and pauses known to this process

	take, pause, cancel *redis.Script

	health health
}

// NewRedis returns a Redis pacer for the server at opts.Addr. It does not
// wait for the server: until it answers, turns are paced locally.
func NewRedis(opts RedisOptions) *Redis {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:6379"
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 250 * time.Millisecond
	}
	if opts.ProbeInterval <= 0 {
		opts.ProbeInterval = time.Second
	}
	if opts.Log == nil {
		opts.Log = zap.NewNop()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	replicas := max(opts.Replicas, 1)
	return &Redis{
		rdb: redis.NewClient(&redis.Options{
			Addr:     opts.Addr,
			Password: opts.Password,
			DB:       opts.DB,
			// No call may hold a request up for long: each is bounded
			// by its context, and fails rather than retries.
			DialTimeout:           opts.Timeout,
			ReadTimeout:           opts.Timeout,
			WriteTimeout:          opts.Timeout,
			PoolTimeout:           opts.Timeout,
			MaxRetries:            -1,
			DialerRetries:         1,
			ContextTimeoutEnabled: true,
			DisableIdentity:       true,
			MaintNotificationsConfig: &maintnotifications.Config{
				Mode: maintnotifications.ModeDisabled,
			},
		}),
		prefix:   opts.KeyPrefix,
		replicas: replicas,
		timeout:  opts.Timeout,
		local:    NewLocal(opts.Now),
		take:     redis.NewScript(takeScript),
		pause:    redis.NewScript(pauseScript),
		cancel:   redis.NewScript(cancelScript),
		health:   health{log: opts.Log, now: opts.Now, interval: opts.ProbeInterval, replicas: replicas},
	}
}

// Close closes the connections to Redis. Takes after Close pace locally.
func (p *Redis) Close() error {
	if err := p.rdb.Close(); err != nil {
		return fmt.Errorf("close rate limit redis: %w", err)
	}
	return nil
}

// Take books one turn for key in the shared budget at rate turns per
// second with burst, no earlier than the end of key's pause, and returns
// how long the caller must wait for it, as Local.Take does. While Redis
// cannot be reached it books locally at rate/Replicas instead. It waits
// for Redis at most the Timeout option, whatever ctx allows.
func (p *Redis) Take(ctx context.Context, key string, rate float64, burst int, maxWait time.Duration) (time.Duration, func(), bool) {
	burst = max(burst, 1)
	if p.health.try() {
		b, err := p.book(ctx, key, rate, burst, maxWait)
		if err == nil {
			p.health.answered(key)
			if !b.ok {
				return b.wait, noop, false
			}
			return b.wait, p.canceller(ctx, key, b), true
		}
		p.health.failed(key, err)
	}
	n := p.replicas
	return p.local.Take(ctx, key, rate/float64(n), max(burst/n, 1), maxWait)
}

// Pause holds key's turns for d from now in every process sharing the
// budget, and in this one even when Redis cannot be reached. A shorter
// pause never cuts a longer one short.
func (p *Redis) Pause(ctx context.Context, key string, d time.Duration) {
	if d <= 0 {
		return
	}
	p.local.Pause(ctx, key, d)
	if !p.health.try() {
		return
	}
	ctx, cancel := p.call(ctx)
	defer cancel()
	err := p.pause.Run(ctx, p.rdb, []string{p.pauseKey(key)}, micros(d)).Err()
	if err != nil {
		p.health.failed(key, err)
		return
	}
	p.health.answered(key)
}

// booking is what takeScript answered.
type booking struct {
	ok         bool
	wait       time.Duration
	tat, slot  int64 // µs on Redis's clock, for cancelScript
	intervalUS int64
}

// book runs takeScript for key.
func (p *Redis) book(ctx context.Context, key string, rate float64, burst int, maxWait time.Duration) (booking, error) {
	var iv int64 // 0: no pacing
	if rate > 0 {
		iv = max(int64(math.Round(1e6/rate)), 1)
	}
	paused := p.local.pausedFor(key, p.health.now())
	ctx, cancel := p.call(ctx)
	defer cancel()
	keys := []string{p.rateKey(key), p.pauseKey(key)}
	vals, err := p.take.Run(ctx, p.rdb, keys, iv, burst, micros(maxWait), micros(paused)).Int64Slice()
	if err != nil {
		return booking{}, fmt.Errorf("book a turn for %s: %w", key, err)
	}
	if len(vals) != 4 {
		return booking{}, fmt.Errorf("book a turn for %s: the script answered %d values, want 4", key, len(vals))
	}
	return booking{ok: vals[0] == 1, wait: time.Duration(vals[1]) * time.Microsecond,
		tat: vals[2], slot: vals[3], intervalUS: iv}, nil
}

// canceller returns the cancel of booking b: it gives the turn back in
// Redis when that is still possible (see cancelScript).
func (p *Redis) canceller(ctx context.Context, key string, b booking) func() {
	if b.intervalUS == 0 {
		return noop // nothing was booked, only a pause waited out
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			ctx, cancel := p.call(ctx)
			defer cancel()
			// A failure loses one turn, which is all a retry could win.
			_ = p.cancel.Run(ctx, p.rdb, []string{p.rateKey(key)}, b.tat, b.slot, b.intervalUS).Err()
		})
	}
}

// call returns the context of one call to Redis: ctx's values without its
// cancellation, so that a client leaving does not count as Redis failing
// (its booking is given back by cancel), and at most p.timeout long.
func (p *Redis) call(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), p.timeout)
}

func (p *Redis) rateKey(key string) string  { return p.prefix + "rate:" + key }
func (p *Redis) pauseKey(key string) string { return p.prefix + "pause:" + key }

// micros returns d in whole microseconds, rounded up so that a pause or a
// maximum is never shortened.
func micros(d time.Duration) int64 {
	us := d / time.Microsecond
	if us*time.Microsecond < d {
		us++
	}
	return int64(us)
}
