package credstore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFileStoreFailedWriteLeavesOldOrNewPair fails each step of a write in
// turn, as a crash or a full disk would, and checks that the store then
// holds exactly the old pair (failures before the rename) or the new one
// (after it), never a damaged file or neither.
func TestFileStoreFailedWriteLeavesOldOrNewPair(t *testing.T) {
	steps := []struct {
		step    string
		renamed bool
	}{
		{"create", false}, {"write", false}, {"sync", false}, {"close", false},
		{"rename", false}, {"syncdir", true},
	}
	for _, key := range [][]byte{nil, testKey(3)} {
		for _, tt := range steps {
			t.Run(tt.step+map[bool]string{true: "/encrypted", false: "/plaintext"}[key != nil], func(t *testing.T) {
				dir := t.TempDir()
				path := filepath.Join(dir, "credentials.json")
				s := openTestStore(t, path, key)
				mustCAS(t, s, "wiki", 0, pair(oldAccess, oldRefresh))
				mustCAS(t, s, "other", 0, pair("other-access", "other-refresh"))

				injected := errors.New("injected fault")
				s.fail = func(step string) error {
					if step == tt.step {
						return injected
					}
					return nil
				}
				_, err := s.CompareAndSwap(context.Background(), "wiki", 1, pair(newAccess, newRefresh))
				if !errors.Is(err, injected) || !strings.Contains(err.Error(), path) {
					t.Fatalf("CAS with %s failing: %v", tt.step, err)
				}
				checkNoSecret(t, err)

				fresh := openTestStore(t, path, key)
				got, err := fresh.Get(context.Background(), "wiki")
				switch {
				case err != nil:
					t.Fatalf("after a failed %s the store is unreadable: %v", tt.step, err)
				case tt.renamed && !(samePair(got, newAccess, newRefresh) && got.Version == 2):
					t.Errorf("after a failed %s: version %d, want the new pair at version 2", tt.step, got.Version)
				case !tt.renamed && !(samePair(got, oldAccess, oldRefresh) && got.Version == 1):
					t.Errorf("after a failed %s: version %d, want the old pair at version 1", tt.step, got.Version)
				}
				if other, err := fresh.Get(context.Background(), "other"); err != nil || other.Version != 1 {
					t.Errorf("the other record after a failed %s: %+v, %v", tt.step, other, err)
				}
				if left := leftovers(t, dir); len(left) != 0 {
					t.Errorf("a failed %s left %v behind", tt.step, left)
				}
			})
		}
	}
}

// TestFileStoreIgnoresCrashLeftovers plants the temporary files a crash in
// the middle of a write would leave: reads ignore them and the next write
// removes them.
func TestFileStoreIgnoresCrashLeftovers(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "credentials.json")
	s := openTestStore(t, path, nil)
	mustCAS(t, s, "wiki", 0, pair(oldAccess, oldRefresh))
	for _, name := range []string{".credentials.json.tmp-123", ".credentials.json.tmp-456"} {
		half := `{"format":"notion-auth-proxy-credentials","version":1,"credentials":{"wiki":{"access_token":"` + newAccess
		if err := os.WriteFile(filepath.Join(dir, name), []byte(half), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := openTestStore(t, path, nil).Get(context.Background(), "wiki"); err != nil || !samePair(got, oldAccess, oldRefresh) {
		t.Fatalf("Get with leftovers: %+v, %v", got, err)
	}
	mustCAS(t, s, "wiki", 1, pair(newAccess, newRefresh))
	if left := leftovers(t, dir); len(left) != 0 {
		t.Errorf("a successful write kept %v", left)
	}
}

func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			out = append(out, e.Name())
		}
	}
	return out
}
