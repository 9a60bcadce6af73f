package statuspage

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The browser test loads the rendered sample page in headless Chromium under
// the real Content-Security-Policy and checks what a person would see. Set
// STATUSPAGE_SCREENSHOT to keep the full-page screenshot it takes.

// browserWidth is the viewport width the page is looked at (and shot) in.
const browserWidth = 1240

// newBrowser starts headless Chromium for t and returns a context to open
// tabs from. Without a Chromium it skips t, except in CI, where a missing
// browser must not pass silently.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no Chromium found (chromium, chromium-browser or google-chrome); CI must run the browser test")
		}
		t.Skip("no Chromium found; install chromium to run the browser test")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.WindowSize(browserWidth, 900))
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses to sandbox as root
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	// The first run starts the browser and must not carry a deadline (it
	// would end the browser); a hung start is ended by cancelling instead.
	hung := time.AfterFunc(time.Minute, cancelAlloc)
	defer hung.Stop()
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return ctx
}

// servePage serves Render(p) at / with the given policy, recording the
// paths the browser asked for.
func servePage(t *testing.T, p Page, policy string) (url string, paths func() []string) {
	t.Helper()
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.Path)
		mu.Unlock()
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		SetHeaders(w.Header())
		w.Header().Set("Content-Security-Policy", policy)
		if err := Render(w, p); err != nil {
			t.Errorf("Render: %v", err)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

// tab is one loaded page and every console message the browser reported
// while loading it, CSP violations included.
type tab struct {
	ctx      context.Context
	messages []chromedp.ConsoleMessage
}

// open loads url in a new tab. It returns once the page has loaded and the
// browser has delivered every message from the load: it writes a marker
// to the console after the load and reads messages up to it.
func open(t *testing.T, browser context.Context, url string) tab {
	t.Helper()
	ctx, cancel := context.WithTimeout(browser, 30*time.Second)
	t.Cleanup(cancel)
	ctx, cancelTab := chromedp.NewContext(ctx)
	t.Cleanup(cancelTab)
	console := chromedp.Console(ctx)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(browserWidth, 900), chromedp.Navigate(url)); err != nil {
		t.Fatalf("load %s: %v", url, err)
	}
	const marker = "statuspage-test: loaded"
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](fmt.Sprintf("console.log(%q)", marker))); err != nil {
		t.Fatalf("write console marker: %v", err)
	}
	tb := tab{ctx: ctx}
	for m, err := range console {
		if err != nil {
			t.Fatalf("read console: %v (so far: %v)", err, tb.messages)
		}
		if m.Text == marker {
			break
		}
		tb.messages = append(tb.messages, m)
	}
	return tb
}

