package policy

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// object is a decoded JSON object whose members are left raw. The decoder
// matches names exactly and rejects duplicate names, so a body cannot say
// one thing to the policy and another to Notion.
type object map[string]jsontext.Value

var errNotObject = errors.New("the body is not a JSON object")

// parseBody decodes the top level of a JSON body. An empty body is an
// empty object.
func parseBody(body []byte) (object, error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return object{}, nil
	}
	if trimmed[0] != '{' {
		return nil, errNotObject
	}
	var top object
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, err // Denial says what it is: a malformed JSON body
	}
	return top, nil
}

// member returns the value at a dotted path, "parent.page_id". It reports
// false when the value or an object on the way to it is absent or null,
// and fails when something on the way is not an object. Objects on the way
// are decoded once and kept in seen, by their own dotted path.
func (o object) member(path string, seen map[string]object) (jsontext.Value, bool, error) {
	cur, start := o, 0
	for {
		end := strings.IndexByte(path[start:], '.')
		if end < 0 {
			v, ok := cur[path[start:]]
			return v, ok && v.Kind() != 'n', nil
		}
		end += start
		prefix := path[:end]
		next, ok := seen[prefix]
		if !ok {
			v, present := cur[path[start:end]]
			if !present || v.Kind() == 'n' {
				return nil, false, nil
			}
			var err error
			if next, err = decodeObject(v, prefix); err != nil {
				return nil, false, err
			}
			seen[prefix] = next
		}
		cur, start = next, end+1
	}
}

func decodeObject(v jsontext.Value, name string) (object, error) {
	if v.Kind() != '{' {
		return nil, fmt.Errorf("%s is not a JSON object", name)
	}
	var o object
	if err := json.Unmarshal(v, &o); err != nil {
		return nil, fmt.Errorf("decode %s: %w", name, err)
	}
	return o, nil
}

// isTrue reports whether name holds the JSON literal true; the string
// "true" is not.
func (o object) isTrue(name string) bool {
	v, ok := o[name]
	return ok && v.Kind() == 't'
}

// str returns the string name holds, or "" if it holds none.
func (o object) str(name string) string {
	v, ok := o[name]
	if !ok || v.Kind() != '"' {
		return ""
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return ""
	}
	return s
}

// addBodyRefs adds a ref for every body field of the endpoint the body
// sets. A workspace parent is named by any value but false and null.
func (c *Classification) addBodyRefs(top object) error {
	seen := make(map[string]object)
	for _, f := range c.Endpoint.Objects {
		if f.In != InBody {
			continue
		}
		v, ok, err := top.member(f.Name, seen)
		if err != nil {
			return c.invalidBody(err)
		}
		if !ok {
			continue
		}
		if f.Type == Workspace {
			if v.Kind() != 'f' {
				c.addRef(f, "")
			}
			continue
		}
		var s string
		if v.Kind() != '"' || json.Unmarshal(v, &s) != nil {
			return c.invalidID("body field", f.Name)
		}
		id, ok := canonicalID(s)
		if !ok {
			return c.invalidID("body field", f.Name)
		}
		c.addRef(f, id)
	}
	if c.Endpoint.Rules&RuleNoParentIsWorkspace != 0 && !c.namesParent() {
		c.addRef(Field{InBody, "parent", Workspace}, "")
	}
	return nil
}

func (c *Classification) namesParent() bool {
	for _, r := range c.Refs {
		if r.In == InBody && strings.HasPrefix(r.Field, "parent.") {
			return true
		}
	}
	return false
}
