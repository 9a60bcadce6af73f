package statuspage

import (
	"fmt"
	"time"
)

// The geometry of a chart, in the SVG's own units. The plot spans
// plotTop..plotBottom; the axis maximum is written above it and the time
// labels below it.
const (
	slots      = int(Window / time.Minute)
	chartW     = 240 // about the width a chart gets on a laptop, so text is drawn 1:1
	chartH     = 76
	plotTop    = 14
	plotBottom = 62
	slotW      = chartW / slots
	barW       = slotW - 4
	minBarH    = 2 // a single event must still be visible
)

// metric is one series drawn from a credential's minutes.
type metric struct {
	class   string // CSS class of the bars
	title   string // heading above the chart
	value   func(Minute) int
	text    func(int) string    // a value as a person reads it
	tooltip func(Minute) string // one minute, in words
	// mean, when set, replaces the window's sum as the figure beside the
	// title: for a per-request metric a sum means nothing.
	mean func([]Minute) int
}

var metrics = []metric{
	{
		class: "requests", title: "Requests", text: count,
		value:   func(m Minute) int { return m.Requests },
		tooltip: func(m Minute) string { return count(m.Requests) + " requests" },
	},
	{
		class: "limited", title: "429s from Notion", text: count,
		value:   func(m Minute) int { return m.RateLimited },
		tooltip: func(m Minute) string { return count(m.RateLimited) + " answered 429" },
	},
	{
		class: "pauses", title: "Pauses", text: count,
		value:   func(m Minute) int { return m.Pauses },
		tooltip: func(m Minute) string { return count(m.Pauses) + " pauses begun" },
	},
	{
		class: "wait", title: "Pacing wait per request", text: millis,
		value: meanWait, mean: windowMeanWait,
		tooltip: func(m Minute) string {
			return fmt.Sprintf("%s per request on average, %s in total",
				millis(meanWait(m)), millis(int(m.PacingWait/time.Millisecond)))
		},
	},
}

// figure returns the number shown beside the metric's title, with the
// words that say what it is.
func (m metric) figure(win []Minute) (int, string) {
	if m.mean != nil {
		return m.mean(win), "on average"
	}
	n := 0
	for _, w := range win {
		n += m.value(w)
	}
	return n, "in total"
}

// meanWait is how long a request of the minute waited for the rate budget
// on average, in milliseconds: what pacing added to each request.
func meanWait(m Minute) int {
	return int(m.PacingWait / time.Millisecond / time.Duration(max(m.Requests, 1)))
}

func windowMeanWait(win []Minute) int {
	var total Minute
	for _, m := range win {
		total.Requests += m.Requests
		total.PacingWait += m.PacingWait
	}
	return meanWait(total)
}

// chart is one metric of one credential, ready for the template.
type chart struct {
	Class string
	Title string
	Total string // the window's total or mean, e.g. "412" or "35 ms"
	Label string // the accessible name and tooltip of the whole chart
	Max   string // the axis maximum, written at the top
	Empty bool   // nothing happened in the window
	Bars  []bar
	// Fixed geometry, passed so the template holds no numbers of its own.
	W, H, Top, Base, PlotH, LabelY, MidX, MidY int
}

// bar is one minute's slot: a hover target of SlotW as wide as the plot is
// high, holding the tooltip, and the visible bar (BarX, Y, BarW, H) in it.
type bar struct {
	Title    string
	X, SlotW int
	BarX, Y  int
	BarW, H  int
}

// window returns the credential's traffic as one Minute per slot, oldest
// first, the last slot being the minute that holds now.
func window(now time.Time, minutes []Minute) []Minute {
	last := now.Truncate(time.Minute)
	first := last.Add(-time.Duration(slots-1) * time.Minute)
	out := make([]Minute, slots)
	for i := range out {
		out[i].Start = first.Add(time.Duration(i) * time.Minute).In(now.Location())
	}
	for _, m := range minutes {
		i := int(m.Start.Truncate(time.Minute).Sub(first) / time.Minute)
		if m.Start.Before(first) || i >= slots {
			continue
		}
		out[i].Requests += m.Requests
		out[i].RateLimited += m.RateLimited
		out[i].Pauses += m.Pauses
		out[i].PacingWait += m.PacingWait
	}
	return out
}

// charts draws every metric of one credential's window.
func charts(credential string, win []Minute) []chart {
	out := make([]chart, 0, len(metrics))
	for _, m := range metrics {
		out = append(out, drawChart(credential, m, win))
	}
	return out
}

// drawChart lays out one metric's bars, scaled so the largest minute fills
// the plot.
func drawChart(credential string, m metric, win []Minute) chart {
	peak := 0
	for _, w := range win {
		peak = max(peak, m.value(w))
	}
	figure, words := m.figure(win)
	c := chart{
		Class: m.class, Title: m.title, Total: m.text(figure), Max: m.text(peak), Empty: peak == 0,
		W: chartW, H: chartH, Top: plotTop, Base: plotBottom, PlotH: plotBottom - plotTop, LabelY: chartH - 2,
		MidX: chartW / 2, MidY: (plotTop + plotBottom) / 2,
	}
	c.Label = fmt.Sprintf("%s for %s, per minute over the last %d minutes: %s %s, at most %s in one minute",
		m.title, credential, slots, c.Total, words, c.Max)
	for i, w := range win {
		v := m.value(w)
		h := 0
		if peak > 0 && v > 0 {
			h = max(minBarH, v*(plotBottom-plotTop)/peak)
		}
		c.Bars = append(c.Bars, bar{
			Title: w.Start.Format("15:04") + ": " + m.tooltip(w),
			X:     i * slotW, SlotW: slotW,
			BarX: i*slotW + (slotW-barW)/2, Y: plotBottom - h, BarW: barW, H: h,
		})
	}
	return c
}
