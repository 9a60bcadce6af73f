package statuspage

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// chartsOf returns the charts of the i-th credential's traffic, keyed by
// metric class.
func chartsOf(t *testing.T, d doc, i int) map[string]*html.Node {
	t.Helper()
	articles := d.all(class("traffic"))
	if i >= len(articles) {
		t.Fatalf("%d traffic articles, want more than %d", len(articles), i)
	}
	out := map[string]*html.Node{}
	for n := range articles[i].Descendants() {
		if n.Type != html.ElementNode || n.Data != "figure" {
			continue
		}
		for _, m := range metrics {
			if hasClass(n, "metric-"+m.class) {
				out[m.class] = rowFirst(n, "chart")
			}
		}
	}
	if len(out) != len(metrics) {
		t.Fatalf("credential %d has %d charts, want %d (one per metric)", i, len(out), len(metrics))
	}
	return out
}

// bars returns a chart's visible bars.
func bars(svg *html.Node) []*html.Node {
	var out []*html.Node
	for n := range svg.Descendants() {
		if n.Type == html.ElementNode && n.Data == "rect" && hasClass(n, "bar") {
			out = append(out, n)
		}
	}
	return out
}

// svgText returns the text of the chart's <text> elements, joined.
func svgText(svg *html.Node) string {
	var parts []string
	for n := range svg.Descendants() {
		if n.Type == html.ElementNode && n.Data == "text" {
			parts = append(parts, text(n))
		}
	}
	return strings.Join(parts, " | ")
}

func intAttr(t *testing.T, n *html.Node, key string) int {
	t.Helper()
	v, err := strconv.Atoi(attr(n, key))
	if err != nil {
		t.Fatalf("<%s %s=%q>: %v", n.Data, key, attr(n, key), err)
	}
	return v
}

func TestChartsWithoutTraffic(t *testing.T) {
	d := render(t, Page{Now: sampleNow, Credentials: []Credential{{Name: "idle", State: StateReady}}})
	for class, svg := range chartsOf(t, d, 0) {
		if n := len(bars(svg)); n != 0 {
			t.Errorf("%s: %d bars drawn for no traffic", class, n)
		}
		if got := svgText(svg); got != "none | −15 min | now" {
			t.Errorf("%s: chart text %q, want it to say none over the time span", class, got)
		}
		if attr(svg, "role") != "img" || !strings.Contains(attr(svg, "aria-label"), "for idle") {
			t.Errorf("%s: role=%q aria-label=%q, want an image labelled for the credential", class, attr(svg, "role"), attr(svg, "aria-label"))
		}
		if n := len(d.all(func(n *html.Node) bool { return n.Data == "g" && hasClass(n, "slot") })); n != 4*slots {
			t.Errorf("%d minute slots with tooltips in 4 charts, want %d", n, 4*slots)
		}
	}
}

func TestChartsWithTraffic(t *testing.T) {
	d := render(t, samplePage())
	charts := chartsOf(t, d, 0)
	tests := []struct {
		class, max, total string
		bars              int
		label             string
	}{
		{"requests", "max 181", "2471", 15, "Requests for wiki, per minute over the last 15 minutes: 2471 in total, at most 181 in one minute"},
		{"limited", "max 7", "12", 3, "429s from Notion for wiki, per minute over the last 15 minutes: 12 in total, at most 7 in one minute"},
		{"pauses", "max 2", "4", 3, "Pauses for wiki"},
		{"wait", "max 82 ms", "33 ms", 15, "Pacing wait per request for wiki, per minute over the last 15 minutes: 33 ms on average, at most 82 ms in one minute"},
	}
	for _, tt := range tests {
		svg := charts[tt.class]
		got := bars(svg)
		if len(got) != tt.bars {
			t.Errorf("%s: %d bars, want %d", tt.class, len(got), tt.bars)
		}
		if axis := svgText(svg); !strings.HasPrefix(axis, tt.max) || !strings.HasSuffix(axis, "−15 min | now") {
			t.Errorf("%s: axis text %q, want %q and the time span", tt.class, axis, tt.max)
		}
		if label := attr(svg, "aria-label"); !strings.HasPrefix(label, tt.label) {
			t.Errorf("%s: aria-label %q, want %q...", tt.class, label, tt.label)
		}
		tallest := 0
		for _, b := range got {
			tallest = max(tallest, intAttr(t, b, "height"))
		}
		if tallest != plotBottom-plotTop {
			t.Errorf("%s: tallest bar %d high, want the plot's full %d", tt.class, tallest, plotBottom-plotTop)
		}
	}
	figure := d.all(class("metric-limited"))[0]
	if caption := text(rowFirst(figure, "total").Parent); caption != "429s from Notion 12" {
		t.Errorf("caption %q, want the metric and its total", caption)
	}
}

