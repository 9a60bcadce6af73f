package config_test

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/config"
)

func TestUnknownKeysReportedWithPathsAlongsideOtherProblems(t *testing.T) {
	dir := isolate(t)
	path := writeFile(t, dir, "c.yaml", `
bogus: 1
max_body_bytes: lots
log: {level: loud}
store:
  redis: {addr: "127.0.0.1:6379", bogus: x}
credentials:
  - {name: wiki, type: token, tokn: NOTION_TOKEN_WIKI}
  - {name: other, type: token, token_env: X, extra: {deep: 1}}
`)
	_, err := config.Load(config.Options{Path: path})
	want := []string{"bogus", "credentials[0].tokn", "credentials[1].extra", "store.redis.bogus",
		"max_body_bytes", "log.level"}
	for _, key := range want {
		p := problemAt(t, err, key)
		if strings.Contains(key, "bogus") || strings.Contains(key, "tokn") || strings.Contains(key, "extra") {
			if p.Msg != "unknown key" {
				t.Errorf("%s: message %q, want %q", key, p.Msg, "unknown key")
			}
		}
	}
	if n := len(problemsOf(err)); n != len(want) {
		t.Errorf("got %d problems %v, want %d", n, problemKeys(problemsOf(err)), len(want))
	}
	if !strings.HasPrefix(err.Error(), "config "+path+": ") {
		t.Errorf("error %q does not start with the file path", err)
	}
	var invalid *config.InvalidError
	if !errors.As(err, &invalid) || invalid.Path != path {
		t.Errorf("error is not an *InvalidError for %s: %#v", path, err)
	}
}

func TestLiteralSecretKeyPointsToEnvOrFile(t *testing.T) {
	tests := []struct {
		name, yaml, key, hint string
	}{
		{"token", `credentials: [{name: a, type: token, token: ntn_x}]`, "credentials[0].token", "token_env or token_file"},
		{"client secret", `credentials: [{name: a, type: oauth, client_id: c, client_secret: s, client_secret_env: S, redirect_url: "http://127.0.0.1:8700/cb"}]`,
			"credentials[0].client_secret", "client_secret_env or client_secret_file"},
		{"refresh token", `credentials: [{name: a, type: token, refresh_token: r}]`, "credentials[0].refresh_token", "refresh_token_env"},
		{"redis password", "credentials: [{name: a, type: token}]\nstore: {redis: {password: p}}", "store.redis.password", "password_env"},
		{"client key", "credentials: [{name: a, type: token}]\nclient_keys: [{name: ci, key: k, key_env: K}]", "client_keys[0].key", "key_env or key_file"},
		{"encryption key", "credentials: [{name: a, type: token}]\nstore: {encryption_key: k}", "store.encryption_key", "encryption_key_env"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := isolate(t)
			path := writeFile(t, dir, "c.yaml", tt.yaml)
			_, err := config.Load(config.Options{Path: path})
			p := problemAt(t, err, tt.key)
			want := "unknown key: secrets are never literal in the file; use " + tt.hint
			if p.Msg != want {
				t.Errorf("message %q, want %q", p.Msg, want)
			}
			if strings.Contains(err.Error(), "ntn_x") {
				t.Errorf("error repeats the secret: %v", err)
			}
		})
	}
}

