package credstore

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/keyringtest"
)

// openKeychain opens a keychain store on service with its lock files in
// lockDir; several stores on one service and lockDir stand for several
// processes of one user.
func openKeychain(t *testing.T, service, lockDir string, key []byte) *KeychainStore {
	t.Helper()
	s, err := OpenKeychain(KeychainOptions{Service: service, LockDir: lockDir, Key: key,
		PollInterval: 20 * time.Millisecond, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestKeychainStoreContract(t *testing.T) {
	kr := keyringtest.Start(t)
	n := 0
	checkStoreContract(t, func(t *testing.T) backing {
		n++ // a service of its own is an empty store
		service, dir := "notion-auth-proxy-contract-"+strconv.Itoa(n), t.TempDir()
		return backing{
			open: func(key []byte) Store { return openKeychain(t, service, dir, key) },
			raw: func(name string) string {
				v, _ := kr.Lookup(service, name)
				return v
			},
		}
	})
}

// TestKeychainStoreItemsAsSecretToolSeesThem reads what the store wrote
// with secret-tool: one item per credential under service
// notion-auth-proxy, holding the record, sealed when a key is given, and
// the index.
func TestKeychainStoreItemsAsSecretToolSeesThem(t *testing.T) {
	kr := keyringtest.Start(t)
	dir := t.TempDir()
	casOK(t, openKeychain(t, "", dir, nil), "wiki", 0, pair(oldAccess, oldRefresh))
	casOK(t, openKeychain(t, "", dir, testKey(3)), "partner", 0, pair(newAccess, newRefresh))

	plain, ok := kr.Lookup("notion-auth-proxy", "wiki")
	var item struct {
		Format  string         `json:"format"`
		Version int64          `json:"version"`
		Record  map[string]any `json:"record"`
	}
	if err := json.Unmarshal([]byte(plain), &item); !ok || err != nil || item.Format != keychainFormat || item.Version != 1 ||
		item.Record["access_token"] != oldAccess || item.Record["refresh_token"] != oldRefresh ||
		item.Record["workspace_name"] != "Acme" || item.Record["expiry"] != "2025-03-01T13:00:00Z" {
		t.Errorf("the wiki item (found %v, %v):\n%s", ok, err, plain)
	}

	sealedItem, ok := kr.Lookup("notion-auth-proxy", "partner")
	if !ok || !strings.Contains(sealedItem, `"cipher":"aes-256-gcm"`) || strings.Contains(sealedItem, `"record"`) {
		t.Errorf("the partner item is not sealed (found %v):\n%s", ok, sealedItem)
	}
	for _, secret := range fileSecrets {
		if strings.Contains(sealedItem, secret) {
			t.Errorf("the sealed item shows a secret:\n%s", sealedItem)
		}
	}

	index, ok := kr.Lookup("notion-auth-proxy", ".index")
	var idx keychainIndex
	if err := json.Unmarshal([]byte(index), &idx); !ok || err != nil || strings.Join(idx.Names, ",") != "partner,wiki" {
		t.Errorf("the index item (found %v, %v):\n%s", ok, err, index)
	}
}

// TestKeychainStoreSealBindsItem copies a sealed item under another name,
// and gives one another version: neither opens.
func TestKeychainStoreSealBindsItem(t *testing.T) {
	kr := keyringtest.Start(t)
	s := openKeychain(t, "", t.TempDir(), testKey(3))
	casOK(t, s, "wiki", 0, pair(oldAccess, oldRefresh))
	data, _ := kr.Lookup(KeychainService, "wiki")
	var item map[string]any
	if err := json.Unmarshal([]byte(data), &item); err != nil {
		t.Fatal(err)
	}
	item["version"] = 7
	bumped, _ := json.Marshal(item)
	for user, value := range map[string]string{"copy": data, "bumped": string(bumped)} {
		if err := keyring.Set(KeychainService, user, value); err != nil {
			t.Fatal(err)
		}
		_, err := s.Get(context.Background(), user)
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "the keychain (service notion-auth-proxy) item "+user) {
			t.Errorf("item %s: %v, want ErrCorrupt naming the item", user, err)
		}
		checkNoSecret(t, err)
	}
}

// TestKeychainStoreFailedWriteLeavesOldOrNew fails each write of a
// CompareAndSwap in turn, as a crash there would leave it undone: the
// record is the old one or the new one, List finds whatever Get finds, and
// a watcher in another process reports the new one.
func TestKeychainStoreFailedWriteLeavesOldOrNew(t *testing.T) {
	kr := keyringtest.Start(t)
	for _, tt := range []struct {
		step    string
		stored  bool // the new record is stored, and CompareAndSwap says so
		version int64
	}{
		{"index", false, 0}, // a new name: the index is written first
		{"item", false, 0},
		{"item", false, 1},
		{"count", true, 0},
		{"count", true, 1},
	} {
		t.Run(tt.step+" of version "+strconv.FormatInt(tt.version+1, 10), func(t *testing.T) {
			service, dir := "notion-auth-proxy-crash-"+tt.step+strconv.FormatInt(tt.version, 10), t.TempDir()
			writer, other := openKeychain(t, service, dir, nil), openKeychain(t, service, dir, nil)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.version == 1 {
				casOK(t, writer, "wiki", 0, pair(oldAccess, oldRefresh))
			}
			changes := other.Changes(ctx)
			writer.fail = func(step string) error {
				if step == tt.step {
					return errors.New("crash")
				}
				return nil
			}
			_, err := writer.CompareAndSwap(ctx, "wiki", tt.version, pair(newAccess, newRefresh))
			if (err == nil) != tt.stored {
				t.Fatalf("CompareAndSwap: %v, want stored %v", err, tt.stored)
			}
			got, getErr := other.Get(ctx, "wiki")
			recs, listErr := other.List(ctx)
			listed := 0 // List must find what Get finds
			if getErr == nil {
				listed = 1
			}
			switch {
			case listErr != nil:
				t.Fatalf("List: %v", listErr)
			case tt.stored && (getErr != nil || !samePair(got, newAccess, newRefresh) || got.Version != tt.version+1):
				t.Errorf("Get of the stored write: %v version %d, want the new pair", getErr, got.Version)
			case !tt.stored && tt.version == 0 && !errors.Is(getErr, ErrNotFound):
				t.Errorf("Get of a write that never landed: %v, want ErrNotFound", getErr)
			case !tt.stored && tt.version == 1 && (getErr != nil || !samePair(got, oldAccess, oldRefresh) || got.Version != 1):
				t.Errorf("Get of a write that never landed: %v version %d, want the old pair", getErr, got.Version)
			case len(recs) != listed:
				t.Errorf("List has %d records where Get finds %v", len(recs), getErr)
			}
			if tt.stored {
				expectChange(t, changes, "wiki")
			}

			// The next writer finds the store as usable as before.
			writer.fail = nil
			casOK(t, other, "wiki", got.Version, pair("ntn_next", "nrt_next"))
			if recs, err := writer.List(ctx); err != nil || len(recs) != 1 || recs[0].AccessToken.Reveal() != "ntn_next" {
				t.Errorf("List after the next write: %+v, %v", recs, err)
			}
			if _, ok := kr.Lookup(service, ".index"); !ok {
				t.Error("no index item")
			}
		})
	}
}

func TestKeychainStoreLock(t *testing.T) {
	keyringtest.Start(t)
	dir := t.TempDir()
	a, b := openKeychain(t, "", dir, nil), openKeychain(t, "", dir, nil)
	_, unlock, err := a.Lock(context.Background(), "wiki")
	if err != nil {
		t.Fatal(err)
	}
	checkLockExcludes(t, a, b, 30*time.Millisecond)
	checkReleaseLetsWaiterIn(t, unlock, lockWaiter(b))
}

// TestKeychainProcessesShareOneRefresh has two processes on one keychain
// refresh at once: one refresh reaches Notion, and both use its pair.
func TestKeychainProcessesShareOneRefresh(t *testing.T) {
	keyringtest.Start(t)
	r := newOAuthRig(t, 0)
	dir := t.TempDir()
	first := r.login(openKeychain(t, "", dir, nil))
	a, b := r.source(openKeychain(t, "", dir, nil), ""), r.source(openKeychain(t, "", dir, nil), "")
	var wg sync.WaitGroup
	got := make([]string, 2)
	for i, src := range []*OAuthSource{a, b} {
		wg.Go(func() {
			var err error
			if got[i], err = src.Refresh(context.Background(), first.AccessToken.Reveal()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got[0] != got[1] || r.refreshes() != 1 || r.fake.RefreshTokenReuses() != 0 {
		t.Errorf("tokens equal %v, refreshes %d, reuses %d; want one shared refresh", got[0] == got[1], r.refreshes(), r.fake.RefreshTokenReuses())
	}
}

// TestKeychainStoreUnreachable runs the store where no D-Bus listens, and
// where one never answers: calls fail as ErrUnavailable, naming the
// keychain, and Health says so. Once a call has been given up on, the next
// ones fail at once instead of waiting (and leaving a goroutine) each.
func TestKeychainStoreUnreachable(t *testing.T) {
	const timeout = time.Second
	for _, tt := range []struct {
		name    string
		setup   func(testing.TB)
		waiting time.Duration // the most the three calls may take
	}{
		{"no bus", keyringtest.Unreachable, timeout},
		{"silent bus", keyringtest.Silent, 2 * timeout},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.setup(t)
			s, err := OpenKeychain(KeychainOptions{LockDir: t.TempDir(), Timeout: timeout})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			start := time.Now()
			_, getErr := s.Get(ctx, "wiki")
			_, casErr := s.CompareAndSwap(ctx, "wiki", 0, pair(oldAccess, oldRefresh))
			_, listErr := s.List(ctx)
			if elapsed := time.Since(start); elapsed > tt.waiting {
				t.Errorf("the calls took %s, want at most %s", elapsed, tt.waiting)
			}
			for op, err := range map[string]error{"Get": getErr, "CompareAndSwap": casErr, "List": listErr, "Health": s.Health()} {
				if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "the keychain (service notion-auth-proxy)") {
					t.Errorf("%s: %v, want ErrUnavailable naming the keychain", op, err)
				}
				checkNoSecret(t, err)
			}
		})
	}
}
