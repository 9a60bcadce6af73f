package policy

import "fmt"

// A Reason says why a request is refused. Its values are the proxy's
// X-Notion-Proxy-Error reasons.
type Reason string

// The reasons of a Denial.
const (
	// ReasonCapabilityDenied: the key lacks the capability the request needs.
	ReasonCapabilityDenied Reason = "capability_denied"
	// ReasonEndpointUnknown: the table has no endpoint for the request.
	ReasonEndpointUnknown Reason = "endpoint_unknown"
	// ReasonClientCredentials: the request is for an OAuth endpoint, which
	// takes the integration's client credentials; no scoped key gets them.
	ReasonClientCredentials Reason = "client_credentials_endpoint"
	// ReasonInvalidBody: the endpoint's rules need its JSON body and the
	// body is not a well-formed JSON object (duplicate member names count
	// as malformed: Notion and the policy could read them differently).
	ReasonInvalidBody Reason = "invalid_body"
	// ReasonInvalidID: a path parameter, query parameter or body field
	// that names an object does not hold a Notion id.
	ReasonInvalidID Reason = "invalid_id"
)

// A Denial is the error Classify and Policy.Check return for a request a
// scoped key may not make. Its message names the operation and, when one
// is missing, the capability. It never quotes an id or a value from the
// body; the cause of an invalid_body denial may name a member.
type Denial struct {
	Reason Reason
	// Need is the capability the request needs (capability_denied).
	Need Capability
	// Op names the operation, e.g. "trash a page"; for an unknown
	// endpoint it is the method and path.
	Op string
	// Field names the parameter or body field at fault (invalid_id).
	Field string
	// Err is the cause of an invalid_body denial.
	Err error
}

func (d *Denial) Error() string {
	switch d.Reason {
	case ReasonCapabilityDenied:
		return fmt.Sprintf("%s requires the %s capability", d.Op, d.Need)
	case ReasonEndpointUnknown:
		return fmt.Sprintf("%s is not a Notion endpoint the policy knows; a key with allow cannot use it", d.Op)
	case ReasonClientCredentials:
		return fmt.Sprintf("%s takes the integration's client credentials; no capability grants it to a scoped key", d.Op)
	case ReasonInvalidBody:
		return fmt.Sprintf("%s: malformed JSON body: %v", d.Op, d.Err)
	case ReasonInvalidID:
		return fmt.Sprintf("%s: %s is not a Notion id", d.Op, d.Field)
	}
	return fmt.Sprintf("%s: %s", d.Op, d.Reason)
}

// Unwrap returns the cause of an invalid_body denial.
func (d *Denial) Unwrap() error { return d.Err }

// A Policy is what a key's allow list compiles to. The zero Policy allows
// only what needs no capability. A Policy is a value, safe for concurrent
// use.
type Policy struct {
	Allow Set
}

// Check returns nil if p allows the classified request, and a *Denial
// otherwise: capability_denied when Allow lacks c.Need,
// client_credentials_endpoint for the OAuth endpoints, endpoint_unknown
// for a Classification of no endpoint.
func (p Policy) Check(c Classification) error {
	switch {
	case c.Endpoint.Method == "":
		return &Denial{Reason: ReasonEndpointUnknown, Op: "the request"}
	case c.Need == ClientCredentials:
		return &Denial{Reason: ReasonClientCredentials, Op: c.Op}
	case c.Need == 0 || p.Allow.Has(c.Need):
		return nil
	}
	return &Denial{Reason: ReasonCapabilityDenied, Need: c.Need, Op: c.Op}
}
