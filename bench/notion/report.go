package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
)

// result is one target's run.
type result struct {
	target                 target
	calls, ok, errs        int
	clientLimited          int // 429s the clients received
	fakeLimited, fakeCalls int // 429s the fake sent, requests it received
	wall, limit            time.Duration
	p50, max               time.Duration // per call, retries included
	done                   []time.Duration
}

// summarise counts the outcomes of a run that started at start.
func summarise(t target, outs []outcome, start time.Time, wall time.Duration, fake *notiontest.Server) result {
	r := result{target: t, calls: len(outs), wall: wall, fakeLimited: fake.RateLimited(), fakeCalls: len(fake.Requests())}
	latencies := make([]time.Duration, 0, len(outs))
	for _, o := range outs {
		r.clientLimited += o.limited
		latencies = append(latencies, o.latency)
		if o.err == nil && o.status >= 200 && o.status < 300 {
			r.ok++
			r.done = append(r.done, o.done.Sub(start))
		} else {
			r.errs++
		}
	}
	slices.Sort(latencies)
	slices.Sort(r.done)
	if len(latencies) > 0 {
		r.p50, r.max = latencies[len(latencies)/2], latencies[len(latencies)-1]
	}
	return r
}

// vsLimit is the wall time over the physical limit.
func (r result) vsLimit() float64 { return r.wall.Seconds() / r.limit.Seconds() }

func (r result) line() string {
	return fmt.Sprintf("%-9s wall %6.2f s (%.3f × limit), %d/%d ok, %d errors, 429s: clients saw %d, fake sent %d; fake got %d requests",
		r.target.name, r.wall.Seconds(), r.vsLimit(), r.ok, r.calls, r.errs, r.clientLimited, r.fakeLimited, r.fakeCalls)
}

// writeTable prints the results as a Markdown table.
func writeTable(w io.Writer, results []result) {
	fmt.Fprintln(w, "| target | wall s | vs limit | ok | errors | 429s clients saw | 429s the fake sent | requests the fake got | p50 call s | max call s |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range results {
		fmt.Fprintf(w, "| %s | %.2f | %.3f | %d | %d | %d | %d | %d | %.2f | %.2f |\n", r.target.label,
			r.wall.Seconds(), r.vsLimit(), r.ok, r.errs, r.clientLimited, r.fakeLimited, r.fakeCalls,
			r.p50.Seconds(), r.max.Seconds())
	}
}

// writeCSV writes notion.csv (one row per target) and notion-timeline.csv
// (when each successful call ended, per target).
func writeCSV(dir string, results []result) error {
	var sum, line bytes.Buffer
	cs, ct := csv.NewWriter(&sum), csv.NewWriter(&line)
	_ = cs.Write([]string{"target", "calls", "ok", "errors", "client_429", "fake_429", "fake_requests",
		"wall_s", "limit_s", "vs_limit", "p50_call_s", "max_call_s"})
	_ = ct.Write([]string{"target", "t_s", "completed"})
	f := func(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) }
	for _, r := range results {
		_ = cs.Write([]string{r.target.name, strconv.Itoa(r.calls), strconv.Itoa(r.ok), strconv.Itoa(r.errs),
			strconv.Itoa(r.clientLimited), strconv.Itoa(r.fakeLimited), strconv.Itoa(r.fakeCalls),
			f(r.wall), f(r.limit), strconv.FormatFloat(r.vsLimit(), 'f', 4, 64), f(r.p50), f(r.max)})
		for i, d := range r.done {
			_ = ct.Write([]string{r.target.name, f(d), strconv.Itoa(i + 1)})
		}
	}
	cs.Flush()
	ct.Flush()
	for name, b := range map[string][]byte{"notion.csv": sum.Bytes(), "notion-timeline.csv": line.Bytes()} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	return nil
}

// drawChart draws notion.png: on the left the successful calls over time
// per target against the most the budget admits, burst + rate × t; on the
// right each target's calls answered, calls failed and 429s the fake sent.
func drawChart(o options, results []result) error {
	if _, err := exec.LookPath("gnuplot"); err != nil {
		return fmt.Errorf("chart: gnuplot is missing (apt-get install -y gnuplot-nox, or -chart=false)")
	}
	var script bytes.Buffer
	fmt.Fprintf(&script, `set terminal pngcairo size 1100,460 font "sans,10"
set output %q
set datafile separator ","
set multiplot layout 1,2 title "%d clients × %d calls against a fake with Notion's budget (%g/s, burst %d, %s per request)"
`, filepath.Join(o.out, "notion.png"), o.clients, o.requests, o.rate, o.burst, o.delay)
	timelinePlot(&script, o, results)
	countsPlot(&script, o)
	script.WriteString("unset multiplot\n")
	cmd := exec.Command("gnuplot")
	cmd.Stdin = &script
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("chart: gnuplot: %w: %s", err, out)
	}
	return nil
}

// chartColours are the targets' colours, in the order they ran.
var chartColours = []string{"#cc6677", "#ddaa33", "#4477aa", "#228833"}

func timelinePlot(w io.Writer, o options, results []result) {
	fmt.Fprintf(w, `set key right bottom
set grid
set xlabel "seconds since the first request"
set ylabel "calls answered 2xx"
set title "calls answered over time"
n = %d
min(a, b) = a < b ? a : b
plot [0:*] [0:n*1.05] min(n, %d + %g*x) with lines dt 2 lc rgb "#888888" title "most the budget admits"`,
		o.clients*o.requests, o.burst, o.rate)
	for i, r := range results {
		fmt.Fprintf(w, `, \
  %q using (strcol(1) eq %q ? $2 : NaN):3 with steps lw %d dt %d lc rgb %q title %q`,
			filepath.Join(o.out, "notion-timeline.csv"), r.target.name, 2+i%2, 1+i%2, chartColours[i%len(chartColours)],
			fmt.Sprintf("%s: %.1f s", r.target.label, r.wall.Seconds()))
	}
	fmt.Fprintln(w)
}

func countsPlot(w io.Writer, o options) {
	fmt.Fprintf(w, `set title "what the clients and the fake saw"
set datafile columnheaders
set key below
set xlabel ""
set ylabel "count"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 1
set yrange [0:*]
f = %q
plot f using 3:xtic(1) title "calls answered 2xx" lc rgb "#4477aa", \
  "" using 4 title "calls failed" lc rgb "#cc6677", \
  "" using 6 title "429s the fake sent" lc rgb "#ddaa33", \
  "" using ($0-0.25):3:3 with labels offset 0,0.6 notitle, \
  "" using 0:4:4 with labels offset 0,0.6 notitle, \
  "" using ($0+0.25):6:6 with labels offset 0,0.6 notitle
`, filepath.Join(o.out, "notion.csv"))
}
