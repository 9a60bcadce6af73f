// Package config defines notion-auth-proxy's configuration: the schema with its
// defaults, loading from file, environment and flags (via viper), and
// validation that reports every problem at once.
//
// A Config is a plain value. Nothing reads viper after Load returns; a reload
// builds a new Config and the caller swaps it in.
package config

import "time"

// Config is the whole configuration file. Field comments state defaults.
type Config struct {
	// Listen is the proxy's listen address. Default 127.0.0.1:8700. A
	// non-loopback address requires client_keys.
	Listen string `mapstructure:"listen"`
	// Upstream is the Notion API base URL. Default https://api.notion.com.
	Upstream string `mapstructure:"upstream"`
	// NotionVersion is sent as Notion-Version when the client sends none
	// (or always, with the force policy). Default "2025-09-03".
	NotionVersion string `mapstructure:"notion_version"`
	// NotionVersionPolicy is "default" (the client's value wins), "force"
	// (always ours) or "minimum" (the client's when it is at least ours).
	NotionVersionPolicy string `mapstructure:"notion_version_policy"`
	// MaxBodyBytes caps request bodies; larger ones get 413. Default 25 MiB.
	MaxBodyBytes int64 `mapstructure:"max_body_bytes"`
	// UpstreamTimeout bounds the wait for upstream response headers. Default 60s.
	UpstreamTimeout time.Duration `mapstructure:"upstream_timeout"`

	Log   Log   `mapstructure:"log"`
	Store Store `mapstructure:"store"`

	Credentials []Credential `mapstructure:"credentials"`
	Workspaces  []Workspace  `mapstructure:"workspaces"`
	Routes      []Route      `mapstructure:"routes"`
	// DefaultCredential is used when nothing else selects one. Optional when
	// there is exactly one credential.
	DefaultCredential string `mapstructure:"default_credential"`

	RateLimit   RateLimit   `mapstructure:"rate_limit"`
	Diagnostics Diagnostics `mapstructure:"diagnostics"`
	Retry       Retry       `mapstructure:"retry"`

	// AllowedHosts are Host values accepted besides loopback names.
	AllowedHosts []string `mapstructure:"allowed_hosts"`
	// AllowedOrigins are browser Origin values accepted; others get 403.
	AllowedOrigins []string    `mapstructure:"allowed_origins"`
	ClientKeys     []ClientKey `mapstructure:"client_keys"`

	ForwardProxy ForwardProxy `mapstructure:"forward_proxy"`

	// Path is the file the configuration was read from; empty in zero-config
	// mode. It is not a configuration key.
	Path string `mapstructure:"-"`
	// ListenAtRestart is the listen address the configuration asks for
	// when it was loaded for a running proxy (Options.Bound); Listen then
	// holds the address in use. It is not a configuration key.
	ListenAtRestart string `mapstructure:"-"`
}

// Log configures logging.
type Log struct {
	// Format is "json" (default) or "console".
	Format string `mapstructure:"format"`
	// Level is debug, info (default), warn or error.
	Level string `mapstructure:"level"`
}

// Store configures where credentials that change at run time are kept.
type Store struct {
	// Backend is "auto" (default: the file store if its file exists, else
	// the OS keychain if one answers, else the file store; NOTION_KEYRING=0
	// forces the file store), "file", "keychain" or "redis".
	Backend string `mapstructure:"backend"`
	// Path is the file backend's file. Default
	// $XDG_STATE_HOME/notion-auth-proxy/credentials.json (on Windows
	// %LOCALAPPDATA%\notion-auth-proxy\credentials.json).
	Path string `mapstructure:"path"`
	// EncryptionKeyEnv names an environment variable holding a base64
	// 32-byte key; when set, the store is encrypted with AES-256-GCM.
	EncryptionKeyEnv string `mapstructure:"encryption_key_env"`
	Redis            Redis  `mapstructure:"redis"`
}

// Redis configures the redis store backend.
type Redis struct {
	Addr        string `mapstructure:"addr"`         // default 127.0.0.1:6379
	PasswordEnv string `mapstructure:"password_env"` // env var holding the password
	DB          int    `mapstructure:"db"`
	KeyPrefix   string `mapstructure:"key_prefix"` // default "notion-auth-proxy:"
}

// Credential types.
const (
	TypeToken = "token"
	TypeOAuth = "oauth"
)

