package proxy

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// errorFields decodes a Notion error body whole, keeping every field.
func errorFields(t *testing.T, raw string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatalf("damaged body %q: %v", raw, err)
	}
	return m
}

// SDKs, the MCP server and agents show only the body: the diagnosis is
// appended to Notion's message, every other field kept, the header too.
func TestNotSharedDiagnosisInTheBody(t *testing.T) {
	plain := newRig(t, nil)
	want := errorFields(t, readAll(t, plain.do("GET", "/v1/pages/"+unsharedPage, nil).Body))

	r := newRig(t, func(c *Config) { c.AnnotateErrors = true })
	resp := r.do("GET", "/v1/pages/"+unsharedPage, nil)
	raw := readAll(t, resp.Body)
	got := errorFields(t, raw)
	msg, _ := got["message"].(string)
	wantHint := ` — notion-auth-proxy: page ` + unsharedPage + ` is not shared with integration "wiki": open it in Notion, ••• > Connections > add the integration`
	if !strings.HasPrefix(msg, want["message"].(string)) || !strings.HasSuffix(msg, wantHint) {
		t.Errorf("message %q; want Notion's message followed by %q", msg, wantHint)
	}
	for k, v := range want {
		if k != "message" && k != "request_id" && got[k] != v {
			t.Errorf("field %s = %v, want %v as Notion sent it", k, got[k], v)
		}
	}
	if resp.ContentLength != int64(len(raw)) || resp.Header.Get("X-Notion-Proxy-Diagnosis") == "" {
		t.Errorf("Content-Length %d for %d bytes, diagnosis header %q", resp.ContentLength, len(raw), resp.Header.Get("X-Notion-Proxy-Diagnosis"))
	}
	if strings.Contains(readAll(t, plain.do("GET", "/v1/pages/"+unsharedPage, nil).Body), "notion-auth-proxy:") {
		t.Error("with annotate_errors off the body was changed")
	}
}

func TestCapabilityDiagnosisInTheBody(t *testing.T) {
	r := newRig(t, func(c *Config) { c.AnnotateErrors = true })
	r.fake.Restrict(wikiToken, "POST", "/v1/pages")
	resp := r.do("POST", "/v1/pages", strings.NewReader(`{"parent":{"page_id":"`+sharedPage+`"},"properties":{}}`),
		"Content-Type", "application/json")
	got := errorFields(t, readAll(t, resp.Body))
	if resp.StatusCode != 403 || got["code"] != "restricted_resource" ||
		!strings.Contains(got["message"].(string), `— notion-auth-proxy: integration "wiki" lacks a capability for POST /v1/pages`) {
		t.Errorf("%d %v", resp.StatusCode, got)
	}
}

// An upload's upload_url and complete_url lead back through the proxy, on
// the origin and /w/ prefix the client used, so following them needs no
// credential.
func TestUploadURLsLeadBackThroughTheProxy(t *testing.T) {
	r := newRig(t, nil)
	for _, prefix := range []string{"", "/w/acme"} {
		resp := r.do("POST", prefix+"/v1/file_uploads", strings.NewReader(`{"mode":"multi_part","number_of_parts":2,"filename":"a.txt"}`),
			"Content-Type", "application/json")
		var up struct{ ID, UploadURL, CompleteURL string }
		raw := readAll(t, resp.Body)
		json.Unmarshal([]byte(raw), &struct {
			ID          *string `json:"id"`
			UploadURL   *string `json:"upload_url"`
			CompleteURL *string `json:"complete_url"`
		}{&up.ID, &up.UploadURL, &up.CompleteURL})
		base := r.server.URL + prefix + "/v1/file_uploads/" + up.ID
		if resp.StatusCode != 200 || up.UploadURL != base+"/send" || up.CompleteURL != base+"/complete" {
			t.Fatalf("%q: %d upload_url %q complete_url %q, want them under %s", prefix, resp.StatusCode, up.UploadURL, up.CompleteURL, base)
		}
		if resp.ContentLength != int64(len(raw)) {
			t.Errorf("Content-Length %d for %d bytes", resp.ContentLength, len(raw))
		}
		// A script follows the URL as given, with no credential.
		got, err := http.Get(up.UploadURL)
		if err != nil {
			t.Fatal(err)
		}
		got.Body.Close()
		if got.Header.Get("X-Notion-Proxy-Credential") == "" {
			t.Errorf("following upload_url did not go through the proxy")
		}
	}
}

// One Notion-Version goes upstream: the first non-empty one the client
// sent, or under the minimum policy ours when the client's is older.
func TestOneNotionVersionUpstream(t *testing.T) {
	tests := []struct {
		name    string
		minimum bool
		sent    []string
		want    string
	}{
		{"several values", false, []string{"", "2026-03-11", "2022-06-28"}, "2026-03-11"},
		{"minimum keeps a newer one", true, []string{"2026-03-11"}, "2026-03-11"},
		{"minimum replaces an older one", true, []string{"2022-06-28"}, "2025-09-03"},
		{"minimum with none", true, nil, "2025-09-03"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, func(c *Config) { c.MinimumVersion = tt.minimum })
			req, _ := http.NewRequest("GET", r.server.URL+"/v1/users/me", nil)
			for _, v := range tt.sent {
				req.Header.Add("Notion-Version", v)
			}
			req.Header.Set("Notion-Beta", "views=2026-01-01")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			up := r.lastUpstream()
			if got := up.Header.Values("Notion-Version"); len(got) != 1 || got[0] != tt.want {
				t.Errorf("upstream Notion-Version %q, want only %q", got, tt.want)
			}
			if got := up.Header.Get("Notion-Beta"); got != "views=2026-01-01" {
				t.Errorf("Notion-Beta %q, want it untouched", got)
			}
		})
	}
}

// In forward-proxy mode the client already talks to api.notion.com: its
// URLs are left as Notion sent them.
func TestUploadURLsUntouchedInForwardMode(t *testing.T) {
	f := newForwardRig(t, nil)
	resp, err := f.client().Post("https://api.notion.com/v1/file_uploads", "application/json",
		strings.NewReader(`{"mode":"single_part","filename":"a.txt"}`))
	if err != nil {
		t.Fatal(err)
	}
	raw := readAll(t, resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(raw, `"upload_url":"https://api.notion.com/v1/file_uploads/`) {
		t.Errorf("%d %s", resp.StatusCode, raw)
	}
}
