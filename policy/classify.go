package policy

import (
	"net/url"
	"strings"

	"github.com/google/uuid"
)

// A Classification is what a request does, in the table's terms.
type Classification struct {
	// Endpoint is the table's row for the request.
	Endpoint Endpoint
	// Params are the path parameters, as they appear in the path.
	Params Params
	// Need is the capability the request needs, after the body rules:
	// zero for none, ClientCredentials for an OAuth endpoint.
	Need Capability
	// Op names the operation for messages: "trash a page".
	Op string
	// Refs are the objects the request names, in the order of the
	// endpoint's Objects. A field the request leaves out names nothing.
	Refs []Ref
}

// A Ref is an object a request names.
type Ref struct {
	Type ObjectType
	// ID is the object's id as a dashed lower-case UUID; "" for Workspace.
	ID string
	// In and Field say where the request names it: InBody and
	// "parent.page_id", InPath and "page_id".
	In    Location
	Field string
}

// Classify returns what a request for method, path and rawQuery with body
// does. path is as for Match; rawQuery is the URL's query without "?";
// body is read only when the endpoint's NeedsBody reports true, and may be
// nil otherwise.
//
// The error is a *Denial: endpoint_unknown for a request the table does
// not know, invalid_id for an object id that is not a Notion id,
// invalid_body for a body the rules cannot read. With invalid_id and
// invalid_body the Classification still holds the endpoint and its
// capability before the body rules. For an OAuth endpoint Classify looks
// at neither the ids nor the body; Policy.Check refuses it.
//
// Classify is safe for concurrent use. Without a body it allocates only
// the Refs slice and the canonical form of an id given in another form.
func Classify(method, path, rawQuery string, body []byte) (Classification, error) {
	e, p, ok := Match(method, path)
	if !ok {
		return Classification{}, &Denial{Reason: ReasonEndpointUnknown, Op: method + " " + path}
	}
	c := Classification{Endpoint: e, Params: p, Need: e.Need, Op: e.Op}
	if e.Need == ClientCredentials || len(e.Objects) == 0 && e.Rules == 0 {
		return c, nil
	}
	if err := c.addPathAndQueryRefs(rawQuery); err != nil {
		return c, err
	}
	if !e.NeedsBody() {
		return c, nil
	}
	top, err := parseBody(body)
	if err != nil {
		return c, c.invalidBody(err)
	}
	need, op, err := bodyNeed(e, top)
	if err != nil {
		return c, c.invalidBody(err)
	}
	if err := c.addBodyRefs(top); err != nil {
		return c, err
	}
	c.Need, c.Op = need, op
	return c, nil
}

func (c *Classification) invalidBody(err error) error {
	return &Denial{Reason: ReasonInvalidBody, Op: c.Op, Err: err}
}

func (c *Classification) invalidID(where, name string) error {
	return &Denial{Reason: ReasonInvalidID, Op: c.Op, Field: where + " " + name}
}

func (c *Classification) addRef(f Field, id string) {
	if c.Refs == nil {
		c.Refs = make([]Ref, 0, len(c.Endpoint.Objects)+1)
	}
	c.Refs = append(c.Refs, Ref{Type: f.Type, ID: id, In: f.In, Field: f.Name})
}

func (c *Classification) addPathAndQueryRefs(rawQuery string) error {
	for _, f := range c.Endpoint.Objects {
		switch f.In {
		case InPath:
			id, ok := canonicalID(c.Params.Get(f.Name))
			if !ok {
				return c.invalidID("path parameter", f.Name)
			}
			c.addRef(f, id)
		case InQuery:
			if err := c.addQueryRefs(f, rawQuery); err != nil {
				return err
			}
		}
	}
	return nil
}

// addQueryRefs adds a ref for every value of the query parameter f names.
// A key is compared after unescaping, and "name[...]" counts as name too,
// as the bracket syntax of Node's query parsers reads it; a key that does
// not unescape is left alone, as those parsers keep it verbatim.
func (c *Classification) addQueryRefs(f Field, rawQuery string) error {
	for rawQuery != "" {
		var pair string
		pair, rawQuery, _ = strings.Cut(rawQuery, "&")
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil || !(key == f.Name || len(key) > len(f.Name) && key[:len(f.Name)] == f.Name && key[len(f.Name)] == '[') {
			continue
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			return c.invalidID("query parameter", f.Name)
		}
		id, ok := canonicalID(val)
		if !ok {
			return c.invalidID("query parameter", f.Name)
		}
		c.addRef(f, id)
	}
	return nil
}

// canonicalID returns s, a Notion id of 32 hex digits with or without the
// four dashes, as a dashed lower-case UUID. An id already in that form is
// returned as is, without allocating.
func canonicalID(s string) (string, bool) {
	if len(s) != 32 && len(s) != 36 {
		return "", false
	}
	u, err := uuid.Parse(s)
	if err != nil {
		return "", false
	}
	if len(s) == 36 && !hasUpper(s) {
		return s, true
	}
	return u.String(), true
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return true
		}
	}
	return false
}