func TestChartTooltipsNameTheMinute(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 30, 10, 0, time.UTC)
	p := Page{Now: now, Credentials: []Credential{{Name: "wiki", Traffic: []Minute{
		{Start: now.Add(-2 * time.Minute), Requests: 40, PacingWait: 2 * time.Second},
		{Start: now, Requests: 1},
	}}}}
	d := render(t, p)
	var titles []string
	for n := range chartsOf(t, d, 0)["requests"].Descendants() {
		if n.Type == html.ElementNode && n.Data == "g" {
			titles = append(titles, n.FirstChild.FirstChild.Data)
		}
	}
	if len(titles) != slots || titles[0] != "09:16: 0 requests" || titles[12] != "09:28: 40 requests" || titles[14] != "09:30: 1 requests" {
		t.Errorf("tooltips %q, want one per minute from 09:16 to 09:30", titles)
	}
	var wait string
	for n := range chartsOf(t, d, 0)["wait"].Descendants() {
		if n.Type == html.TextNode && strings.HasPrefix(n.Data, "09:28") {
			wait = n.Data
		}
	}
	if wait != "09:28: 50 ms per request on average, 2 s in total" {
		t.Errorf("wait tooltip %q", wait)
	}
}

func TestWindowBucketsMinutes(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 30, 10, 0, time.UTC)
	tests := []struct {
		name    string
		minutes []Minute
		want    map[int]int // slot -> requests
	}{
		{"the current minute is the last slot", []Minute{{Start: now, Requests: 3}}, map[int]int{14: 3}},
		{"any instant in a minute counts for it", []Minute{{Start: now.Truncate(time.Minute).Add(59 * time.Second), Requests: 2}}, map[int]int{14: 2}},
		{"the first slot is 14 minutes back", []Minute{{Start: now.Add(-14 * time.Minute), Requests: 5}}, map[int]int{0: 5}},
		{"older minutes are left out", []Minute{{Start: now.Add(-15 * time.Minute), Requests: 9}}, map[int]int{}},
		{"future minutes are left out", []Minute{{Start: now.Add(time.Minute), Requests: 9}}, map[int]int{}},
		{"one minute given twice is summed", []Minute{{Start: now, Requests: 1}, {Start: now, Requests: 4}}, map[int]int{14: 5}},
		{"a different zone is the same instant", []Minute{{Start: now.In(time.FixedZone("X", 5*3600+30*60)), Requests: 7}}, map[int]int{14: 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			win := window(now, tt.minutes)
			if len(win) != slots {
				t.Fatalf("%d slots, want %d", len(win), slots)
			}
			for i, m := range win {
				if m.Requests != tt.want[i] {
					t.Errorf("slot %d (%s) has %d requests, want %d", i, m.Start.Format("15:04"), m.Requests, tt.want[i])
				}
			}
		})
	}
}

func TestASingleEventIsVisible(t *testing.T) {
	c := drawChart("wiki", metrics[0], window(sampleNow, []Minute{
		{Start: sampleNow, Requests: 1000},
		{Start: sampleNow.Add(-time.Minute), Requests: 1},
	}))
	if h := c.Bars[13].H; h < minBarH {
		t.Errorf("a minute with 1 request beside one with 1000 is %d high; it must stay visible", h)
	}
	if h := c.Bars[12].H; h != 0 {
		t.Errorf("a minute with no requests is %d high", h)
	}
}

func TestFormats(t *testing.T) {
	tests := []struct{ got, want string }{
		{uptime(42 * time.Second), "42 s"},
		{uptime(-time.Second), "0 s"},
		{uptime(12 * time.Minute), "12 min"},
		{uptime(4*time.Hour + 12*time.Minute), "4 h 12 min"},
		{uptime(76 * time.Hour), "3 d 4 h"},
		{ago(time.Second), "just now"},
		{ago(-time.Hour), "just now"},
		{ago(30 * time.Second), "30 s ago"},
		{ago(59 * time.Minute), "59 min ago"},
		{ago(47 * time.Hour), "47 h ago"},
		{ago(50 * time.Hour), "2 days ago"},
		{millis(0), "0 ms"},
		{millis(850), "850 ms"},
		{millis(3000), "3 s"},
		{millis(3450), "3.5 s"},
		{millis(150_000), "2.5 min"},
		{count(9999), "9999"},
		{count(12345), "12\u202f345"},
		{count(1234567), "1\u202f234\u202f567"},
		{count(-12345), "-12\u202f345"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
