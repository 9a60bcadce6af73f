package credstore

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/keyringtest"
)

func TestChooseBackend(t *testing.T) {
	answers := func(t testing.TB) { keyringtest.Start(t) }
	for _, tt := range []struct {
		name     string
		keychain func(testing.TB) // sets up the session's keychain
		file     bool             // the file store's file exists
		env      string           // NOTION_KEYRING
		want     string
		reason   string // in the reason, after the path is replaced by PATH
	}{
		{"file exists", answers, true, "", BackendFile, "the file store PATH already exists"},
		{"keychain answers", answers, false, "", BackendKeychain, "no file store at PATH and the keychain answers (service notion-auth-proxy)"},
		{"NOTION_KEYRING=1 is no opt-out", answers, false, "1", BackendKeychain, "the keychain answers"},
		{"no D-Bus", keyringtest.Unreachable, false, "", BackendFile, "no file store at PATH and no keychain answers: dial unix"},
		{"D-Bus does not answer", keyringtest.Silent, false, "", BackendFile, "no keychain answers: did not answer within 200ms"},
		{"NOTION_KEYRING=0", answers, false, "0", BackendFile, "NOTION_KEYRING=0 turns the keychain off"},
		{"NOTION_KEYRING=false", answers, false, "false", BackendFile, "NOTION_KEYRING=false turns the keychain off"},
		{"NOTION_KEYRING=FALSE", answers, false, " FALSE ", BackendFile, "NOTION_KEYRING=FALSE turns the keychain off"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.keychain(t)
			t.Setenv(KeyringEnv, tt.env)
			path := filepath.Join(t.TempDir(), "state", "credentials.json")
			if tt.file {
				if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, nil, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			start := time.Now()
			backend, reason, err := ChooseBackend(context.Background(), AutoOptions{Path: path, Timeout: 200 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			reason = strings.ReplaceAll(reason, path, "PATH")
			if backend != tt.want || !strings.Contains(reason, tt.reason) || strings.Contains(reason, "\n") {
				t.Errorf("ChooseBackend = %s, %q; want %s, %q", backend, reason, tt.want, tt.reason)
			}
			if elapsed := time.Since(start); elapsed > 5*time.Second {
				t.Errorf("ChooseBackend took %s", elapsed)
			}
			if _, err := os.Stat(filepath.Dir(path)); !tt.file && !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("choosing created the state directory: %v", err)
			}
		})
	}
}

// TestChooseBackendProbeLeavesNoItem checks that the probe only reads.
func TestChooseBackendProbeLeavesNoItem(t *testing.T) {
	kr := keyringtest.Start(t)
	backend, _, err := ChooseBackend(context.Background(), AutoOptions{Path: filepath.Join(t.TempDir(), "credentials.json"),
		Getenv: func(string) string { return "" }})
	if err != nil || backend != BackendKeychain {
		t.Fatalf("ChooseBackend = %s, %v", backend, err)
	}
	if _, found := kr.Lookup(KeychainService, keychainProbeUser); found {
		t.Error("the probe left an item in the keychain")
	}
}
