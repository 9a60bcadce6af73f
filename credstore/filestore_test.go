package credstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The secrets of the pairs the file store tests write. Error texts are
// checked for them.
const (
	oldAccess  = "ntn_old_access_token_7f3a"
	oldRefresh = "nrt_old_refresh_token_91c2"
	newAccess  = "ntn_new_access_token_b04d"
	newRefresh = "nrt_new_refresh_token_5e88"
)

var fileSecrets = []string{oldAccess, oldRefresh, newAccess, newRefresh}

func openTestStore(t *testing.T, path string, key []byte) *FileStore {
	t.Helper()
	s, err := OpenFile(FileOptions{Path: path, Key: key, PollInterval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

func pair(access, refresh string) Record {
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	return Record{
		AccessToken: Secret(access), RefreshToken: Secret(refresh),
		Expiry: at.Add(time.Hour), BotID: "bot-1", WorkspaceID: "ws-1", WorkspaceName: "Acme",
		ObtainedAt: at, RefreshedAt: at.Add(time.Minute),
	}
}

func mustCAS(t *testing.T, s *FileStore, name string, version int64, rec Record) Record {
	t.Helper()
	got, err := s.CompareAndSwap(context.Background(), name, version, rec)
	if err != nil {
		t.Fatalf("CompareAndSwap(%s, %d): %v", name, version, err)
	}
	return got
}

func checkNoSecret(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range fileSecrets {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error shows a secret: %v", err)
		}
	}
}

func samePair(got Record, access, refresh string) bool {
	return got.AccessToken.Reveal() == access && got.RefreshToken.Reveal() == refresh
}

func TestFileStoreMissingFileIsEmpty(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "notion-auth-proxy")
	s := openTestStore(t, filepath.Join(dir, "credentials.json"), nil)
	ctx := context.Background()
	if _, err := s.Get(ctx, "wiki"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get on a missing file: %v, want ErrNotFound", err)
	}
	if recs, err := s.List(ctx); err != nil || len(recs) != 0 {
		t.Errorf("List on a missing file: %v, %v", recs, err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("opening and reading created the directory: %v", err)
	}
}

func TestFileStoreCompareAndSwap(t *testing.T) {
	path := filepath.Join(t.TempDir(), "credentials.json")
	s := openTestStore(t, path, nil)
	ctx := context.Background()

	got := mustCAS(t, s, "wiki", 0, pair(oldAccess, oldRefresh))
	if got.Version != 1 || got.Credential != "wiki" {
		t.Fatalf("first write returned version %d credential %q", got.Version, got.Credential)
	}
	mustCAS(t, s, "partner", 0, pair("p-access", "p-refresh"))

	before, _ := os.ReadFile(path)
	for _, stale := range []int64{0, 2} {
		_, err := s.CompareAndSwap(ctx, "wiki", stale, pair(newAccess, newRefresh))
		if !errors.Is(err, ErrConflict) {
			t.Errorf("CAS with version %d: %v, want ErrConflict", stale, err)
		}
		checkNoSecret(t, err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("a conflicting CAS changed the file")
	}

	got = mustCAS(t, s, "wiki", 1, pair(newAccess, newRefresh))
	if got.Version != 2 {
		t.Errorf("second write returned version %d, want 2", got.Version)
	}
	// A fresh store reads what was written, every field of it.
	read, err := openTestStore(t, path, nil).Get(ctx, "wiki")
	want := pair(newAccess, newRefresh)
	if err != nil || !samePair(read, newAccess, newRefresh) || read.Version != 2 || read.Credential != "wiki" ||
		!read.Expiry.Equal(want.Expiry) || !read.ObtainedAt.Equal(want.ObtainedAt) ||
		!read.RefreshedAt.Equal(want.RefreshedAt) || read.BotID != "bot-1" ||
		read.WorkspaceID != "ws-1" || read.WorkspaceName != "Acme" {
		t.Errorf("Get after write = %+v, %v", read, err)
	}
	recs, err := s.List(ctx)
	if err != nil || len(recs) != 2 || recs[0].Credential != "partner" || recs[1].Credential != "wiki" ||
		recs[0].Version != 1 || recs[1].Version != 2 {
		t.Errorf("List = %+v, %v; want partner v1 and wiki v2", recs, err)
	}
}

func TestFileStoreRejectsBadArguments(t *testing.T) {
	dir := t.TempDir()
	s := openTestStore(t, filepath.Join(dir, "credentials.json"), nil)
	ctx := context.Background()
	for _, name := range []string{"", "../escape", "a/b", ".hidden", "-flag", "a b", strings.Repeat("a", 201)} {
		if _, err := s.CompareAndSwap(ctx, name, 0, pair(oldAccess, oldRefresh)); err == nil {
			t.Errorf("CAS accepted the name %q", name)
		}
		if _, _, err := s.Lock(ctx, name); err == nil {
			t.Errorf("Lock accepted the name %q", name)
		}
	}
	if _, err := s.CompareAndSwap(ctx, "wiki", -1, pair(oldAccess, oldRefresh)); err == nil {
		t.Error("CAS accepted a negative version")
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "escape.lock")); err == nil {
		t.Error("a lock file was created outside the store directory")
	}
	if _, err := OpenFile(FileOptions{Path: filepath.Join(dir, "c.json"), Key: make([]byte, 16)}); err == nil {
		t.Error("OpenFile accepted a 16-byte key")
	}
}

func TestFileStorePlaintextFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "credentials.json")
	mustCAS(t, openTestStore(t, path, nil), "wiki", 0, pair(oldAccess, oldRefresh))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Format      string                    `json:"format"`
		Version     int                       `json:"version"`
		Credentials map[string]map[string]any `json:"credentials"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	wiki := doc.Credentials["wiki"]
	if doc.Format != "notion-auth-proxy-credentials" || doc.Version != 1 || wiki["access_token"] != oldAccess ||
		wiki["refresh_token"] != oldRefresh || wiki["version"] != 1.0 || wiki["workspace_id"] != "ws-1" ||
		wiki["expiry"] != "2025-03-01T13:00:00Z" || wiki["obtained_at"] == nil || wiki["refreshed_at"] == nil ||
		wiki["bot_id"] != "bot-1" || wiki["workspace_name"] != "Acme" {
		t.Errorf("plaintext file:\n%s", b)
	}
	if bytes.Contains(b, []byte("REDACTED")) {
		t.Error("the store holds [REDACTED] instead of the secret")
	}
}

func TestFileStoreEncryptedAtRest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "credentials.json")
	s := openTestStore(t, path, testKey(7))
	mustCAS(t, s, "wiki", 0, pair(oldAccess, oldRefresh))
	first, _ := os.ReadFile(path)
	mustCAS(t, s, "wiki", 1, pair(newAccess, newRefresh))
	second, _ := os.ReadFile(path)

	var env map[string]any
	if err := json.Unmarshal(second, &env); err != nil {
		t.Fatal(err)
	}
	if env["format"] != "notion-auth-proxy-credentials" || env["version"] != 1.0 || env["cipher"] != "aes-256-gcm" ||
		env["nonce"] == nil || env["data"] == nil || env["credentials"] != nil {
		t.Errorf("encrypted envelope:\n%s", second)
	}
	for _, b := range [][]byte{first, second} {
		for _, secret := range fileSecrets {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("the encrypted file shows a secret:\n%s", b)
			}
		}
	}
	var env1 map[string]any
	json.Unmarshal(first, &env1)
	if env1["nonce"] == env["nonce"] {
		t.Error("two writes used the same nonce")
	}
	got, err := openTestStore(t, path, testKey(7)).Get(context.Background(), "wiki")
	if err != nil || !samePair(got, newAccess, newRefresh) || got.Version != 2 {
		t.Errorf("reading with the key: %+v, %v", got, err)
	}
}

func TestFileStoreUnusableFileIsReportedNotReplaced(t *testing.T) {
	plain := func(t *testing.T, path string) {
		mustCAS(t, openTestStore(t, path, nil), "wiki", 0, pair(oldAccess, oldRefresh))
	}
	sealed := func(t *testing.T, path string) {
		mustCAS(t, openTestStore(t, path, testKey(7)), "wiki", 0, pair(oldAccess, oldRefresh))
	}
	raw := func(content string) func(*testing.T, string) {
		return func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	tamper := func(t *testing.T, path string) {
		sealed(t, path)
		var env map[string]any
		b, _ := os.ReadFile(path)
		json.Unmarshal(b, &env)
		data := []byte(env["data"].(string))
		// Another base64 character: still base64, no longer the sealed data.
		// (Flipping bits of a random one could leave the alphabet, which
		// fails as JSON instead, one run in eight.)
		if data[5] == 'A' {
			data[5] = 'B'
		} else {
			data[5] = 'A'
		}
		env["data"] = string(data)
		b, _ = json.Marshal(env)
		raw(string(b))(t, path)
	}
	const head = `{"format":"notion-auth-proxy-credentials","version":1,`
	tests := []struct {
		name  string
		setup func(*testing.T, string)
		key   []byte
		want  string
	}{
		{"truncated", raw(head + `"credentials":{"wiki":{"access_token":"` + oldAccess), nil, "not valid JSON"},
		{"garbage", raw("x" + oldAccess), nil, "not valid JSON"},
		{"empty", raw(""), nil, "not valid JSON"},
		{"wrong type", raw(head + `"credentials":{"wiki":{"access_token":"` + oldAccess + `","version":"1"}}}`), nil, "wrong type"},
		{"not a store", raw(`{"refresh_token":"` + oldRefresh + `"}`), nil, "not a notion-auth-proxy credential store"},
		{"unknown version", raw(`{"format":"notion-auth-proxy-credentials","version":2,"credentials":{}}`), nil, "format version 2"},
		{"record without version", raw(head + `"credentials":{"wiki":{"access_token":"` + oldAccess + `"}}}`), nil, "version 0"},
		{"wrong key", sealed, testKey(8), "wrong encryption key"},
		{"encrypted without key", sealed, nil, "no encryption key is configured"},
		{"plaintext with key", plain, testKey(7), "not encrypted"},
		{"tampered ciphertext", tamper, testKey(7), "cannot decrypt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "credentials.json")
			tt.setup(t, path)
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			s := openTestStore(t, path, tt.key)
			ctx := context.Background()
			_, getErr := s.Get(ctx, "wiki")
			_, listErr := s.List(ctx)
			_, casErr0 := s.CompareAndSwap(ctx, "wiki", 0, pair(newAccess, newRefresh))
			_, casErr1 := s.CompareAndSwap(ctx, "wiki", 1, pair(newAccess, newRefresh))
			for _, err := range []error{getErr, listErr, casErr0, casErr1} {
				if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) ||
					!strings.Contains(err.Error(), tt.want) {
					t.Errorf("got %v; want ErrCorrupt naming %s and saying %q", err, path, tt.want)
				}
				checkNoSecret(t, err)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
				t.Error("the unusable file was overwritten")
			}
		})
	}
}
