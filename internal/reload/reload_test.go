package reload

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/zap"
)

// A log file (or credential store) written without pause beside the
// configuration once reset the settle timer on every write, so a change to
// the configuration was never applied. Only the file's own events count.
func TestBusyNeighbourDoesNotStarveReloads(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("a: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changed := make(chan struct{}, 10)
	if err := watchFile(ctx, cfg, zap.NewNop(), func() { changed <- struct{}{} }); err != nil {
		t.Fatal(err)
	}
	log, err := os.Create(filepath.Join(dir, "proxy.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	busy, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		tick := time.NewTicker(Settle / 10) // far more often than the settle time
		defer tick.Stop()
		for {
			select {
			case <-busy.Done():
				return
			case <-tick.C:
				log.WriteString("request served\n")
			}
		}
	}()
	if err := os.WriteFile(cfg, []byte("a: 2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changed:
	case <-time.After(20 * Settle):
		t.Fatal("the change was not applied while a neighbour kept writing")
	}
}

// A Kubernetes ConfigMap volume swaps a directory symlink (..data) under
// the file's own symlink; that swap counts as a change of the file.
func TestConfigMapSwapIsSeen(t *testing.T) {
	dir := t.TempDir()
	mkdata := func(name, content string) {
		if err := os.Mkdir(filepath.Join(dir, name), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name, "config.yaml"), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	mkdata("..2026_01", "a: 1\n")
	if err := os.Symlink("..2026_01", filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.Symlink("..data/config.yaml", cfg); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changed := make(chan struct{}, 10)
	if err := watchFile(ctx, cfg, zap.NewNop(), func() { changed <- struct{}{} }); err != nil {
		t.Fatal(err)
	}
	mkdata("..2026_02", "a: 2\n")
	tmp := filepath.Join(dir, "..data_tmp")
	if err := os.Symlink("..2026_02", tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changed:
	case <-time.After(20 * Settle):
		t.Fatal("the ConfigMap swap was not seen")
	}
}
