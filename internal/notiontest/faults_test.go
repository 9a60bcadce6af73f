package notiontest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
)

func TestRecording(t *testing.T) {
	s := newFake(t)
	if _, ok := s.LastRequest(); ok {
		t.Fatal("LastRequest on a new server reported a request")
	}
	do(t, s, call{method: "PATCH", path: "/v1/pages/" + pageID + "?a=b", token: tokenA, version: version,
		body: `{"properties":{}}`, header: http.Header{"X-Trace": {"1"}}})
	// Rejected requests are recorded too.
	do(t, s, call{method: "POST", path: "/v1/search", token: "bad", body: "12345"})

	reqs := s.Requests()
	if len(reqs) != 2 {
		t.Fatalf("recorded %d requests, want 2", len(reqs))
	}
	first := reqs[0]
	if first.Method != "PATCH" || first.Path != "/v1/pages/"+pageID || first.RawQuery != "a=b" ||
		first.Proto != "HTTP/1.1" || first.Token != tokenA || first.BodyBytes != int64(len(`{"properties":{}}`)) ||
		first.Header.Get("X-Trace") != "1" || first.Header.Get("Notion-Version") != version {
		t.Errorf("first request = %+v", first)
	}
	last, ok := s.LastRequest()
	if !ok || last.Token != "bad" || last.BodyBytes != 5 || last.Path != "/v1/search" {
		t.Errorf("last request = %+v, %v", last, ok)
	}

	// Copies are the caller's own.
	reqs[0].Header.Set("X-Trace", "changed")
	if got := s.Requests()[0].Header.Get("X-Trace"); got != "1" {
		t.Errorf("recorded header changed through a copy: %q", got)
	}

	s.Reset()
	if n := len(s.Requests()); n != 0 {
		t.Errorf("after Reset %d requests", n)
	}
}

func TestFailNext(t *testing.T) {
	s := newFake(t)
	s.FailNext(2, 503, "service_unavailable", "Notion is unavailable.")
	c := call{path: "/v1/users/me", token: tokenA, version: version}
	for range 2 {
		resp, body := do(t, s, c)
		wantError(t, resp, body, 503, "service_unavailable", "Notion is unavailable.")
	}
	if resp, body := do(t, s, c); resp.StatusCode != 200 {
		t.Fatalf("third request: %d %s", resp.StatusCode, body)
	}
	// Faults come before auth.
	s.FailNext(1, 500, "internal_server_error", "boom")
	resp, body := do(t, s, call{path: "/v1/users/me"})
	wantError(t, resp, body, 500, "internal_server_error", "boom")

	s.FailNext(5, 502, "bad_gateway", "x")
	s.Reset()
	if resp, _ := do(t, s, c); resp.StatusCode != 200 {
		t.Errorf("after Reset: %d", resp.StatusCode)
	}
	if n := len(s.Requests()); n != 1 {
		t.Errorf("recorded %d requests after Reset, want 1", n)
	}
}

func TestSetFault(t *testing.T) {
	s := newFake(t)
	var calls atomic.Int32
	s.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
		calls.Add(1)
		if !strings.HasPrefix(r.URL.Path, "/v1/search") {
			return false
		}
		w.Header().Set("Retry-After", "2")
		notiontest.WriteError(w, http.StatusTooManyRequests, "rate_limited", "You have been rate limited.")
		return true
	})
	resp, body := do(t, s, call{method: "POST", path: "/v1/search", token: tokenA, version: version, body: "{}"})
	wantError(t, resp, body, 429, "rate_limited", "You have been rate limited.")
	if resp.Header.Get("Retry-After") != "2" {
		t.Errorf("Retry-After = %q", resp.Header.Get("Retry-After"))
	}
	if resp, _ := do(t, s, call{path: "/v1/users/me", token: tokenA, version: version}); resp.StatusCode != 200 {
		t.Errorf("hook returning false: %d", resp.StatusCode)
	}
	if calls.Load() != 2 {
		t.Errorf("hook called %d times, want 2", calls.Load())
	}
	if last, _ := s.LastRequest(); last.Path != "/v1/users/me" {
		t.Errorf("faulted request not recorded in order: %+v", last)
	}
	s.Reset()
	do(t, s, call{path: "/v1/users/me", token: tokenA, version: version})
	if calls.Load() != 2 {
		t.Error("hook still called after Reset")
	}
}

