package scope

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"golang.org/x/sync/singleflight"
)

// Defaults of Options.
const (
	DefaultSize         = 100_000
	DefaultTTL          = 10 * time.Minute
	DefaultMaxDepth     = 64
	DefaultFetchTimeout = 30 * time.Second
)

// A FetchFunc looks up the parent of the object id with credential, for
// Tree.Within when the tree does not know it. hint is the type the caller
// believes id has: for the object Within was asked about, the type it was
// given; for an ancestor, the type its child's parent object reported
// (Page, Database, DataSource or Block). With Unknown, or when the
// endpoint for hint answers 404, the function may try the other endpoints
// in turn: GET /v1/pages/{id}, /v1/databases/{id}, /v1/blocks/{id} and
// /v1/data_sources/{id} (and /v1/comments/{id} for a Comment). Notion has
// no endpoint for a Discussion.
//
// It returns the parent the object's JSON names (ParentFromJSON reads it)
// or an error: one wrapping ErrNotFound when the object is not visible to
// credential, any other for a failure. Every error makes Within answer
// false; the tree does not cache errors. The function may also pass the
// body to LearnJSON, which learns the other links it holds (a data
// source's database_parent). ctx is detached from the cancellation of the
// callers, who may give up while the lookup goes on, and ends after
// Options.FetchTimeout. It must be safe for concurrent use.
type FetchFunc func(ctx context.Context, credential, id string, hint ObjectType) (Parent, error)

// Options configure a Tree. The zero value of a field is its default.
type Options struct {
	// Fetch looks up unknown parents. Nil: an unknown parent is not
	// found (ErrNotFound) and Within answers false.
	Fetch FetchFunc
	// Size bounds the number of links kept, over all credentials; the
	// least recently used go first. Default DefaultSize.
	Size int
	// TTL is how long a link is believed after it was learned or
	// fetched. Default DefaultTTL.
	TTL time.Duration
	// MaxDepth bounds the number of parent links Within follows.
	// Default DefaultMaxDepth.
	MaxDepth int
	// FetchTimeout bounds one call of Fetch. Default DefaultFetchTimeout.
	FetchTimeout time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// A Tree is what the proxy knows of the ancestry of Notion objects, per
// credential: each object's parent, learned from responses or fetched,
// bounded in number and in age. The credential arguments of its methods
// are the caller's names for credentials (a token would do, but is not
// needed); the package puts them in no error. Its methods are safe for
// concurrent use.
type Tree struct {
	fetch        FetchFunc
	ttl          time.Duration
	maxDepth     int
	fetchTimeout time.Duration
	now          func() time.Time

	mu    sync.Mutex
	links *simplelru.LRU[linkKey, link]

	flights singleflight.Group
}

// linkKey names one object as one credential sees it.
type linkKey struct{ credential, id string }

// link is a learned parent and when it stops being believed.
type link struct {
	parent  Parent
	expires time.Time
}

// New returns an empty Tree with options o.
func New(o Options) *Tree {
	t := &Tree{
		fetch:        o.Fetch,
		ttl:          orDefault(o.TTL, DefaultTTL),
		maxDepth:     orDefault(o.MaxDepth, DefaultMaxDepth),
		fetchTimeout: orDefault(o.FetchTimeout, DefaultFetchTimeout),
		now:          o.Now,
	}
	if t.fetch == nil {
		t.fetch = func(context.Context, string, string, ObjectType) (Parent, error) {
			return Parent{}, ErrNotFound
		}
	}
	if t.now == nil {
		t.now = time.Now
	}
	// NewLRU fails only for a size that is not positive.
	t.links, _ = simplelru.NewLRU[linkKey, link](orDefault(o.Size, DefaultSize), nil)
	return t
}

func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Learn records that the object id lives under parent, as credential sees
// it, for the TTL from now, replacing what the tree knew. It fails with
// ErrInvalidID or ErrNoParent, learning nothing, when id or parent is not
// one Notion could report.
func (t *Tree) Learn(credential, id string, parent Parent) error {
	key, p, err := checkLink(credential, id, parent)
	if err != nil {
		return err
	}
	t.mu.Lock()
	t.links.Add(key, link{parent: p, expires: t.now().Add(t.ttl)})
	t.mu.Unlock()
	return nil
}

// Moved records that the object id now lives under newParent, after a
// move through the proxy. Objects below id follow it, as they name id as
// their parent. It is Learn under the name of the caller's intent.
func (t *Tree) Moved(credential, id string, newParent Parent) error {
	return t.Learn(credential, id, newParent)
}

// Forget drops what the tree knows of the parent of id for credential, so
// that the next decision that needs it fetches it again.
func (t *Tree) Forget(credential, id string) {
	if id, ok := canonicalID(id); ok {
		t.mu.Lock()
		t.links.Remove(linkKey{credential, id})
		t.mu.Unlock()
	}
}

// Lookup returns the parent of id for credential if the tree knows it and
// it has not expired.
func (t *Tree) Lookup(credential, id string) (Parent, bool) {
	id, ok := canonicalID(id)
	if !ok {
		return Parent{}, false
	}
	return t.cached(linkKey{credential, id}, t.now())
}

// Len returns the number of links held, expired ones included until they
// are read or evicted.
func (t *Tree) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.links.Len()
}

// cached returns the parent held for key, dropping it when expired at now.
func (t *Tree) cached(key linkKey, now time.Time) (Parent, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cachedLocked(key, now)
}

// cachedLocked is cached for a caller holding t.mu.
func (t *Tree) cachedLocked(key linkKey, now time.Time) (Parent, bool) {
	l, ok := t.links.Get(key)
	if !ok {
		return Parent{}, false
	}
	if !now.Before(l.expires) {
		t.links.Remove(key)
		return Parent{}, false
	}
	return l.parent, true
}

// learnFetched stores p, fetched for key, unless a link was learned while
// the fetch ran (a response or a move is fresher than the lookup), and
// returns the parent the tree then holds.
func (t *Tree) learnFetched(key linkKey, p Parent) Parent {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if l, ok := t.links.Peek(key); ok && now.Before(l.expires) {
		return l.parent
	}
	t.links.Add(key, link{parent: p, expires: now.Add(t.ttl)})
	return p
}

// checkLink validates and canonicalises a link.
func checkLink(credential, id string, parent Parent) (linkKey, Parent, error) {
	cid, ok := canonicalID(id)
	if !ok {
		return linkKey{}, Parent{}, fmt.Errorf("learn parent: %w", ErrInvalidID)
	}
	p, err := parent.normalize()
	if err != nil {
		return linkKey{}, Parent{}, fmt.Errorf("learn parent of %s: %w", cid, err)
	}
	return linkKey{credential, cid}, p, nil
}
