package statuspage

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

func TestRenderShowsEverySection(t *testing.T) {
	d := render(t, samplePage())
	for _, id := range []string{"summary", "credentials", "traffic", "not-shared", "client-keys"} {
		if d.byID(id) == nil {
			t.Errorf("no element with id %q", id)
		}
	}
	top := text(d.all(tag("header"))[0])
	for _, want := range []string{"v1.4.0 (3f2a1b9)", "Uptime 3 d 4 h", "3 days ago", "3 of 4 credentials need attention", "refreshes every 15 s"} {
		if !strings.Contains(top, want) {
			t.Errorf("header %q lacks %q", top, want)
		}
	}
	if got := attr(d.all(func(n *html.Node) bool { return attr(n, "http-equiv") == "refresh" })[0], "content"); got != "15" {
		t.Errorf("meta refresh content = %q, want 15", got)
	}
}

func TestRenderCredentialRows(t *testing.T) {
	d := render(t, samplePage())
	rows := d.all(class("credential"))
	want := []struct{ name, state, health, fix string }{
		{"wiki", "✓ ready", "health-ok", ""},
		{"partner", "✕ needs login", "health-bad", "Fix: notion-auth-proxy login partner"},
		{"crm", "! refresh failed", "health-warn", "Fix: notion-auth-proxy refresh crm"},
		{"archive", "✕ missing secret", "health-bad", "Fix: notion-auth-proxy set-token archive"},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d credential rows, want %d", len(rows), len(want))
	}
	for i, w := range want {
		row := text(rows[i])
		state := rowFirst(rows[i], "state")
		if !strings.HasPrefix(row, w.name+" ") || text(state) != w.state || !hasClass(state, w.health) {
			t.Errorf("row %d = %q, state %q (class %q); want %s, %q, %s", i, row, text(state), attr(state, "class"), w.name, w.state, w.health)
		}
		if !strings.Contains(row, w.fix) {
			t.Errorf("row %s = %q, lacks %q", w.name, row, w.fix)
		}
	}
	partner := text(rows[1])
	for _, want := range []string{"oauth", "Partner Co", "5e0d7a3c-61b2-4f18-9a0e-7c4b2d1e8f90", "26 h ago", "invalid_grant"} {
		if !strings.Contains(partner, want) {
			t.Errorf("partner row %q lacks %q", partner, want)
		}
	}
	if got := text(rows[3]); !strings.Contains(got, "not known yet") || !strings.Contains(got, "static token") {
		t.Errorf("archive row %q should say the workspace is not known yet and a static token is not refreshed", got)
	}
	d = render(t, Page{Now: sampleNow, Credentials: []Credential{{Name: "fresh", Type: "oauth", State: StateReady}}})
	if got := text(d.all(class("credential"))[0]); !strings.Contains(got, "never") {
		t.Errorf("row %q of an OAuth credential not refreshed yet should say never", got)
	}
}

func TestStatesAreWordsAndColours(t *testing.T) {
	tests := []struct {
		state      State
		health     string
		label      string
		attentions string
	}{
		{StateReady, "ok", "✓ ready", "the credential is ready"},
		{StateNeedsLogin, "bad", "✕ needs login", "1 of 1 credentials need attention"},
		{StateMissingSecret, "bad", "✕ missing secret", "1 of 1 credentials need attention"},
		{StateRefreshFailed, "warn", "! refresh failed", "1 of 1 credentials need attention"},
		{StateStoreUnavailable, "warn", "! store unavailable", "1 of 1 credentials need attention"},
		{"rate_limited_forever", "warn", "! rate limited forever", "1 of 1 credentials need attention"},
		{"", "warn", "? unknown", "1 of 1 credentials need attention"},
	}
	for _, tt := range tests {
		t.Run(string(tt.state), func(t *testing.T) {
			d := render(t, Page{Now: sampleNow, Credentials: []Credential{{Name: "c", State: tt.state}}})
			state := rowFirst(d.all(class("credential"))[0], "state")
			if text(state) != tt.label || !hasClass(state, "health-"+tt.health) {
				t.Errorf("state shows %q with class %q, want %q in health-%s", text(state), attr(state, "class"), tt.label, tt.health)
			}
			summary := d.byID("summary")
			if text(summary) != tt.attentions || !hasClass(summary, "health-"+tt.health) {
				t.Errorf("summary %q (class %q), want %q in health-%s", text(summary), attr(summary, "class"), tt.attentions, tt.health)
			}
		})
	}
}

