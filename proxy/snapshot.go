package proxy

import (
	"crypto/sha256"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// snapshot is one configuration, prepared for lookups. It is immutable once
// built; a reload builds a new one.
type snapshot struct {
	upstream       *url.URL
	notionVersion  string
	forceVersion   bool
	minimumVersion bool
	annotate       bool
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

// credential is a configured Credential as one snapshot sees it. Its
// runtime state (see credState) lives outside the snapshot, keyed by name,
// so it survives reloads; pacing and pauses live in the Pacer, likewise
// keyed by name.
type credential struct {
	name   string
	source TokenSource
	state  *credState
}

// credState is what the proxy learns about a credential while serving. It
// is shared by every snapshot that has a credential of that name.
type credState struct {
	rejected atomic.Pointer[string] // last static token upstream answered 401 to
	traffic  trafficRing            // the last minutes' traffic, for the status page
	metrics  *credMetrics           // the credential's children of the metric vectors
}

// credStates holds the runtime state of every credential and client key
// name seen. A snapshot takes its entries only once it has been validated
// completely, so a refused configuration changes nothing.
type credStates struct {
	mu      sync.Mutex
	metrics *metrics // set once, before the first attach
	byName  map[string]*credState
	keys    map[string]*keyStats
}

// attach gives every credential of s its runtime state, creating the
// state of a name seen for the first time. s is not yet published.
func (cs *credStates) attach(s *snapshot) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.byName == nil {
		cs.byName = make(map[string]*credState)
	}
	for _, c := range s.ordered {
		st := cs.byName[c.name]
		if st == nil {
			st = &credState{metrics: cs.metrics.forCredential(c.name)}
			cs.byName[c.name] = st
		}
		c.state = st
	}
	if cs.keys == nil {
		cs.keys = make(map[string]*keyStats)
	}
	for i := range s.clientKeys {
		k := &s.clientKeys[i]
		st := cs.keys[k.name]
		if st == nil {
			st = &keyStats{}
			cs.keys[k.name] = st
		}
		k.stats = st
	}
}

type workspace struct {
	name string
	cred *credential
}

type clientKey struct {
	name        string
	sum         [sha256.Size]byte
	credentials map[string]bool // nil allows all
	credList    []string        // the same, in configuration order, for the status page
	policy      Authorizer      // nil: the key may do whatever the credential may
	enforce     bool            // false: policy violations are logged, not refused
	stats       *keyStats
}

// keyStats counts a client key's requests and refusals, across reloads.
type keyStats struct {
	requests, refusals atomic.Int64
}

// allows reports whether the key may use the named credential. A nil key
// (no keys configured) allows every credential.
func (k *clientKey) allows(credential string) bool {
	return k == nil || k.credentials == nil || k.credentials[credential]
}

// newSnapshot compiles cfg. It changes nothing outside the value it
// returns; prev only lends the forward-proxy CA's signed certificate.
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
		minimumVersion: cfg.MinimumVersion,
		annotate:       cfg.AnnotateErrors,
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
	if err := s.addCredentials(cfg.Credentials); err != nil {
		return nil, err
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
		ck := clientKey{name: k.Name, sum: sha256.Sum256([]byte(k.Key)), policy: k.Policy, enforce: !k.Shadow,
			credList: slices.Clone(k.Credentials)}
		for _, other := range s.clientKeys {
			if other.sum == ck.sum {
				// One value, two scopes: which would apply is a guess.
				return fmt.Errorf("proxy: client keys %q and %q have the same value", other.name, k.Name)
			}
		}
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

func (s *snapshot) addCredentials(list []Credential) error {
	for _, c := range list {
		if c.Name == "" || c.Source == nil {
			return fmt.Errorf("proxy: credential %q needs a name and a source", c.Name)
		}
		if s.credentials[c.Name] != nil {
			return fmt.Errorf("proxy: duplicate credential %q", c.Name)
		}
		cr := &credential{name: c.Name, source: c.Source}
		s.credentials[c.Name] = cr
		s.ordered = append(s.ordered, cr)
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
			if wi, ok := c.source.(WorkspaceReporter); ok {
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
