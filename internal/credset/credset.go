// Package credset builds and runs the credential sources of one
// configuration: a static token from the environment, a file or the
// store, or an OAuth pair kept alive in the store. A reload builds a new
// Set from the previous one; a credential whose definition is unchanged
// keeps its source, and with it its state (needs_login, a refresh in
// flight, a polled file), and logins in progress survive any reload.
package credset

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/notion-auth-proxy/notion-auth-proxy/credstore"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/config"
)

// TokenFilePoll is how often token files are re-read: a rotated file is in
// use within this interval.
const TokenFilePoll = time.Second

// Hooks are what credential sources report to, beyond their own state.
type Hooks struct {
	Log *zap.Logger
	// OnRefresh is told of every OAuth refresh: trigger and result.
	OnRefresh func(credential, trigger, result string)
}

// Source is what every credential source is: a token supplier that can
// say how it is and which secrets it holds.
type Source interface {
	Token(ctx context.Context) (string, error)
	State() string
	Info() credstore.Info
	credstore.SecretHolder
}

// Entry is one configured credential and its source.
type Entry struct {
	Name   string
	Type   string
	Source Source
	// Problem says why the credential cannot work (a missing secret), for
	// check; nil when it can.
	Problem error

	def    definition
	file   *credstore.Static      // a token_file, polled while the set runs
	oauth  *credstore.OAuthSource // an OAuth credential
	client *credstore.OAuthClient
	stored *credstore.StoredToken // a token kept in the store (set-token)
}

// OAuth returns the entry's OAuth source, or nil for a token credential.
func (e *Entry) OAuth() *credstore.OAuthSource { return e.oauth }

// definition is what makes a credential what it is: its configuration and
// the settings its token calls use. The client secret is read when the
// source is built, so a changed secret file changes the definition too;
// only a digest of it is kept. Definitions compare with ==.
type definition struct {
	cred          config.Credential
	upstream      string
	notionVersion string
	secretDigest  [sha256.Size]byte
}

func define(cfg *config.Config, c config.Credential) definition {
	d := definition{cred: c, upstream: cfg.Upstream, notionVersion: cfg.NotionVersion}
	if c.Type == config.TypeOAuth {
		secret, _ := credstore.ReadSecret(c.ClientSecretEnv, c.ClientSecretFile)
		d.secretDigest = sha256.Sum256([]byte(secret.Reveal()))
	}
	return d
}

// Set is the credential sources of one configuration, in configuration
// order. It is safe for concurrent use once built.
type Set struct {
	entries []*Entry
	byName  map[string]*Entry
	store   credstore.Store
	*lineage
}

// lineage is what a set shares with the sets built from it: the login
// flow, and which set is running.
type lineage struct {
	login   *credstore.Login
	running atomic.Pointer[Set]
}

// Build makes a source for every configured credential. A credential whose
// definition is the same as in prev (which may be nil) keeps prev's source;
// the login flow is prev's too, with the new set's OAuth clients.
func Build(ctx context.Context, cfg *config.Config, store credstore.Store, h Hooks, prev *Set) *Set {
	if h.Log == nil {
		h.Log = zap.NewNop()
	}
	s := &Set{byName: make(map[string]*Entry), store: store}
	clients := make(map[string]*credstore.OAuthClient)
	for _, c := range cfg.Credentials {
		def := define(cfg, c)
		e := prev.entry(c.Name)
		if e == nil || e.def != def || e.Problem != nil {
			e = newEntry(ctx, cfg, c, store, h)
			e.def = def
		}
		s.entries = append(s.entries, e)
		s.byName[c.Name] = e
		if e.client != nil {
			clients[c.Name] = e.client
		}
	}
	if prev != nil {
		s.lineage = prev.lineage
		s.login.SetClients(clients)
		return s
	}
	s.lineage = &lineage{}
	s.login = credstore.NewLogin(credstore.LoginOptions{
		Clients: clients, Store: store, Log: h.Log,
		// The store's change feed reloads the source too; a login
		// through this process reloads it at once.
		OnLogin: func(name string, _ credstore.Record) {
			if running := s.running.Load(); running != nil {
				running.Changed(ctx, name)
			}
		},
	})
	return s
}