func TestNotSharedLinksOpenTheObjectInNotion(t *testing.T) {
	tests := []struct {
		name, id, href string
	}{
		{"dashed", "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b", "https://www.notion.so/1f2e3d4c5b6a47988a7b6c5d4e3f2a1b"},
		{"undashed", "8a7b6c5d4e3f2a1b1f2e3d4c5b6a4798", "https://www.notion.so/8a7b6c5d4e3f2a1b1f2e3d4c5b6a4798"},
		{"upper case", "1F2E3D4C-5B6A-4798-8A7B-6C5D4E3F2A1B", "https://www.notion.so/1f2e3d4c5b6a47988a7b6c5d4e3f2a1b"},
		{"not an id", "../../login?next=evil", ""},
		{"too short", "1f2e3d4c", ""},
		{"javascript", "javascript:alert(1)", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := render(t, Page{Now: sampleNow, NotShared: []NotShared{{Credential: "wiki", ObjectType: "page", ObjectID: tt.id, Count: 2}}})
			row := d.all(class("not-shared"))
			if len(row) != 1 {
				t.Fatalf("%d not-shared rows, want 1", len(row))
			}
			links := d.all(class("notion-link"))
			if tt.href == "" {
				if len(links) != 0 {
					t.Fatalf("id %q got a link to %q; want none", tt.id, attr(links[0], "href"))
				}
				if !strings.Contains(text(row[0]), tt.id) {
					t.Errorf("row %q does not show the id %q", text(row[0]), tt.id)
				}
				return
			}
			if len(links) != 1 {
				t.Fatalf("%d links, want 1", len(links))
			}
			a := links[0]
			if attr(a, "href") != tt.href || text(a) != tt.id {
				t.Errorf("link %q to %q, want %q to %q", text(a), attr(a, "href"), tt.id, tt.href)
			}
			if attr(a, "rel") != "noopener noreferrer" || attr(a, "target") != "_blank" {
				t.Errorf("link rel=%q target=%q, want noopener noreferrer in a new tab", attr(a, "rel"), attr(a, "target"))
			}
		})
	}
}

func TestNotSharedRowSaysHowToFixIt(t *testing.T) {
	d := render(t, samplePage())
	rows := d.all(class("not-shared"))
	if len(rows) != 3 {
		t.Fatalf("%d not-shared rows, want 3", len(rows))
	}
	for i, want := range []string{
		`page 1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b last request GET /v1/pages/1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b wiki 14×, last 2 min ago first 3 h ago Open it in Notion, ••• > Connections > add integration "wiki"`,
		`data source 8a7b6c5d4e3f2a1b1f2e3d4c5b6a4798 last request POST /v1/data_sources/8a7b6c5d4e3f2a1b1f2e3d4c5b6a4798/query wiki 3×, last 9 min ago first 40 min ago`,
		`block 0c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f last request PATCH /v1/blocks/0c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f/children partner 1×, last 27 h ago Open it in Notion, ••• > Connections > add integration "Partner Sync"`,
	} {
		if got := text(rows[i]); !strings.HasPrefix(got, want) {
			t.Errorf("row %d:\n got %q\nwant %q...", i, got, want)
		}
	}
}

func TestRenderEscapesHostileNames(t *testing.T) {
	const hostile = `<script>alert(1)</script>`
	const breakout = `"><img src=x onerror=alert(2)>`
	p := Page{
		Now: sampleNow, Version: hostile,
		Credentials: []Credential{{
			Name: hostile, Type: breakout, Workspace: "</style><script>alert(3)</script>", WorkspaceID: breakout,
			State: State(hostile), LastError: "</title>" + hostile, Fix: breakout,
			Traffic: []Minute{{Start: sampleNow, Requests: 1}},
		}},
		NotShared: []NotShared{{
			Credential: hostile, Integration: breakout, ObjectType: hostile, ObjectID: breakout,
			LastMethod: hostile, LastPath: "/v1/pages/" + breakout,
		}},
		ClientKeys: []ClientKey{{Name: hostile, Credentials: []string{breakout}}},
	}
	d := render(t, p)
	if n := len(d.all(func(n *html.Node) bool { return n.Data == "script" || n.Data == "img" })); n != 0 {
		t.Errorf("%d script or img elements made from names", n)
	}
	assertNoActiveContent(t, d)
	if got := text(d.all(class("credential"))[0]); !strings.Contains(got, hostile) || !strings.Contains(got, breakout) {
		t.Errorf("row %q should show the hostile names as text", got)
	}
	if got := text(d.all(class("client-key"))[0]); !strings.HasPrefix(got, hostile) {
		t.Errorf("client key row %q should show the name as text", got)
	}
	styles := d.all(tag("style"))
	if len(styles) != 1 || strings.Contains(text(styles[0]), "alert") {
		t.Errorf("%d style elements; a name must not reach the stylesheet", len(styles))
	}
}

func TestRenderHasNoScriptsOrHandlers(t *testing.T) {
	d := render(t, samplePage())
	if n := len(d.all(tag("script"))); n != 0 {
		t.Errorf("%d script elements, want none", n)
	}
	assertNoActiveContent(t, d)
	if n := len(d.all(tag("link"))); n != 1 {
		t.Errorf("%d link elements, want only the favicon", n)
	}
}