// Credential is one Notion credential.
type Credential struct {
	Name string `mapstructure:"name"`
	// Type is "token" (internal integration secret or personal access
	// token) or "oauth" (public integration).
	Type string `mapstructure:"type"`

	// TokenEnv or TokenFile supply a token credential's secret. With
	// neither, the token comes from the store (set-token).
	TokenEnv  string `mapstructure:"token_env"`
	TokenFile string `mapstructure:"token_file"`

	// OAuth settings.
	ClientID         string `mapstructure:"client_id"`
	ClientSecretEnv  string `mapstructure:"client_secret_env"`
	ClientSecretFile string `mapstructure:"client_secret_file"`
	RedirectURL      string `mapstructure:"redirect_url"`
	RefreshTokenEnv  string `mapstructure:"refresh_token_env"`
}

// Workspace is an alias that selects a credential.
type Workspace struct {
	// Name is used in /w/{name}/... and X-Notion-Workspace.
	Name string `mapstructure:"name"`
	// ID is an optional Notion workspace UUID, accepted in the same places.
	ID         string `mapstructure:"id"`
	Credential string `mapstructure:"credential"`
}

// Route selects a credential by method and path prefix. First match wins.
type Route struct {
	// Methods limits the route to these methods; empty means any.
	Methods    []string `mapstructure:"methods"`
	PathPrefix string   `mapstructure:"path_prefix"`
	Credential string   `mapstructure:"credential"`
}

// Diagnostics configures what the proxy tells clients about failures.
type Diagnostics struct {
	// AnnotateErrors appends the proxy's hint to the message of Notion's
	// not-shared 404 and capability 403 answers. Default true.
	AnnotateErrors bool `mapstructure:"annotate_errors"`
}

// RateLimit paces requests per credential.
type RateLimit struct {
	RequestsPerSecond float64       `mapstructure:"requests_per_second"` // default 3; 0 turns pacing off
	Burst             int           `mapstructure:"burst"`               // default 10
	MaxWait           time.Duration `mapstructure:"max_wait"`            // default 30s
	// Replicas is how many proxies share the budget through Redis; while
	// Redis cannot be reached each paces at requests_per_second/replicas.
	// Default 1.
	Replicas int `mapstructure:"replicas"`
}

// Retry bounds retries of requests Notion rejected without processing.
type Retry struct {
	MaxAttempts   int           `mapstructure:"max_attempts"`    // default 3
	MaxRetryAfter time.Duration `mapstructure:"max_retry_after"` // default 30s
}

// ClientKey is a key local clients present to use the proxy.
type ClientKey struct {
	Name    string `mapstructure:"name"`
	KeyEnv  string `mapstructure:"key_env"`
	KeyFile string `mapstructure:"key_file"`
	// Credentials limits the key to these credentials; empty means all.
	Credentials []string `mapstructure:"credentials"`
	// Allow limits the key to these Notion capabilities: read, insert,
	// update, delete, comment_read, comment_insert, user_read, or the
	// presets read_only and read_write. Omitted: everything.
	Allow []string `mapstructure:"allow"`
	// Objects limits the key to these pages, databases or data sources
	// and everything under them (ids in any form). Omitted: everything
	// the integration can see.
	Objects []string `mapstructure:"objects"`
	// Enforce refuses what allow and objects forbid (default true);
	// false logs it as scope_violation and lets it through.
	Enforce *bool `mapstructure:"enforce"`
}

// Enforced reports whether the key's limits refuse requests (the default)
// rather than only log them.
func (k ClientKey) Enforced() bool { return k.Enforce == nil || *k.Enforce }

// ForwardProxy configures HTTPS_PROXY mode.
type ForwardProxy struct {
	Enabled    bool   `mapstructure:"enabled"`
	CACertFile string `mapstructure:"ca_cert_file"`
	CAKeyFile  string `mapstructure:"ca_key_file"`
}

// Defaults returns the configuration used for every key the file and
// environment leave unset.
func Defaults() Config {
	return Config{
		Listen:              "127.0.0.1:8700",
		Upstream:            "https://api.notion.com",
		NotionVersion:       "2025-09-03",
		NotionVersionPolicy: "default",
		MaxBodyBytes:        25 << 20,
		UpstreamTimeout:     60 * time.Second,
		Log:                 Log{Format: "json", Level: "info"},
		Store: Store{
			Backend: "auto",
			Redis:   Redis{Addr: "127.0.0.1:6379", KeyPrefix: "notion-auth-proxy:"},
		},
		RateLimit:   RateLimit{RequestsPerSecond: 3, Burst: 10, MaxWait: 30 * time.Second, Replicas: 1},
		Retry:       Retry{MaxAttempts: 3, MaxRetryAfter: 30 * time.Second},
		Diagnostics: Diagnostics{AnnotateErrors: true},
	}
}
