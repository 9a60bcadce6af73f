package proxy

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/eventually"
)

// Reloading while requests are paced must not race: the snapshot is
// immutable and each credential's bucket lives in the Pacer, not in it.
// Run under -race, this failed while newSnapshot wrote a kept credential's
// limiter field that live requests read.
func TestReloadUnderPacedLoadDoesNotRace(t *testing.T) {
	r := newRig(t, func(c *Config) {
		c.RateLimit = RateLimit{RequestsPerSecond: 10000, Burst: 100, MaxWait: time.Second}
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, "GET", r.server.URL+"/v1/users/me", nil)
				if resp, err := http.DefaultClient.Do(req); err == nil {
					resp.Body.Close()
				}
			}
		}()
	}
	// Reload while requests are in flight: from the first answer until
	// 200 more have been answered.
	eventually.Require(t, "requests flowing", func() bool { return len(r.fake.Requests()) > 0 })
	target := len(r.fake.Requests()) + 200
	for i := 0; len(r.fake.Requests()) < target; i++ {
		next := r.config
		next.RateLimit.RequestsPerSecond = float64(5000 + i%100)
		next.RateLimit.Burst = 50 + i%100
		if err := r.handler.Update(next); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	wg.Wait()
}

// A configuration Update refuses must leave the live one alone, pacing
// included: the refused reload here would have allowed one request a
// minute.
func TestRefusedReloadKeepsRateLimits(t *testing.T) {
	r := newRig(t, func(c *Config) {
		c.RateLimit = RateLimit{RequestsPerSecond: 1000, Burst: 5, MaxWait: 0}
	})
	bad := r.config
	bad.RateLimit = RateLimit{RequestsPerSecond: 1.0 / 60, Burst: 1}
	bad.DefaultCredential = "nonexistent"
	if err := r.handler.Update(bad); err == nil {
		t.Fatal("Update accepted an unknown default credential")
	}
	for i := range 5 {
		if resp := r.do("GET", "/v1/users/me", nil); resp.StatusCode != 200 {
			t.Fatalf("request %d after a refused reload: %d (the refused limits took effect)", i, resp.StatusCode)
		}
	}
}

// Methods the Notion API does not use are not forwarded with the
// injected token: TRACE would echo it, WebDAV methods mean nothing there.
func TestUnusedMethodsAreNotForwarded(t *testing.T) {
	r := newRig(t, nil)
	for _, m := range []string{"TRACE", "TRACK", "PROPFIND", "MKCOL", "BREW"} {
		resp := r.do(m, "/v1/users/me", nil)
		wantProxyError(t, resp, http.StatusMethodNotAllowed, "method_not_allowed", "invalid_request")
	}
	if n := len(r.fake.Requests()); n != 0 {
		t.Errorf("upstream saw %d requests, want none", n)
	}
	for _, m := range []string{"GET", "POST", "PATCH", "DELETE", "PUT", "OPTIONS", "HEAD"} {
		resp := r.do(m, "/v1/users/me", nil)
		if resp.Header.Get("X-Notion-Proxy-Error") != "" {
			t.Errorf("%s was refused by the proxy: %s", m, resp.Header.Get("X-Notion-Proxy-Error"))
		}
	}
}

// A query string goes upstream byte for byte, even one that Go's URL
// parser would drop a parameter of.
func TestQueryIsForwardedIntact(t *testing.T) {
	r := newRig(t, nil)
	const query = "filter=a;b&page_size=10&x=%zz&y=1+2"
	r.do("GET", "/v1/users?"+query, nil)
	if got := r.lastUpstream().RawQuery; got != query {
		t.Errorf("upstream query %q, want %q", got, query)
	}
}

// A client that sends broken chunked framing gets 400, not a 502 that
// blames Notion.
func TestMalformedChunkedBodyIs400(t *testing.T) {
	r := newRig(t, nil)
	resp := r.raw("POST /v1/search HTTP/1.1\nHost: 127.0.0.1\nTransfer-Encoding: chunked\nContent-Type: application/json\n\nzz\n{}\n0\n\n")
	wantProxyError(t, resp, http.StatusBadRequest, "invalid_request", "invalid_request")
	if len(r.events("upstream_error")) != 0 {
		t.Error("the client's broken body was logged as an upstream error")
	}
}

