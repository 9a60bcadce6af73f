// Command fakenotion serves the fake Notion API of package notiontest on a
// loopback address, for demos and manual testing of the proxy. It is not
// Notion.
//
// Usage:
//
//	go run ./internal/notiontest/fakenotion -listen 127.0.0.1:8701 -token TOKEN
//
// The token may also come from $FAKENOTION_TOKEN instead of -token. The fake
// knows one bot, "Demo Bot" (id 7d2c9f1e-3b4a-4c5d-8e6f-0a1b2c3d4e5f) in
// workspace "Demo Workspace" (id 5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c),
// holding TOKEN. Page 1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b is shared with it;
// page 9a8b7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c5d is not (404 object_not_found).
// Only loopback listen addresses are accepted. SIGINT or SIGTERM stops it.
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

// The demo's fixed ids, also listed in the package comment.
const (
	botID          = "7d2c9f1e-3b4a-4c5d-8e6f-0a1b2c3d4e5f"
	workspaceID    = "5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c"
	sharedPageID   = "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b"
	unsharedPageID = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c5d"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run serves until ctx ends and returns the exit code: 0 after a clean stop,
// 1 when serving failed, 2 for bad usage.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fakenotion", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8701", "loopback `address` to listen on")
	token := fs.String("token", "", "bearer `token` the demo bot holds (default $FAKENOTION_TOKEN)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *token == "" {
		*token = os.Getenv("FAKENOTION_TOKEN")
	}
	if fs.NArg() > 0 || *token == "" {
		fmt.Fprintln(stderr, "fakenotion: -token (or $FAKENOTION_TOKEN) is required and no arguments are accepted")
		fs.Usage()
		return 2
	}
	if err := checkLoopback(*listen); err != nil {
		fmt.Fprintf(stderr, "fakenotion: %v\n", err)
		return 2
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(stderr, "fakenotion: %v\n", err)
		return 1
	}

	fake := notiontest.NewServer()
	defer fake.Close()
	fake.AddToken(*token, notiontest.Bot{
		ID: botID, Name: "Demo Bot", WorkspaceID: workspaceID, WorkspaceName: "Demo Workspace",
	})
	fake.Share(*token, "page", sharedPageID)

	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "fake Notion API (not Notion) listening on %s\n", base)
	fmt.Fprintf(stdout, "bot: Demo Bot %s, workspace: Demo Workspace %s\n", botID, workspaceID)
	fmt.Fprintf(stdout, "shared page:   %s\n", sharedPageID)
	fmt.Fprintf(stdout, "unshared page: %s\n", unsharedPageID)
	fmt.Fprintf(stdout, "try: curl -H \"Authorization: Bearer $TOKEN\" -H 'Notion-Version: 2025-09-03' %s/v1/pages/%s\n",
		base, sharedPageID)

	if err := serve(ctx, ln, fake.Handler()); err != nil {
		fmt.Fprintf(stderr, "fakenotion: %v\n", err)
		return 1
	}
	return 0
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
