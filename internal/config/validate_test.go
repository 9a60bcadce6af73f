package config_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/config"
)

// validConfig is a small valid configuration that the cases below break in
// exactly one place.
func validConfig() config.Config {
	c := config.Defaults()
	c.Credentials = []config.Credential{
		{Name: "wiki", Type: config.TypeToken, TokenEnv: "NOTION_TOKEN_WIKI"},
		{Name: "partner", Type: config.TypeOAuth, ClientID: "client", ClientSecretEnv: "NOTION_CLIENT_SECRET",
			RedirectURL: "http://127.0.0.1:8700/oauth/callback"},
	}
	c.Workspaces = []config.Workspace{{Name: "acme", Credential: "wiki"}}
	c.Routes = []config.Route{{Methods: []string{"POST"}, PathPrefix: "/v1/search", Credential: "wiki"}}
	return c
}

func withClientKey(c *config.Config) {
	c.ClientKeys = []config.ClientKey{{Name: "ci", KeyEnv: "PROXY_KEY_CI"}}
}

func TestValidateRejects(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(c *config.Config)
		key    string
	}{
		{"listen without port", func(c *config.Config) { c.Listen = "127.0.0.1" }, "listen"},
		{"listen with named port", func(c *config.Config) { c.Listen = "127.0.0.1:http" }, "listen"},
		{"listen on all interfaces without client keys", func(c *config.Config) { c.Listen = "0.0.0.0:8700" }, "listen"},
		{"listen with empty host without client keys", func(c *config.Config) { c.Listen = ":8700" }, "listen"},
		{"listen on LAN IP without client keys", func(c *config.Config) { c.Listen = "192.168.1.5:8700" }, "listen"},
		{"listen on hostname without client keys", func(c *config.Config) { c.Listen = "proxy.internal:8700" }, "listen"},
		{"upstream not http", func(c *config.Config) { c.Upstream = "ftp://api.notion.com" }, "upstream"},
		{"upstream without scheme", func(c *config.Config) { c.Upstream = "api.notion.com" }, "upstream"},
		{"upstream without host", func(c *config.Config) { c.Upstream = "https://" }, "upstream"},
		{"upstream with query", func(c *config.Config) { c.Upstream = "https://api.notion.com?x=1" }, "upstream"},
		{"upstream with fragment", func(c *config.Config) { c.Upstream = "https://api.notion.com#x" }, "upstream"},
		{"upstream with user info", func(c *config.Config) { c.Upstream = "https://u:p@api.notion.com" }, "upstream"},
		{"empty notion_version", func(c *config.Config) { c.NotionVersion = "" }, "notion_version"},
		{"unknown version policy", func(c *config.Config) { c.NotionVersionPolicy = "always" }, "notion_version_policy"},
		{"zero max_body_bytes", func(c *config.Config) { c.MaxBodyBytes = 0 }, "max_body_bytes"},
		{"zero upstream_timeout", func(c *config.Config) { c.UpstreamTimeout = 0 }, "upstream_timeout"},
		{"negative upstream_timeout", func(c *config.Config) { c.UpstreamTimeout = -time.Second }, "upstream_timeout"},
		{"log format", func(c *config.Config) { c.Log.Format = "text" }, "log.format"},
		{"log level", func(c *config.Config) { c.Log.Level = "trace" }, "log.level"},
		{"store backend", func(c *config.Config) { c.Store.Backend = "s3" }, "store.backend"},
		{"redis without addr", func(c *config.Config) { c.Store.Backend, c.Store.Redis.Addr = "redis", "" }, "store.redis.addr"},
		{"negative redis db", func(c *config.Config) { c.Store.Redis.DB = -1 }, "store.redis.db"},
		{"encryption key env not a name", func(c *config.Config) { c.Store.EncryptionKeyEnv = "bWFkZSB1cA==" }, "store.encryption_key_env"},
		{"redis password env not a name", func(c *config.Config) { c.Store.Redis.PasswordEnv = "hunter 2" }, "store.redis.password_env"},
		{"no credentials", func(c *config.Config) { c.Credentials, c.Workspaces, c.Routes = nil, nil, nil }, "credentials"},
		{"credential without name", func(c *config.Config) { c.Credentials[0].Name = ""; c.Workspaces, c.Routes = nil, nil }, "credentials[0].name"},
		{"credential name with slash", func(c *config.Config) { c.Credentials[1].Name = "a/b" }, "credentials[1].name"},
		{"credential name starting with dash", func(c *config.Config) { c.Credentials[1].Name = "-a" }, "credentials[1].name"},
		{"duplicate credential name", func(c *config.Config) { c.Credentials[1].Name = "wiki" }, "credentials[1].name"},
		{"credential without type", func(c *config.Config) { c.Credentials[0].Type = "" }, "credentials[0].type"},
		{"unknown credential type", func(c *config.Config) { c.Credentials[0].Type = "pat" }, "credentials[0].type"},
		{"token with env and file", func(c *config.Config) { c.Credentials[0].TokenFile = "/run/secrets/wiki" }, "credentials[0].token_file"},
		{"token with client_id", func(c *config.Config) { c.Credentials[0].ClientID = "x" }, "credentials[0].client_id"},
		{"token with client_secret_env", func(c *config.Config) { c.Credentials[0].ClientSecretEnv = "X" }, "credentials[0].client_secret_env"},
		{"token with client_secret_file", func(c *config.Config) { c.Credentials[0].ClientSecretFile = "/x" }, "credentials[0].client_secret_file"},
		{"token with redirect_url", func(c *config.Config) { c.Credentials[0].RedirectURL = "http://127.0.0.1/cb" }, "credentials[0].redirect_url"},
		{"token with refresh_token_env", func(c *config.Config) { c.Credentials[0].RefreshTokenEnv = "X" }, "credentials[0].refresh_token_env"},
		{"oauth without client_id", func(c *config.Config) { c.Credentials[1].ClientID = "" }, "credentials[1].client_id"},
		{"oauth without client secret", func(c *config.Config) { c.Credentials[1].ClientSecretEnv = "" }, "credentials[1].client_secret_env"},
		{"oauth with both client secrets", func(c *config.Config) { c.Credentials[1].ClientSecretFile = "/s" }, "credentials[1].client_secret_file"},
		{"oauth without redirect_url", func(c *config.Config) { c.Credentials[1].RedirectURL = "" }, "credentials[1].redirect_url"},
		{"oauth with relative redirect_url", func(c *config.Config) { c.Credentials[1].RedirectURL = "/oauth/callback" }, "credentials[1].redirect_url"},
		{"oauth with token_env", func(c *config.Config) { c.Credentials[1].TokenEnv = "X" }, "credentials[1].token_env"},
		{"oauth with token_file", func(c *config.Config) { c.Credentials[1].TokenFile = "/x" }, "credentials[1].token_file"},
		{"workspace without name", func(c *config.Config) { c.Workspaces[0].Name = "" }, "workspaces[0].name"},
		{"workspace name with space", func(c *config.Config) { c.Workspaces[0].Name = "my ws" }, "workspaces[0].name"},
		{"duplicate workspace name", func(c *config.Config) {
			c.Workspaces = append(c.Workspaces, config.Workspace{Name: "acme", Credential: "partner"})
		}, "workspaces[1].name"},
		{"workspace id not a uuid", func(c *config.Config) { c.Workspaces[0].ID = "acme-id" }, "workspaces[0].id"},
		{"workspace id one digit short", func(c *config.Config) { c.Workspaces[0].ID = strings.Repeat("a", 31) }, "workspaces[0].id"},
		{"duplicate workspace id in another form", func(c *config.Config) {
			c.Workspaces[0].ID = "1f2e3d4c5b6a79881f2e3d4c5b6a7988"
			c.Workspaces = append(c.Workspaces, config.Workspace{
				Name: "beta", ID: "1F2E3D4C-5B6A-7988-1F2E-3D4C5B6A7988", Credential: "partner"})
		}, "workspaces[1].id"},
		{"workspace without credential", func(c *config.Config) { c.Workspaces[0].Credential = "" }, "workspaces[0].credential"},
		{"workspace with unknown credential", func(c *config.Config) { c.Workspaces[0].Credential = "Wiki" }, "workspaces[0].credential"},
		{"route without path_prefix", func(c *config.Config) { c.Routes[0].PathPrefix = "" }, "routes[0].path_prefix"},
		{"route path_prefix without slash", func(c *config.Config) { c.Routes[0].PathPrefix = "v1/search" }, "routes[0].path_prefix"},
		{"route method not a token", func(c *config.Config) { c.Routes[0].Methods = []string{"GET", "PO ST"} }, "routes[0].methods[1]"},
		{"route without credential", func(c *config.Config) { c.Routes[0].Credential = "" }, "routes[0].credential"},
		{"route with unknown credential", func(c *config.Config) { c.Routes[0].Credential = "ghost" }, "routes[0].credential"},
		{"unknown default_credential", func(c *config.Config) { c.DefaultCredential = "ghost" }, "default_credential"},
		{"negative requests_per_second", func(c *config.Config) { c.RateLimit.RequestsPerSecond = -1 }, "rate_limit.requests_per_second"},
		{"NaN requests_per_second", func(c *config.Config) { c.RateLimit.RequestsPerSecond = math.NaN() }, "rate_limit.requests_per_second"},
		{"zero burst while pacing", func(c *config.Config) { c.RateLimit.Burst = 0 }, "rate_limit.burst"},
		{"negative max_wait", func(c *config.Config) { c.RateLimit.MaxWait = -time.Second }, "rate_limit.max_wait"},
		{"zero max_attempts", func(c *config.Config) { c.Retry.MaxAttempts = 0 }, "retry.max_attempts"},
		{"negative max_retry_after", func(c *config.Config) { c.Retry.MaxRetryAfter = -time.Second }, "retry.max_retry_after"},
		{"empty allowed host", func(c *config.Config) { c.AllowedHosts = []string{"proxy.internal", ""} }, "allowed_hosts[1]"},
		{"allowed host given as URL", func(c *config.Config) { c.AllowedHosts = []string{"https://proxy.internal"} }, "allowed_hosts[0]"},
		{"allowed origin with slash", func(c *config.Config) { c.AllowedOrigins = []string{"https://app.example.com/"} }, "allowed_origins[0]"},
		{"allowed origin with path", func(c *config.Config) { c.AllowedOrigins = []string{"https://app.example.com/x"} }, "allowed_origins[0]"},
		{"allowed origin without scheme", func(c *config.Config) { c.AllowedOrigins = []string{"app.example.com"} }, "allowed_origins[0]"},
		{"allowed origin wildcard", func(c *config.Config) { c.AllowedOrigins = []string{"*"} }, "allowed_origins[0]"},
		{"client key without name", func(c *config.Config) { withClientKey(c); c.ClientKeys[0].Name = "" }, "client_keys[0].name"},
		{"duplicate client key name", func(c *config.Config) {
			withClientKey(c)
			c.ClientKeys = append(c.ClientKeys, config.ClientKey{Name: "ci", KeyFile: "/k"})
		}, "client_keys[1].name"},
		{"client key without secret", func(c *config.Config) { withClientKey(c); c.ClientKeys[0].KeyEnv = "" }, "client_keys[0].key_env"},
		{"client key with env and file", func(c *config.Config) { withClientKey(c); c.ClientKeys[0].KeyFile = "/k" }, "client_keys[0].key_file"},
		{"client key for unknown credential", func(c *config.Config) {
			withClientKey(c)
			c.ClientKeys[0].Credentials = []string{"wiki", "ghost"}
		}, "client_keys[0].credentials[1]"},
		{"ca cert without key", func(c *config.Config) { c.ForwardProxy.CACertFile = "/ca.pem" }, "forward_proxy.ca_key_file"},
		{"ca key without cert", func(c *config.Config) { c.ForwardProxy.CAKeyFile = "/ca.key" }, "forward_proxy.ca_cert_file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			tt.mutate(&c)
			err := c.Validate()
			ps := problemsOf(err)
			if len(ps) != 1 || ps[0].Key != tt.key {
				t.Fatalf("problems at %v, want exactly one at %q (error: %v)", problemKeys(ps), tt.key, err)
			}
			if !strings.HasPrefix(ps[0].Error(), tt.key+": ") {
				t.Errorf("problem text %q does not start with its key path", ps[0].Error())
			}
		})
	}
}

