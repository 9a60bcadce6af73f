package main

import (
	"errors"
	"fmt"
	"net/url"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/notion-auth-proxy/notion-auth-proxy/credstore"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/access"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/config"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/credset"
	"github.com/notion-auth-proxy/notion-auth-proxy/policy"
	"github.com/notion-auth-proxy/notion-auth-proxy/proxy"
	"github.com/notion-auth-proxy/notion-auth-proxy/ratelimit"
	"github.com/notion-auth-proxy/notion-auth-proxy/scope"
)

// loadConfig loads and validates the configuration with the global flags
// and extra flag overrides applied. bound is the address a running proxy
// listens on, for a reload; "" otherwise. Every error is bad configuration.
func loadConfig(g *globals, overrides map[string]string, bound string) (*config.Config, error) {
	opts := config.Options{Path: g.configPath, Overrides: map[string]string{}, Bound: bound}
	for k, v := range overrides {
		opts.Overrides[k] = v
	}
	if g.logLevel != "" {
		opts.Overrides["log.level"] = g.logLevel
	}
	if g.logFormat != "" {
		opts.Overrides["log.format"] = g.logFormat
	}
	cfg, err := config.Load(opts)
	if err != nil {
		return nil, usage(err)
	}
	return cfg, nil
}

// newLogger builds the JSON (or console) logger on w. Nothing is sampled, so
// every not_shared line reaches the operator.
func newLogger(c config.Log, w zapcore.WriteSyncer) (*zap.Logger, error) {
	level, err := zapcore.ParseLevel(c.Level)
	if err != nil {
		return nil, usage(fmt.Errorf("log level: %w", err))
	}
	ec := zap.NewProductionEncoderConfig()
	ec.TimeKey = "ts"
	ec.EncodeTime = zapcore.ISO8601TimeEncoder
	var enc zapcore.Encoder
	if c.Format == "console" {
		ec.EncodeLevel = zapcore.CapitalLevelEncoder
		enc = zapcore.NewConsoleEncoder(ec)
	} else {
		enc = zapcore.NewJSONEncoder(ec)
	}
	return zap.New(zapcore.NewCore(enc, w, level)), nil
}

// proxyConfig maps the configuration onto the proxy's. Client keys are read
// from their environment variables or files here; a missing one is an error.
// In forward-proxy mode the CA is loaded, and generated on first use.
func proxyConfig(cfg *config.Config, set *credset.Set, tree *scope.Tree) (proxy.Config, error) {
	pc, err := mapConfig(cfg, set, tree)
	if err != nil || !cfg.ForwardProxy.Enabled {
		return pc, err
	}
	authority, _, err := loadCA(cfg.ForwardProxy)
	if err != nil {
		return proxy.Config{}, err
	}
	pc.ForwardCA = authority.Certificate()
	return pc, nil
}