func TestEnvironmentSetsScalars(t *testing.T) {
	dir := isolate(t)
	path := writeFile(t, dir, "c.yaml", minimal+"listen: 127.0.0.1:9000\nstore: {redis: {addr: file:1}}\n")
	t.Setenv("NOTION_PROXY_LISTEN", "127.0.0.1:9100")
	t.Setenv("NOTION_PROXY_STORE_BACKEND", "redis")
	t.Setenv("NOTION_PROXY_STORE_REDIS_ADDR", "redis.internal:6380")
	t.Setenv("NOTION_PROXY_STORE_REDIS_DB", "3")
	t.Setenv("NOTION_PROXY_RATE_LIMIT_MAX_WAIT", "5s")
	t.Setenv("NOTION_PROXY_RATE_LIMIT_REQUESTS_PER_SECOND", "2.5")
	t.Setenv("NOTION_PROXY_FORWARD_PROXY_ENABLED", "true")
	t.Setenv("NOTION_PROXY_DEFAULT_CREDENTIAL", "wiki")

	cfg, err := config.Load(config.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		key       string
		got, want any
	}{
		{"listen", cfg.Listen, "127.0.0.1:9100"},
		{"store.backend", cfg.Store.Backend, "redis"},
		{"store.redis.addr", cfg.Store.Redis.Addr, "redis.internal:6380"},
		{"store.redis.db", cfg.Store.Redis.DB, 3},
		{"rate_limit.max_wait", cfg.RateLimit.MaxWait, 5 * time.Second},
		{"rate_limit.requests_per_second", cfg.RateLimit.RequestsPerSecond, 2.5},
		{"forward_proxy.enabled", cfg.ForwardProxy.Enabled, true},
		{"default_credential", cfg.DefaultCredential, "wiki"},
		{"rate_limit.burst (untouched default)", cfg.RateLimit.Burst, 10},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.key, c.got, c.want)
		}
	}
}

func TestPrecedenceFlagsEnvFileDefaults(t *testing.T) {
	// The value each layer gives two keys; a case says which layers are set.
	values := map[string]struct{ listen, level string }{
		"default": {"127.0.0.1:8700", "info"},
		"file":    {"127.0.0.1:1", "warn"},
		"env":     {"127.0.0.1:2", "error"},
		"flag":    {"127.0.0.1:3", "debug"},
	}
	tests := []struct {
		name            string
		file, env, flag bool
		want            string
	}{
		{"defaults alone", false, false, false, "default"},
		{"file over defaults", true, false, false, "file"},
		{"env over file", true, true, false, "env"},
		{"env over defaults", false, true, false, "env"},
		{"flag over env", true, true, true, "flag"},
		{"flag over file", true, false, true, "flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := isolate(t)
			body := minimal
			if tt.file {
				body += "listen: " + values["file"].listen + "\nlog: {level: " + values["file"].level + "}\n"
			}
			opts := config.Options{Path: writeFile(t, dir, "c.yaml", body)}
			if tt.env {
				t.Setenv("NOTION_PROXY_LISTEN", values["env"].listen)
				t.Setenv("NOTION_PROXY_LOG_LEVEL", values["env"].level)
			}
			if tt.flag {
				opts.Overrides = map[string]string{"listen": values["flag"].listen, "log.level": values["flag"].level}
			}
			cfg, err := config.Load(opts)
			if err != nil {
				t.Fatal(err)
			}
			want := values[tt.want]
			if cfg.Listen != want.listen || cfg.Log.Level != want.level {
				t.Errorf("listen, log.level = %q, %q; want %q, %q (from %s)",
					cfg.Listen, cfg.Log.Level, want.listen, want.level, tt.want)
			}
		})
	}
}

func TestBadValuesNameKeyAndSource(t *testing.T) {
	dir := isolate(t)
	path := writeFile(t, dir, "c.yaml", minimal+`
upstream_timeout: 60
forward_proxy: {enabled: yes}
rate_limit: {burst: many}
notion_version: 2022-06-28
`)
	t.Setenv("NOTION_PROXY_MAX_BODY_BYTES", "lots")
	_, err := config.Load(config.Options{Path: path, Overrides: map[string]string{"log.level": "loud"}})

	if p := problemAt(t, err, "upstream_timeout"); !strings.Contains(p.Msg, "no unit") {
		t.Errorf("bare number duration: %q should say it has no unit", p.Msg)
	}
	problemAt(t, err, "forward_proxy.enabled")
	problemAt(t, err, "rate_limit.burst")
	if p := problemAt(t, err, "max_body_bytes"); !strings.Contains(p.Msg, "NOTION_PROXY_MAX_BODY_BYTES") {
		t.Errorf("env problem %q does not name the variable", p.Msg)
	}
	if p := problemAt(t, err, "log.level"); !strings.Contains(p.Msg, "flag") {
		t.Errorf("flag problem %q does not say it came from a flag", p.Msg)
	}
	// A type error is reported once, not again by validation.
	if n := len(problemsOf(err)); n != 5 {
		t.Errorf("got %d problems %v, want 5", n, problemKeys(problemsOf(err)))
	}
}

