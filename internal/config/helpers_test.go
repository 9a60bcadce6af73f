package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/config"
)

// isolate shields a test from the real environment: HOME and
// XDG_CONFIG_HOME point into a temp dir, NOTION_API_TOKEN,
// NOTION_PROXY_CONFIG and every NOTION_PROXY_* key variable are unset (empty
// counts as unset), and the working directory is an empty temp dir, which it
// returns.
func isolate(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	t.Setenv("HOME", filepath.Join(root, "home"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(root, "xdg"))
	t.Setenv("NOTION_API_TOKEN", "")
	t.Setenv("NOTION_PROXY_CONFIG", "")
	for _, key := range config.Keys() {
		t.Setenv(envVar(key), "")
	}
	work := filepath.Join(root, "work")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(work)
	return work
}

// envVar is the documented variable for a key, spelled out here rather than
// taken from the package so a change of scheme shows up as a failure.
func envVar(key string) string {
	return "NOTION_PROXY_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// writeFile writes content to dir/name, creating directories, and returns
// the path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// minimal is the smallest valid file body.
const minimal = `
credentials:
  - {name: wiki, type: token, token_env: NOTION_TOKEN_WIKI}
`

// problemsOf returns every *config.Problem in err's tree, in order.
func problemsOf(err error) []*config.Problem {
	var out []*config.Problem
	var walk func(error)
	walk = func(e error) {
		if p, ok := e.(*config.Problem); ok {
			out = append(out, p)
			return
		}
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		if u := errors.Unwrap(e); u != nil {
			walk(u)
		}
	}
	if err != nil {
		walk(err)
	}
	return out
}

func problemKeys(ps []*config.Problem) []string {
	keys := make([]string, len(ps))
	for i, p := range ps {
		keys[i] = p.Key
	}
	return keys
}

// problemAt returns the problem at key, failing the test if there is none.
func problemAt(t *testing.T, err error, key string) *config.Problem {
	t.Helper()
	ps := problemsOf(err)
	i := slices.IndexFunc(ps, func(p *config.Problem) bool { return p.Key == key })
	if i < 0 {
		t.Fatalf("no problem at %q; got %v (error: %v)", key, problemKeys(ps), err)
	}
	return ps[i]
}