func TestValidateAccepts(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(c *config.Config)
	}{
		{"as is", func(*config.Config) {}},
		{"localhost", func(c *config.Config) { c.Listen = "localhost:8700" }},
		{"IPv6 loopback", func(c *config.Config) { c.Listen = "[::1]:8700" }},
		{"other loopback address, any port", func(c *config.Config) { c.Listen = "127.0.0.2:0" }},
		{"all interfaces with a client key", func(c *config.Config) { c.Listen = "0.0.0.0:8700"; withClientKey(c) }},
		{"empty host with a client key", func(c *config.Config) { c.Listen = ":8700"; withClientKey(c) }},
		{"upstream with a path", func(c *config.Config) { c.Upstream = "http://127.0.0.1:9999/notion" }},
		{"force policy", func(c *config.Config) { c.NotionVersionPolicy = "force" }},
		{"token from the store", func(c *config.Config) { c.Credentials[0].TokenEnv = "" }},
		{"token from a missing file", func(c *config.Config) {
			c.Credentials[0].TokenEnv, c.Credentials[0].TokenFile = "", "/does/not/exist"
		}},
		{"oauth secret from a file", func(c *config.Config) {
			c.Credentials[1].ClientSecretEnv, c.Credentials[1].ClientSecretFile = "", "/does/not/exist"
		}},
		{"workspace id without dashes", func(c *config.Config) { c.Workspaces[0].ID = "1f2e3d4c5b6a79881f2e3d4c5b6a7988" }},
		{"workspace id with dashes, upper case", func(c *config.Config) { c.Workspaces[0].ID = "1F2E3D4C-5B6A-7988-1F2E-3D4C5B6A7988" }},
		{"route for every method", func(c *config.Config) { c.Routes[0].Methods = nil }},
		{"pacing off", func(c *config.Config) { c.RateLimit.RequestsPerSecond, c.RateLimit.Burst = 0, 0 }},
		{"no waiting", func(c *config.Config) { c.RateLimit.MaxWait, c.Retry.MaxRetryAfter = 0, 0 }},
		{"single attempt", func(c *config.Config) { c.Retry.MaxAttempts = 1 }},
		{"default credential", func(c *config.Config) { c.DefaultCredential = "partner" }},
		{"allowed hosts and origins", func(c *config.Config) {
			c.AllowedHosts = []string{"proxy.internal", "proxy.internal:8700"}
			c.AllowedOrigins = []string{"https://app.example.com", "http://localhost:3000"}
		}},
		{"client key scoped to credentials", func(c *config.Config) {
			c.ClientKeys = []config.ClientKey{{Name: "ci", KeyFile: "/k", Credentials: []string{"wiki", "partner"}}}
		}},
		{"redis store", func(c *config.Config) { c.Store.Backend = "redis"; c.Store.Redis.PasswordEnv = "REDIS_PASSWORD" }},
		{"forward proxy with own CA", func(c *config.Config) {
			c.ForwardProxy = config.ForwardProxy{Enabled: true, CACertFile: "/ca.pem", CAKeyFile: "/ca.key"}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			tt.mutate(&c)
			if err := c.Validate(); err != nil {
				t.Errorf("Validate() = %v, want nil", err)
			}
		})
	}
}