func TestSetDelay(t *testing.T) {
	s := newFake(t)
	const d = 150 * time.Millisecond
	s.SetDelay(d)
	start := time.Now()
	if resp, _ := do(t, s, call{path: "/v1/users/me", token: tokenA, version: version}); resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if el := time.Since(start); el < d {
		t.Errorf("answered after %v, want at least %v", el, d)
	}
	s.SetDelay(0)
	start = time.Now()
	do(t, s, call{path: "/v1/users/me", token: tokenA, version: version})
	if el := time.Since(start); el >= d {
		t.Errorf("answered after %v with no delay", el)
	}
}

func TestSetDelayHonoursCancellation(t *testing.T) {
	s := newFake(t)
	s.SetDelay(400 * time.Millisecond)
	// The hook runs after the delay: a handler that ignored the cancelled
	// context would reach it.
	var reached atomic.Bool
	s.SetFault(func(http.ResponseWriter, *http.Request) bool { reached.Store(true); return false })

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", s.URL()+"/v1/users/me", nil)
	req.Header.Set("Authorization", "Bearer "+tokenA)
	req.Header.Set("Notion-Version", version)
	if resp, err := s.Client().Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, %v; want a deadline error", resp, err)
	}
	time.Sleep(700 * time.Millisecond)
	if reached.Load() {
		t.Error("handler went on after its client cancelled the request")
	}
	if len(s.Requests()) != 1 {
		t.Errorf("cancelled request not recorded")
	}
}

func TestCloseEndsDelayedRequests(t *testing.T) {
	s := notiontest.NewServer()
	s.AddToken(tokenA, botA)
	s.SetDelay(time.Minute)
	errc := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest("GET", s.URL()+"/v1/users/me", nil)
		resp, err := s.Client().Do(req)
		if err == nil {
			resp.Body.Close()
			err = fmt.Errorf("got status %d", resp.StatusCode)
		}
		errc <- err
	}()
	for len(s.Requests()) == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	start := time.Now()
	s.Close()
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("Close took %v", el)
	}
	if err := <-errc; err == nil || strings.Contains(err.Error(), "status") {
		t.Errorf("delayed request: %v; want a transport error", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	for _, tls := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%v", tls), func(t *testing.T) {
			s := notiontest.NewServer()
			if tls {
				s = notiontest.NewTLSServer()
			}
			t.Cleanup(s.Close)
			s.AddToken(tokenA, botA)
			s.Share(tokenA, "page", pageID)
			var wg sync.WaitGroup
			const workers, each = 8, 25
			var ok200 atomic.Int32
			for range workers {
				wg.Go(func() {
					for range each {
						if status(s, "/v1/pages/"+pageID) == 200 {
							ok200.Add(1)
						}
					}
				})
			}
			wg.Go(func() {
				for i := range each {
					tok := fmt.Sprintf("tok-%d", i)
					s.AddToken(tok, botA)
					s.Share(tok, "block", blockID)
					s.Restrict(tok, "GET", "/v1/users")
					s.RevokeToken(tok)
					s.SetFault(func(http.ResponseWriter, *http.Request) bool { return false })
					s.FailNext(0, 500, "internal_server_error", "x")
					s.SetDelay(0)
					_ = s.Requests()
					_, _ = s.LastRequest()
				}
			})
			wg.Wait()
			if got := ok200.Load(); got != workers*each {
				t.Errorf("%d of %d requests succeeded", got, workers*each)
			}
			if n := len(s.Requests()); n != workers*each {
				t.Errorf("recorded %d requests, want %d", n, workers*each)
			}
		})
	}
}

// status GETs path with tokenA and returns the status, or 0 on a transport
// error; unlike do it may be called from any goroutine.
func status(s *notiontest.Server, path string) int {
	req, err := http.NewRequest("GET", s.URL()+path, nil)
	if err != nil {
		return 0
	}
	req.Header.Set("Authorization", "Bearer "+tokenA)
	req.Header.Set("Notion-Version", version)
	resp, err := s.Client().Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}
