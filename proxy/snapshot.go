package proxy

import (
	"crypto/sha256"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// snapshot is one configuration, prepared for lookups. It is immutable once
// built; a reload builds a new one.
type snapshot struct {
	upstream       *url.URL
	notionVersion  string
	forceVersion   bool
	maxBodyBytes   int64
	credentials    map[string]*credential
	ordered        []*credential // config order, for /readyz and metrics
	workspaces     map[string]*workspace
	workspaceNames []string // sorted, for unknown_workspace messages
	routes         []Route
	defaultCred    *credential
	allowedHosts   map[string]bool
	allowedOrigins map[string]bool
	clientKeys     []clientKey
	rateLimit      RateLimit
	retry          Retry
	forward        *forwardCA // nil unless forward-proxy mode is on
}

// credential is a Credential plus the proxy's state about it. The state
// survives reloads that keep the credential's source.
type credential struct {
	name     string
	source   TokenSource
	limiter  *rate.Limiter          // nil when pacing is off
	rejected atomic.Pointer[string] // last token upstream answered 401 to
	paused   atomic.Int64           // UnixNano until which upstream asked us to wait
}

// pause holds the credential's requests until until, as the upstream asked
// with a 429 or 529. A shorter pause never cuts a longer one short.
func (c *credential) pause(until time.Time) {
	n := until.UnixNano()
	for {
		cur := c.paused.Load()
		if cur >= n || c.paused.CompareAndSwap(cur, n) {
			return
		}
	}
}

// pausedFor returns how long the credential is still paused at now.
func (c *credential) pausedFor(now time.Time) time.Duration {
	return max(time.Duration(c.paused.Load()-now.UnixNano()), 0)
}

type workspace struct {
	name string
	cred *credential
}

type clientKey struct {
	name        string
	sum         [sha256.Size]byte
	credentials map[string]bool // nil allows all
}

func newSnapshot(cfg Config, prev *snapshot) (*snapshot, error) {
	if cfg.Upstream == nil || cfg.Upstream.Host == "" {
		return nil, fmt.Errorf("proxy: upstream URL with a host is required")
	}
	if cfg.MaxBodyBytes <= 0 {
		return nil, fmt.Errorf("proxy: max body bytes must be positive")
	}
	if cfg.Retry.MaxAttempts < 1 {
		cfg.Retry.MaxAttempts = 1
	}
	s := &snapshot{
		upstream:       cfg.Upstream,
		notionVersion:  cfg.NotionVersion,
		forceVersion:   cfg.ForceVersion,
		maxBodyBytes:   cfg.MaxBodyBytes,
		credentials:    make(map[string]*credential, len(cfg.Credentials)),
		workspaces:     make(map[string]*workspace),
		routes:         slices.Clone(cfg.Routes),
		allowedHosts:   make(map[string]bool),
		allowedOrigins: make(map[string]bool),
		rateLimit:      cfg.RateLimit,
		retry:          cfg.Retry,
	}
	s.forward = newForwardCA(cfg.ForwardCA, prev)
	for _, c := range cfg.Credentials {
		if c.Name == "" || c.Source == nil {
			return nil, fmt.Errorf("proxy: credential %q needs a name and a source", c.Name)
		}
		if s.credentials[c.Name] != nil {
			return nil, fmt.Errorf("proxy: duplicate credential %q", c.Name)
		}
		old := prev.lookupCredential(c.Name)
		cr := &credential{name: c.Name, source: c.Source}
		if old != nil && old.source == c.Source {
			cr = old
		}
		var prevLimiter *rate.Limiter
		if old != nil {
			prevLimiter = old.limiter // pacing is per credential name
		}
		cr.limiter = newLimiter(cfg.RateLimit, prevLimiter)
		s.credentials[c.Name] = cr
		s.ordered = append(s.ordered, cr)
	}
	if err := s.addWorkspaces(cfg.Workspaces); err != nil {
		return nil, err
	}
	for _, rt := range cfg.Routes {
		if s.credentials[rt.Credential] == nil {
			return nil, fmt.Errorf("proxy: route %s names unknown credential %q", rt.PathPrefix, rt.Credential)
		}
	}
	switch {
	case cfg.DefaultCredential != "":
		if s.defaultCred = s.credentials[cfg.DefaultCredential]; s.defaultCred == nil {
			return nil, fmt.Errorf("proxy: unknown default credential %q", cfg.DefaultCredential)
		}
	case len(s.ordered) == 1:
		s.defaultCred = s.ordered[0]
	}
	for _, host := range cfg.AllowedHosts {
		s.allowedHosts[strings.ToLower(host)] = true
	}
	for _, origin := range cfg.AllowedOrigins {
		s.allowedOrigins[strings.ToLower(strings.TrimSuffix(origin, "/"))] = true
	}
	return s, s.addClientKeys(cfg.ClientKeys)
}

func (s *snapshot) lookupCredential(name string) *credential {
	if s == nil {
		return nil
	}
	return s.credentials[name]
}

func (s *snapshot) addWorkspaces(list []Workspace) error {
	for _, w := range list {
		cr := s.credentials[w.Credential]
		if cr == nil {
			return fmt.Errorf("proxy: workspace %q names unknown credential %q", w.Name, w.Credential)
		}
		ws := &workspace{name: w.Name, cred: cr}
		keys := []string{w.Name}
		if w.ID != "" {
			id, ok := normalizeID(w.ID)
			if !ok {
				return fmt.Errorf("proxy: workspace %q has an invalid id", w.Name)
			}
			keys = append(keys, id)
		}
		for _, k := range keys {
			if s.workspaces[k] != nil {
				return fmt.Errorf("proxy: duplicate workspace %q", k)
			}
			s.workspaces[k] = ws
		}
		s.workspaceNames = append(s.workspaceNames, w.Name)
	}
	sort.Strings(s.workspaceNames)
	return nil
}

func (s *snapshot) addClientKeys(keys []ClientKey) error {
	for _, k := range keys {
		if k.Key == "" {
			return fmt.Errorf("proxy: client key %q is empty", k.Name)
		}
		ck := clientKey{name: k.Name, sum: sha256.Sum256([]byte(k.Key))}
		if len(k.Credentials) > 0 {
			ck.credentials = make(map[string]bool, len(k.Credentials))
			for _, c := range k.Credentials {
				if s.credentials[c] == nil {
					return fmt.Errorf("proxy: client key %q names unknown credential %q", k.Name, c)
				}
				ck.credentials[c] = true
			}
		}
		s.clientKeys = append(s.clientKeys, ck)
	}
	return nil
}

// findWorkspace resolves a workspace name or id.
func (s *snapshot) findWorkspace(key string) *workspace {
	if ws := s.workspaces[key]; ws != nil {
		return ws
	}
	if id, ok := normalizeID(key); ok {
		if ws := s.workspaces[id]; ws != nil {
			return ws
		}
		for _, c := range s.ordered {
			if wi, ok := c.source.(interface{ WorkspaceID() string }); ok {
				if cid, ok := normalizeID(wi.WorkspaceID()); ok && cid == id {
					return &workspace{name: id, cred: c}
				}
			}
		}
	}
	return nil
}

func (s *snapshot) unknownWorkspace(key string) *proxyError {
	known := "none are configured"
	if len(s.workspaceNames) > 0 {
		known = "known workspaces: " + strings.Join(s.workspaceNames, ", ")
	}
	return newError(reasonUnknownWorkspace, "unknown workspace %q; %s", key, known)
}
