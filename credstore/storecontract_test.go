package credstore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/redistest"
)

// A backing is one empty store of a backend, shared by the instances
// open returns, as by the processes of one deployment.
type backing struct {
	// open returns another instance, sealing records with key if it is
	// not nil.
	open func(key []byte) Store
	// raw returns what the backend keeps for the named credential, as
	// stored (for the file store, the whole file).
	raw func(name string) string
	// watching, if set, waits until a Changes just called sees writes.
	// Redis needs it: its watcher subscribes in the background.
	watching func()
}

// The store contract, held against every backend: each subtest gets a
// fresh backing from fresh.
func checkStoreContract(t *testing.T, fresh func(t *testing.T) backing) {
	for _, c := range []struct {
		name  string
		check func(t *testing.T, b backing)
	}{
		{"empty", contractEmpty},
		{"compare-and-swap", contractCompareAndSwap},
		{"bad arguments", contractBadArguments},
		{"changes from another process", contractChanges},
		{"concurrent compare-and-swap", contractConcurrentCAS},
		{"concurrent first writes", contractConcurrentCreates},
		{"plaintext at rest", contractPlaintext},
		{"encryption", contractEncryption},
	} {
		t.Run(c.name, func(t *testing.T) { c.check(t, fresh(t)) })
	}
}

func TestFileStoreContract(t *testing.T) {
	checkStoreContract(t, func(t *testing.T) backing {
		path := filepath.Join(t.TempDir(), "credentials.json")
		return backing{
			open: func(key []byte) Store { return openTestStore(t, path, key) },
			raw: func(string) string {
				b, _ := os.ReadFile(path)
				return string(b)
			},
		}
	})
}

func TestRedisStoreContract(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	raw := rawRedis(t, srv)
	checkStoreContract(t, func(t *testing.T) backing {
		if err := raw.FlushDB(context.Background()).Err(); err != nil {
			t.Fatal(err)
		}
		return backing{
			open: func(key []byte) Store { return openRedis(t, srv, key) },
			raw: func(name string) string {
				return raw.HGet(context.Background(), testPrefix+"credential:"+name, "data").Val()
			},
			watching: func() { waitSubscribed(t, srv) },
		}
	})
}

func contractEmpty(t *testing.T, b backing) {
	s := b.open(nil)
	ctx := context.Background()
	if _, err := s.Get(ctx, "wiki"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get on an empty store: %v, want ErrNotFound", err)
	}
	if recs, err := s.List(ctx); err != nil || len(recs) != 0 {
		t.Errorf("List on an empty store: %v, %v", recs, err)
	}
}

func contractCompareAndSwap(t *testing.T, b backing) {
	a, other := b.open(nil), b.open(nil)
	ctx := context.Background()
	w1 := casOK(t, a, "wiki", 0, pair(oldAccess, oldRefresh))
	if w1.Version != 1 || w1.Credential != "wiki" || !samePair(w1, oldAccess, oldRefresh) {
		t.Fatalf("first write returned %+v", w1)
	}
	got, err := other.Get(ctx, "wiki")
	if err != nil || !sameRecord(got, pair(oldAccess, oldRefresh)) || got.Version != 1 || got.Credential != "wiki" {
		t.Fatalf("another process reads %+v, %v", got, err)
	}
	for _, stale := range []int64{0, 2} {
		_, err := other.CompareAndSwap(ctx, "wiki", stale, pair(newAccess, newRefresh))
		if !errors.Is(err, ErrConflict) {
			t.Errorf("CAS with version %d over version 1: %v, want ErrConflict", stale, err)
		}
		checkNoSecret(t, err)
	}
	if got, _ := a.Get(ctx, "wiki"); !samePair(got, oldAccess, oldRefresh) || got.Version != 1 {
		t.Errorf("a refused CAS changed the record: version %d", got.Version)
	}
	if w2 := casOK(t, other, "wiki", 1, pair(newAccess, newRefresh)); w2.Version != 2 {
		t.Errorf("second write returned version %d, want 2", w2.Version)
	}
	casOK(t, a, "Partner", 0, pair("p-access", "p-refresh"))
	recs, err := other.List(ctx)
	if err != nil || len(recs) != 2 || recs[0].Credential != "Partner" || recs[1].Credential != "wiki" ||
		recs[1].Version != 2 || !samePair(recs[1], newAccess, newRefresh) || !samePair(recs[0], "p-access", "p-refresh") {
		t.Errorf("List: %+v, %v", recs, err)
	}
}

func contractBadArguments(t *testing.T, b backing) {
	s := b.open(nil)
	ctx := context.Background()
	for _, name := range []string{"", "../x", "a b", ".index", strings.Repeat("x", 201)} {
		if _, err := s.CompareAndSwap(ctx, name, 0, pair(oldAccess, oldRefresh)); err == nil {
			t.Errorf("name %q was accepted", name)
		}
	}
	if _, err := s.CompareAndSwap(ctx, "wiki", -1, pair(oldAccess, oldRefresh)); err == nil {
		t.Error("a negative version was accepted")
	}
	if recs, err := s.List(ctx); err != nil || len(recs) != 0 {
		t.Errorf("refused writes stored %+v, %v", recs, err)
	}
}

