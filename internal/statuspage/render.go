package statuspage

import (
	"bytes"
	_ "embed" // the template and the stylesheet
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strings"
	"time"
)

// ContentSecurityPolicy is the policy the server must send with the page.
// It allows nothing but the page's one inline style block, by its hash, and
// its data: favicon: no script, no fetch, no frame, no form. A test holds
// the hash against the embedded stylesheet.
const ContentSecurityPolicy = "default-src 'none'; " +
	"style-src '" + styleHash + "'; " +
	"img-src data:; " +
	"frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// styleHash is the CSP source of status.css; TestStyleHash says the new
// value whenever the stylesheet changes.
const styleHash = "sha256-q5fGF0aTDbZ67Mo2+rk5HhvGyfGgphRltHTrwKTqb5E="

// ContentType is the page's media type.
const ContentType = "text/html; charset=utf-8"

// SetHeaders sets the response headers the page must be served with: its
// type, ContentSecurityPolicy, and no caching, sniffing or referrer.
func SetHeaders(h http.Header) {
	h.Set("Content-Type", ContentType)
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}

// stylesheet is the page's one style block, allowed by its hash.
//
//go:embed status.css
var stylesheet string

//go:embed status.html.tmpl
var pageSource string

// page is parsed once; executing it is safe for concurrent use.
var page = template.Must(template.New("status").Parse(pageSource))

// Render writes p as a complete HTML document to w. Nothing is written when
// rendering fails, so a caller can still answer with an error status. It is
// safe for concurrent use.
func Render(w io.Writer, p Page) error {
	var buf bytes.Buffer
	if err := page.Execute(&buf, newView(p, template.CSS(stylesheet))); err != nil {
		return fmt.Errorf("render status page: %w", err)
	}
	if _, err := buf.WriteTo(w); err != nil {
		return fmt.Errorf("write status page: %w", err)
	}
	return nil
}

// NotionURL returns the address that opens the object with the given id in
// Notion, and false when id is not a Notion id (32 hex digits, dashes
// anywhere), so no link is made from it.
func NotionURL(id string) (string, bool) {
	hex := strings.ToLower(strings.ReplaceAll(id, "-", ""))
	if len(hex) != 32 || strings.Trim(hex, "0123456789abcdef") != "" {
		return "", false
	}
	return "https://www.notion.so/" + hex, true
}

// view is the page with every value worded and every chart drawn, so the
// template only places things.
type view struct {
	CSS          template.CSS
	Refresh      int
	Title        string
	Favicon      template.URL
	Version      string
	Uptime       string
	Started, Now stamp
	Summary      string
	Health       level // the page's worst state
	Credentials  []credentialView
	NotShared    []notSharedView
	ClientKeys   []clientKeyView
	WindowMin    int
}

type credentialView struct {
	Credential
	Health      level
	Label, Icon string
	Refreshed   stamp
	Charts      []chart
	Quiet       bool // no requests in the window
}

type notSharedView struct {
	NotShared
	Link        string
	TypeLabel   string
	Fix         string
	First, Last stamp
	PathParts   []string // LastPath split at "/", so it may wrap there
	CountText   string
}

type clientKeyView struct {
	ClientKey
	Scope              string
	Requests, Refusals string
	Refused            bool
}

// newView words p for the template.
func newView(p Page, css template.CSS) view {
	now := p.Now
	if now.IsZero() {
		now = time.Now()
	}
	v := view{
		CSS: css, Refresh: refreshSeconds, Version: p.Version, WindowMin: slots,
		Started: newStamp(p.StartedAt, now), Now: newStamp(now, now), Uptime: "unknown",
	}
	if !p.StartedAt.IsZero() {
		v.Uptime = uptime(now.Sub(p.StartedAt))
	}
	ready := 0
	for _, c := range p.Credentials {
		cv := newCredentialView(c, now)
		if cv.Health == levelOK {
			ready++
		}
		v.Health = max(v.Health, cv.Health)
		v.Credentials = append(v.Credentials, cv)
	}
	v.Summary = summary(ready, len(p.Credentials))
	if len(p.Credentials) == 0 {
		v.Health = levelWarn
	}
	for _, n := range p.NotShared {
		v.NotShared = append(v.NotShared, newNotSharedView(n, now))
	}
	for _, k := range p.ClientKeys {
		scope := "all credentials"
		if len(k.Credentials) > 0 {
			scope = strings.Join(k.Credentials, ", ")
		}
		v.ClientKeys = append(v.ClientKeys, clientKeyView{
			ClientKey: k, Scope: scope, Requests: count(k.Requests), Refusals: count(k.Refusals), Refused: k.Refusals > 0,
		})
	}
	v.Title = "notion-auth-proxy status: " + v.Summary
	v.Favicon = favicon(v.Health)
	return v
}

func newCredentialView(c Credential, now time.Time) credentialView {
	health, label, icon := health(c.State)
	win := window(now, c.Traffic)
	quiet := true
	for _, m := range win {
		quiet = quiet && m.Requests == 0 && m.RateLimited == 0 && m.Pauses == 0 && m.PacingWait == 0
	}
	return credentialView{
		Credential: c, Health: health, Label: label, Icon: icon,
		Refreshed: newStamp(c.LastRefresh, now), Charts: charts(c.Name, win), Quiet: quiet,
	}
}

func newNotSharedView(n NotShared, now time.Time) notSharedView {
	integration := n.Integration
	if integration == "" {
		integration = n.Credential
	}
	link, _ := NotionURL(n.ObjectID)
	typ := strings.ReplaceAll(n.ObjectType, "_", " ")
	if typ == "" {
		typ = "object"
	}
	return notSharedView{
		NotShared: n, Link: link, TypeLabel: typ,
		Fix:       `Open it in Notion, ••• > Connections > add integration "` + integration + `"`,
		First:     newStamp(n.FirstSeen, now),
		Last:      newStamp(n.LastSeen, now),
		PathParts: strings.Split(n.LastPath, "/"),
		CountText: count(n.Count),
	}
}

// level is how much a state asks of the operator, worst last.
type level int

const (
	levelOK   level = iota // serving
	levelWarn              // still serving, or may recover by itself
	levelBad               // requests fail until someone acts
)

// String names the level as the stylesheet's health-* classes do.
func (l level) String() string {
	return [...]string{"ok", "warn", "bad"}[l]
}

// health sorts a state into a level, with the words and the sign that say
// so without colour.
func health(s State) (lv level, label, icon string) {
	label = strings.ReplaceAll(string(s), "_", " ")
	switch s {
	case StateReady:
		return levelOK, label, "✓"
	case StateNeedsLogin, StateMissingSecret:
		return levelBad, label, "✕"
	case "":
		return levelWarn, "unknown", "?"
	}
	return levelWarn, label, "!"
}

func summary(ready, total int) string {
	switch {
	case total == 0:
		return "no credentials configured"
	case ready == total && total == 1:
		return "the credential is ready"
	case ready == total:
		return fmt.Sprintf("all %d credentials ready", total)
	}
	return fmt.Sprintf("%d of %d credentials need attention", total-ready, total)
}

// favicon is a dot in the page's health colour, so a tab says it too.
func favicon(lv level) template.URL {
	colour := [...]string{levelOK: "%231f9d55", levelWarn: "%23d08a00", levelBad: "%23d64545"}[lv]
	return template.URL("data:image/svg+xml," +
		"%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E" +
		"%3Ccircle cx='8' cy='8' r='7' fill='" + colour + "'/%3E%3C/svg%3E")
}
