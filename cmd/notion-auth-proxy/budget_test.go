package main

import (
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/eventually"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/redistest"
)

// budgetEnv is three proxy processes sharing one Redis, in front of a fake
// that enforces a Notion-like budget and answers 429 beyond it. The
// proxies' budget is a little under the fake's, as an operator sizes it.
func budgetEnv(t *testing.T) (fake *notiontest.Server, redis *redistest.Server, procs []*replicaProcess, urls []string) {
	t.Helper()
	bin := buildBinary(t)
	dir := isolate(t)
	f := newFake(t)
	f.SetRateLimit(20, 6)
	redis = redistest.Start(t, redistest.Options{})
	useRedis(t, redis)
	t.Setenv("WIKI_TOKEN", testToken)
	cfg := filepath.Join(dir, "c.yaml")
	writeFile(t, cfg, "upstream: "+f.URL()+"\ncredentials:\n  - {name: wiki, type: token, token_env: WIKI_TOKEN}\n"+
		"rate_limit: {requests_per_second: 16, burst: 4, max_wait: 60s, replicas: 3}\n")
	t.Setenv("NOTION_PROXY_RATE_LIMIT_REQUESTS_PER_SECOND", "") // isolate turns pacing off; this test is about it
	for range 3 {
		p := startProcess(t, bin, "--config", cfg)
		procs, urls = append(procs, p), append(urls, p.url)
	}
	return f, redis, procs, urls
}

// One budget across replicas: 60 concurrent clients spread over three
// proxies all get their answer, none a 429, and the fake never had to
// send one. Three separate budgets would send up to three times the rate.
func TestReplicasShareOneRateBudget(t *testing.T) {
	fake, _, _, urls := budgetEnv(t)
	if bad := hammer(urls, "/v1/users/me", 60); len(bad) > 0 {
		t.Fatalf("%d of 60 requests failed: %v", len(bad), bad)
	}
	if n := fake.RateLimited(); n != 0 {
		t.Errorf("the fake had to answer %d requests with 429: the replicas overran the budget", n)
	}
}

// Redis killed and restarted mid-run loses no request: the replicas pace
// locally at their share meanwhile and go back to the shared budget.
func TestBudgetSurvivesRedisRestart(t *testing.T) {
	fake, redis, procs, urls := budgetEnv(t)
	done := make(chan []string, 1)
	go func() { done <- hammerInTurns(urls, "/v1/users/me", 20, 3) }()
	// Mid-run: a quarter of the requests have been answered.
	if !eventually.True(func() bool { return len(fake.Requests()) >= 15 }) {
		t.Fatal("the batch did not start")
	}
	redis.Kill()
	degraded := func() bool {
		for _, p := range procs {
			if strings.Contains(p.stderr.String(), `"event":"rate_limit_degraded"`) {
				return true
			}
		}
		return false
	}
	if !eventually.True(degraded) {
		t.Fatal("no replica noticed that Redis is gone")
	}
	redis.Restart()
	if bad := <-done; len(bad) > 0 {
		t.Fatalf("%d of 60 requests failed across the Redis restart: %v", len(bad), bad)
	}
	for _, p := range procs {
		if n := strings.Count(p.stderr.String(), `"event":"rate_limit_degraded"`); n > 1 {
			t.Errorf("a replica logged rate_limit_degraded %d times for one outage", n)
		}
	}
	// Traffic after the restart goes back to the shared budget.
	if bad := hammer(urls, "/v1/users/me", 6); len(bad) > 0 {
		t.Fatalf("after the restart: %v", bad)
	}
	restored := func() bool {
		for _, p := range procs {
			if strings.Contains(p.stderr.String(), `"event":"rate_limit_degraded"`) &&
				!strings.Contains(p.stderr.String(), `"event":"rate_limit_restored"`) {
				return false
			}
		}
		return true
	}
	if !eventually.True(restored) {
		t.Error("a replica that degraded never logged rate_limit_restored")
	}
}

// hammerInTurns runs clients concurrent clients, each sending turns GETs
// one after another, spread over the replicas, and returns the statuses
// that were not 200. Unlike hammer, requests keep arriving for the whole
// run.
func hammerInTurns(urls []string, path string, clients, turns int) []string {
	var mu sync.Mutex
	var bad []string
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			for range turns {
				if got := hammer(urls[i%len(urls):i%len(urls)+1], path, 1); len(got) > 0 {
					mu.Lock()
					bad = append(bad, got...)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	return bad
}