func contractChanges(t *testing.T, b backing) {
	watcher, writer := b.open(nil), b.open(nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := watcher.Changes(ctx)
	if b.watching != nil {
		b.watching()
	}
	casOK(t, writer, "wiki", 0, pair(oldAccess, oldRefresh))
	expectChange(t, ch, "wiki")
	casOK(t, writer, "wiki", 1, pair(newAccess, newRefresh))
	expectChange(t, ch, "wiki")
	casOK(t, writer, "partner", 0, pair("p-access", "p-refresh"))
	expectChange(t, ch, "partner")
	cancel()
	for range ch { // closed when its context ends
	}
}

// contractConcurrentCAS has two processes write the same version of one
// credential at once, round after round: exactly one may win each round.
func contractConcurrentCAS(t *testing.T, b backing) {
	stores := []Store{b.open(nil), b.open(nil)}
	ctx := context.Background()
	const rounds = 5
	for version := range int64(rounds) {
		errs := make([]error, len(stores))
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, s := range stores {
			wg.Go(func() {
				<-start
				_, errs[i] = s.CompareAndSwap(ctx, "wiki", version, Record{AccessToken: Secret("writer-" + string(rune('a'+i)))})
			})
		}
		close(start)
		wg.Wait()
		won := -1
		for i, err := range errs {
			switch {
			case err == nil && won == -1:
				won = i
			case err == nil:
				t.Fatalf("round %d: both writers won", version)
			case !errors.Is(err, ErrConflict):
				t.Fatalf("round %d: the loser got %v, want ErrConflict", version, err)
			}
		}
		if won == -1 {
			t.Fatalf("round %d: nobody won: %v", version, errs)
		}
		got, err := stores[1-won].Get(ctx, "wiki")
		if err != nil || got.Version != version+1 || got.AccessToken.Reveal() != "writer-"+string(rune('a'+won)) {
			t.Fatalf("round %d: stored %q version %d (%v), want the winner's", version, got.AccessToken.Reveal(), got.Version, err)
		}
	}
}

// contractConcurrentCreates has processes write different new credentials
// at once: List must find every one.
func contractConcurrentCreates(t *testing.T, b backing) {
	names := []string{"a1", "b2", "c3", "d4", "e5", "f6"}
	stores := []Store{b.open(nil), b.open(nil)}
	ctx := context.Background()
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() {
			<-start
			if _, err := stores[i%2].CompareAndSwap(ctx, name, 0, pair(oldAccess, oldRefresh)); err != nil {
				t.Error(err)
			}
		})
	}
	close(start)
	wg.Wait()
	recs, err := b.open(nil).List(ctx)
	var got []string
	for _, r := range recs {
		got = append(got, r.Credential)
	}
	if err != nil || strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("List after concurrent first writes: %v, %v", got, err)
	}
}

func contractEncryption(t *testing.T, b backing) {
	ctx := context.Background()
	enc := b.open(testKey(7))
	casOK(t, enc, "wiki", 0, pair(oldAccess, oldRefresh))
	raw := b.raw("wiki")
	if !strings.Contains(raw, "aes-256-gcm") || strings.Contains(raw, oldAccess) || strings.Contains(raw, oldRefresh) {
		t.Fatalf("the record is not encrypted at rest:\n%s", raw)
	}
	got, err := b.open(testKey(7)).Get(ctx, "wiki")
	if err != nil || !sameRecord(got, pair(oldAccess, oldRefresh)) || got.Version != 1 {
		t.Fatalf("another process with the key reads %+v, %v", got, err)
	}
	for why, s := range map[string]Store{"wrong key": b.open(testKey(8)), "no key": b.open(nil)} {
		_, err := s.Get(ctx, "wiki")
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v, want ErrCorrupt", why, err)
		}
		checkNoSecret(t, err)
	}

}

func contractPlaintext(t *testing.T, b backing) {
	casOK(t, b.open(nil), "wiki", 0, pair(oldAccess, oldRefresh))
	if raw := b.raw("wiki"); !strings.Contains(raw, oldAccess) || !strings.Contains(raw, oldRefresh) || strings.Contains(raw, "REDACTED") {
		t.Errorf("the plaintext record does not hold the pair:\n%s", raw)
	}
}

func casOK(t *testing.T, s Store, name string, version int64, rec Record) Record {
	t.Helper()
	got, err := s.CompareAndSwap(context.Background(), name, version, rec)
	if err != nil {
		t.Fatalf("CompareAndSwap(%s, %d): %v", name, version, err)
	}
	return got
}

// sameRecord reports whether got holds every field of want but Credential
// and Version.
func sameRecord(got, want Record) bool {
	return samePair(got, want.AccessToken.Reveal(), want.RefreshToken.Reveal()) &&
		got.Expiry.Equal(want.Expiry) && got.ObtainedAt.Equal(want.ObtainedAt) &&
		got.RefreshedAt.Equal(want.RefreshedAt) && got.BotID == want.BotID &&
		got.WorkspaceID == want.WorkspaceID && got.WorkspaceName == want.WorkspaceName
}
