package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/notion-auth-proxy/notion-auth-proxy/credstore"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/config"
	"github.com/notion-auth-proxy/notion-auth-proxy/proxy"
)

// tokenFilePoll is how often token files are re-read: a rotated file is in
// use within this interval.
const tokenFilePoll = time.Second

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
	var password credstore.Secret
	if r.PasswordEnv != "" {
		var err error
		if password, err = credstore.ReadSecret(r.PasswordEnv, ""); err != nil {
			return nil, usage(fmt.Errorf("store.redis.password_env: %w", err))
		}
	}
	return credstore.OpenRedis(credstore.RedisOptions{
		Addr: r.Addr, Password: password, DB: r.DB, KeyPrefix: r.KeyPrefix, Key: key,
	})
}

// hooks are what credential sources report to, beyond their own state.
type hooks struct {
	log       *zap.Logger
	onRefresh func(credential, trigger, result string)
}

// credentialSet is the credential sources of one configuration, with the
// background work some of them need.
type credentialSet struct {
	list     []proxy.Credential
	byName   map[string]proxy.TokenSource
	problems map[string]error // why a credential cannot work, for check
	defs     map[string]string
	files    []*credstore.Static
	oauth    map[string]*credstore.OAuthSource
	stored   map[string]*credstore.StoredToken
	clients  map[string]*credstore.OAuthClient
	login    *credstore.Login
}

// buildCredentials makes a token source for every configured credential.
// A credential whose definition is the same as in prev keeps prev's source,
// and with it its state: a reload causes no needless login or refresh.
func buildCredentials(ctx context.Context, cfg *config.Config, store credstore.Store, h hooks, prev *credentialSet) *credentialSet {
	if h.log == nil {
		h.log = zap.NewNop()
	}
	set := &credentialSet{
		byName: map[string]proxy.TokenSource{}, problems: map[string]error{}, defs: map[string]string{},
		oauth: map[string]*credstore.OAuthSource{}, stored: map[string]*credstore.StoredToken{},
		clients: map[string]*credstore.OAuthClient{},
	}
	for _, c := range cfg.Credentials {
		def := definition(cfg, c)
		if prev != nil && prev.defs[c.Name] == def && prev.problems[c.Name] == nil {
			set.adopt(prev, c.Name)
		} else {
			set.add(ctx, cfg, c, store, h)
		}
		set.defs[c.Name] = def
		set.list = append(set.list, proxy.Credential{Name: c.Name, Source: set.byName[c.Name]})
	}
	set.login = credstore.NewLogin(credstore.LoginOptions{
		Clients: set.clients, Store: store, Log: h.log,
		OnLogin: func(name string, _ credstore.Record) { set.changed(ctx, name) },
	})
	return set
}

// definition is what makes a credential what it is: its configuration and
// the settings its token calls use. The client secret is read when the
// source is built, so a changed secret file changes the definition too; only
// a digest of it is kept.
func definition(cfg *config.Config, c config.Credential) string {
	def := fmt.Sprintf("%#v|%s|%s", c, cfg.Upstream, cfg.NotionVersion)
	if c.Type == config.TypeOAuth {
		secret, _ := credstore.ReadSecret(c.ClientSecretEnv, c.ClientSecretFile)
		sum := sha256.Sum256([]byte(secret))
		def += "|" + hex.EncodeToString(sum[:])
	}
	return def
}

// adopt takes the named credential's source from prev.
func (s *credentialSet) adopt(prev *credentialSet, name string) {
	src := prev.byName[name]
	s.byName[name] = src
	if f, ok := src.(*credstore.Static); ok && slices.Contains(prev.files, f) {
		s.files = append(s.files, f)
	}
	if o := prev.oauth[name]; o != nil {
		s.oauth[name], s.clients[name] = o, prev.clients[name]
	}
	if st := prev.stored[name]; st != nil {
		s.stored[name] = st
	}
}

// add builds a new source for c.
func (s *credentialSet) add(ctx context.Context, cfg *config.Config, c config.Credential, store credstore.Store, h hooks) {
	var src proxy.TokenSource
	switch {
	case c.Type == config.TypeOAuth:
		secret, err := credstore.ReadSecret(c.ClientSecretEnv, c.ClientSecretFile)
		if err != nil {
			s.problems[c.Name] = fmt.Errorf("client secret: %w", err)
			src = credstore.NewMissingToken(c.Name, "client secret: "+err.Error())
			break
		}
		client := credstore.NewOAuthClient(credstore.OAuthOptions{
			Upstream: cfg.Upstream, ClientID: c.ClientID, ClientSecret: secret,
			RedirectURL: c.RedirectURL, NotionVersion: cfg.NotionVersion,
		})
		var seed credstore.Secret
		if c.RefreshTokenEnv != "" {
			seed = credstore.Secret(strings.TrimSpace(os.Getenv(c.RefreshTokenEnv)))
		}
		o := credstore.NewOAuthSource(credstore.OAuthSourceOptions{
			Name: c.Name, Client: client, Store: store, Seed: seed, Log: h.log, OnRefresh: h.onRefresh,
		})
		o.Reload(ctx)
		s.clients[c.Name], s.oauth[c.Name], src = client, o, o
	case c.TokenEnv != "" || c.TokenFile != "":
		st := credstore.NewEnvToken(c.Name, c.TokenEnv, nil)
		if c.TokenFile != "" {
			st = credstore.NewFileToken(c.Name, c.TokenFile)
			s.files = append(s.files, st)
		}
		if err := st.Err(); err != nil {
			s.problems[c.Name] = err
		}
		src = st
	default:
		st := credstore.NewStoredToken(ctx, c.Name, store)
		s.stored[c.Name], src = st, st
	}
	s.byName[c.Name] = src
}

// run keeps file-backed tokens fresh and applies changes other processes
// make to the store, until ctx ends.
func (s *credentialSet) run(ctx context.Context, store credstore.Store) {
	for _, f := range s.files {
		go f.Run(ctx, tokenFilePoll)
	}
	changes := store.Changes(ctx)
	go func() {
		for name := range changes {
			s.changed(ctx, name)
		}
	}()
}

// changed makes the named credential read the store again.
func (s *credentialSet) changed(ctx context.Context, name string) {
	if o := s.oauth[name]; o != nil {
		o.Reload(ctx)
	}
	if st := s.stored[name]; st != nil {
		st.Reload(ctx)
	}
}

// loginHandler serves the current configuration's Login: a reload swaps it.
type loginHandler struct {
	current atomic.Pointer[credstore.Login]
}

func (l *loginHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.current.Load().ServeHTTP(w, r)
}
