package credstore

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/eventually"
)

func nextChange(t *testing.T, ch <-chan string) string {
	t.Helper()
	select {
	case name, ok := <-ch:
		if !ok {
			t.Fatal("Changes closed early")
		}
		return name
	case <-time.After(eventually.Timeout):
		t.Fatal("no change reported")
	}
	return ""
}

func noChange(t *testing.T, ch <-chan string) {
	t.Helper()
	select {
	case name := <-ch:
		t.Errorf("unexpected change of %q", name)
	case <-time.After(50 * time.Millisecond):
	}
}

// TestFileStoreChanges runs in a synctest bubble: the poller's ticker is on
// the bubble's clock, so noChange's wait ends only after the poller has
// looked at the file several times.
func TestFileStoreChanges(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "credentials.json")
		writer, watcher := openTestStore(t, path, testKey(9)), openTestStore(t, path, testKey(9))
		mustCAS(t, writer, "wiki", 0, pair(oldAccess, oldRefresh))
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ch := watcher.Changes(ctx)
		noChange(t, ch) // what was there before Changes is not news

		mustCAS(t, writer, "partner", 0, pair("p-access", "p-refresh"))
		if got := nextChange(t, ch); got != "partner" {
			t.Errorf("a new record: %q, want partner", got)
		}
		mustCAS(t, writer, "wiki", 1, pair(newAccess, newRefresh))
		if got := nextChange(t, ch); got != "wiki" {
			t.Errorf("a changed record: %q, want wiki", got)
		}
		noChange(t, ch)

		// An unusable file reports nothing, and what changed meanwhile shows
		// once it is readable again.
		good, _ := os.ReadFile(path)
		if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
			t.Fatal(err)
		}
		noChange(t, ch)
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		if got := []string{nextChange(t, ch), nextChange(t, ch)}; got[0] != "partner" || got[1] != "wiki" {
			t.Errorf("removed file: %v, want [partner wiki]", got)
		}
		if err := os.WriteFile(path, good, 0o600); err != nil {
			t.Fatal(err)
		}
		if got := []string{nextChange(t, ch), nextChange(t, ch)}; got[0] != "partner" || got[1] != "wiki" {
			t.Errorf("restored file: %v, want [partner wiki]", got)
		}
	})
}

func TestFileStoreChangesEndsWithContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "credentials.json")
		s := openTestStore(t, path, nil)
		ctx, cancel := context.WithCancel(context.Background())
		ch := s.Changes(ctx)
		// Leave a change unread, so the poller is blocked sending it: in the
		// bubble, the clock passes a tick only once the poller is idle again,
		// so after two intervals it has seen the write and waits on the
		// channel.
		mustCAS(t, s, "wiki", 0, pair(oldAccess, oldRefresh))
		time.Sleep(2 * s.poll)
		synctest.Wait()
		cancel()
		deadline := time.After(eventually.Timeout)
		for {
			select {
			case _, ok := <-ch:
				if !ok {
					return
				}
			case <-deadline:
				t.Fatal("Changes did not close its channel after ctx ended")
			}
		}
	})
}

func TestFileStoreCloseIsSafe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "credentials.json")
	s := openTestStore(t, path, nil)
	ctx, cancel := context.WithCancel(context.Background())
	ch := s.Changes(ctx)
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	// A poller started before Close keeps working until its ctx ends.
	mustCAS(t, openTestStore(t, path, nil), "wiki", 0, pair(oldAccess, oldRefresh))
	if got := nextChange(t, ch); got != "wiki" {
		t.Errorf("change after Close: %q", got)
	}
	cancel()
	for range ch {
	}
}
