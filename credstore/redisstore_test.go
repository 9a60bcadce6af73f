package credstore

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/eventually"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/redistest"
)

const testPrefix = "t:"

// openRedis opens a store on srv; several stores on one server stand for
// several replicas. A lock holder has a third of LockTTL for each renewal
// and loses the lock when one takes longer; 3 s leaves room for a loaded
// machine (at 600 ms, a stall of 200 ms lost it).
func openRedis(t *testing.T, srv *redistest.Server, key []byte) *RedisStore {
	t.Helper()
	s, err := OpenRedis(RedisOptions{Addr: srv.Addr(), KeyPrefix: testPrefix, Key: key,
		PollInterval: 50 * time.Millisecond, LockTTL: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// rawRedis is a plain client, to look at and tamper with what the store
// wrote.
func rawRedis(t *testing.T, srv *redistest.Server) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), DisableIdentity: true})
	t.Cleanup(func() { c.Close() })
	return c
}

func TestRedisStoreCompareAndSwap(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	a, b := openRedis(t, srv, nil), openRedis(t, srv, nil)
	ctx := context.Background()
	if _, err := a.Get(ctx, "wiki"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get on an empty store: %v, want ErrNotFound", err)
	}
	if recs, err := a.List(ctx); err != nil || len(recs) != 0 {
		t.Fatalf("List on an empty store: %v %v", recs, err)
	}
	expiry := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	w1, err := a.CompareAndSwap(ctx, "wiki", 0, Record{AccessToken: token, RefreshToken: "r1", Expiry: expiry, WorkspaceName: "Acme"})
	if err != nil || w1.Version != 1 || w1.Credential != "wiki" {
		t.Fatalf("first write: %+v %v", w1, err)
	}
	got, err := b.Get(ctx, "wiki")
	if err != nil || got.AccessToken.Reveal() != token || got.RefreshToken != "r1" || !got.Expiry.Equal(expiry) ||
		got.WorkspaceName != "Acme" || got.Version != 1 {
		t.Fatalf("another replica reads %+v, %v", got, err)
	}
	if _, err := b.CompareAndSwap(ctx, "wiki", 0, Record{AccessToken: "stale"}); !errors.Is(err, ErrConflict) {
		t.Errorf("a write based on a stale read: %v, want ErrConflict", err)
	}
	if w2, err := b.CompareAndSwap(ctx, "wiki", 1, Record{AccessToken: "t2"}); err != nil || w2.Version != 2 {
		t.Errorf("second write: %+v %v", w2, err)
	}
	if _, err := a.CompareAndSwap(ctx, "Partner", 0, Record{AccessToken: "p"}); err != nil {
		t.Fatal(err)
	}
	recs, err := b.List(ctx)
	if err != nil || len(recs) != 2 || recs[0].Credential != "Partner" || recs[1].Credential != "wiki" || recs[1].Version != 2 {
		t.Errorf("List: %+v %v", recs, err)
	}
	for _, bad := range []string{"", "../x", "a b"} {
		if _, err := a.CompareAndSwap(ctx, bad, 0, Record{}); err == nil {
			t.Errorf("name %q was accepted", bad)
		}
	}
}

func TestRedisStoreEncryption(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	key, other := make([]byte, 32), make([]byte, 32)
	other[0] = 1
	ctx := context.Background()
	enc := openRedis(t, srv, key)
	if _, err := enc.CompareAndSwap(ctx, "wiki", 0, Record{AccessToken: token, RefreshToken: "refresh_secret_value"}); err != nil {
		t.Fatal(err)
	}
	raw := rawRedis(t, srv)
	data, err := raw.HGet(ctx, testPrefix+"credential:wiki", "data").Result()
	if err != nil || strings.Contains(data, token) || strings.Contains(data, "refresh_secret_value") || !strings.Contains(data, "aes-256-gcm") {
		t.Fatalf("the stored record is not encrypted (%v)", err)
	}
	if got, err := openRedis(t, srv, key).Get(ctx, "wiki"); err != nil || got.AccessToken.Reveal() != token {
		t.Fatalf("a replica with the key cannot read it: %v", err)
	}
	// A record copied under another name, or given another version, no
	// longer opens: the sealed data is bound to both.
	raw.HSet(ctx, testPrefix+"credential:copy", "v", "1", "data", data)
	raw.HSet(ctx, testPrefix+"credential:bumped", "v", "7", "data", data)
	for _, tt := range []struct {
		why   string
		store *RedisStore
		name  string
	}{
		{"no key", openRedis(t, srv, nil), "wiki"},
		{"wrong key", openRedis(t, srv, other), "wiki"},
		{"copied to another name", enc, "copy"},
		{"version changed", enc, "bumped"},
	} {
		_, err := tt.store.Get(ctx, tt.name)
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), srv.Addr()) || strings.Contains(err.Error(), data[:20]) {
			t.Errorf("%s: %v, want ErrCorrupt naming the server", tt.why, err)
		}
	}
	plain := openRedis(t, srv, nil)
	if _, err := plain.CompareAndSwap(ctx, "plain", 0, Record{AccessToken: token}); err != nil {
		t.Fatal(err)
	}
	if _, err := enc.Get(ctx, "plain"); !errors.Is(err, ErrCorrupt) {
		t.Errorf("a plaintext record read with a key: %v, want ErrCorrupt", err)
	}
}

