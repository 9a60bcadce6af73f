package proxy

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestNotSharedDiagnosis(t *testing.T) {
	compact := strings.ToUpper(strings.ReplaceAll(unsharedPage, "-", ""))
	tests := []struct {
		name, method, path, body, wantType string
	}{
		{"page by compact upper-case id", "GET", "/v1/pages/" + compact, "", "page"},
		{"page by dashed id", "GET", "/v1/pages/" + unsharedPage, "", "page"},
		{"database", "GET", "/v1/databases/" + unsharedPage, "", "database"},
		{"block children", "GET", "/v1/blocks/" + unsharedPage + "/children", "", "block"},
		{"through a workspace prefix", "GET", "/w/acme/v1/pages/" + unsharedPage, "", "page"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, nil)
			resp := r.do(tt.method, tt.path, nil)
			raw := readAll(t, resp.Body)
			var body struct{ Object, Code, Message string }
			if err := json.Unmarshal([]byte(raw), &body); err != nil {
				t.Fatalf("client got a damaged body %q: %v", raw, err)
			}
			if resp.StatusCode != 404 || body.Code != "object_not_found" || !strings.Contains(body.Message, "Could not find") {
				t.Fatalf("client got %d %+v, want Notion's own 404", resp.StatusCode, body)
			}
			if resp.Header.Get("X-Notion-Proxy-Error") != "" {
				t.Error("an upstream answer was marked as a proxy error")
			}
			diag := resp.Header.Get("X-Notion-Proxy-Diagnosis")
			cred := resp.Header.Get("X-Notion-Proxy-Credential")
			for _, want := range []string{tt.wantType + " " + unsharedPage, `integration "` + cred + `"`, "Connections"} {
				if !strings.Contains(diag, want) {
					t.Errorf("diagnosis %q lacks %q", diag, want)
				}
			}
			logs := r.events("not_shared")
			if len(logs) != 1 {
				t.Fatalf("%d not_shared events, want 1", len(logs))
			}
			f := logs[0].ContextMap()
			if f["object_id"] != unsharedPage || f["object_type"] != tt.wantType || f["credential"] != cred ||
				f["method"] != tt.method || f["notion_request_id"] != resp.Header.Get("X-Notion-Request-Id") ||
				!strings.Contains(f["hint"].(string), "••• > Connections") || logs[0].Level.String() != "warn" {
				t.Errorf("not_shared fields: %v", f)
			}
		})
	}
}

func TestSharedAndOtherErrorsAreNotDiagnosed(t *testing.T) {
	r := newRig(t, nil)
	if resp := r.do("GET", "/v1/pages/"+sharedPage, nil); resp.StatusCode != 200 || resp.Header.Get("X-Notion-Proxy-Diagnosis") != "" {
		t.Errorf("shared page: %d, diagnosis %q", resp.StatusCode, resp.Header.Get("X-Notion-Proxy-Diagnosis"))
	}
	r.fake.FailNext(1, 404, "invalid_request_url", "Invalid request URL.")
	if resp := r.do("GET", "/v1/pages/"+sharedPage, nil); resp.Header.Get("X-Notion-Proxy-Diagnosis") != "" {
		t.Error("a 404 that is not object_not_found was diagnosed")
	}
	if n := len(r.events("not_shared")); n != 0 {
		t.Errorf("%d not_shared events, want 0", n)
	}
}

func TestNotSharedEndpoint(t *testing.T) {
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	r := newRig(t, nil)
	r.handler.now = func() time.Time { now = now.Add(time.Second); return now }
	r.do("GET", "/v1/pages/"+unsharedPage, nil)
	r.do("PATCH", "/v1/pages/"+strings.ReplaceAll(unsharedPage, "-", ""), strings.NewReader(`{}`))
	r.do("GET", "/w/acme/v1/databases/"+sharedPage, nil)

	resp := r.do("GET", "/not-shared", nil)
	var list []NotShared
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("got %d entries, want 2: %+v", len(list), list)
	}
	db, page := list[0], list[1] // most recent first
	if db.Credential != "partner" || db.ObjectType != "database" || db.ObjectID != sharedPage || db.Count != 1 {
		t.Errorf("database entry: %+v", db)
	}
	if page.Credential != "wiki" || page.ObjectID != unsharedPage || page.Count != 2 || page.LastMethod != "PATCH" ||
		!page.FirstSeen.Before(page.LastSeen) || !strings.HasPrefix(page.LastPath, "/v1/pages/") {
		t.Errorf("page entry: %+v", page)
	}
	metrics := readAll(t, r.do("GET", "/metrics", nil).Body)
	if !strings.Contains(metrics, `notion_proxy_not_shared_total{credential="wiki"} 2`) {
		t.Errorf("metrics lack the not-shared count:\n%s", grep(metrics, "not_shared"))
	}
}

func TestNotSharedLogIsBounded(t *testing.T) {
	l := newNotSharedLog(2)
	base := time.Unix(0, 0)
	for i, id := range []string{"a", "b", "a", "c"} {
		l.record("wiki", "page", id, "GET", "/v1/pages/x", base.Add(time.Duration(i)*time.Second))
	}
	got := l.list(nil)
	if len(got) != 2 || got[0].ObjectID != "c" || got[1].ObjectID != "a" || got[1].Count != 2 {
		t.Errorf("after overflow: %+v; want c then a (b, least recent, forgotten)", got)
	}
}

func TestCapabilityMissing(t *testing.T) {
	r := newRig(t, nil)
	r.fake.Restrict(wikiToken, "POST", "/v1/pages")
	resp := r.do("POST", "/v1/pages", strings.NewReader(`{"parent":{"page_id":"`+sharedPage+`"},"properties":{}}`))
	body := readAll(t, resp.Body)
	if resp.StatusCode != 403 || !strings.Contains(body, "restricted_resource") {
		t.Fatalf("got %d %s, want Notion's 403", resp.StatusCode, body)
	}
	logs := r.events("capability_missing")
	if len(logs) != 1 {
		t.Fatalf("%d capability_missing events, want 1", len(logs))
	}
	if f := logs[0].ContextMap(); f["credential"] != "wiki" || f["method"] != "POST" || f["path"] != "/v1/pages" || f["hint"] == "" {
		t.Errorf("capability_missing fields: %v", f)
	}
}

func TestTokenRejectedLoggedOncePerToken(t *testing.T) {
	r := newRig(t, nil)
	r.fake.RevokeToken(wikiToken)
	for range 3 {
		if resp := r.do("GET", "/v1/users/me", nil); resp.StatusCode != 401 {
			t.Fatalf("status %d, want upstream's 401", resp.StatusCode)
		}
	}
	logs := r.events("token_rejected")
	if len(logs) != 1 || logs[0].ContextMap()["credential"] != "wiki" || logs[0].Level.String() != "error" {
		t.Fatalf("token_rejected events: %d %v", len(logs), logs)
	}
	// A new token that is rejected again is logged again.
	r.wiki.mu.Lock()
	r.wiki.token = "ntn_another_revoked"
	r.wiki.mu.Unlock()
	r.do("GET", "/v1/users/me", nil)
	if n := len(r.events("token_rejected")); n != 2 {
		t.Errorf("%d token_rejected events after a second bad token, want 2", n)
	}
}

func grep(text, substr string) string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, substr) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
