package proxy

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/eventually"
)

func TestShutdownWaitsForTunnelledRequests(t *testing.T) {
	f := newForwardRig(t, nil)
	release := make(chan struct{})
	f.fake.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/v1/__fake/slow" {
			<-release
		}
		return false
	})
	type result struct {
		resp *http.Response
		err  error
	}
	answered := make(chan result, 1)
	c := f.client()
	go func() {
		resp, err := c.Get("https://api.notion.com/v1/__fake/slow")
		if err == nil {
			resp.Body.Close()
		}
		answered <- result{resp, err}
	}()
	eventually.Require(t, "the request to reach upstream", func() bool { return len(f.fake.Requests()) == 1 })

	stopped := make(chan error, 1)
	go func() { stopped <- f.handler.DrainTunnels(context.Background()) }()
	select {
	case err := <-stopped:
		t.Fatalf("Shutdown returned (%v) while a tunnelled request was in flight", err)
	case <-time.After(200 * time.Millisecond): // it must not return at all yet
	}
	close(release)
	res := <-answered
	if res.err != nil {
		t.Fatalf("the in-flight tunnelled request failed during shutdown: %v", res.err)
	}
	if !res.resp.Close {
		t.Error("an answer sent while draining does not close the tunnel")
	}
	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Shutdown did not return once the tunnel was idle")
	}
}

func TestShutdownGivesUpAtItsDeadline(t *testing.T) {
	f := newForwardRig(t, nil)
	release := make(chan struct{})
	defer close(release)
	f.fake.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
		<-release
		return false
	})
	go func() {
		if resp, err := f.client().Get("https://api.notion.com/v1/users/me"); err == nil {
			resp.Body.Close()
		}
	}()
	eventually.Require(t, "the request to reach upstream", func() bool { return len(f.fake.Requests()) == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := f.handler.DrainTunnels(ctx); err != context.DeadlineExceeded {
		t.Errorf("Shutdown = %v, want the deadline's error", err)
	}
}