func TestValidateReadsNoEnvironment(t *testing.T) {
	// The variables the config names are unset and the files missing; that is
	// a credential state reported at run time, not a configuration error.
	t.Setenv("NOTION_TOKEN_WIKI", "")
	t.Setenv("NOTION_CLIENT_SECRET", "")
	c := validConfig()
	c.Credentials = append(c.Credentials, config.Credential{Name: "docs", Type: config.TypeToken, TokenFile: "/nonexistent"})
	if err := c.Validate(); err != nil {
		t.Errorf("Validate() = %v, want nil", err)
	}
}

func TestValidateNeverRepeatsAPastedSecret(t *testing.T) {
	secret := "ntn_" + strings.Repeat("Ab3", 15)
	c := validConfig()
	c.Credentials[0].TokenEnv = secret
	c.Credentials[1].ClientSecretEnv = "s3cr3t value!"
	err := c.Validate()
	if got := problemKeys(problemsOf(err)); strings.Join(got, " ") !=
		"credentials[0].token_env credentials[1].client_secret_env" {
		t.Fatalf("problems at %v", got)
	}
	if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("error repeats the secret: %v", err)
	}
}

func TestValidateJoinsEveryProblem(t *testing.T) {
	c := config.Defaults()
	c.Listen = "0.0.0.0:1"
	c.Log.Level = "loud"
	c.Routes = []config.Route{{PathPrefix: "/v1", Credential: "ghost"}}
	err := c.Validate()
	want := []string{"listen", "log.level", "credentials", "routes[0].credential"}
	ps := problemsOf(err)
	if strings.Join(problemKeys(ps), ",") != strings.Join(want, ",") {
		t.Errorf("problems at %v, want %v", problemKeys(ps), want)
	}
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) || len(joined.Unwrap()) != len(want) {
		t.Errorf("Validate() should return one joined error per problem, got %#v", err)
	}
}
