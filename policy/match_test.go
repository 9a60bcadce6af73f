package policy

import (
	"testing"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		method, path string
		want         string // endpoint name; "" for none
		params       map[string]string
	}{
		{"GET", "/v1/users/me", "getSelf", nil},
		{"GET", "/v1/users/" + idHex, "getUser", map[string]string{"user_id": idHex}},
		{"POST", "/v1/agents/query", "queryAgents", nil},
		{"POST", "/v1/agents/batch", "agentBatch", nil},
		{"GET", "/v1/agents/query", "getAgent", map[string]string{"agent_id": "query"}},
		{"POST", "/v1/blocks/meeting_notes/query", "queryMeetingNotes", nil},
		{"POST", "/v1/sessions/query", "querySessions", nil},
		{"HEAD", "/v1/pages/" + idHex, "getPage", map[string]string{"page_id": idHex}},
		{"GET", "/v1/views/v/queries/q", "getViewQueryResults", map[string]string{"view_id": "v", "query_id": "q"}},
		{"GET", "/v1/pages/p/properties/%3AT", "getPageProperty", map[string]string{"page_id": "p", "property_id": "%3AT"}},
		{"GET", "/v1/pages/" + idHex + "/", "", nil},
		{"GET", "/v1/pages//markdown", "", nil},
		{"GET", "/v1/pages/", "", nil},
		{"GET", "/v1/Pages/" + idHex, "", nil},
		{"get", "/v1/pages/" + idHex, "", nil},
		{"PUT", "/v1/pages/" + idHex, "", nil},
		{"OPTIONS", "/v1/search", "", nil},
		{"GET", "/v1/search", "", nil},
		{"POST", "/v1/search/", "", nil},
		{"POST", "v1/search", "", nil},
		{"POST", "/v2/search", "", nil},
		{"GET", "/v1/pages/a/b/c/d", "", nil},
		{"GET", "", "", nil},
	}
	for _, tc := range tests {
		e, p, ok := Match(tc.method, tc.path)
		if ok != (tc.want != "") || e.Name != tc.want {
			t.Errorf("Match(%q, %q) = %q, %v; want %q", tc.method, tc.path, e.Name, ok, tc.want)
			continue
		}
		if p.Len() != len(tc.params) {
			t.Errorf("Match(%q, %q) has %d params; want %v", tc.method, tc.path, p.Len(), tc.params)
		}
		for name, value := range tc.params {
			if got := p.Get(name); got != value {
				t.Errorf("Match(%q, %q) param %s = %q; want %q", tc.method, tc.path, name, got, value)
			}
		}
	}
}

func TestUnknownEndpointIsRefused(t *testing.T) {
	for _, tc := range []struct{ method, path string }{
		{"GET", "/v1/workspaces"}, {"PUT", "/v1/pages/" + idHex}, {"PATCH", "/v1/pages/" + idHex + "/"},
	} {
		c, err := Classify(tc.method, tc.path, "", nil)
		if d := denial(t, err); d.Reason != ReasonEndpointUnknown {
			t.Errorf("%s %s: reason %q; want endpoint_unknown", tc.method, tc.path, d.Reason)
		}
		if err := (Policy{Allow: All}).Check(c); err == nil {
			t.Errorf("%s %s: Check of the empty Classification allowed it", tc.method, tc.path)
		}
	}
}

func TestNeedsBody(t *testing.T) {
	tests := []struct {
		method, path string
		want         bool
	}{
		{"PATCH", pagePath, true},
		{"PATCH", blockPath + "/children", true},
		{"PATCH", markdownPath, true},
		{"PATCH", dsPath, true},
		{"POST", "/v1/pages", true},
		{"POST", pagePath + "/move", true},
		{"POST", "/v1/comments", true},
		{"POST", "/v1/agents/batch", true},
		{"POST", "/v1/search", false},
		{"POST", dsPath + "/query", false},
		{"POST", "/v1/file_uploads/" + idHex + "/send", false},
		{"POST", "/v1/file_uploads", false},
		{"POST", "/v1/oauth/token", false},
		{"GET", pagePath, false},
		{"GET", "/v1/comments", false},
		{"DELETE", blockPath, false},
		{"POST", "/v1/unknown", false},
	}
	for _, tc := range tests {
		if got := NeedsBody(tc.method, tc.path); got != tc.want {
			t.Errorf("NeedsBody(%s %s) = %v; want %v", tc.method, tc.path, got, tc.want)
		}
	}
}

// TestBodyIgnoredWhereItDoesNotCount: an endpoint that does not need its
// body is judged without it, even if one is passed.
func TestBodyIgnoredWhereItDoesNotCount(t *testing.T) {
	c, err := Classify("POST", "/v1/search", "", []byte(`{"in_trash":true`))
	if err != nil || c.Need != Read {
		t.Errorf("search with a broken body = %v, %v; want read, nil", c.Need, err)
	}
}

func TestMatchDoesNotAllocate(t *testing.T) {
	path := "/v1/pages/" + idDashed + "/markdown"
	allocs := testing.AllocsPerRun(100, func() {
		if _, _, ok := Match("PATCH", path); !ok {
			t.Fatal("no match")
		}
	})
	if allocs != 0 {
		t.Errorf("Match allocates %v times per call; want 0", allocs)
	}
}
