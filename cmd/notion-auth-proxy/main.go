// Command notion-auth-proxy is a local credential sidecar for the Notion API.
// See the README for usage.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"go.uber.org/zap"

	"github.com/notion-auth-proxy/notion-auth-proxy/credstore"
)

func main() {
	// The Redis client logs through one process-wide logger. Commands
	// report its failures in their own words; serve sends it to its log.
	credstore.SetRedisLogger(zap.NewNop())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
