package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/eventually"
)

// waitCredential polls until requests through s use the named credential.
func waitCredential(t *testing.T, s *served, want string) {
	t.Helper()
	var got string
	if !eventually.True(func() bool {
		resp, _ := s.get(t, "/v1/users/me")
		got = resp.Header.Get("X-Notion-Proxy-Credential")
		return got == want
	}) {
		t.Fatalf("requests still use %q, want %q; logs:\n%s", got, want, s.stderr)
	}
}

func TestReloadWhenTheFileChanges(t *testing.T) {
	dir := isolate(t)
	fake := newFake(t)
	t.Setenv("WIKI_TOKEN", testToken)
	t.Setenv("OTHER_TOKEN", otherToken)
	cfg := filepath.Join(dir, "notion-auth-proxy.yaml")
	base := "upstream: " + fake.URL() + "\ncredentials:\n  - {name: wiki, type: token, token_env: WIKI_TOKEN}\n  - {name: other, type: token, token_env: OTHER_TOKEN}\n"
	writeFile(t, cfg, base+"default_credential: wiki\n")
	s := startServe(t)
	waitCredential(t, s, "wiki")

	// Replaced by rename, as editors and config management do.
	tmp := filepath.Join(dir, "next.yaml")
	writeFile(t, tmp, base+"default_credential: other\n")
	if err := os.Rename(tmp, cfg); err != nil {
		t.Fatal(err)
	}
	waitCredential(t, s, "other")
	waitLog(t, s.stderr, `"event":"config_reloaded"`)

	// Rewritten in place with a mistake: the old configuration stays.
	writeFile(t, cfg, base+"default_credential: nope\nlisten_typo: 1\n")
	waitLog(t, s.stderr, `"event":"config_reload_failed"`)
	failed := s.stderr.String()[strings.Index(s.stderr.String(), `"event":"config_reload_failed"`):]
	failed = failed[:strings.Index(failed, "\n")]
	for _, problem := range []string{"default_credential", "listen_typo"} {
		if !strings.Contains(failed, problem) {
			t.Errorf("config_reload_failed does not name %s: %s", problem, failed)
		}
	}
	waitCredential(t, s, "other")

	// Swapped through a symlink, as Kubernetes updates a ConfigMap volume.
	data := filepath.Join(dir, "data-2")
	if err := os.Mkdir(data, 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(data, "notion-auth-proxy.yaml"), base+"default_credential: wiki\n")
	link := filepath.Join(dir, "link")
	if err := os.Symlink(filepath.Join(data, "notion-auth-proxy.yaml"), link); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(link, cfg); err != nil {
		t.Fatal(err)
	}
	waitCredential(t, s, "wiki")

	// A changed definition builds the credential anew.
	writeFile(t, cfg, strings.Replace(base, "token_env: WIKI_TOKEN", "token_env: OTHER_TOKEN", 1)+"default_credential: wiki\n")
	waitUpstreamToken(t, s, fake, otherToken, "wiki still sends its old token after its token_env changed")
	checkLogs(t, s.stderr.String())
}

func TestReloadKeepsUnchangedCredentials(t *testing.T) {
	e := newOAuthEnv(t, "  - {name: central, type: token}\n")
	s := e.serve(t)
	browserLogin(t, s)
	e.fake.RevokeGrants(e.client.ID)
	if resp, _ := s.get(t, "/v1/users/me"); resp.StatusCode != 401 {
		t.Fatalf("after revoke: %d", resp.StatusCode)
	}
	refreshes := e.refreshes()

	// An unrelated change: partner's definition is the same.
	cfg, err := os.ReadFile(e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, e.cfg, string(cfg)+"workspaces:\n  - {name: acme, credential: central}\n")
	waitLog(t, s.stderr, `"event":"config_reloaded"`)
	if resp, body := s.get(t, "/w/acme/v1/users/me"); resp.Header.Get("X-Notion-Proxy-Credential") != "central" {
		t.Fatalf("the reload was not applied: %d %s", resp.StatusCode, body)
	}
	resp, body := s.get(t, "/readyz")
	if resp.StatusCode != 503 || !strings.Contains(body, `"partner":"needs_login"`) {
		t.Errorf("/readyz after reload: %d %s; the credential forgot it needs a login", resp.StatusCode, body)
	}
	if resp, _ := s.get(t, "/v1/users/me"); resp.StatusCode != 401 || resp.Header.Get("X-Notion-Proxy-Error") != "credential_needs_login" {
		t.Errorf("request after reload: %d %q", resp.StatusCode, resp.Header.Get("X-Notion-Proxy-Error"))
	}
	if n := e.refreshes(); n != refreshes {
		t.Errorf("the reload caused %d token refreshes", n-refreshes)
	}

}