// assertNoActiveContent fails t for anything the CSP would have to block or
// that could run: event handlers, style attributes, script URLs, and any
// address other than a Notion page or the inline favicon.
func assertNoActiveContent(t *testing.T, d doc) {
	t.Helper()
	for _, n := range d.all(func(*html.Node) bool { return true }) {
		for _, a := range n.Attr {
			key := strings.ToLower(a.Key)
			switch {
			case strings.HasPrefix(key, "on"):
				t.Errorf("<%s> has event handler %s=%q", n.Data, a.Key, a.Val)
			case key == "style":
				t.Errorf("<%s> has a style attribute, which the CSP blocks", n.Data)
			case key == "href" || key == "src" || key == "action" || key == "xlink:href":
				if !strings.HasPrefix(a.Val, "https://www.notion.so/") && !(n.Data == "link" && strings.HasPrefix(a.Val, "data:image/svg+xml,")) {
					t.Errorf("<%s %s=%q> points somewhere the page must not", n.Data, a.Key, a.Val)
				}
			}
		}
	}
}

func TestEmptyStates(t *testing.T) {
	d := render(t, Page{})
	for id, want := range map[string]string{
		"summary":     "no credentials configured",
		"credentials": "No credentials configured. Add one under credentials: in the configuration, or set NOTION_API_TOKEN.",
		"traffic":     "No traffic to show: there are no credentials.",
		"not-shared":  "No not-shared objects seen — every request found what it asked for.",
	} {
		if got := text(d.byID(id)); !strings.Contains(got, want) {
			t.Errorf("#%s = %q, want it to say %q", id, got, want)
		}
	}
	if d.byID("client-keys") != nil {
		t.Error("client keys section shown with no client keys")
	}
	if got := text(d.all(tag("header"))[0]); !strings.Contains(got, "Version unknown") || !strings.Contains(got, "Uptime unknown") {
		t.Errorf("header %q should say version and uptime are unknown", got)
	}
}

func TestQuietCredentialSaysSo(t *testing.T) {
	d := render(t, Page{Now: sampleNow, Credentials: []Credential{{Name: "idle", State: StateReady}}})
	if got := text(d.all(class("traffic"))[0]); !strings.Contains(got, "No requests in the last 15 minutes.") {
		t.Errorf("traffic of an idle credential = %q, want it to say there were no requests", got)
	}
	d = render(t, samplePage())
	if got := text(d.all(class("traffic"))[0]); strings.Contains(got, "No requests") {
		t.Errorf("traffic of a busy credential = %q, says there were no requests", got)
	}
}

func TestStyleHash(t *testing.T) {
	css := stylesheet
	sum := sha256.Sum256([]byte(css))
	want := "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
	if styleHash != want {
		t.Fatalf("styleHash = %q; status.css changed, set it to %q", styleHash, want)
	}
	d := render(t, samplePage())
	if !strings.Contains(d.raw, "<style>"+css+"</style>") {
		t.Error("the page's style block is not exactly status.css, so its hash will not match")
	}
	if !strings.Contains(ContentSecurityPolicy, "style-src '"+want+"';") {
		t.Errorf("ContentSecurityPolicy %q does not allow the stylesheet's hash", ContentSecurityPolicy)
	}
}

func TestSetHeaders(t *testing.T) {
	h := http.Header{}
	SetHeaders(h)
	for key, want := range map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"Content-Security-Policy": ContentSecurityPolicy,
		"Cache-Control":           "no-store",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
	} {
		if got := h.Get(key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	for _, directive := range []string{"default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'"} {
		if !strings.Contains(ContentSecurityPolicy, directive) {
			t.Errorf("ContentSecurityPolicy lacks %q", directive)
		}
	}
	if strings.Contains(ContentSecurityPolicy, "unsafe") || strings.Contains(ContentSecurityPolicy, "script-src") {
		t.Errorf("ContentSecurityPolicy %q allows more than the page needs", ContentSecurityPolicy)
	}
}

func TestSuggestFix(t *testing.T) {
	tests := []struct {
		typ   string
		state State
		want  string
	}{
		{"oauth", StateNeedsLogin, "notion-auth-proxy login partner"},
		{"oauth", StateRefreshFailed, "notion-auth-proxy refresh partner"},
		{"token", StateMissingSecret, "notion-auth-proxy set-token partner"},
		{"oauth", StateMissingSecret, "notion-auth-proxy check"},
		{"oauth", StateStoreUnavailable, ""},
		{"token", StateReady, ""},
	}
	for _, tt := range tests {
		if got := SuggestFix("partner", tt.typ, tt.state); got != tt.want {
			t.Errorf("SuggestFix(partner, %s, %s) = %q, want %q", tt.typ, tt.state, got, tt.want)
		}
	}
}

type failingWriter struct{}

var errDiskFull = errors.New("disk full")

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestRenderReportsWriteErrors(t *testing.T) {
	if err := Render(failingWriter{}, samplePage()); !errors.Is(err, errDiskFull) {
		t.Errorf("Render to a failing writer = %v, want it to wrap %v", err, errDiskFull)
	}
}

func TestNowDefaultsToTheClock(t *testing.T) {
	before := time.Now()
	d := render(t, Page{StartedAt: before.Add(-2 * time.Hour)})
	if got := text(d.all(tag("header"))[0]); !strings.Contains(got, "Uptime 2 h 0 min") {
		t.Errorf("header %q: a Page without Now should measure uptime against the clock", got)
	}
}

// rowFirst returns the first element under n with CSS class c.
func rowFirst(n *html.Node, c string) *html.Node {
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && hasClass(d, c) {
			return d
		}
	}
	return nil
}
