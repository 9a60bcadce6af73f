package main

import (
	"errors"
	"fmt"
	"net/url"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/notion-auth-proxy/notion-auth-proxy/credstore"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/config"
	"github.com/notion-auth-proxy/notion-auth-proxy/proxy"
)

// loadConfig loads and validates the configuration with the global flags
// and extra flag overrides applied. Every error is bad configuration.
func loadConfig(g *globals, overrides map[string]string) (*config.Config, error) {
	opts := config.Options{Path: g.configPath, Overrides: map[string]string{}}
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
func proxyConfig(cfg *config.Config, creds *credentialSet) (proxy.Config, error) {
	pc, err := mapConfig(cfg, creds)
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

// mapConfig is proxyConfig without the forward-proxy CA.
func mapConfig(cfg *config.Config, creds *credentialSet) (proxy.Config, error) {
	upstream, err := url.Parse(cfg.Upstream)
	if err != nil {
		return proxy.Config{}, usage(fmt.Errorf("upstream: %w", err))
	}
	pc := proxy.Config{
		Upstream:          upstream,
		NotionVersion:     cfg.NotionVersion,
		ForceVersion:      cfg.NotionVersionPolicy == "force",
		MaxBodyBytes:      cfg.MaxBodyBytes,
		Credentials:       creds.list,
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
		pc.ClientKeys = append(pc.ClientKeys, proxy.ClientKey{Name: k.Name, Key: key.Reveal(), Credentials: k.Credentials})
	}
	if len(problems) > 0 {
		return proxy.Config{}, usage(errors.Join(problems...))
	}
	return pc, nil
}