func (s *Set) entry(name string) *Entry {
	if s == nil {
		return nil
	}
	return s.byName[name]
}

// newEntry builds a new source for c.
func newEntry(ctx context.Context, cfg *config.Config, c config.Credential, store credstore.Store, h Hooks) *Entry {
	e := &Entry{Name: c.Name, Type: c.Type}
	switch {
	case c.Type == config.TypeOAuth:
		secret, err := credstore.ReadSecret(c.ClientSecretEnv, c.ClientSecretFile)
		if err != nil {
			e.Problem = fmt.Errorf("client secret: %w", err)
			e.Source = credstore.NewMissingToken(c.Name, "client secret: "+err.Error())
			break
		}
		e.client = credstore.NewOAuthClient(credstore.OAuthOptions{
			Upstream: cfg.Upstream, ClientID: c.ClientID, ClientSecret: secret,
			RedirectURL: c.RedirectURL, NotionVersion: cfg.NotionVersion,
		})
		var seed credstore.Secret
		if c.RefreshTokenEnv != "" {
			seed = credstore.Secret(strings.TrimSpace(os.Getenv(c.RefreshTokenEnv)))
		}
		e.oauth = credstore.NewOAuthSource(credstore.OAuthSourceOptions{
			Name: c.Name, Client: e.client, Store: store, Seed: seed, Log: h.Log, OnRefresh: h.OnRefresh,
		})
		e.oauth.Reload(ctx)
		e.Source = e.oauth
	case c.TokenEnv != "" || c.TokenFile != "":
		st := credstore.NewEnvToken(c.Name, c.TokenEnv, nil)
		if c.TokenFile != "" {
			st = credstore.NewFileToken(c.Name, c.TokenFile)
			e.file = st
		}
		e.Problem = st.Err()
		e.Source = st
	default:
		e.stored = credstore.NewStoredToken(ctx, c.Name, store)
		e.Source = e.stored
	}
	return e
}

// Entries returns the credentials in configuration order.
func (s *Set) Entries() []*Entry { return s.entries }

// Get returns the named credential, or nil; a nil set (none running yet)
// has none.
func (s *Set) Get(name string) *Entry { return s.entry(name) }

// Login is the OAuth login flow of the set's credentials.
func (s *Set) Login() *credstore.Login { return s.login }

// Client returns the named credential's OAuth client, or nil.
func (s *Set) Client(name string) *credstore.OAuthClient {
	if e := s.byName[name]; e != nil {
		return e.client
	}
	return nil
}

// Run keeps file-backed tokens fresh and applies changes other processes
// make to the store, until ctx ends. The set is from now on the one that
// logins report to.
func (s *Set) Run(ctx context.Context) {
	s.running.Store(s)
	for _, e := range s.entries {
		if e.file != nil {
			go e.file.Run(ctx, TokenFilePoll)
		}
	}
	changes := s.store.Changes(ctx)
	go func() {
		for name := range changes {
			s.Changed(ctx, name)
		}
	}()
}

// Changed makes the named credential read the store again.
func (s *Set) Changed(ctx context.Context, name string) {
	e := s.byName[name]
	switch {
	case e == nil:
	case e.oauth != nil:
		e.oauth.Reload(ctx)
	case e.stored != nil:
		e.stored.Reload(ctx)
	}
}

// AppendSecrets appends every secret the set's credentials hold now.
func (s *Set) AppendSecrets(dst []credstore.Secret) []credstore.Secret {
	for _, e := range s.entries {
		dst = e.Source.AppendSecrets(dst)
		if e.client != nil && e.oauth == nil {
			dst = e.client.AppendSecrets(dst)
		}
	}
	return dst
}

var _ credstore.SecretHolder = (*Set)(nil)
