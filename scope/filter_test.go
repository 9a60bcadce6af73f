package scope_test

import (
	"bytes"
	"net/http"
	"slices"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/notion-auth-proxy/notion-auth-proxy/scope"
)

func keepIDs(ids ...string) func(id, objectType string) bool {
	return func(id, _ string) bool { return slices.Contains(ids, id) }
}

func TestFilterResults(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		keep  []string
		want  string
		asked []string // ids keep was asked about; nil: not checked
	}{
		{"drops what is out of scope, keeps the rest as it was",
			`{"object":"list","results":[{"object":"page","id":"a"},{"object":"page","id":"b"},{"id":"c","object":"data_source"}],"next_cursor":"b","has_more":true,"type":"page_or_data_source","page_or_data_source":{},"request_id":"r"}`,
			[]string{"a", "c"},
			`{"object":"list","results":[{"object":"page","id":"a"},{"id":"c","object":"data_source"}],"next_cursor":"b","has_more":true,"type":"page_or_data_source","page_or_data_source":{},"request_id":"r"}`,
			[]string{"a", "b", "c"}},
		{"keeps the layout of everything but the array",
			"{\n  \"object\": \"list\",\n  \"results\" : [ {\"id\":\"a\"} , {\"id\":\"b\"} ],\n  \"has_more\": false\n}\n",
			[]string{"b"},
			"{\n  \"object\": \"list\",\n  \"results\" : [{\"id\":\"b\"}],\n  \"has_more\": false\n}\n", nil},
		{"drops everything", `{"results":[{"id":"a"},{"id":"b"}],"has_more":true,"next_cursor":"x"}`, nil,
			`{"results":[],"has_more":true,"next_cursor":"x"}`, nil},
		{"keeps everything as it was", `{"results": [ {"id":"a"},  {"id":"b"} ] }`, []string{"a", "b"},
			`{"results": [ {"id":"a"},  {"id":"b"} ] }`, nil},
		{"drops results that are not objects with an id, without asking",
			`{"results":[1,"a",null,[],{"object":"page"},{"id":7},{"id":"a","object":"page"}]}`, []string{"a"},
			`{"results":[{"id":"a","object":"page"}]}`, []string{"a"}},
		{"unescapes the id it asks about", `{"results":[{"id":"\u0061"},{"id":"b"}]}`, []string{"a"},
			`{"results":[{"id":"\u0061"}]}`, []string{"a", "b"}},
		{"empty list", `{"object":"list","results":[],"has_more":false}`, nil,
			`{"object":"list","results":[],"has_more":false}`, []string{}},
		{"a single object is not a list", `{"object":"page","id":"b","parent":{"type":"workspace"}}`, nil,
			`{"object":"page","id":"b","parent":{"type":"workspace"}}`, []string{}},
		{"results that are not an array", `{"results":null,"has_more":false}`, nil,
			`{"results":null,"has_more":false}`, []string{}},
		{"nested results are not the list's", `{"object":"page","properties":{"results":[{"id":"b"}]}}`, nil,
			`{"object":"page","properties":{"results":[{"id":"b"}]}}`, []string{}},
		{"a top-level array", `[{"id":"b"}]`, nil, `[{"id":"b"}]`, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			asked := []string{}
			got, err := scope.FilterResults([]byte(tt.body), func(id, typ string) bool {
				asked = append(asked, id)
				return slices.Contains(tt.keep, id)
			})
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("FilterResults =\n%s\nwant\n%s", got, tt.want)
			}
			if tt.asked != nil && !slices.Equal(asked, tt.asked) {
				t.Errorf("asked about %q, want %q", asked, tt.asked)
			}
		})
	}
}

func TestFilterResultsRejects(t *testing.T) {
	for _, body := range []string{
		``, `{`, `{"results":[{"id":"a"}`, `{"results":[{"id":"a"}]}{}`, `{"results":[],"results":[]}`,
		`{"results":[{"id":"a","id":"b"}]}`, "{\"results\":[{\"id\":\"\xff\"}]}", `nope`, `{} x`,
	} {
		if got, err := scope.FilterResults([]byte(body), keepIDs("a")); err == nil {
			t.Errorf("FilterResults(%q) = %q, nil; want an error", body, got)
		}
	}
}

// TestFilterSearchFromNotion filters a page of the fake's search results:
// has_more and next_cursor stay, results outside the database go.
func TestFilterSearchFromNotion(t *testing.T) {
	w := newWorld(t)
	for _, version := range []string{"2022-06-28", current, "2026-03-11"} {
		t.Run(version, func(t *testing.T) {
			body := w.call(t, version, http.MethodPost, "/v1/search", `{"page_size":3}`)
			tree := scope.New(scope.Options{Fetch: w.fetch})
			tree.LearnJSON(credential, body)
			roots := mustRoots(t, w.db)
			got, err := scope.FilterResults(body, func(id, typ string) bool {
				ok, _ := tree.Within(t.Context(), credential, id, scope.ParseObjectType(typ), roots)
				return ok
			})
			if err != nil {
				t.Fatal(err)
			}
			in, out := members(t, body), members(t, got)
			if string(in["has_more"]) != "true" || string(in["next_cursor"]) == "null" {
				t.Fatalf("the fake's page is the last one: %s", body)
			}
			for name, v := range in {
				if name != "results" && !bytes.Equal(out[name], v) {
					t.Errorf("%s = %s, want %s", name, out[name], v)
				}
			}
			if len(out) != len(in) {
				t.Errorf("%d members, want %d", len(out), len(in))
			}
			var before, after []jsontext.Value
			if err := json.Unmarshal(in["results"], &before); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(out["results"], &after); err != nil {
				t.Fatal(err)
			}
			var want []jsontext.Value
			for _, r := range before {
				var o struct {
					ID string `json:"id"`
				}
				if err := json.Unmarshal(r, &o); err != nil {
					t.Fatal(err)
				}
				if o.ID == w.db || o.ID == w.ds || o.ID == w.row {
					want = append(want, r)
				}
			}
			if len(want) == 0 || len(want) == len(before) {
				t.Fatalf("the page holds %d results in scope of %d", len(want), len(before))
			}
			if !slices.EqualFunc(after, want, func(a, b jsontext.Value) bool { return bytes.Equal(a, b) }) {
				t.Errorf("kept %d results, want the %d under the database, as they were", len(after), len(want))
			}
		})
	}
}

// members returns the top-level members of a JSON object, raw.
func members(t testing.TB, body []byte) map[string]jsontext.Value {
	t.Helper()
	var m map[string]jsontext.Value
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