// eval evaluates a read-only expression in the page (through DevTools, which
// the page's CSP does not govern) and decodes its value.
func eval[T any](t *testing.T, tb tab, expr string) T {
	t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// box is an element's rendered size in CSS pixels.
type box struct{ W, H float64 }

func TestBrowser(t *testing.T) {
	browser := newBrowser(t)

	t.Run("shows the page and the CSP blocks nothing", func(t *testing.T) {
		url, paths := servePage(t, samplePage(), ContentSecurityPolicy)
		tb := open(t, browser, url)
		if len(tb.messages) != 0 {
			t.Errorf("the browser reported %d messages, want none: %v", len(tb.messages), tb.messages)
		}
		if got := paths(); len(got) != 1 || got[0] != "/" {
			t.Errorf("the browser asked for %q, want only the page (no favicon or other asset)", got)
		}
		checkVisibleText(t, tb)
		checkColours(t, tb)
		checkCharts(t, tb)
		screenshot(t, tb)
	})

	t.Run("the browser accepts the policy's style hash and no other", func(t *testing.T) {
		// The control for the test above: were the style block not the one
		// the policy hashes, the browser would say so and draw it unstyled.
		const other = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
		wrong := strings.Replace(ContentSecurityPolicy, styleHash, other, 1)
		url, _ := servePage(t, samplePage(), wrong)
		tb := open(t, browser, url)
		// The browser names the hash it would have accepted: it must be
		// the one ContentSecurityPolicy carries.
		wanted := regexp.MustCompile(`'(sha256-[A-Za-z0-9+/]+=*)'`)
		var accepted []string
		for _, m := range tb.messages {
			if strings.Contains(m.Text, "Content Security Policy") {
				for _, sub := range wanted.FindAllStringSubmatch(m.Text, -1) {
					if sub[1] != other {
						accepted = append(accepted, sub[1])
					}
				}
			}
		}
		if len(accepted) != 1 || accepted[0] != styleHash {
			t.Errorf("the browser would accept %q, want exactly styleHash %q; messages: %v", accepted, styleHash, tb.messages)
		}
		if bg := eval[string](t, tb, `getComputedStyle(document.querySelector(".state.health-ok")).backgroundColor`); bg != "rgba(0, 0, 0, 0)" {
			t.Errorf("a blocked stylesheet still coloured the state (%s)", bg)
		}
	})
}

// checkVisibleText asserts on the text as rendered, which leaves out what
// CSS hides and titles that only show as tooltips.
func checkVisibleText(t *testing.T, tb tab) {
	t.Helper()
	rows := eval[[]string](t, tb, `[...document.querySelectorAll("tr.credential")].map(r => r.innerText)`)
	want := [][]string{
		{"wiki", "ready"}, {"partner", "needs login", "notion-auth-proxy login partner"},
		{"crm", "refresh failed"}, {"archive", "missing secret", "notion-auth-proxy set-token archive"},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d credential rows visible, want %d", len(rows), len(want))
	}
	for i, words := range want {
		for _, w := range words {
			if !strings.Contains(rows[i], w) {
				t.Errorf("credential row %d reads %q, lacks %q", i, rows[i], w)
			}
		}
	}
	link := eval[[]string](t, tb, `(a => [a.href, a.innerText, a.target])(document.querySelector("#not-shared a.notion-link"))`)
	if want := []string{"https://www.notion.so/1f2e3d4c5b6a47988a7b6c5d4e3f2a1b", "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b", "_blank"}; strings.Join(link, " ") != strings.Join(want, " ") {
		t.Errorf("first not-shared link is %q, want %q", link, want)
	}
	body := eval[string](t, tb, `document.body.innerText`)
	for _, w := range []string{`add integration "wiki"`, "research-agent", "v1.4.0", "3 of 4 credentials need attention"} {
		if !strings.Contains(body, w) {
			t.Errorf("the page does not show %q", w)
		}
	}
}

// checkColours asserts that states are coloured as the stylesheet says: the
// inline style block was applied.
func checkColours(t *testing.T, tb tab) {
	t.Helper()
	for _, tt := range []struct {
		class string
		hue   func(r, g, b int) bool
	}{
		{"health-ok", func(r, g, b int) bool { return g > r && g > b }},
		{"health-warn", func(r, g, b int) bool { return r > b && g > b }},
		{"health-bad", func(r, g, b int) bool { return r > g && r > b }},
	} {
		css := eval[string](t, tb, fmt.Sprintf(`getComputedStyle(document.querySelector("tr.credential .state.%s")).color`, tt.class))
		var r, g, b int
		if _, err := fmt.Sscanf(css, "rgb(%d, %d, %d)", &r, &g, &b); err != nil || !tt.hue(r, g, b) {
			t.Errorf("state %s is drawn in %s", tt.class, css)
		}
	}
}

// checkCharts asserts one chart per metric per credential, each laid out
// at a size a person can read.
func checkCharts(t *testing.T, tb tab) {
	t.Helper()
	boxes := eval[[]box](t, tb, `[...document.querySelectorAll("svg.chart")].map(s => { const r = s.getBoundingClientRect(); return {W: r.width, H: r.height} })`)
	if len(boxes) != 4*len(metrics) {
		t.Fatalf("%d charts drawn, want %d", len(boxes), 4*len(metrics))
	}
	for i, b := range boxes {
		if b.W < 200 || b.H < 40 || b.W/b.H < 3 || b.W/b.H > 5 {
			t.Errorf("chart %d is %.0f×%.0f px, want a readable sparkline of about %d×%d", i, b.W, b.H, chartW, chartH)
		}
	}
	bars := eval[int](t, tb, `document.querySelectorAll("#traffic article:first-of-type svg.chart rect.bar").length`)
	if bars != 15+3+3+15 {
		t.Errorf("wiki's charts draw %d bars, want 36", bars)
	}
}

// screenshot writes a full-page PNG to $STATUSPAGE_SCREENSHOT, or into the
// test's temporary directory.
func screenshot(t *testing.T, tb tab) {
	t.Helper()
	path := os.Getenv("STATUSPAGE_SCREENSHOT")
	if path == "" {
		path = filepath.Join(t.TempDir(), "status-page.png")
	}
	shot, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if size := img.Bounds().Size(); size.X != browserWidth || size.Y <= 900 {
		t.Errorf("screenshot is %v, want the whole page, %d wide", size, browserWidth)
	}
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatalf("write screenshot: %v", err)
	}
	t.Logf("screenshot: %s", path)
}
