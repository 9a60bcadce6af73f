package credstore

import (
	"bytes"
	"encoding/base64"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseKey(t *testing.T) {
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(250 - i) // bytes that need + and / (or - and _)
	}
	for name, s := range map[string]string{
		"std":        base64.StdEncoding.EncodeToString(key),
		"std raw":    base64.RawStdEncoding.EncodeToString(key),
		"url":        base64.URLEncoding.EncodeToString(key),
		"url raw":    base64.RawURLEncoding.EncodeToString(key),
		"whitespace": " " + base64.StdEncoding.EncodeToString(key) + "\n",
	} {
		if got, err := ParseKey(s); err != nil || !bytes.Equal(got, key) {
			t.Errorf("%s: ParseKey = %x, %v", name, got, err)
		}
	}
	for name, s := range map[string]string{
		"empty":     "",
		"16 bytes":  base64.StdEncoding.EncodeToString(key[:16]),
		"33 bytes":  base64.StdEncoding.EncodeToString(append(key, 1)),
		"not b64":   "correct horse battery staple!!",
		"mixed b64": base64.StdEncoding.EncodeToString(key)[:20] + "-_" + base64.StdEncoding.EncodeToString(key)[22:],
	} {
		_, err := ParseKey(s)
		if err == nil {
			t.Errorf("%s: ParseKey accepted %q", name, s)
			continue
		}
		if s != "" && strings.Contains(err.Error(), strings.TrimSpace(s)[:8]) {
			t.Errorf("%s: error repeats the key: %v", name, err)
		}
	}
}

func TestDefaultPath(t *testing.T) {
	t.Setenv("HOME", "/home/ada")
	t.Setenv("LOCALAPPDATA", "/c/Users/ada/AppData/Local") // only Windows reads it
	for _, tt := range []struct{ state, want string }{
		{"/var/state", "/var/state/notion-auth-proxy/credentials.json"},
		{"", "/home/ada/.local/state/notion-auth-proxy/credentials.json"},
		{"relative/state", "/home/ada/.local/state/notion-auth-proxy/credentials.json"},
	} {
		t.Setenv("XDG_STATE_HOME", tt.state)
		got, err := DefaultPath()
		if err != nil || got != filepath.FromSlash(tt.want) {
			t.Errorf("XDG_STATE_HOME=%q: %q, %v; want %q", tt.state, got, err, tt.want)
		}
	}
	local := filepath.FromSlash("/c/Users/ada/AppData/Local")
	if got := defaultStateHome("windows"); got != local {
		t.Errorf("state home on Windows: %q, want LOCALAPPDATA %q", got, local)
	}
	t.Setenv("LOCALAPPDATA", "relative")
	if got := defaultStateHome("windows"); got != "" {
		t.Errorf("state home on Windows with a relative LOCALAPPDATA: %q, want the home directory's", got)
	}
	// OpenFile with no path uses it.
	s, err := OpenFile(FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.FromSlash("/home/ada/.local/state/notion-auth-proxy/credentials.json"); s.Path() != want {
		t.Errorf("OpenFile without a path uses %s, want %s", s.Path(), want)
	}
}