func TestUnquotedDateVersionStaysAString(t *testing.T) {
	dir := isolate(t)
	path := writeFile(t, dir, "c.yaml", minimal+"notion_version: 2022-06-28\n")
	cfg, err := config.Load(config.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.NotionVersion != "2022-06-28" {
		t.Errorf("notion_version = %q", cfg.NotionVersion)
	}
}

func TestOverrideOfUnknownKeyIsAnError(t *testing.T) {
	dir := isolate(t)
	path := writeFile(t, dir, "c.yaml", minimal)
	_, err := config.Load(config.Options{Path: path, Overrides: map[string]string{"lisen": ":1"}})
	if err == nil || !strings.Contains(err.Error(), "lisen") {
		t.Fatalf("err = %v, want one naming the key", err)
	}
}

func TestNormalization(t *testing.T) {
	dir := isolate(t)
	path := writeFile(t, dir, "c.yaml", minimal+`
routes: [{methods: [post, Get], path_prefix: /v1/search, credential: wiki}]
workspaces:
  - {name: a, id: 1F2E3D4C5B6A79881F2E3D4C5B6A7988, credential: wiki}
  - {name: b, id: 2F2E3D4C-5B6A-7988-1F2E-3D4C5B6A7988, credential: wiki}
`)
	cfg, err := config.Load(config.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.Routes[0].Methods, ","); got != "POST,GET" {
		t.Errorf("methods = %s, want POST,GET", got)
	}
	for i, want := range []string{"1f2e3d4c-5b6a-7988-1f2e-3d4c5b6a7988", "2f2e3d4c-5b6a-7988-1f2e-3d4c5b6a7988"} {
		if cfg.Workspaces[i].ID != want {
			t.Errorf("workspaces[%d].id = %q, want %q", i, cfg.Workspaces[i].ID, want)
		}
	}
}

func TestFileSearchOrder(t *testing.T) {
	tests := []struct {
		name  string
		files []string // which candidates exist: flag, env, local, xdg, home
		xdg   bool     // XDG_CONFIG_HOME set
		want  string
	}{
		{"flag first", []string{"flag", "env", "local", "xdg"}, true, "flag"},
		{"then NOTION_PROXY_CONFIG", []string{"env", "local", "xdg"}, true, "env"},
		{"then ./notion-auth-proxy.yaml", []string{"local", "xdg"}, true, "local"},
		{"then XDG_CONFIG_HOME", []string{"xdg", "home"}, true, "xdg"},
		{"XDG_CONFIG_HOME defaults to ~/.config", []string{"home"}, false, "home"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			work := isolate(t)
			root := filepath.Dir(work)
			if !tt.xdg {
				t.Setenv("XDG_CONFIG_HOME", "")
			}
			paths := map[string]string{
				"flag":  filepath.Join(root, "flag.yaml"),
				"env":   filepath.Join(root, "env.yaml"),
				"local": filepath.Join(work, "notion-auth-proxy.yaml"),
				"xdg":   filepath.Join(root, "xdg", "notion-auth-proxy", "config.yaml"),
				"home":  filepath.Join(root, "home", ".config", "notion-auth-proxy", "config.yaml"),
			}
			opts := config.Options{}
			for _, f := range tt.files {
				writeFile(t, filepath.Dir(paths[f]), filepath.Base(paths[f]), minimal)
				switch f {
				case "flag":
					opts.Path = paths[f]
				case "env":
					t.Setenv("NOTION_PROXY_CONFIG", paths[f])
				}
			}
			cfg, err := config.Load(opts)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Path != paths[tt.want] {
				t.Errorf("read %q, want %q", cfg.Path, paths[tt.want])
			}
		})
	}
}

