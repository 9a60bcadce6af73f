package credstore

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"
)

// stateLifetime is how long a login's state stays valid (SPEC §6).
const stateLifetime = 10 * time.Minute

// LoginOptions configure a Login.
type LoginOptions struct {
	// Clients are the OAuth credentials that can log in, by name; see
	// also SetClients.
	Clients map[string]*OAuthClient
	Store   Store
	Log     *zap.Logger
	Now     func() time.Time
	// OnLogin is told of every completed login, after the pair is stored.
	OnLogin func(credential string, rec Record)
}

// Login runs the OAuth authorization-code flow: Start (or GET
// /oauth/start/{credential}) sends the person to Notion with a random,
// single-use state; the callback checks the state, exchanges the code and
// stores the pair. The running proxy and the login command serve the same
// Login. It is safe for concurrent use.
type Login struct {
	opts LoginOptions

	mu      sync.Mutex
	clients map[string]*OAuthClient
	pending map[string]pendingLogin // by state
}

type pendingLogin struct {
	credential string
	expires    time.Time
}

var _ http.Handler = (*Login)(nil)

// NewLogin returns a Login for the given credentials.
func NewLogin(opts LoginOptions) *Login {
	if opts.Log == nil {
		opts.Log = zap.NewNop()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Login{opts: opts, clients: opts.Clients, pending: make(map[string]pendingLogin)}
}

// SetClients replaces the credentials that can log in, as a configuration
// reload changes them. Logins in progress survive: a person half-way
// through Notion's consent page is not sent back to the start by an
// unrelated edit.
func (l *Login) SetClients(clients map[string]*OAuthClient) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.clients = clients
}

func (l *Login) client(credential string) *OAuthClient {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.clients[credential]
}

// Start begins a login for credential and returns the URL to open.
func (l *Login) Start(credential string) (string, error) {
	client := l.client(credential)
	if client == nil {
		return "", fmt.Errorf("login %s: not an OAuth credential", credential)
	}
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	state := base64.RawURLEncoding.EncodeToString(b)
	now := l.opts.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	for s, p := range l.pending {
		if now.After(p.expires) {
			delete(l.pending, s)
		}
	}
	l.pending[state] = pendingLogin{credential: credential, expires: now.Add(stateLifetime)}
	return client.AuthCodeURL(state), nil
}

// ServeHTTP serves GET /oauth/start/{credential} (a redirect to Notion) and,
// on every other path, the OAuth callback.
func (l *Login) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		page(w, http.StatusMethodNotAllowed, "Method not allowed", "Use GET.")
		return
	}
	if name, ok := strings.CutPrefix(r.URL.Path, "/oauth/start/"); ok {
		u, err := l.Start(name)
		if err != nil {
			page(w, http.StatusNotFound, "Unknown credential", fmt.Sprintf("%q is not an OAuth credential of this proxy.", name))
			return
		}
		http.Redirect(w, r, u, http.StatusFound)
		return
	}
	l.callback(w, r)
}

func (l *Login) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	credential, ok := l.take(q.Get("state"))
	if !ok {
		page(w, http.StatusBadRequest, "Login not recognised",
			"This login link is unknown, already used or older than 10 minutes. Start the login again.")
		return
	}
	if e := q.Get("error"); e != "" {
		page(w, http.StatusBadRequest, "Login cancelled", "Notion answered: "+e+". Start the login again to retry.")
		return
	}
	rec, err := l.complete(r.Context(), credential, q.Get("code"))
	if err != nil {
		// The page shows no error text: it may quote what Notion sent.
		l.opts.Log.Error("login failed", zap.String("event", "login_failed"),
			zap.String("credential", credential), zap.Error(err))
		page(w, http.StatusBadGateway, "Login failed",
			fmt.Sprintf("Credential %q could not be connected; the proxy's log says why. Start the login again.", credential))
		return
	}
	l.opts.Log.Info("login completed", zap.String("event", "login_completed"),
		zap.String("credential", credential), zap.String("workspace", rec.WorkspaceName))
	page(w, http.StatusOK, "Logged in",
		fmt.Sprintf("Credential %q is connected to the Notion workspace %q. You can close this tab.", credential, rec.WorkspaceName))
}

// take spends state if it is pending and fresh. A wrong state spends
// nothing, so a forged callback cannot cancel a real login.
func (l *Login) take(state string) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	p, ok := l.pending[state]
	if !ok || state == "" {
		return "", false
	}
	delete(l.pending, state)
	return p.credential, !l.opts.Now().After(p.expires)
}

// complete exchanges code and stores the new pair in place of any old one.
func (l *Login) complete(ctx context.Context, credential, code string) (Record, error) {
	client := l.client(credential)
	if client == nil {
		return Record{}, fmt.Errorf("login %s: no longer an OAuth credential of this configuration", credential)
	}
	grant, err := client.Exchange(ctx, code)
	if err != nil {
		return Record{}, err
	}
	now := l.opts.Now()
	rec := Record{Credential: credential, ObtainedAt: now}.withGrant(grant)
	written, err := replace(ctx, l.opts.Store, credential, rec)
	if err != nil {
		return Record{}, err
	}
	if l.opts.OnLogin != nil {
		l.opts.OnLogin(credential, written)
	}
	return written, nil
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}} - notion-auth-proxy</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;color:#222}</style>
</head><body><h1>{{.Title}}</h1><p>{{.Text}}</p><p><small>notion-auth-proxy</small></p></body></html>
`))

// page answers with a small HTML page a person can read.
func page(w http.ResponseWriter, status int, title, text string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = pageTemplate.Execute(w, struct{ Title, Text string }{title, text})
}
