package proxy

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
)

// refreshing is a Refresher whose refresh swaps in the next token.
type refreshing struct {
	source
	next      string
	err       error
	mu        sync.Mutex
	refreshes int
	rejected  []string
}

func (r *refreshing) Refresh(_ context.Context, rejected string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.refreshes++
	r.rejected = append(r.rejected, rejected)
	if r.err != nil {
		return "", r.err
	}
	r.source.mu.Lock()
	defer r.source.mu.Unlock()
	r.token = r.next
	return r.next, nil
}

const freshToken = "ntn_fresh_after_refresh_0003"

func newRefreshRig(t *testing.T, src *refreshing) *rig {
	r := newRig(t, func(c *Config) { c.Credentials[0].Source, c.MaxBodyBytes = src, 4<<20 })
	r.fake.AddToken(freshToken, notiontest.Bot{ID: "b1", Name: "Wiki Bot"})
	r.fake.RevokeToken(wikiToken)
	return r
}

func TestRefreshAndReplay(t *testing.T) {
	src := &refreshing{source: source{token: wikiToken}, next: freshToken}
	r := newRefreshRig(t, src)
	body := `{"query":"roadmap"}`
	resp := r.do("POST", "/v1/search", strings.NewReader(body), "Content-Type", "application/json")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d after refresh, want 200: %s", resp.StatusCode, readAll(t, resp.Body))
	}
	reqs := r.fake.Requests()
	if len(reqs) != 2 || reqs[0].Token != wikiToken || reqs[1].Token != freshToken || reqs[1].BodyBytes != int64(len(body)) {
		t.Fatalf("upstream saw %d requests; want the rejected one, then the replay with the fresh token and the whole body", len(reqs))
	}
	if src.refreshes != 1 || src.rejected[0] != wikiToken {
		t.Errorf("%d refreshes, want 1 naming the rejected token", src.refreshes)
	}
	if n := len(r.events("token_rejected")); n != 0 {
		t.Errorf("a refreshable credential logged token_rejected %d times", n)
	}
	var line map[string]any
	for _, e := range r.events("request") {
		line = e.ContextMap()
	}
	if line["retries"] != int64(1) {
		t.Errorf("request line retries = %v, want 1", line["retries"])
	}
}

func TestLargeBodyIsNotReplayed(t *testing.T) {
	src := &refreshing{source: source{token: wikiToken}, next: freshToken}
	r := newRefreshRig(t, src)
	big := bytes.Repeat([]byte("x"), maxReplayBytes+1)
	resp := r.do("POST", "/v1/file_uploads/"+sharedPage+"/send", io.MultiReader(bytes.NewReader(big)))
	if resp.StatusCode != 401 {
		t.Fatalf("status %d, want the upstream 401 passed on", resp.StatusCode)
	}
	if got := r.lastUpstream().BodyBytes; got != int64(len(big)) {
		t.Errorf("upstream got %d body bytes, want the whole streamed body", got)
	}
	if src.refreshes != 1 || len(r.fake.Requests()) != 1 {
		t.Errorf("refreshes %d, upstream requests %d; want 1 refresh and no replay", src.refreshes, len(r.fake.Requests()))
	}
	// The next request uses the fresh token.
	if resp := r.do("GET", "/v1/users/me", nil); resp.StatusCode != 200 || r.lastUpstream().Token != freshToken {
		t.Errorf("after refresh: %d", resp.StatusCode)
	}
}

func TestSecond401IsPassedOn(t *testing.T) {
	src := &refreshing{source: source{token: wikiToken}, next: "ntn_also_rejected"}
	r := newRefreshRig(t, src)
	if resp := r.do("GET", "/v1/users/me", nil); resp.StatusCode != 401 {
		t.Fatalf("status %d, want 401", resp.StatusCode)
	}
	if src.refreshes != 1 || len(r.fake.Requests()) != 2 {
		t.Errorf("refreshes %d, upstream requests %d; want exactly one refresh and one replay", src.refreshes, len(r.fake.Requests()))
	}
}

func TestRefreshNeedingLogin(t *testing.T) {
	src := &refreshing{source: source{token: wikiToken}, err: needsLoginErr{}}
	r := newRefreshRig(t, src)
	body := wantProxyError(t, r.do("GET", "/v1/users/me", nil), 401, "credential_needs_login", "unauthorized")
	if !strings.Contains(body.Message, "notion-auth-proxy login wiki") {
		t.Errorf("message %q lacks the login hint", body.Message)
	}
}

func TestReplayableKeepsSmallBodiesOnly(t *testing.T) {
	for _, n := range []int{0, 10, maxReplayBytes, maxReplayBytes + 1} {
		req, _ := http.NewRequest("POST", "http://127.0.0.1/v1/search", io.MultiReader(bytes.NewReader(make([]byte, n))))
		ok, err := replayable(req)
		if err != nil || ok != (n <= maxReplayBytes) {
			t.Errorf("%d bytes: replayable %v, %v", n, ok, err)
		}
		got, _ := io.ReadAll(req.Body)
		if len(got) != n {
			t.Errorf("%d bytes: body reads back %d bytes", n, len(got))
		}
	}
}
