package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

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
// encryption key, the Redis password) come from the environment. With
// store.backend auto it chooses once, as SPEC §18 says: the file store if
// its file exists, else the keychain if one answers, else the file store;
// chosen then says which and why ("" when the backend was configured).
func openStore(ctx context.Context, cfg *config.Config) (store credstore.Store, chosen string, err error) {
	var key []byte
	if name := cfg.Store.EncryptionKeyEnv; name != "" {
		v := os.Getenv(name)
		if v == "" {
			return nil, "", usage(fmt.Errorf("store.encryption_key_env: environment variable %s is not set", name))
		}
		var err error
		if key, err = credstore.ParseKey(v); err != nil {
			return nil, "", usage(fmt.Errorf("store.encryption_key_env %s: %w", name, err))
		}
	}
	backend := cfg.Store.Backend
	if backend == "auto" {
		b, reason, err := credstore.ChooseBackend(ctx, credstore.AutoOptions{Path: cfg.Store.Path})
		if err != nil {
			return nil, "", err
		}
		backend, chosen = b, "auto: "+reason
	}
	switch backend {
	case "redis":
		store, err = openRedis(cfg, key)
	case credstore.BackendKeychain:
		store, err = openKeychain(cfg, key)
	default:
		store, err = credstore.OpenFile(credstore.FileOptions{Path: cfg.Store.Path, Key: key})
	}
	return store, chosen, err
}

func openRedis(cfg *config.Config, key []byte) (credstore.Store, error) {
	r := cfg.Store.Redis
	password, err := redisPassword(cfg)
	if err != nil {
		return nil, err
	}
	return credstore.OpenRedis(credstore.RedisOptions{
		Addr: r.Addr, Password: password, DB: r.DB, KeyPrefix: r.KeyPrefix, Key: key,
	})
}

// openKeychain opens the OS keychain store, with its lock files beside
// where the file store's file would be.
func openKeychain(cfg *config.Config, key []byte) (credstore.Store, error) {
	path := cfg.Store.Path
	if path == "" {
		var err error
		if path, err = credstore.DefaultPath(); err != nil {
			return nil, err
		}
	}
	return credstore.OpenKeychain(credstore.KeychainOptions{Key: key, LockDir: filepath.Dir(path)})
}

// describeStore names a store for people: "file PATH", "the keychain
// (service notion-auth-proxy)", "redis ADDR db N".
func describeStore(s credstore.Store) string {
	if n, ok := s.(fmt.Stringer); ok {
		return n.String()
	}
	return "the credential store"
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