func TestRedisStoreLock(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	a, b := openRedis(t, srv, nil), openRedis(t, srv, nil)
	ctx := context.Background()
	_, unlock, err := a.Lock(ctx, "wiki")
	if err != nil {
		t.Fatal(err)
	}
	raw := rawRedis(t, srv)
	sinceEpoch, err := raw.PExpireTime(ctx, a.lockKey("wiki")).Result()
	if err != nil || sinceEpoch < 0 {
		t.Fatalf("the lock's expiry: %v %v", sinceEpoch, err)
	}
	firstExpiry := time.UnixMilli(sinceEpoch.Milliseconds())
	checkLockExcludes(t, a, b, 50*time.Millisecond)

	// The holder keeps the lock past its TTL by renewing it, more than
	// once: wait until, by Redis's clock, the lock as first set would have
	// expired half a TTL ago (a single renewal would have run out too).
	eventually.Require(t, "half a lock TTL past the lock's first expiry", func() bool {
		now, err := raw.Time(ctx).Result()
		return err == nil && now.After(firstExpiry.Add(a.lockTTL/2))
	})
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	_, _, err = b.Lock(short, "wiki")
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the lock was lost while its holder worked: %v", err)
	}
	checkReleaseLetsWaiterIn(t, unlock, lockWaiter(b))
}

// TestRedisStoreFencesExpiredHolder: a holder whose lock expired and was
// taken by another replica can no longer write, and its release does not
// free the new holder's lock.
func TestRedisStoreFencesExpiredHolder(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	a, b := openRedis(t, srv, nil), openRedis(t, srv, nil)
	ctx := context.Background()
	if _, err := a.CompareAndSwap(ctx, "partner", 0, Record{RefreshToken: "r1"}); err != nil {
		t.Fatal(err)
	}
	heldA, unlockA, err := a.Lock(ctx, "partner")
	if err != nil {
		t.Fatal(err)
	}
	// The lock expires as if A had stalled (the key vanishes), and B takes it.
	rawRedis(t, srv).Del(ctx, testPrefix+"lock:partner")
	heldB, unlockB, err := b.Lock(ctx, "partner")
	if err != nil {
		t.Fatal(err)
	}
	defer unlockB()
	if _, err := a.CompareAndSwap(heldA, "partner", 1, Record{RefreshToken: "from A"}); !errors.Is(err, ErrLockLost) {
		t.Fatalf("the expired holder's write: %v, want ErrLockLost", err)
	}
	select {
	case <-heldA.Done():
		if !errors.Is(context.Cause(heldA), ErrLockLost) {
			t.Errorf("A's lock context ended with %v, want ErrLockLost", context.Cause(heldA))
		}
	case <-time.After(eventually.Timeout):
		t.Error("A's lock context did not end after the lock was taken")
	}
	unlockA()
	if w, err := b.CompareAndSwap(heldB, "partner", 1, Record{RefreshToken: "from B"}); err != nil || w.Version != 2 {
		t.Fatalf("the holder's write: %+v %v", w, err)
	}
	if got, _ := a.Get(ctx, "partner"); got.RefreshToken != "from B" {
		t.Error("the expired holder's write reached the store")
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, _, err := a.Lock(short, "partner"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("A's release freed B's lock: %v", err)
	}
}

func TestRedisStoreChanges(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	watcher, writer := openRedis(t, srv, nil), openRedis(t, srv, nil)
	watcher.poll = time.Hour // only the notice can report the first write
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := watcher.Changes(ctx)
	waitSubscribed(t, srv)
	if _, err := writer.CompareAndSwap(ctx, "wiki", 0, Record{AccessToken: token}); err != nil {
		t.Fatal(err)
	}
	expectChange(t, ch, "wiki")

	// A write whose notice is lost is found by the periodic re-read. It is
	// made once the new watcher has read the versions it compares with:
	// before that, it would be part of them.
	raw := rawRedis(t, srv)
	reads := versionReads(t, raw)
	polled := openRedis(t, srv, nil)
	pctx, pcancel := context.WithCancel(ctx)
	pch := polled.Changes(pctx)
	eventually.Require(t, "the watcher's first look at the versions", func() bool { return versionReads(t, raw) > reads })
	raw.HSet(ctx, testPrefix+"credential:wiki", "v", "2")
	expectChange(t, pch, "wiki")
	pcancel()
	for range pch { // closed when its context ends
	}
}

func waitSubscribed(t *testing.T, srv *redistest.Server) {
	t.Helper()
	raw := rawRedis(t, srv)
	eventually.Require(t, "the watcher to subscribe", func() bool {
		n, _ := raw.PubSubNumSub(context.Background(), testPrefix+"changes").Result()
		return n[testPrefix+"changes"] > 0
	})
}

// versionReads returns how many HGET commands the server has run. Only a
// watcher's look at the stored versions uses HGET, so a rise shows that a
// watcher has looked.
func versionReads(t *testing.T, raw *redis.Client) int {
	t.Helper()
	info, err := raw.Info(context.Background(), "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	_, stats, found := strings.Cut(info, "cmdstat_hget:calls=")
	if !found {
		return 0
	}
	calls, _, _ := strings.Cut(stats, ",")
	n, err := strconv.Atoi(calls)
	if err != nil {
		t.Fatalf("commandstats: %v", err)
	}
	return n
}

func expectChange(t *testing.T, ch <-chan string, want string) {
	t.Helper()
	deadline := time.After(eventually.Timeout)
	for {
		select {
		case name := <-ch:
			if name == want {
				return
			}
		case <-deadline:
			t.Fatalf("no change reported for %s", want)
		}
	}
}
