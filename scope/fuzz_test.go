package scope_test

import (
	"bytes"
	"context"
	"hash/fnv"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/notion-auth-proxy/notion-auth-proxy/scope"
)

// seeds are bodies of the shapes Notion answers with, and odd ones.
var seeds = []string{
	`{"object":"list","results":[{"object":"page","id":"1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b","parent":{"type":"data_source_id","data_source_id":"2b3c4d5e-6f70-4182-9a3b-4c5d6e7f8091","database_id":"3c4d5e6f-7081-4293-8b4c-5d6e7f8091a2"}}],"next_cursor":"x","has_more":true}`,
	`{"object":"database","id":"3c4d5e6f-7081-4293-8b4c-5d6e7f8091a2","parent":{"type":"workspace","workspace":true},"data_sources":[{"id":"2b3c4d5e-6f70-4182-9a3b-4c5d6e7f8091","name":"x"}]}`,
	`{"object":"data_source","id":"2b3c4d5e-6f70-4182-9a3b-4c5d6e7f8091","parent":{"type":"database_id","database_id":"3c4d5e6f70814293 8b4c5d6e7f8091a2"},"database_parent":{"type":"block_id","block_id":"1f2e3d4c5b6a47988a7b6c5d4e3f2a1b"}}`,
	`{"object":"comment","id":"1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b","discussion_id":"2b3c4d5e-6f70-4182-9a3b-4c5d6e7f8091","parent":{"type":"block_id","block_id":"3c4d5e6f-7081-4293-8b4c-5d6e7f8091a2"}}`,
	`{"results":[1,null,{"id":"\u0061"},[{"id":"b"}]],"results2":{}}`,
	`[{"id":"a"}]`, `"x"`, `{"results":[]}`, ``, `{`, `{"a":1}{"b":2}`,
}

func FuzzLearnJSON(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		tree := scope.New(scope.Options{})
		orig := bytes.Clone(body)
		tree.LearnJSON(credential, body)
		if !bytes.Equal(body, orig) {
			t.Fatal("LearnJSON changed its input")
		}
		// A walk over whatever was learned ends, in a decision or an error.
		for _, typ := range []scope.ObjectType{scope.Page, scope.Unknown} {
			_, _ = tree.Within(context.Background(), credential, "1f2e3d4c5b6a47988a7b6c5d4e3f2a1b", typ, scope.Roots{})
		}
		if p, err := scope.ParentFromJSON(body); err == nil && p.Type == scope.Unknown {
			t.Fatalf("ParentFromJSON = %v with no error", p)
		}
	})
}

// keepHash keeps about half of the ids, always the same half.
func keepHash(id, typ string) bool {
	h := fnv.New32a()
	h.Write([]byte(id + typ))
	return h.Sum32()%2 == 0
}

func FuzzFilterResults(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		orig := bytes.Clone(body)
		got, err := scope.FilterResults(body, keepHash)
		if !bytes.Equal(body, orig) {
			t.Fatal("FilterResults changed its input")
		}
		if err != nil {
			return
		}
		if !jsontext.Value(got).IsValid() {
			t.Fatalf("FilterResults(%q) = %q, not valid JSON", body, got)
		}
		var in, out map[string]jsontext.Value
		if json.Unmarshal(body, &in) != nil {
			if !bytes.Equal(got, body) {
				t.Fatalf("FilterResults changed %q, not an object, to %q", body, got)
			}
			return
		}
		if err := json.Unmarshal(got, &out); err != nil || len(out) != len(in) {
			t.Fatalf("FilterResults(%q) = %q: %v", body, got, err)
		}
		for name, v := range in {
			if name == "results" {
				checkFiltered(t, v, out[name])
			} else if !bytes.Equal(bytes.TrimSpace(out[name]), bytes.TrimSpace(v)) {
				t.Fatalf("member %q changed from %q to %q", name, v, out[name])
			}
		}
	})
}

// checkFiltered checks that out holds exactly the results of in that
// keepHash keeps, as they were.
func checkFiltered(t *testing.T, in, out jsontext.Value) {
	t.Helper()
	var before, after []jsontext.Value
	if json.Unmarshal(in, &before) != nil {
		if !bytes.Equal(in, out) {
			t.Fatalf("results that are no array changed from %q to %q", in, out)
		}
		return
	}
	if err := json.Unmarshal(out, &after); err != nil {
		t.Fatalf("results %q: %v", out, err)
	}
	var want []jsontext.Value
	for _, r := range before {
		if id, typ, ok := idAndType(r); ok && keepHash(id, typ) {
			want = append(want, r)
		}
	}
	if len(after) != len(want) {
		t.Fatalf("kept %d results of %q, want %d", len(after), in, len(want))
	}
	for i := range want {
		if !bytes.Equal(after[i], want[i]) {
			t.Fatalf("result %d is %q, want %q", i, after[i], want[i])
		}
	}
}

// idAndType returns the string members "id" (required) and "object" ("" if
// not a string) of the result r, a model of what FilterResults asks keep.
func idAndType(r jsontext.Value) (id, typ string, ok bool) {
	var m map[string]jsontext.Value
	if r.Kind() != '{' || json.Unmarshal(r, &m) != nil {
		return "", "", false
	}
	if json.Unmarshal(m["id"], &id) != nil || m["id"].Kind() != '"' || id == "" {
		return "", "", false
	}
	if m["object"].Kind() == '"' {
		_ = json.Unmarshal(m["object"], &typ)
	}
	return id, typ, true
}
