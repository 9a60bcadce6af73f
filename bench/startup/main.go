// Command startup measures how long the proxy takes from exec to its first
// /readyz 200, and its resident memory when idle (make bench-startup). It
// starts the release binary -runs times, zero-config (NOTION_API_TOKEN) in
// front of a fake Notion API on loopback, polling /readyz every
// millisecond on a fresh connection; once ready it leaves the process idle
// for -idle and reads VmRSS. It prints the median, the fastest and the
// slowest, and writes startup.csv to -out.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/notion-auth-proxy/notion-auth-proxy/bench/internal/procs"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
)

func main() { procs.Main("bench/startup", run) }

// sample is one start.
type sample struct {
	ready time.Duration
	mem   procs.Memory
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("startup", flag.ContinueOnError)
	bin := fs.String("proxy", "bin/notion-auth-proxy", "the proxy `binary` (make build)")
	out := fs.String("out", "bin/bench", "`directory` for startup.csv")
	runs := fs.Int("runs", 20, "starts to measure")
	idle := fs.Duration("idle", time.Second, "how long each process idles before its memory is read")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *runs < 1 {
		return errors.New("usage: startup [flags] (see -help)")
	}
	fake := notiontest.NewServer()
	defer fake.Close()
	fake.AddToken(procs.Token, notiontest.Bot{ID: "7d2c9f1e-3b4a-4c5d-8e6f-0a1b2c3d4e5f", Name: "Bench Bot"})

	var samples []sample
	for range *runs {
		if err := ctx.Err(); err != nil {
			return err
		}
		s, err := once(*bin, fake.URL(), *idle)
		if err != nil {
			return err
		}
		samples = append(samples, s)
	}
	report(stdout, samples, *idle)
	return writeCSV(*out, samples)
}

// once starts the proxy, times it to ready, lets it idle and reads its
// memory.
func once(bin, upstream string, idle time.Duration) (sample, error) {
	dir, err := os.MkdirTemp("", "bench-startup-")
	if err != nil {
		return sample{}, fmt.Errorf("scratch directory: %w", err)
	}
	defer os.RemoveAll(dir)
	addr, err := procs.FreeAddr()
	if err != nil {
		return sample{}, err
	}
	p, err := procs.Start("proxy", dir, procs.Env(dir,
		"NOTION_API_TOKEN="+procs.Token,
		"NOTION_PROXY_UPSTREAM="+upstream,
		"NOTION_PROXY_LISTEN="+addr,
		"NOTION_PROXY_STORE_BACKEND=file",
	), bin, "serve")
	if err != nil {
		return sample{}, err
	}
	at, err := p.WaitHTTP("http://"+addr+"/readyz", http.StatusOK, time.Millisecond, 20*time.Second)
	if err != nil {
		return sample{}, errors.Join(err, p.Stop())
	}
	time.Sleep(idle) // the idle period is what is measured
	mem, err := procs.ReadMemory(p.PID())
	return sample{ready: at.Sub(p.Started), mem: mem}, errors.Join(err, p.Stop())
}

func report(w io.Writer, samples []sample, idle time.Duration) {
	ready := make([]time.Duration, len(samples))
	rss := make([]int64, len(samples))
	anon := make([]int64, len(samples))
	file := make([]int64, len(samples))
	for i, s := range samples {
		ready[i], rss[i], anon[i], file[i] = s.ready, s.mem.RSS, s.mem.Anon, s.mem.File
	}
	for _, s := range [][]int64{rss, anon, file} {
		slices.Sort(s)
	}
	slices.Sort(ready)
	mid := len(samples) / 2
	fmt.Fprintf(w, "%d starts, zero-config, /readyz polled every 1 ms; memory read after %s idle\n\n", len(samples), idle)
	fmt.Fprintln(w, "| measure | median | fastest / smallest | slowest / largest |")
	fmt.Fprintln(w, "|---|---:|---:|---:|")
	fmt.Fprintf(w, "| exec to /readyz 200, ms | %.1f | %.1f | %.1f |\n", msf(ready[mid]), msf(ready[0]), msf(ready[len(ready)-1]))
	for _, m := range []struct {
		name string
		v    []int64
	}{{"idle RSS, MiB", rss}, {"of which anonymous (heap, stacks), MiB", anon}, {"of which file-backed (the binary), MiB", file}} {
		fmt.Fprintf(w, "| %s | %.1f | %.1f | %.1f |\n", m.name, mib(m.v[mid]), mib(m.v[0]), mib(m.v[len(m.v)-1]))
	}
}

func msf(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
func mib(b int64) float64         { return float64(b) / (1 << 20) }

// writeCSV writes one row per start.
func writeCSV(dir string, samples []sample) error {
	rows := make([][]string, len(samples))
	for i, s := range samples {
		rows[i] = []string{strconv.Itoa(i + 1), strconv.FormatFloat(msf(s.ready), 'f', 2, 64),
			strconv.FormatInt(s.mem.RSS>>10, 10), strconv.FormatInt(s.mem.Anon>>10, 10), strconv.FormatInt(s.mem.File>>10, 10)}
	}
	return procs.WriteCSV(dir, "startup.csv", []string{"run", "ready_ms", "idle_rss_kib", "rss_anon_kib", "rss_file_kib"}, rows)
}
