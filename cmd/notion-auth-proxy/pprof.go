//go:build pprof

package main

import (
	"context"
	"net/http"
	"net/http/pprof"
	"os"

	"go.uber.org/zap"
)

// startProfiling serves net/http/pprof on $NOTION_PROXY_PPROF_LISTEN (a
// loopback address), for `make bench-load` profiles. Only binaries built
// with -tags pprof have it; release builds do not.
func startProfiling(ctx context.Context, log *zap.Logger) {
	addr := os.Getenv("NOTION_PROXY_PPROF_LISTEN")
	if addr == "" {
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	srv := &http.Server{Addr: addr, Handler: mux}
	go func() { <-ctx.Done(); srv.Close() }()
	go func() {
		log.Info("profiling", zap.String("event", "pprof"), zap.String("addr", addr))
		_ = srv.ListenAndServe()
	}()
}
