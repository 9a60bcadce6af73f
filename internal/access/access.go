// Package access is what a scoped client key may do, as the proxy asks it:
// the key's capabilities in Notion's terms (package policy's endpoint
// table and body rules). It adapts policy to proxy.Authorizer; cmd builds
// one per key that has allow.
package access

import (
	"errors"

	"github.com/notion-auth-proxy/notion-auth-proxy/policy"
	"github.com/notion-auth-proxy/notion-auth-proxy/proxy"
)

// Key is a client key's policy. It is safe for concurrent use.
type Key struct {
	allow policy.Policy
}

var _ proxy.Authorizer = (*Key)(nil)

// New returns the policy of a key allowed the capabilities in allow.
func New(allow policy.Set) *Key {
	return &Key{allow: policy.Policy{Allow: allow}}
}

// NeedsBody reports whether the endpoint's rules read the body.
func (k *Key) NeedsBody(method, path string) bool { return policy.NeedsBody(method, path) }

// Authorize classifies the request by what it does and checks the key's
// capabilities. Refusals are *proxy.Denial.
func (k *Key) Authorize(method, path, rawQuery string, body []byte) error {
	c, err := policy.Classify(method, path, rawQuery, body)
	if err == nil {
		err = k.allow.Check(c)
	}
	if err == nil {
		return nil
	}
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