// mapConfig is proxyConfig without the forward-proxy CA. tree is the
// ancestry knowledge object-scoped keys decide with.
func mapConfig(cfg *config.Config, set *credset.Set, tree *scope.Tree) (proxy.Config, error) {
	upstream, err := url.Parse(cfg.Upstream)
	if err != nil {
		return proxy.Config{}, usage(fmt.Errorf("upstream: %w", err))
	}
	pc := proxy.Config{
		Upstream:          upstream,
		NotionVersion:     cfg.NotionVersion,
		ForceVersion:      cfg.NotionVersionPolicy == "force",
		MinimumVersion:    cfg.NotionVersionPolicy == "minimum",
		AnnotateErrors:    cfg.Diagnostics.AnnotateErrors,
		MaxBodyBytes:      cfg.MaxBodyBytes,
		Credentials:       proxyCredentials(set),
		DefaultCredential: cfg.DefaultCredential,
		AllowedHosts:      cfg.AllowedHosts,
		AllowedOrigins:    cfg.AllowedOrigins,
		RateLimit: proxy.RateLimit{
			RequestsPerSecond: cfg.RateLimit.RequestsPerSecond,
			Burst:             cfg.RateLimit.Burst,
			MaxWait:           cfg.RateLimit.MaxWait,
		},
		Retry: proxy.Retry{MaxAttempts: cfg.Retry.MaxAttempts, MaxRetryAfter: cfg.Retry.MaxRetryAfter},
	}
	for _, w := range cfg.Workspaces {
		pc.Workspaces = append(pc.Workspaces, proxy.Workspace{Name: w.Name, ID: w.ID, Credential: w.Credential})
	}
	for _, r := range cfg.Routes {
		pc.Routes = append(pc.Routes, proxy.Route{Methods: r.Methods, PathPrefix: r.PathPrefix, Credential: r.Credential})
	}
	var problems []error
	for i, k := range cfg.ClientKeys {
		key, err := credstore.ReadSecret(k.KeyEnv, k.KeyFile)
		if err != nil {
			problems = append(problems, fmt.Errorf("client_keys[%d] (%s): %w", i, k.Name, err))
			continue
		}
		pk := proxy.ClientKey{Name: k.Name, Key: key.Reveal(), Credentials: k.Credentials, Shadow: !k.Enforced()}
		if pk.Policy, err = keyPolicy(k, tree); err != nil {
			problems = append(problems, fmt.Errorf("client_keys[%d] (%s): %w", i, k.Name, err))
			continue
		}
		pc.ClientKeys = append(pc.ClientKeys, pk)
	}
	if len(problems) > 0 {
		return proxy.Config{}, usage(errors.Join(problems...))
	}
	return pc, nil
}

// keyPolicy compiles a client key's allow and objects into the proxy's
// Authorizer, or nil for a key without limits (which then costs nothing
// per request).
func keyPolicy(k config.ClientKey, tree *scope.Tree) (proxy.Authorizer, error) {
	if k.Allow == nil && len(k.Objects) == 0 {
		return nil, nil
	}
	allow := policy.All
	if k.Allow != nil {
		var err error
		if allow, err = policy.ParseSet(k.Allow); err != nil {
			return nil, fmt.Errorf("allow: %w", err)
		}
	}
	if len(k.Objects) == 0 {
		return access.New(allow), nil
	}
	key, err := access.NewScoped(allow, k.Objects, tree)
	if err != nil {
		return nil, fmt.Errorf("objects: %w", err)
	}
	return key, nil
}

// guardSecrets makes the command's outputs (and the logger built on them)
// redact every secret the configuration holds: the credentials' tokens and
// client secrets as they are now, the client keys and the Redis password.
func guardSecrets(s streams, set *credset.Set, keys []proxy.ClientKey, cfg *config.Config) {
	fixed := credstore.Secrets{}
	for _, k := range keys {
		fixed = append(fixed, credstore.Secret(k.Key))
	}
	if pw, err := redisPassword(cfg); err == nil && pw != "" {
		fixed = append(fixed, pw)
	}
	s.redact.SetHolders(set, fixed)
}

// pacer is a proxy.Pacer the daemon closes at shutdown.
type pacer interface {
	proxy.Pacer
	Close() error
}

var (
	_ pacer = (*ratelimit.Redis)(nil)
	_ pacer = (*ratelimit.Local)(nil)
)

// newPacer returns the rate budget: shared by every replica through Redis
// with the redis store, else in this process.
func newPacer(cfg *config.Config, log *zap.Logger) (pacer, error) {
	if cfg.Store.Backend != "redis" {
		return ratelimit.NewLocal(nil), nil
	}
	password, err := redisPassword(cfg)
	if err != nil {
		return nil, err
	}
	r := cfg.Store.Redis
	return ratelimit.NewRedis(ratelimit.RedisOptions{
		Addr: r.Addr, Password: password.Reveal(), DB: r.DB, KeyPrefix: r.KeyPrefix,
		Replicas: cfg.RateLimit.Replicas, Log: log,
	}), nil
}
