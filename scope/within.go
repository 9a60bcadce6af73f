package scope

import (
	"context"
	"fmt"
	"time"
)

// Roots is the set of objects a scoped key reaches, with everything under
// them. The zero value holds nothing. Roots is immutable and safe for
// concurrent use.
type Roots struct {
	ids map[string]struct{}
}

// NewRoots returns the set of ids, each a Notion id in any form (with or
// without dashes, any case). It fails with ErrInvalidID for the first id
// that is not one, naming its position (from 1), not its text, which
// might be a secret pasted in the wrong place.
func NewRoots(ids ...string) (Roots, error) {
	r := Roots{ids: make(map[string]struct{}, len(ids))}
	for i, s := range ids {
		id, ok := canonicalID(s)
		if !ok {
			return Roots{}, fmt.Errorf("root %d: %w", i+1, ErrInvalidID)
		}
		r.ids[id] = struct{}{}
	}
	return r, nil
}

// Contains reports whether id, in any form, is one of the roots.
func (r Roots) Contains(id string) bool {
	id, ok := canonicalID(id)
	return ok && r.has(id)
}

// Len returns the number of roots.
func (r Roots) Len() int { return len(r.ids) }

func (r Roots) has(id string) bool {
	_, ok := r.ids[id]
	return ok
}

// Within reports whether the object id, which the caller believes to be of
// type hint (Unknown if it cannot tell), is one of roots or lies under one
// of them, as credential sees it. It walks up the parents the tree knows
// and fetches each one it does not know, once per object however many
// callers wait for it, until it meets a root (true) or the workspace
// (false). An object of type Workspace is never within.
//
// Every error comes with false: ErrInvalidID for an id that is not a
// Notion id, ErrTooDeep when the walk goes on past Options.MaxDepth links
// (a cycle), the error of Fetch (wrapping ErrNotFound for an object the
// credential cannot see), or ctx's error when ctx ends while a fetch is
// awaited. A caller that only needs the decision can ignore the error.
//
// On a warm tree Within fetches nothing and allocates nothing.
func (t *Tree) Within(ctx context.Context, credential, id string, hint ObjectType, roots Roots) (bool, error) {
	if hint == Workspace {
		return false, nil
	}
	cur, ok := canonicalID(id)
	if !ok {
		return false, fmt.Errorf("decide scope: %w", ErrInvalidID)
	}
	w := walk{id: cur, hint: hint}
	now := t.now()
	for {
		switch t.climb(credential, &w, roots, now) {
		case reachedRoot:
			return true, nil
		case reachedWorkspace:
			return false, nil
		case tooDeep:
			return false, fmt.Errorf("decide scope of %s: %w", cur, ErrTooDeep)
		}
		p, err := t.lookUp(ctx, linkKey{credential, w.id}, w.hint)
		if err != nil {
			return false, err
		}
		if p.Type == Workspace {
			return false, nil
		}
		w.up(p)
	}
}

// walk is where a decision has got to: an object, the type it is believed
// to have, and the number of links followed to reach it.
type walk struct {
	id    string
	hint  ObjectType
	depth int
}

func (w *walk) up(p Parent) { w.id, w.hint, w.depth = p.ID, p.Type, w.depth+1 }

// An outcome is where climb stopped.
type outcome uint8

const (
	unknownParent outcome = iota
	reachedRoot
	reachedWorkspace
	tooDeep
)

// climb follows from w the links the tree holds, under one hold of the
// lock, until w is a root, its parent is the workspace or unknown, or the
// depth limit is reached.
func (t *Tree) climb(credential string, w *walk, roots Roots, now time.Time) outcome {
	t.mu.Lock()
	defer t.mu.Unlock()
	for {
		if roots.has(w.id) {
			return reachedRoot
		}
		if w.depth == t.maxDepth {
			return tooDeep
		}
		p, ok := t.cachedLocked(linkKey{credential, w.id}, now)
		switch {
		case !ok:
			return unknownParent
		case p.Type == Workspace:
			return reachedWorkspace
		}
		w.up(p)
	}
}

// lookUp fetches the parent of key's object, sharing one fetch among all
// who ask for it at once, and learns it. The caller may give up when ctx
// ends; the fetch goes on for the others and for the tree.
func (t *Tree) lookUp(ctx context.Context, key linkKey, hint ObjectType) (Parent, error) {
	flight := key.credential + "\x00" + key.id
	ch := t.flights.DoChan(flight, func() (any, error) {
		// A flight that ended since the caller's miss already learned it.
		if p, ok := t.cached(key, t.now()); ok {
			return p, nil
		}
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), t.fetchTimeout)
		defer cancel()
		p, err := t.fetch(fctx, key.credential, key.id, hint)
		if err != nil {
			return nil, err
		}
		if p, err = p.normalize(); err != nil {
			return nil, err
		}
		return t.learnFetched(key, p), nil
	})
	select {
	case <-ctx.Done():
		return Parent{}, fmt.Errorf("look up parent of %s %s: %w", hint, key.id, context.Cause(ctx))
	case r := <-ch:
		if r.Err != nil {
			return Parent{}, fmt.Errorf("look up parent of %s %s: %w", hint, key.id, r.Err)
		}
		return r.Val.(Parent), nil
	}
}
