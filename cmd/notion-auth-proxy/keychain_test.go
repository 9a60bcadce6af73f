package main

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/keyringtest"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/lockedbuf"
)

// With store.backend auto and no store file, the OS keychain holds what
// set-token stores (here a real Secret Service on a private D-Bus): the
// item is there, credentials and check say so, and serve uses the token.
func TestAutoStoreUsesTheKeychain(t *testing.T) {
	dir := isolate(t)
	keyring := keyringtest.Start(t)
	t.Setenv("NOTION_KEYRING", "") // let auto look for a keychain
	fake := newFake(t)
	cfg := filepath.Join(dir, "c.yaml")
	writeFile(t, cfg, "upstream: "+fake.URL()+"\ncredentials:\n  - {name: central, type: token}\n")
	var out, errOut lockedbuf.Buffer
	if code := run(t.Context(), []string{"set-token", "central", "--config", cfg}, strings.NewReader(testToken), &out, &errOut); code != 0 {
		t.Fatalf("set-token: exit %d %s", code, errOut.String())
	}
	item, ok := keyring.Lookup("notion-auth-proxy", "central")
	if !ok || !strings.Contains(item, testToken) {
		t.Fatalf("the keychain holds no item with the token for central (found %v)", ok)
	}
	if code, stdout, _ := runCmd(t, "credentials", "--json", "--config", cfg); code != 0 || !strings.Contains(stdout, `"store": "the keychain (service notion-auth-proxy)"`) {
		t.Errorf("credentials: exit %d\n%s", code, stdout)
	}
	if code, stdout, _ := runCmd(t, "check", "--config", cfg); code != 0 || !strings.Contains(stdout, "credential store: the keychain") || !strings.Contains(stdout, "auto:") {
		t.Errorf("check does not say which store auto chose: exit %d\n%s", code, stdout)
	}
	s := startServe(t, "--config", cfg)
	s.get(t, "/v1/users/me")
	if up, _ := fake.LastRequest(); up.Token != testToken {
		t.Error("serve did not use the token kept in the keychain")
	}
	// NOTION_KEYRING=0, the Notion CLI's switch, forces the file store.
	t.Setenv("NOTION_KEYRING", "0")
	if _, stdout, _ := runCmd(t, "check", "--config", cfg); !strings.Contains(stdout, "credential store: file ") {
		t.Errorf("with NOTION_KEYRING=0 check says:\n%s", stdout)
	}
}

// NOTION_WORKSPACE_ID, as the Notion CLI reads it, gives the zero-config
// credential its workspace: X-Notion-Workspace: {id} selects it,
// credentials shows it, and check --online reports a token of another.
func TestZeroConfigWorkspaceID(t *testing.T) {
	isolate(t)
	fake := newFake(t)
	t.Setenv("NOTION_API_TOKEN", testToken)
	t.Setenv("NOTION_PROXY_UPSTREAM", fake.URL())
	const id = "8c1f2e3d-4b5a-4697-8a8b-9c0d1e2f3a4b"
	t.Setenv("NOTION_WORKSPACE_ID", strings.ReplaceAll(id, "-", ""))
	s := startServe(t)
	req, _ := http.NewRequest("GET", s.url+"/v1/users/me", nil)
	req.Header.Set("X-Notion-Workspace", id)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Notion-Proxy-Credential") != "default" {
		t.Errorf("X-Notion-Workspace: {id}: %d %q", resp.StatusCode, resp.Header.Get("X-Notion-Proxy-Credential"))
	}
	_, stdout, _ := runCmd(t, "credentials", "--json")
	var rows []credentialRow
	if err := json.Unmarshal([]byte(stdout), &rows); err != nil || len(rows) != 1 || rows[0].WorkspaceID != id {
		t.Errorf("credentials: %v %+v", err, rows)
	}
	// The fake's bot for this token is in workspace "ws-1", not id.
	code, stdout, _ := runCmd(t, "check", "--online")
	if code != 1 || !strings.Contains(stdout, "default: FAILED") || !strings.Contains(stdout, "the configuration says "+id) {
		t.Errorf("check --online with a token of another workspace: exit %d\n%s", code, stdout)
	}
	t.Setenv("NOTION_WORKSPACE_ID", "not-an-id")
	if code, _, stderr := runCmd(t, "check"); code != 2 || !strings.Contains(stderr, "NOTION_WORKSPACE_ID") {
		t.Errorf("a bad NOTION_WORKSPACE_ID: exit %d %s", code, stderr)
	}
}