func TestExplicitMissingFileIsAnError(t *testing.T) {
	for _, viaEnv := range []bool{false, true} {
		dir := isolate(t)
		t.Setenv("NOTION_API_TOKEN", "ntn_x") // must not fall back to zero-config
		writeFile(t, dir, "notion-auth-proxy.yaml", minimal)
		missing := filepath.Join(dir, "nope.yaml")
		opts := config.Options{Path: missing}
		if viaEnv {
			opts.Path = ""
			t.Setenv("NOTION_PROXY_CONFIG", missing)
		}
		_, err := config.Load(opts)
		if err == nil || !strings.Contains(err.Error(), missing) || !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("viaEnv=%v: err = %v, want not-exist naming %s", viaEnv, err, missing)
		}
	}
}

func TestZeroConfigFromNotionAPIToken(t *testing.T) {
	isolate(t)
	t.Setenv("NOTION_API_TOKEN", "ntn_secret")
	t.Setenv("NOTION_PROXY_LISTEN", "127.0.0.1:9999")
	cfg, err := config.Load(config.Options{Overrides: map[string]string{"log.format": "console"}})
	if err != nil {
		t.Fatal(err)
	}
	want := config.Defaults()
	want.Listen = "127.0.0.1:9999"
	want.Log.Format = "console"
	want.Credentials = []config.Credential{{Name: "default", Type: config.TypeToken, TokenEnv: "NOTION_API_TOKEN"}}
	if cfg.Path != "" || cfg.Listen != want.Listen || cfg.Log != want.Log ||
		len(cfg.Credentials) != 1 || cfg.Credentials[0] != want.Credentials[0] {
		t.Errorf("zero-config = %+v\nwant %+v", *cfg, want)
	}
}

func TestNoConfigSaysWhatToSet(t *testing.T) {
	isolate(t)
	_, err := config.Load(config.Options{})
	if !errors.Is(err, config.ErrNoConfig) {
		t.Fatalf("err = %v, want ErrNoConfig", err)
	}
	for _, hint := range []string{"NOTION_API_TOKEN", "./notion-auth-proxy.yaml", "--config"} {
		if !strings.Contains(err.Error(), hint) {
			t.Errorf("message %q does not mention %s", err, hint)
		}
	}
}

func TestManyProblemsReportedAtOnce(t *testing.T) {
	dir := isolate(t)
	path := writeFile(t, dir, "c.yaml", `
listen: 0.0.0.0:8700
upstream: ftp://example.com
notion_version_policy: sometimes
log: {format: xml}
store: {backend: s3}
credentials:
  - {name: wiki, type: token, token_env: A, token_file: /b}
  - {name: wiki, type: oauth}
workspaces: [{name: acme, id: not-a-uuid, credential: ghost}]
routes: [{path_prefix: v1, credential: wiki}]
default_credential: nobody
retry: {max_attempts: 0}
allowed_origins: [https://app.example.com/]
forward_proxy: {ca_cert_file: /ca.pem}
`)
	_, err := config.Load(config.Options{Path: path})
	want := []string{
		"listen", "upstream", "notion_version_policy", "log.format", "store.backend",
		"credentials[0].token_file", "credentials[1].name", "credentials[1].client_id",
		"credentials[1].client_secret_env", "credentials[1].redirect_url",
		"workspaces[0].id", "workspaces[0].credential", "routes[0].path_prefix",
		"default_credential", "retry.max_attempts", "allowed_origins[0]", "forward_proxy.ca_key_file",
	}
	got := problemsOf(err)
	if len(got) != len(want) {
		t.Errorf("got %d problems, want %d:\n%v", len(got), len(want), err)
	}
	for _, key := range want {
		problemAt(t, err, key)
		if !strings.Contains(err.Error(), "\n  "+key+": ") {
			t.Errorf("error text lacks a line for %s", key)
		}
	}
}
