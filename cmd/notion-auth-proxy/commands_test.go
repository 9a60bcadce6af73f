package main

import (
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	dir := isolate(t)
	fake := newFake(t)
	t.Setenv("WIKI_TOKEN", testToken)
	t.Setenv("REVOKED_TOKEN", "ntn_revoked_value_000000000000")
	good := filepath.Join(dir, "good.yaml")
	writeFile(t, good, "upstream: "+fake.URL()+"\ncredentials:\n  - {name: wiki, type: token, token_env: WIKI_TOKEN}\n")
	mixed := filepath.Join(dir, "mixed.yaml")
	writeFile(t, mixed, "upstream: "+fake.URL()+"\ndefault_credential: wiki\ncredentials:\n"+
		"  - {name: wiki, type: token, token_env: WIKI_TOKEN}\n  - {name: gone, type: token, token_env: REVOKED_TOKEN}\n")
	bad := filepath.Join(dir, "bad.yaml")
	writeFile(t, bad, "listen: nope\nnotion_version_policy: sometimes\ncredentials:\n  - {name: wiki, type: oauth}\nworkspaces:\n  - {name: a, credential: missing}\n")

	tests := []struct {
		name    string
		args    []string
		code    int
		want    []string
		notWant []string
	}{
		{"valid", []string{"check", "--config", good}, 0, []string{"configuration is valid"}, nil},
		{"every problem listed", []string{"check", "--config", bad}, 2,
			[]string{"listen", "notion_version_policy", "client_id", "redirect_url", "workspaces[0].credential"}, []string{"configuration is valid"}},
		{"missing file", []string{"check", "--config", filepath.Join(dir, "nope.yaml")}, 2, []string{"nope.yaml"}, nil},
		{"online", []string{"check", "--online", "--config", good}, 0,
			[]string{"configuration is valid", `wiki: ok: bot "Wiki Bot" in workspace "Acme Wiki"`}, nil},
		{"online with a rejected token", []string{"check", "--online", "--config", mixed}, 1,
			[]string{`wiki: ok`, "gone: FAILED", "401", "1 of 2 credentials failed"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, tt.args...)
			all := stdout + stderr
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s", code, tt.code, all)
			}
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("output lacks %q:\n%s", w, all)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(all, w) {
					t.Errorf("output has %q:\n%s", w, all)
				}
			}
			if strings.Contains(all, testToken) || strings.Contains(all, "ntn_revoked_value") {
				t.Error("a token appears in the output")
			}
		})
	}
}

func TestCheckWarnsAboutMissingSecrets(t *testing.T) {
	dir := isolate(t)
	cfg := filepath.Join(dir, "c.yaml")
	writeFile(t, cfg, "credentials:\n  - {name: wiki, type: token, token_env: UNSET_TOKEN_VAR}\n")
	code, stdout, _ := runCmd(t, "check", "--config", cfg)
	if code != 0 || !strings.Contains(stdout, "warning: credential wiki") || !strings.Contains(stdout, "UNSET_TOKEN_VAR") {
		t.Errorf("exit %d, output %q", code, stdout)
	}
}

func TestUsageErrors(t *testing.T) {
	isolate(t)
	for _, args := range [][]string{{"serve", "--no-such-flag"}, {"bogus"}, {"version", "extra"}, {"--log-level"}} {
		if code, _, _ := runCmd(t, args...); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
	t.Setenv("NOTION_API_TOKEN", testToken)
	code, _, stderr := runCmd(t, "serve", "--log-level", "loud")
	if code != 2 || !strings.Contains(stderr, "log.level") {
		t.Errorf("bad --log-level: exit %d %q", code, stderr)
	}
}

func TestVersionAndHelp(t *testing.T) {
	isolate(t)
	code, stdout, _ := runCmd(t, "version")
	if code != 0 || !strings.Contains(stdout, "notion-auth-proxy dev") || !strings.Contains(stdout, runtime.Version()) {
		t.Errorf("version: %d %q", code, stdout)
	}
	code, stdout, _ = runCmd(t, "--help")
	for _, want := range []string{"serve", "check", "version", "--config", "--log-level", "--log-format"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

func TestServeNeedsItsClientKeys(t *testing.T) {
	dir := isolate(t)
	t.Setenv("WIKI_TOKEN", testToken)
	cfg := filepath.Join(dir, "c.yaml")
	writeFile(t, cfg, "credentials:\n  - {name: wiki, type: token, token_env: WIKI_TOKEN}\n"+
		"client_keys:\n  - {name: ci, key_env: UNSET_CLIENT_KEY}\n  - {name: ops, key_file: "+filepath.Join(dir, "absent")+"}\n")
	code, _, stderr := runCmd(t, "serve", "--config", cfg)
	if code != 2 || !strings.Contains(stderr, "UNSET_CLIENT_KEY") || !strings.Contains(stderr, "ops") {
		t.Errorf("exit %d, stderr %q; want 2 naming both missing keys", code, stderr)
	}
}

func TestServeWithClientKey(t *testing.T) {
	dir := isolate(t)
	fake := newFake(t)
	t.Setenv("WIKI_TOKEN", testToken)
	t.Setenv("CI_KEY", "client-key-for-ci-0001")
	cfg := filepath.Join(dir, "c.yaml")
	writeFile(t, cfg, "upstream: "+fake.URL()+"\ncredentials:\n  - {name: wiki, type: token, token_env: WIKI_TOKEN}\n"+
		"client_keys:\n  - {name: ci, key_env: CI_KEY}\n")
	s := startServe(t, "--config", cfg)
	if resp, _ := s.get(t, "/v1/users/me"); resp.StatusCode != 401 || resp.Header.Get("X-Notion-Proxy-Error") != "client_key_required" {
		t.Errorf("without a key: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", s.url+"/v1/users/me", nil)
	req.Header.Set("Authorization", "Bearer client-key-for-ci-0001")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if up, _ := fake.LastRequest(); resp.StatusCode != 200 || up.Token != testToken {
		t.Errorf("with a key: %d, upstream token is not the credential's", resp.StatusCode)
	}
	if strings.Contains(s.stderr.String(), "client-key-for-ci") {
		t.Error("the client key was logged")
	}
}
