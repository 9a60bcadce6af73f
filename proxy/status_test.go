package proxy

import (
	"net/http"
	"strings"
	"testing"
)

// statusRig serves the status view as text, so tests see what the proxy
// would hand the renderer.
func statusRig(t *testing.T, keys []ClientKey) *rig {
	t.Helper()
	r := newRig(t, func(c *Config) { c.ClientKeys = keys })
	h, err := New(r.config, Options{Logger: r.handler.log, Status: func(w http.ResponseWriter, _ *http.Request, v StatusView) {
		var b strings.Builder
		for _, c := range v.Credentials {
			b.WriteString("credential " + c.Name + " " + c.State + "\n")
		}
		for _, n := range v.NotShared {
			b.WriteString("not-shared " + n.Credential + " " + n.ObjectID + "\n")
		}
		for _, k := range v.ClientKeys {
			b.WriteString("key " + k.Name + "\n")
		}
		w.Write([]byte(b.String()))
	}})
	if err != nil {
		t.Fatal(err)
	}
	r.server.Config.Handler = h
	return r
}

// A browser gives the client key through its Basic-auth prompt: without
// one it is asked (401 with a Basic challenge); with one, any user name.
func TestStatusPageTakesTheKeyAsBasicPassword(t *testing.T) {
	r := statusRig(t, []ClientKey{{Name: "ops", Key: "key-ops-0123456789"}})
	resp := r.do("GET", "/status", nil)
	if resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), `Basic realm="notion-auth-proxy"`) {
		t.Fatalf("without a key: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	req, _ := http.NewRequest("GET", r.server.URL+"/status", nil)
	req.SetBasicAuth("anyone", "key-ops-0123456789")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(body, "credential wiki ready") || !strings.Contains(body, "key ops") {
		t.Errorf("with the key as password: %d\n%s", resp.StatusCode, body)
	}
	req.SetBasicAuth("anyone", "wrong-key-0123456789")
	if resp, _ := http.DefaultClient.Do(req); resp.StatusCode != 401 {
		t.Errorf("with a wrong key: %d", resp.StatusCode)
	}
}

// A key limited to some credentials sees only their rows and entries,
// and only its own counters.
func TestStatusPageIsScopedToTheKey(t *testing.T) {
	r := statusRig(t, []ClientKey{
		{Name: "admin", Key: "key-admin-0123456789"},
		{Name: "acme", Key: "key-acme-0123456789", Credentials: []string{"partner"}},
	})
	r.do("GET", "/v1/pages/"+unsharedPage, nil, "X-Notion-Proxy-Key", "key-admin-0123456789")
	r.do("GET", "/w/acme/v1/pages/"+unsharedPage, nil, "X-Notion-Proxy-Key", "key-acme-0123456789")
	body := readAll(t, r.do("GET", "/status", nil, "X-Notion-Proxy-Key", "key-acme-0123456789").Body)
	if strings.Contains(body, "wiki") || strings.Contains(body, "key admin") {
		t.Errorf("the partner-only key sees other credentials or keys:\n%s", body)
	}
	if !strings.Contains(body, "credential partner") || !strings.Contains(body, "not-shared partner") || !strings.Contains(body, "key acme") {
		t.Errorf("the partner-only key misses its own rows:\n%s", body)
	}
	admin := readAll(t, r.do("GET", "/status", nil, "X-Notion-Proxy-Key", "key-admin-0123456789").Body)
	if !strings.Contains(admin, "not-shared wiki") || !strings.Contains(admin, "not-shared partner") || !strings.Contains(admin, "key acme") {
		t.Errorf("the unlimited key misses rows:\n%s", admin)
	}
}

// A browser opening the proxy's root is sent to the status page; an API
// client asking for / still gets a Notion-shaped 404.
func TestBrowserRootRedirectsToStatus(t *testing.T) {
	r := statusRig(t, nil)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("GET", r.server.URL+"/", nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/status" {
		t.Errorf("browser at /: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	wantProxyError(t, r.do("GET", "/", nil), http.StatusNotFound, "not_found", "invalid_request_url")
}