// Retry-After values that are not a finite number of seconds are
// ignored: 1e19 once overflowed into a negative wait and three instant
// retries.
func TestRetryAfterOverflowIsIgnored(t *testing.T) {
	now := time.Now()
	for _, v := range []string{"1e19", "Inf", "+Inf", "NaN", "-1", "1e300", "-Inf"} {
		if d, ok := parseRetryAfter(v, now); ok {
			t.Errorf("parseRetryAfter(%q) = %s, true; want it ignored", v, d)
		}
		if d := retryDelay(v, 1, 30*time.Second, now); d <= 0 || d > 30*time.Second {
			t.Errorf("retryDelay(%q) = %s; want a positive backoff within the cap", v, d)
		}
	}
}

// A key limited to some credentials reads only their not-shared entries.
func TestScopedKeySeesOnlyItsNotSharedEntries(t *testing.T) {
	r := newRig(t, func(c *Config) {
		c.ClientKeys = []ClientKey{
			{Name: "admin", Key: "key-admin-0123456789"},
			{Name: "acme", Key: "key-acme-0123456789", Credentials: []string{"partner"}},
		}
	})
	r.do("GET", "/v1/pages/"+unsharedPage, nil, "X-Notion-Proxy-Key", "key-admin-0123456789")
	r.do("GET", "/w/acme/v1/pages/"+unsharedPage, nil, "X-Notion-Proxy-Key", "key-acme-0123456789")
	read := func(key string) []NotShared {
		var list []NotShared
		resp := r.do("GET", "/not-shared", nil, "X-Notion-Proxy-Key", key)
		if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
			t.Fatal(err)
		}
		return list
	}
	if got := read("key-admin-0123456789"); len(got) != 2 {
		t.Errorf("an unscoped key sees %d entries, want 2", len(got))
	}
	got := read("key-acme-0123456789")
	if len(got) != 1 || got[0].Credential != "partner" {
		t.Errorf("the partner-only key sees %+v, want only partner's entry", got)
	}
}

// Two client keys with one value would make the scope that applies a
// guess: the configuration is refused, naming the keys but not the value.
func TestDuplicateClientKeyValuesAreRefused(t *testing.T) {
	r := newRig(t, nil)
	next := r.config
	next.ClientKeys = []ClientKey{
		{Name: "ci", Key: "key-same-0123456789", Credentials: []string{"wiki"}},
		{Name: "agent", Key: "key-same-0123456789", Credentials: []string{"partner"}},
	}
	err := r.handler.Update(next)
	if err == nil || !strings.Contains(err.Error(), `"ci"`) || !strings.Contains(err.Error(), `"agent"`) {
		t.Fatalf("Update: %v; want an error naming both keys", err)
	}
	if strings.Contains(err.Error(), "key-same") {
		t.Errorf("the error shows the key: %v", err)
	}
}

// Notion also says how long to wait in the 429 body's
// additional_data.retry_after; without a header, that is the pause.
func TestRetryAfterFromThe429Body(t *testing.T) {
	r := newRig(t, func(c *Config) { c.Retry = Retry{MaxAttempts: 1, MaxRetryAfter: time.Minute} })
	r.fake.SetFault(func(w http.ResponseWriter, _ *http.Request) bool {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte(`{"object":"error","status":429,"code":"rate_limited","message":"slow down","additional_data":{"retry_after":7}}`))
		return true
	})
	resp := r.do("GET", "/v1/users/me", nil)
	if resp.StatusCode != 429 || !strings.Contains(readAll(t, resp.Body), `"retry_after":7`) {
		t.Fatalf("the 429 did not reach the client intact: %d", resp.StatusCode)
	}
	logs := r.events("rate_limited")
	if len(logs) != 0 {
		t.Fatalf("max_attempts 1 retried: %d", len(logs))
	}
	// The credential is paused for the body's 7 s: the next request would
	// wait beyond a max_wait of 1 s.
	next := r.config
	next.Retry.MaxAttempts = 1
	next.RateLimit = RateLimit{MaxWait: time.Second}
	if err := r.handler.Update(next); err != nil {
		t.Fatal(err)
	}
	r.fake.SetFault(nil)
	resp = r.do("GET", "/v1/users/me", nil)
	if resp.StatusCode != 429 || resp.Header.Get("X-Notion-Proxy-Error") != "rate_limit_wait_exceeded" {
		t.Errorf("after a 429 asking for 7 s: %d %q", resp.StatusCode, resp.Header.Get("X-Notion-Proxy-Error"))
	}
	if after, _ := strconv.Atoi(resp.Header.Get("Retry-After")); after < 6 || after > 7 {
		t.Errorf("Retry-After %q, want about 7", resp.Header.Get("Retry-After"))
	}
}
