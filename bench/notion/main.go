// Command notion is the Notion workload benchmark (make bench-notion): many
// clients against a fake Notion API that enforces Notion's rate limit, each
// request taking Notion-like service time, reached four ways:
//
//   - direct: the clients carry the token and retry after Retry-After, as
//     the official SDKs do;
//   - nginx: nginx injects the token, nothing paces;
//   - proxy: notion-auth-proxy with rate_limit set to the budget;
//   - replicas: three proxies sharing one budget through one redis-server,
//     the clients spread over them.
//
// Each target gets a fresh fake (its budget full) and a fresh seeded
// workspace. The clients send a mix of retrieve page, query data source,
// append block children and update page. The command prints a table of
// wall time against the physical limit, (N - burst) / rate for N
// requests, and of the 429s the clients saw and the fake sent, and writes
// notion.csv and notion-timeline.csv to -out (and notion.png with
// -chart). Everything listens on loopback; the token is a fake one.
//
// Usage:
//
//	go run ./bench/notion -proxy bin/notion-auth-proxy -out bin/bench
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/notion-auth-proxy/notion-auth-proxy/bench/internal/procs"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
)

func main() { procs.Main("bench/notion", run) }

// options are the command's flags.
type options struct {
	proxyBin, nginxConf, out, only string
	chart                          bool
	clients, requests, attempts    int
	rate                           float64
	burst, proxyBurst, replicas    int
	delay, timeout                 time.Duration
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("notion", flag.ContinueOnError)
	fs.StringVar(&o.proxyBin, "proxy", "bin/notion-auth-proxy", "the proxy `binary` (make build)")
	fs.StringVar(&o.nginxConf, "nginx-conf", "bench/nginx.conf", "nginx config `template`")
	fs.StringVar(&o.out, "out", "bin/bench", "`directory` for notion.csv, notion-timeline.csv and notion.png")
	fs.StringVar(&o.only, "targets", "direct,nginx,proxy,replicas", "comma-separated `targets` to run, in order")
	fs.BoolVar(&o.chart, "chart", true, "draw notion.png with gnuplot")
	fs.IntVar(&o.clients, "clients", 60, "concurrent clients")
	fs.IntVar(&o.requests, "requests", 5, "requests per client, one at a time")
	fs.IntVar(&o.attempts, "attempts", 5, "attempts per request a client makes on 429s (the first included)")
	fs.Float64Var(&o.rate, "rate", notiontest.NotionRequestsPerSecond, "the fake's budget, requests per second on average")
	fs.IntVar(&o.burst, "burst", 10, "the fake's burst")
	fs.IntVar(&o.proxyBurst, "proxy-burst", 9, "the proxies' rate_limit.burst (one under -burst absorbs latency jitter)")
	fs.IntVar(&o.replicas, "replicas", 3, "proxies of the replicas target")
	fs.DurationVar(&o.delay, "delay", 150*time.Millisecond, "the fake's service time per request")
	fs.DurationVar(&o.timeout, "timeout", 3*time.Minute, "bound on each call, retries included")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 || o.clients < 1 || o.requests < 1 || o.attempts < 1 || o.rate <= 0 || o.burst < 1 || o.replicas < 1 {
		return o, errors.New("usage: notion [flags]; counts must be positive (see -help)")
	}
	return o, nil
}

// notionVersion is the version the clients and nginx send, the proxy's
// default: data sources need at least 2025-09-03.
const notionVersion = "2025-09-03"

func run(ctx context.Context, args []string, stdout io.Writer) error {
	o, err := parseFlags(args)
	if err != nil {
		return err
	}
	var chosen []target
	for _, name := range strings.Split(o.only, ",") {
		i := slices.IndexFunc(targets, func(t target) bool { return t.name == name })
		if i < 0 {
			return fmt.Errorf("unknown target %q", name)
		}
		chosen = append(chosen, targets[i])
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	n := o.clients * o.requests
	limit := time.Duration(float64(max(n-o.burst, 0)) / o.rate * float64(time.Second))
	fmt.Fprintf(stdout, "%d clients × %d requests = %d; budget %g/s, burst %d; service time %s; limit (N - burst) / rate = %.2f s\n",
		o.clients, o.requests, n, o.rate, o.burst, o.delay, limit.Seconds())
	var results []result
	for _, t := range chosen {
		res, err := runTarget(ctx, o, t)
		if err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		res.limit = limit
		fmt.Fprintln(stdout, res.line())
		results = append(results, res)
	}
	fmt.Fprintln(stdout)
	writeTable(stdout, results)
	if err := writeCSV(o.out, results); err != nil {
		return err
	}
	if o.chart {
		return drawChart(o, results)
	}
	return nil
}

// runTarget starts a fresh fake and the target in front of it, runs the
// load and stops both.
func runTarget(ctx context.Context, o options, t target) (result, error) {
	dir, err := os.MkdirTemp("", "bench-notion-")
	if err != nil {
		return result{}, fmt.Errorf("scratch directory: %w", err)
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil { // nginx workers may run as another user
		return result{}, fmt.Errorf("scratch directory: %w", err)
	}

	fake := notiontest.NewServer()
	defer fake.Close()
	fake.AddToken(procs.Token, notiontest.Bot{ID: "7d2c9f1e-3b4a-4c5d-8e6f-0a1b2c3d4e5f", Name: "Bench Bot",
		WorkspaceID: "5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c", WorkspaceName: "Bench Workspace"})
	demo := fake.SeedDemo(procs.Token)
	fake.SetRateLimit(o.rate, o.burst)
	fake.SetDelay(o.delay)

	r, err := t.start(setup{
		dir: dir, proxyBin: o.proxyBin, nginxConf: o.nginxConf, token: procs.Token,
		version: notionVersion, rate: o.rate, burst: o.proxyBurst, replicas: o.replicas,
	}, fake.URL())
	if err != nil {
		return result{}, err
	}
	l := load{clients: o.clients, requests: o.requests, attempts: o.attempts, demo: demo, header: r.header, timeout: o.timeout}
	outs, start, wall := l.run(ctx, r.bases)
	res := summarise(t, outs, start, wall, fake)
	if err := r.stop(); err != nil {
		return res, err
	}
	return res, ctx.Err()
}
