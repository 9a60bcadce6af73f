package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/notion-auth-proxy/notion-auth-proxy/credstore"
	"github.com/notion-auth-proxy/notion-auth-proxy/proxy"
)

// Server timeouts (SPEC §8) and the shutdown drain cap (SPEC §3).
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 120 * time.Second
	shutdownTimeout   = 15 * time.Second
)

func newServeCommand(g *globals, s streams) *cobra.Command {
	var listen string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the proxy",
		Long: `Run the proxy. SIGINT and SIGTERM stop it gracefully, draining in-flight
requests for up to 15 seconds; SIGHUP reloads the configuration.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			overrides := map[string]string{}
			if cmd.Flags().Changed("listen") {
				overrides["listen"] = listen
			}
			return serve(cmd.Context(), g, overrides, s)
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "", "listen address (default from config: 127.0.0.1:8700)")
	return cmd
}

// serve runs the proxy until ctx ends.
func serve(ctx context.Context, g *globals, overrides map[string]string, s streams) error {
	cfg, err := loadConfig(g, overrides)
	if err != nil {
		return err
	}
	log, err := newLogger(cfg.Log, zapcore.Lock(zapcore.AddSync(s.err)))
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	credstore.SetRedisLogger(log)

	store, err := openStore(cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	registry := prometheus.NewRegistry()
	refreshes := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "notion_proxy_token_refreshes_total",
		Help: "OAuth token refreshes, by credential and result (success or the failure reason).",
	}, []string{"credential", "result"})
	registry.MustRegister(refreshes, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	h := hooks{log: log, onRefresh: func(credential, _, result string) {
		refreshes.WithLabelValues(credential, result).Inc()
	}}

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	startProfiling(runCtx, log)
	creds := buildCredentials(runCtx, cfg, store, h, nil)
	pc, err := proxyConfig(cfg, creds)
	if err != nil {
		return err
	}
	login := &loginHandler{}
	login.current.Store(creds.login)
	handler, err := proxy.New(pc, proxy.Options{
		Logger:    log,
		Transport: proxy.NewTransport(proxy.TransportOptions{ResponseHeaderTimeout: cfg.UpstreamTimeout}),
		Registry:  registry,
		OAuth:     login,
	})
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := newServer(handler, log)
	r := &reloader{g: g, overrides: overrides, log: log, handler: handler, path: cfg.Path,
		store: store, hooks: h, login: login}
	r.start(runCtx, creds)
	if err := r.watch(runCtx); err != nil {
		return err
	}

	log.Info("serving", zap.String("event", "listening"), zap.String("addr", ln.Addr().String()),
		zap.String("upstream", cfg.Upstream), zap.String("config", cfg.Path), zap.Int("credentials", len(creds.list)))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", zap.String("event", "shutdown"))
	shutdownCtx, stop := context.WithTimeout(context.Background(), shutdownTimeout)
	defer stop()
	tunnels := make(chan error, 1)
	go func() { tunnels <- handler.Shutdown(shutdownCtx) }() // requests inside forward-proxy tunnels
	if err := errors.Join(srv.Shutdown(shutdownCtx), <-tunnels); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// newServer returns the proxy's HTTP server with the timeouts of SPEC §8.
// There is no write timeout: downloads stream for as long as they take.
func newServer(h http.Handler, log *zap.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          zap.NewStdLog(log.With(zap.String("event", "http_server"))),
	}
}
