package procs

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Token is the fake Notion token every driver gives the fake and the
// proxies, like make demo's.
const Token = "ntn_bench_token_not_a_real_secret"

// Main runs a driver: run gets a context that ends on SIGINT or SIGTERM,
// the arguments and standard output; an error is printed under name and
// exits 1.
func Main(name string, run func(ctx context.Context, args []string, out io.Writer) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
}
