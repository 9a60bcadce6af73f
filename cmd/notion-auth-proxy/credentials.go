package main

import (
	"fmt"
	"os"

	"github.com/notion-auth-proxy/notion-auth-proxy/credstore"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/config"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/credset"
	"github.com/notion-auth-proxy/notion-auth-proxy/proxy"
)

// What the proxy discovers about a credential source by assertion, proved
// here so that a rename cannot silently turn off the login hint, selection
// by workspace id or refresh on 401.
var (
	_ proxy.TokenSource       = (credset.Source)(nil)
	_ proxy.Refresher         = (*credstore.OAuthSource)(nil)
	_ proxy.WorkspaceReporter = (*credstore.OAuthSource)(nil)
	_ proxy.LoginError        = (*credstore.Error)(nil)
	// The proxy and the store use one word for a credential that can
	// serve: were they to differ, the map would have two keys false.
	_ = map[bool]int{false: 0, proxy.StateReady == string(credstore.StateReady): 1}
)

// openStore opens the configured credential store. Its secrets (the
// encryption key, the Redis password) come from the environment.
func openStore(cfg *config.Config) (credstore.Store, error) {
	var key []byte
	if name := cfg.Store.EncryptionKeyEnv; name != "" {
		v := os.Getenv(name)
		if v == "" {
			return nil, usage(fmt.Errorf("store.encryption_key_env: environment variable %s is not set", name))
		}
		var err error
		if key, err = credstore.ParseKey(v); err != nil {
			return nil, usage(fmt.Errorf("store.encryption_key_env %s: %w", name, err))
		}
	}
	if cfg.Store.Backend != "redis" {
		return credstore.OpenFile(credstore.FileOptions{Path: cfg.Store.Path, Key: key})
	}
	r := cfg.Store.Redis
	password, err := redisPassword(cfg)
	if err != nil {
		return nil, err
	}
	return credstore.OpenRedis(credstore.RedisOptions{
		Addr: r.Addr, Password: password, DB: r.DB, KeyPrefix: r.KeyPrefix, Key: key,
	})
}

// redisPassword reads store.redis.password_env, if set.
func redisPassword(cfg *config.Config) (credstore.Secret, error) {
	if cfg.Store.Redis.PasswordEnv == "" {
		return "", nil
	}
	password, err := credstore.ReadSecret(cfg.Store.Redis.PasswordEnv, "")
	if err != nil {
		return "", usage(fmt.Errorf("store.redis.password_env: %w", err))
	}
	return password, nil
}

// proxyCredentials are the set's credentials as the proxy takes them.
func proxyCredentials(set *credset.Set) []proxy.Credential {
	list := make([]proxy.Credential, 0, len(set.Entries()))
	for _, e := range set.Entries() {
		list = append(list, proxy.Credential{Name: e.Name, Source: e.Source})
	}
	return list
}
