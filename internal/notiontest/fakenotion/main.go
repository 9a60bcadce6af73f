// Command fakenotion serves the fake Notion API of package notiontest on a
// loopback address, for demos, benchmarks and manual testing of the proxy.
// It is not Notion.
//
// Usage:
//
//	go run ./internal/notiontest/fakenotion -listen 127.0.0.1:8701 -token TOKEN
//
// The token may also come from $FAKENOTION_TOKEN instead of -token. The fake
// knows one bot, "Demo Bot" (id 7d2c9f1e-3b4a-4c5d-8e6f-0a1b2c3d4e5f) in
// workspace "Demo Workspace" (id 5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c),
// holding TOKEN, and the demo workspace of notiontest.SeedDemo: the page
// "Acme wiki" (1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b) with child pages,
// blocks, a "Tasks" database with rows and a comment, all shared with the
// bot, and the page "HR salaries" (9a8b7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c5d),
// shared with no one (404 object_not_found). It prints every seeded id at
// start. -rate and -burst make it enforce Notion-like rate limits;
// -public-origin sets the origin of upload and status URLs (default
// https://api.notion.com, which the proxy rewrites). Only loopback listen
// addresses are accepted. SIGINT or SIGTERM stops it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
)

// The demo bot's fixed ids, also listed in the package comment.
const (
	botID       = "7d2c9f1e-3b4a-4c5d-8e6f-0a1b2c3d4e5f"
	workspaceID = "5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// options are the command's flags.
type options struct {
	listen, token, proxy, origin string
	rate                         float64
	burst                        int
}

// run serves until ctx ends and returns the exit code: 0 after a clean stop,
// 1 when serving failed, 2 for bad usage.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts, code := parseFlags(args, stderr)
	if code >= 0 {
		return code
	}
	ln, err := net.Listen("tcp", opts.listen)
	if err != nil {
		fmt.Fprintf(stderr, "fakenotion: %v\n", err)
		return 1
	}

	fake := notiontest.New()
	defer fake.Close()
	fake.AddToken(opts.token, notiontest.Bot{
		ID: botID, Name: "Demo Bot", WorkspaceID: workspaceID, WorkspaceName: "Demo Workspace",
	})
	fake.SetRateLimit(opts.rate, opts.burst)
	if opts.origin != "" {
		fake.SetPublicOrigin(opts.origin)
	}
	banner(stdout, "http://"+ln.Addr().String(), opts.proxy, fake.SeedDemo(opts.token))

	if err := serve(ctx, ln, fake.Handler()); err != nil {
		fmt.Fprintf(stderr, "fakenotion: %v\n", err)
		return 1
	}
	return 0
}

// parseFlags reads the flags; the code is -1 when the command should run,
// else the exit code.
func parseFlags(args []string, stderr io.Writer) (options, int) {
	var o options
	fs := flag.NewFlagSet("fakenotion", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8701", "loopback `address` to listen on")
	fs.StringVar(&o.token, "token", "", "bearer `token` the demo bot holds (default $FAKENOTION_TOKEN)")
	fs.StringVar(&o.proxy, "proxy", "http://127.0.0.1:8700", "`URL` of the proxy in front, for the examples printed")
	fs.StringVar(&o.origin, "public-origin", "", "`origin` of upload and status URLs in responses (default https://api.notion.com)")
	fs.Float64Var(&o.rate, "rate", 0, "requests per second allowed per token on average; 0: no limit (Notion allows 3)")
	fs.IntVar(&o.burst, "burst", 10, "requests per token allowed in a burst when -rate is set")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, 0
		}
		return o, 2
	}
	if o.token == "" {
		o.token = os.Getenv("FAKENOTION_TOKEN")
	}
	if fs.NArg() > 0 || o.token == "" {
		fmt.Fprintln(stderr, "fakenotion: -token (or $FAKENOTION_TOKEN) is required and no arguments are accepted")
		fs.Usage()
		return o, 2
	}
	if err := checkLoopback(o.listen); err != nil {
		fmt.Fprintf(stderr, "fakenotion: %v\n", err)
		return o, 2
	}
	return o, -1
}

// banner prints where the fake listens, the seeded ids and how to reach
// them through the proxy.
func banner(w io.Writer, base, proxy string, d notiontest.Demo) {
	fmt.Fprintf(w, "fake Notion API (not Notion) listening on %s\n", base)
	fmt.Fprintf(w, "bot: Demo Bot %s, workspace: Demo Workspace %s\n", botID, workspaceID)
	fmt.Fprintln(w, "seeded objects, shared with the bot:")
	for _, o := range []struct{ kind, name, id string }{
		{"page", "Acme wiki", d.Root},
		{"block", "heading_1 Welcome to Acme", d.Heading},
		{"block", "paragraph", d.Paragraph},
		{"block", "to_do", d.ToDo},
		{"page", "Onboarding", d.Onboarding},
		{"page", "Engineering handbook", d.Handbook},
		{"database", "Tasks", d.Tasks},
		{"data_source", "Tasks", d.TasksSource},
		{"page", "row Write the README", d.Rows[0]},
		{"page", "row Ship v1", d.Rows[1]},
		{"page", "row Rotate tokens", d.Rows[2]},
		{"comment", "Welcome aboard!", d.Comment},
		{"user", "Grace Hopper", d.Person},
	} {
		fmt.Fprintf(w, "  %-11s %-26s %s\n", o.kind, o.name, o.id)
	}
	fmt.Fprintf(w, "not shared:\n  %-11s %-26s %s\n", "page", "HR salaries", d.Private)
	fmt.Fprintf(w, "try, through the proxy in front of this fake:\n")
	fmt.Fprintf(w, "  curl %s/v1/pages/%s\n", proxy, d.Root)
	fmt.Fprintf(w, "  curl %s/v1/blocks/%s/children\n", proxy, d.Root)
	fmt.Fprintf(w, "  curl -X POST %s/v1/data_sources/%s/query\n", proxy, d.TasksSource)
}

// checkLoopback accepts only addresses on a loopback interface: the fake
// holds no secret worth guarding, but a demo should not teach exposing one.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("listen address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("listen address %q is not a loopback address", addr)
}

// serve serves h on ln until ctx ends, then shuts down gracefully.
func serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
