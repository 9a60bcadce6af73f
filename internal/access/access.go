// Package access is what a scoped client key may do, as the proxy asks it:
// the key's capabilities in Notion's terms (package policy's endpoint
// table and body rules) and, for a key with objects, the page subtrees it
// may reach (package scope's ancestry). It adapts both to
// proxy.Authorizer; cmd builds one per key that has allow or objects.
package access

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/notion-auth-proxy/notion-auth-proxy/policy"
	"github.com/notion-auth-proxy/notion-auth-proxy/proxy"
	"github.com/notion-auth-proxy/notion-auth-proxy/scope"
)

// Key is a client key's policy. It is safe for concurrent use.
type Key struct {
	allow policy.Policy
	// roots and tree are set for a key limited to objects; rootList is
	// the roots as configured, for messages.
	roots    scope.Roots
	rootList string
	tree     *scope.Tree
}

var (
	_ proxy.Authorizer     = (*Key)(nil)
	_ proxy.ResponseFilter = (*Key)(nil)
)

// New returns the policy of a key allowed the capabilities in allow.
func New(allow policy.Set) *Key {
	return &Key{allow: policy.Policy{Allow: allow}}
}

// NewScoped returns the policy of a key allowed the capabilities in allow
// (policy.All for a key without allow) on the objects roots (ids in any
// form) and everything under them, as tree knows or finds out their
// ancestry.
func NewScoped(allow policy.Set, roots []string, tree *scope.Tree) (*Key, error) {
	set, err := scope.NewRoots(roots...)
	if err != nil {
		return nil, err
	}
	return &Key{allow: policy.Policy{Allow: allow}, roots: set, rootList: strings.Join(roots, ", "), tree: tree}, nil
}

// NeedsBody reports whether the request's body must be read: when the
// endpoint's rules read it, or, for a key with objects, when it names
// objects (a parent to create under or move to).
func (k *Key) NeedsBody(method, path string) bool { return policy.NeedsBody(method, path) }

// Authorize classifies the request by what it does, checks the key's
// capabilities and, for a key with objects, that every object the request
// names lies within the key's roots. Refusals are *proxy.Denial.
func (k *Key) Authorize(ctx context.Context, credential, method, path, rawQuery string, body []byte) error {
	c, err := policy.Classify(method, path, rawQuery, body)
	if err == nil {
		err = k.allow.Check(c)
	}
	if err != nil {
		return denial(err)
	}
	if k.tree == nil {
		return nil
	}
	for _, ref := range c.Refs {
		if err := k.within(ctx, credential, ref); err != nil {
			return err
		}
	}
	return nil
}

// within decides about one object the request names.
func (k *Key) within(ctx context.Context, credential string, ref policy.Ref) error {
	if ref.Type == policy.Workspace {
		return &proxy.Denial{Reason: outOfScope, ObjectType: "page",
			Message: "creating at the workspace level is outside the key's objects (" + k.rootList + ")"}
	}
	ok, err := k.tree.Within(ctx, credential, ref.ID, scope.ParseObjectType(ref.Type.String()), k.roots)
	switch {
	case ok:
		return nil
	case err == nil, errors.Is(err, scope.ErrNotFound), errors.Is(err, scope.ErrInvalidID), errors.Is(err, scope.ErrTooDeep):
		return &proxy.Denial{Reason: outOfScope, ObjectType: ref.Type.String(), ObjectID: ref.ID,
			Message: ref.Type.String() + " " + ref.ID + " is outside the key's objects (" + k.rootList + ")"}
	}
	// A lookup that failed decides nothing: no answer rather than a
	// wrong one.
	return &proxy.Denial{Reason: "upstream_unreachable",
		Message: "could not find out whether " + ref.Type.String() + " " + ref.ID + " lies within the key's objects"}
}

const outOfScope = "object_out_of_scope"

// FiltersResponse reports whether Filter must see the answer: every
// successful JSON answer to a key with objects, to learn where the objects
// in it sit.
func (k *Key) FiltersResponse(method, path string) bool { return k.tree != nil }

// Filter learns the parents of the objects in body and, for search and
// query answers, drops the results outside the key's objects, keeping
// has_more and next_cursor (a page of results may then be shorter than
// page_size).
func (k *Key) Filter(ctx context.Context, credential, method, path string, body []byte) ([]byte, error) {
	k.tree.LearnJSON(credential, body)
	if !listsResults(method, path) {
		return body, nil
	}
	return scope.FilterResults(body, func(id, objectType string) bool {
		ok, _ := k.tree.Within(ctx, credential, id, scope.ParseObjectType(objectType), k.roots)
		return ok
	})
}

// listsResults reports whether an answer holds search or query results,
// which may hold objects from anywhere in the workspace.
func listsResults(method, path string) bool {
	e, _, ok := policy.Match(method, path)
	return ok && method == http.MethodPost && (e.Path == "/v1/search" || strings.HasSuffix(e.Path, "/query"))
}

// denial maps policy's refusal to the proxy's.
func denial(err error) error {
	var d *policy.Denial
	if !errors.As(err, &d) {
		return &proxy.Denial{Reason: string(policy.ReasonInvalidBody), Message: "the request could not be classified"}
	}
	pd := &proxy.Denial{Reason: string(d.Reason), Message: d.Error()}
	if d.Reason == policy.ReasonCapabilityDenied {
		pd.Capability = d.Need.String()
	}
	return pd
}
