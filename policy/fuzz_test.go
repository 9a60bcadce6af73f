package policy

import (
	"errors"
	"strings"
	"testing"
)

// concretePath fills e's template: ids where the table expects them, a
// short word elsewhere.
func concretePath(e Endpoint) string {
	var b strings.Builder
	for seg := range strings.SplitSeq(e.Path[1:], "/") {
		b.WriteByte('/')
		if strings.HasPrefix(seg, "{") {
			b.WriteString(idHex)
		} else {
			b.WriteString(seg)
		}
	}
	return b.String()
}

// FuzzClassify sends arbitrary bodies and queries to every endpoint:
// Classify must not panic, must fail only with a *Denial, and must report
// ids only in canonical form.
func FuzzClassify(f *testing.F) {
	seeds := []string{
		``, `{}`, `null`, `{"in_trash":true}`, `{"archived":"true"}`,
		`{"properties":{"a":null,"b":{"name":"c"}}}`,
		`{"type":"replace_content","replace_content":{"new_str":""}}`,
		`{"parent":{"page_id":"` + idHex + `","workspace":true}}`,
		`{"operations":[{"action":"delete"}]}`, `{"a":{"a":{"a":[1,2,{"b":null}]}}}`,
		`{"parent":{"page_id":"x","page_id":"y"}}`, "{\"\xff\":1}",
	}
	for i, s := range seeds {
		f.Add(uint8(i*7), "block_id="+idHex, []byte(s))
	}
	rows := Endpoints()
	f.Fuzz(func(t *testing.T, row uint8, query string, body []byte) {
		e := rows[int(row)%len(rows)]
		c, err := Classify(e.Method, concretePath(e), query, body)
		if err != nil {
			var d *Denial
			if !errors.As(err, &d) {
				t.Fatalf("error %v is not a *Denial", err)
			}
			_ = d.Error()
			return
		}
		if c.Endpoint.Name != e.Name || c.Op == "" {
			t.Fatalf("classified %s as %q to %q", e.Name, c.Endpoint.Name, c.Op)
		}
		for _, r := range c.Refs {
			if r.Type == Workspace && r.ID != "" || r.Type != Workspace && (len(r.ID) != 36 || hasUpper(r.ID)) {
				t.Fatalf("ref %+v is not canonical", r)
			}
		}
		_ = Policy{Allow: ReadWrite}.Check(c)
	})
}
