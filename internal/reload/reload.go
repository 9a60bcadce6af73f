// Package reload tells a running proxy when to reload its configuration: on
// SIGHUP, and when the content of the configuration file changes on disk,
// including through the symlink swaps of Kubernetes ConfigMaps.
package reload

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
	"go.uber.org/zap"
)

// Settle is how long the configuration file must be quiet after a change
// before it is read: editors and deploy tools write in steps.
const Settle = 200 * time.Millisecond

// Watcher calls Apply on SIGHUP and when the configuration file changes.
type Watcher struct {
	// Path is the configuration file; empty watches SIGHUP only.
	Path string
	Log  *zap.Logger
	// Apply loads, validates and swaps in the configuration; an error
	// leaves the running one in place. Calls never overlap.
	Apply func(ctx context.Context) error

	mu sync.Mutex // one Apply at a time
}

// Run watches until ctx ends. It returns once watching has started, or
// with the error that kept the file from being watched.
func (w *Watcher) Run(ctx context.Context) error {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				w.reload(ctx)
			}
		}
	}()
	if w.Path == "" {
		return nil
	}
	return watchFile(ctx, w.Path, w.Log, func() { w.reload(ctx) })
}

func (w *Watcher) reload(ctx context.Context) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.Apply(ctx); err != nil {
		w.Log.Error("configuration reload failed; the previous configuration keeps serving",
			zap.String("event", "config_reload_failed"), zap.String("path", w.Path), zap.Error(err))
		return
	}
	w.Log.Info("configuration reloaded", zap.String("event", "config_reloaded"), zap.String("path", w.Path))
}

// watchFile calls changed when the content of the file at path changes,
// until ctx ends. It watches directories, not the file: editors, config
// management and ConfigMaps replace a file by renaming another over it or
// by swapping a symlink, which a watch on the file itself would lose. Only
// events for the file and the links that lead to it count, so a busy log
// file or credential store beside it never holds a reload back; the
// content, not the event, decides.
func watchFile(ctx context.Context, path string, log *zap.Logger, changed func()) error {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch %s: %w", path, err)
	}
	if err := fw.Add(filepath.Dir(path)); err != nil {
		fw.Close()
		return fmt.Errorf("watch %s: %w", path, err)
	}
	relevant := follow(fw, path)
	last := digest(path)
	go func() {
		defer fw.Close()
		settle := time.NewTimer(time.Hour)
		settle.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-fw.Events:
				if !ok {
					return
				}
				if relevant[filepath.Clean(ev.Name)] {
					settle.Reset(Settle)
				}
			case err, ok := <-fw.Errors:
				if !ok {
					return
				}
				log.Warn("watching the configuration file failed; SIGHUP still reloads",
					zap.String("event", "config_watch_failed"), zap.String("path", path), zap.Error(err))
			case <-settle.C:
				relevant = follow(fw, path)
				if now := digest(path); !bytes.Equal(now, last) {
					last = now
					changed()
				}
			}
		}
	}()
	return nil
}

// follow returns the paths whose events concern the file at path: the
// file, every symlink on the way to it (a link to the file, or a directory
// link such as a ConfigMap's ..data), and the file it resolves to. It
// watches the directories that hold them (best effort: path's own
// directory is watched already).
func follow(fw *fsnotify.Watcher, path string) map[string]bool {
	chain := map[string]bool{}
	p := filepath.Clean(path)
	for range 32 { // a link loop ends here
		chain[p] = true
		for d := filepath.Dir(p); d != filepath.Dir(d); d = filepath.Dir(d) {
			if fi, err := os.Lstat(d); err == nil && fi.Mode()&os.ModeSymlink != 0 {
				chain[d] = true
			}
		}
		fi, err := os.Lstat(p)
		if err != nil || fi.Mode()&os.ModeSymlink == 0 {
			break
		}
		target, err := os.Readlink(p)
		if err != nil {
			break
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(p), target)
		}
		p = filepath.Clean(target)
	}
	if real, err := filepath.EvalSymlinks(path); err == nil {
		chain[real] = true
	}
	watched := map[string]bool{}
	for _, w := range fw.WatchList() {
		watched[w] = true
	}
	for p := range chain {
		if d := filepath.Dir(p); !watched[d] {
			if fw.Add(d) == nil {
				watched[d] = true
			}
		}
	}
	return chain
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
