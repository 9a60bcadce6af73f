package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
	"go.uber.org/zap"

	"github.com/notion-auth-proxy/notion-auth-proxy/credstore"
	"github.com/notion-auth-proxy/notion-auth-proxy/proxy"
)

// reloadSettle is how long the config directory must be quiet after a
// change before the file is read: editors and deploy tools write in steps.
const reloadSettle = 200 * time.Millisecond

// reloader swaps in a new configuration on SIGHUP and when the config file
// changes on disk. Each reload loads and validates a fresh value (viper is
// never asked to watch or reread in place), and only a valid one is swapped
// in; an invalid configuration is logged and the old one keeps serving.
type reloader struct {
	g         *globals
	overrides map[string]string
	log       *zap.Logger
	handler   *proxy.Handler
	path      string // "" in zero-config mode: nothing to watch
	store     credstore.Store
	hooks     hooks
	login     *loginHandler

	mu        sync.Mutex // one reload at a time
	creds     *credentialSet
	stopCreds context.CancelFunc
}

// start runs creds' background work and stops that of the set it replaces.
func (r *reloader) start(ctx context.Context, creds *credentialSet) {
	credCtx, cancel := context.WithCancel(ctx)
	creds.run(credCtx, r.store)
	if r.stopCreds != nil {
		r.stopCreds()
	}
	r.creds, r.stopCreds = creds, cancel
}

// watch reloads on SIGHUP and on changes to the config file until ctx ends.
func (r *reloader) watch(ctx context.Context) error {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				r.reload(ctx)
			}
		}
	}()
	if r.path == "" {
		return nil
	}
	return watchFile(ctx, r.path, r.log, func() { r.reload(ctx) })
}

func (r *reloader) reload(ctx context.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.apply(ctx); err != nil {
		r.log.Error("configuration reload failed; the previous configuration keeps serving",
			zap.String("event", "config_reload_failed"), zap.String("path", r.path), zap.Error(err))
		return
	}
	r.log.Info("configuration reloaded", zap.String("event", "config_reloaded"), zap.String("path", r.path))
}

func (r *reloader) apply(ctx context.Context) error {
	cfg, err := loadConfig(r.g, r.overrides)
	if err != nil {
		var ue *usageError
		if errors.As(err, &ue) {
			return ue.err
		}
		return err
	}
	creds := buildCredentials(ctx, cfg, r.store, r.hooks, r.creds)
	pc, err := proxyConfig(cfg, creds)
	if err != nil {
		return err
	}
	if err := r.handler.Update(pc); err != nil {
		return err
	}
	r.login.current.Store(creds.login)
	r.start(ctx, creds)
	return nil
}

// watchFile calls changed when the content of the file at path changes,
// until ctx ends. It watches the file's directory, not the file: editors,
// config management and Kubernetes ConfigMaps replace a file by renaming
// another over it (or by swapping a symlink), which a watch on the file
// itself would lose. When path is a symlink, the directory of the file it
// points to is watched too, so edits made through the link are seen.
// Events only prompt a look; the content decides.
func watchFile(ctx context.Context, path string, log *zap.Logger, changed func()) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch %s: %w", path, err)
	}
	if err := w.Add(filepath.Dir(path)); err != nil {
		w.Close()
		return fmt.Errorf("watch %s: %w", path, err)
	}
	follow := func() {
		if real, err := filepath.EvalSymlinks(path); err == nil && !slices.Contains(w.WatchList(), filepath.Dir(real)) {
			_ = w.Add(filepath.Dir(real)) // best effort: the link's own directory is watched
		}
	}
	follow()
	last := digest(path)
	go func() {
		defer w.Close()
		settle := time.NewTimer(time.Hour)
		settle.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case _, ok := <-w.Events:
				if !ok {
					return
				}
				settle.Reset(reloadSettle)
			case err, ok := <-w.Errors:
				if !ok {
					return
				}
				log.Warn("watching the configuration file failed; SIGHUP still reloads",
					zap.String("event", "config_watch_failed"), zap.String("path", path), zap.Error(err))
			case <-settle.C:
				follow()
				if now := digest(path); !bytes.Equal(now, last) {
					last = now
					changed()
				}
			}
		}
	}()
	return nil
}

// digest is a hash of the file's content, or nil when it cannot be read.
func digest(path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	sum := sha256.Sum256(b)
	return sum[:]
}
