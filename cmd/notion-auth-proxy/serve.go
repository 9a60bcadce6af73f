package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/notion-auth-proxy/notion-auth-proxy/credstore"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/credset"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/reload"
	"github.com/notion-auth-proxy/notion-auth-proxy/proxy"
	"github.com/notion-auth-proxy/notion-auth-proxy/scope"
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

// daemon is a running proxy: what serve starts and a reload replaces.
type daemon struct {
	g         *globals
	overrides map[string]string
	s         streams
	log       *zap.Logger
	store     credstore.Store
	hooks     credset.Hooks
	handler   *proxy.Handler
	listen    string // the address bound at start; a reload cannot move it

	set       atomic.Pointer[credset.Set] // the running one; the status page reads it
	tree      *scope.Tree                 // object scopes' ancestry, across reloads
	stopCreds context.CancelFunc
}

// serve runs the proxy until ctx ends.
func serve(ctx context.Context, g *globals, overrides map[string]string, s streams) error {
	cfg, err := loadConfig(g, overrides, "")
	if err != nil {
		return err
	}
	log, err := newLogger(cfg.Log, zapcore.Lock(zapcore.AddSync(s.err)))
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	credstore.SetRedisLogger(log)

	store, chosen, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	log.Info("credential store", zap.String("event", "store_selected"), zap.String("store", describeStore(store)),
		zap.String("chosen", chosen))
	pacer, err := newPacer(cfg, log)
	if err != nil {
		return err
	}
	defer pacer.Close()
	registry, hooks := newRegistry(log)
	d := &daemon{g: g, overrides: overrides, s: s, log: log, store: store, hooks: hooks, listen: cfg.Listen}
	var live atomic.Pointer[proxy.Handler]
	d.tree = newScopeTree(live.Load)

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	startProfiling(runCtx, log)
	set := credset.Build(runCtx, cfg, store, hooks, nil)
	pc, err := proxyConfig(cfg, set, d.tree)
	if err != nil {
		return err
	}
	guardSecrets(s, set, pc.ClientKeys, cfg)
	if d.handler, err = proxy.New(pc, proxy.Options{
		Logger: log, Registry: registry, OAuth: set.Login(), Pacer: pacer, Status: statusPage(d.set.Load, s.redact),
		Transport: proxy.NewTransport(proxy.TransportOptions{ResponseHeaderTimeout: cfg.UpstreamTimeout}),
	}); err != nil {
		return usage(err)
	}
	live.Store(d.handler)
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	d.start(runCtx, set)
	w := &reload.Watcher{Path: cfg.Path, Log: log, Apply: d.reload}
	if err := w.Run(runCtx); err != nil {
		return err
	}
	log.Info("serving", zap.String("event", "listening"), zap.String("addr", ln.Addr().String()),
		zap.String("upstream", cfg.Upstream), zap.String("config", cfg.Path), zap.Int("credentials", len(set.Entries())))
	return d.serve(ctx, ln)
}

// newRegistry returns the metrics registry with the process's own metrics
// and the refresh counter the credential sources report to.
func newRegistry(log *zap.Logger) (*prometheus.Registry, credset.Hooks) {
	registry := prometheus.NewRegistry()
	refreshes := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "notion_proxy_token_refreshes_total",
		Help: "OAuth token refreshes, by credential and result (success or the failure reason).",
	}, []string{"credential", "result"})
	registry.MustRegister(refreshes, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return registry, credset.Hooks{Log: log, OnRefresh: func(credential, _, result string) {
		refreshes.WithLabelValues(credential, result).Inc()
	}}
}

// serve answers on ln until ctx ends, then drains for up to 15 s.
func (d *daemon) serve(ctx context.Context, ln net.Listener) error {
	srv := newServer(d.handler, d.log)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	d.log.Info("shutting down", zap.String("event", "shutdown"))
	shutdownCtx, stop := context.WithTimeout(context.Background(), shutdownTimeout)
	defer stop()
	tunnels := make(chan error, 1)
	go func() { tunnels <- d.handler.DrainTunnels(shutdownCtx) }() // requests inside forward-proxy tunnels
	if err := errors.Join(srv.Shutdown(shutdownCtx), <-tunnels); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// start runs set's background work and stops that of the set it replaces.
func (d *daemon) start(ctx context.Context, set *credset.Set) {
	credCtx, cancel := context.WithCancel(ctx)
	set.Run(credCtx)
	if d.stopCreds != nil {
		d.stopCreds()
	}
	d.set.Store(set)
	d.stopCreds = cancel
}

// reload loads and validates the configuration afresh and swaps it in, or
// changes nothing. It is judged against the listener actually bound: a file
// whose listen moved is validated as if it had not, so dropping
// client_keys from a proxy that listens beyond loopback is refused.
func (d *daemon) reload(ctx context.Context) error {
	cfg, err := loadConfig(d.g, d.overrides, d.listen)
	if err != nil {
		var ue *usageError
		if errors.As(err, &ue) {
			return ue.err
		}
		return err
	}
	set := credset.Build(ctx, cfg, d.store, d.hooks, d.set.Load())
	pc, err := proxyConfig(cfg, set, d.tree)
	if err != nil {
		return err
	}
	if err := d.handler.Update(pc); err != nil {
		return err
	}
	guardSecrets(d.s, set, pc.ClientKeys, cfg)
	d.start(ctx, set)
	if cfg.ListenAtRestart != cfg.Listen {
		d.log.Info("listen changed in the configuration; it takes effect at the next start",
			zap.String("event", "listen_changed"), zap.String("listen", cfg.Listen), zap.String("at_restart", cfg.ListenAtRestart))
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
