package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/config"
)

// A secret pasted where a file path belongs is refused, and the error does
// not repeat it (reading such a "file" would have printed it).
func TestValidateRefusesSecretsPastedAsFiles(t *testing.T) {
	token := "ntn_" + strings.Repeat("Xy7", 15)
	key := "k3yK3yk3yK3yk3yK3yk3yK3yk3y"
	c := validConfig()
	c.Credentials[0].TokenEnv, c.Credentials[0].TokenFile = "", token
	c.Credentials[1].ClientSecretEnv, c.Credentials[1].ClientSecretFile = "", key
	c.ClientKeys = []config.ClientKey{{Name: "ci", KeyFile: key}}
	err := c.Validate()
	got := strings.Join(problemKeys(problemsOf(err)), " ")
	if got != "credentials[0].token_file credentials[1].client_secret_file client_keys[0].key_file" {
		t.Fatalf("problems at %v", got)
	}
	if strings.Contains(err.Error(), token) || strings.Contains(err.Error(), key) {
		t.Errorf("error repeats the secret: %v", err)
	}
	c = validConfig()
	c.Credentials[0].TokenEnv, c.Credentials[0].TokenFile = "", "/run/secrets/wiki-token"
	if err := c.Validate(); err != nil {
		t.Errorf("a real path was refused: %v", err)
	}
}

// A workspace named like another workspace's id makes X-Notion-Workspace
// ambiguous. check and serve both refuse it: the rule is in Validate.
func TestValidateRefusesAWorkspaceNamedLikeAnotherID(t *testing.T) {
	c := validConfig()
	c.Workspaces = []config.Workspace{
		{Name: "5c1a6a0e-0d6f-4bd0-9b7a-2f8e3c4d5e6f", Credential: "wiki"},
		{Name: "acme", ID: "5C1A6A0E0D6F4BD09B7A2F8E3C4D5E6F", Credential: "partner"},
	}
	if got := problemKeys(problemsOf(c.Validate())); strings.Join(got, " ") != "workspaces[0].name" {
		t.Errorf("problems at %v, want workspaces[0].name", got)
	}
}

// A 201-character name passed Validate and then failed in the store.
func TestValidateAppliesTheStoresNameRule(t *testing.T) {
	c := validConfig()
	c.Credentials[0].Name = strings.Repeat("a", 201)
	c.Workspaces, c.Routes = nil, nil
	if got := problemKeys(problemsOf(c.Validate())); strings.Join(got, " ") != "credentials[0].name" {
		t.Errorf("problems at %v, want credentials[0].name", got)
	}
	c.Credentials[0].Name = strings.Repeat("a", 200)
	if err := c.Validate(); err != nil {
		t.Errorf("a 200-character name was refused: %v", err)
	}
}

// A reload is validated against the listener already bound: a file that
// moves listen to loopback and drops client_keys cannot open a proxy that
// still listens on every interface.
func TestLoadValidatesAgainstTheBoundListener(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(path, []byte("listen: 127.0.0.1:8700\ncredentials:\n  - {name: wiki, type: token, token_env: W}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := config.Load(config.Options{Path: path}); err != nil {
		t.Fatalf("at start: %v", err)
	}
	_, err := config.Load(config.Options{Path: path, Bound: "0.0.0.0:8700"})
	if err == nil || !strings.Contains(err.Error(), "listen") || !strings.Contains(err.Error(), "client_keys") {
		t.Fatalf("Load with a public bound listener: %v; want the listen problem", err)
	}
	cfg, err := config.Load(config.Options{Path: path, Bound: "127.0.0.1:9999"})
	if err != nil || cfg.Listen != "127.0.0.1:9999" || cfg.ListenAtRestart != "127.0.0.1:8700" {
		t.Errorf("Load with a loopback bound listener: %+v, %v", cfg, err)
	}
}
