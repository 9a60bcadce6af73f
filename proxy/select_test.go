package proxy

import (
	"net/http"
	"strings"
	"testing"
)

func TestCredentialSelection(t *testing.T) {
	compactID := strings.ReplaceAll(acmeID, "-", "")
	tests := []struct {
		name    string
		method  string
		path    string
		headers []string
		want    string // credential; empty means an error is expected
		reason  string
	}{
		{"default credential", "GET", "/v1/users/me", nil, "wiki", ""},
		{"workspace path prefix", "GET", "/w/acme/v1/users/me", nil, "partner", ""},
		{"workspace path by dashed id", "GET", "/w/" + acmeID + "/v1/users/me", nil, "partner", ""},
		{"workspace path by compact upper-case id", "GET", "/w/" + strings.ToUpper(compactID) + "/v1/users/me", nil, "partner", ""},
		{"workspace header by name", "GET", "/v1/users/me", []string{"X-Notion-Workspace", "acme"}, "partner", ""},
		{"workspace header by id", "GET", "/v1/users/me", []string{"X-Notion-Workspace", compactID}, "partner", ""},
		{"path and header agree (name and id)", "GET", "/w/acme/v1/users/me", []string{"X-Notion-Workspace", acmeID}, "partner", ""},
		{"route by method and prefix", "POST", "/v1/search", nil, "partner", ""},
		{"route does not match other method", "GET", "/v1/search", nil, "wiki", ""},
		{"workspace beats route", "POST", "/w/acme/v1/search", nil, "partner", ""},
		{"unknown workspace in path", "GET", "/w/nope/v1/users/me", nil, "", "unknown_workspace"},
		{"unknown workspace in header", "GET", "/v1/users/me", []string{"X-Notion-Workspace", "nope"}, "", "unknown_workspace"},
		{"path and header disagree", "GET", "/w/acme/v1/users/me", []string{"X-Notion-Workspace", "wikispace"}, "", "workspace_conflict"},
		{"two different workspace headers", "GET", "/v1/users/me",
			[]string{"X-Notion-Workspace", "acme", "X-Notion-Workspace", "wikispace"}, "", "workspace_conflict"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, func(c *Config) {
				c.Workspaces = append(c.Workspaces, Workspace{Name: "wikispace", Credential: "wiki"})
				c.Routes = []Route{{Methods: []string{"POST"}, PathPrefix: "/v1/search", Credential: "partner"}}
			})
			resp := r.do(tt.method, tt.path, strings.NewReader("{}"), tt.headers...)
			if tt.want == "" {
				wantProxyError(t, resp, http.StatusBadRequest, tt.reason, "validation_error")
				if n := len(r.fake.Requests()); n != 0 {
					t.Errorf("upstream saw %d requests for a refused one", n)
				}
				return
			}
			if got := resp.Header.Get("X-Notion-Proxy-Credential"); got != tt.want {
				t.Fatalf("credential %q (status %d), want %q", got, resp.StatusCode, tt.want)
			}
			wantToken := map[string]string{"wiki": wikiToken, "partner": partnerToken}[tt.want]
			if got := r.lastUpstream().Token; got != wantToken {
				t.Errorf("upstream saw a different token than %s's", tt.want)
			}
		})
	}
}

func TestUnknownWorkspaceListsKnownNames(t *testing.T) {
	r := newRig(t, nil)
	body := wantProxyError(t, r.do("GET", "/w/nope/v1/users/me", nil), 400, "unknown_workspace", "validation_error")
	if !strings.Contains(body.Message, `"nope"`) || !strings.Contains(body.Message, "acme") {
		t.Errorf("message %q should name the unknown and the known workspaces", body.Message)
	}
}

func TestNoCredential(t *testing.T) {
	r := newRig(t, func(c *Config) { c.DefaultCredential = "" })
	body := wantProxyError(t, r.do("GET", "/v1/users/me", nil), 400, "no_credential", "validation_error")
	if !strings.Contains(body.Message, "/w/{workspace}") {
		t.Errorf("message %q should say how to choose a credential", body.Message)
	}
	// With a single credential it is the default.
	r = newRig(t, func(c *Config) {
		c.DefaultCredential, c.Workspaces = "", nil
		c.Credentials = c.Credentials[1:]
	})
	if resp := r.do("GET", "/v1/users/me", nil); resp.Header.Get("X-Notion-Proxy-Credential") != "partner" {
		t.Errorf("the only credential was not used: %d", resp.StatusCode)
	}
}

func TestWorkspaceIDFromCredential(t *testing.T) {
	// An OAuth credential learns its workspace id from Notion; that id
	// selects it like a configured one.
	r := newRig(t, func(c *Config) {
		c.Workspaces = nil
		c.Credentials[1].Source = &workspaceSource{source: source{token: partnerToken}, id: acmeID}
	})
	resp := r.do("GET", "/w/"+strings.ReplaceAll(acmeID, "-", "")+"/v1/users/me", nil)
	if got := resp.Header.Get("X-Notion-Proxy-Credential"); got != "partner" {
		t.Fatalf("credential %q, status %d; want partner", got, resp.StatusCode)
	}
}

type workspaceSource struct {
	source
	id string
}

func (w *workspaceSource) WorkspaceID() string { return w.id }

func TestNormalizeID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1F2E3D4C5B6A47988A7B6C5D4E3F2A1B", sharedPage},
		{sharedPage, sharedPage},
		{strings.ToUpper(sharedPage), sharedPage},
		{"1f2e3d4c5b6a47988a7b6c5d4e3f2a1", ""},
		{"1f2e3d4c-5b6a47988a7b-6c5d4e3f2a1b", ""},
		{"zz2e3d4c5b6a47988a7b6c5d4e3f2a1b", ""},
	}
	for _, tt := range tests {
		got, ok := normalizeID(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("normalizeID(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}
