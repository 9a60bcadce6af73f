package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
)

// op is one request of the mix, against an object of the seeded workspace.
type op struct {
	name, method, path, body string
}

// mix returns the request client i sends as its j-th: retrieve a page,
// query the Tasks data source, append a paragraph to a page, update a task
// row, in turn, each client starting one further along so that every kind
// is in flight at once.
func mix(d notiontest.Demo, i, j int) op {
	row := d.Rows[(i+j)%len(d.Rows)]
	switch (i + j) % 4 {
	case 0:
		pages := []string{d.Root, d.Onboarding, d.Handbook, row}
		return op{"retrieve page", http.MethodGet, "/v1/pages/" + pages[i%len(pages)], ""}
	case 1:
		return op{"query data source", http.MethodPost, "/v1/data_sources/" + d.TasksSource + "/query", `{"page_size":10}`}
	case 2:
		parent := []string{d.Onboarding, d.Handbook}[i%2]
		return op{"append block children", http.MethodPatch, "/v1/blocks/" + parent + "/children", fmt.Sprintf(
			`{"children":[{"object":"block","type":"paragraph","paragraph":{"rich_text":[{"type":"text","text":{"content":"bench note %d.%d"}}]}}]}`, i, j)}
	default:
		return op{"update page", http.MethodPatch, "/v1/pages/" + row, fmt.Sprintf(
			`{"properties":{"Done":{"checkbox":%t}}}`, (i+j)%2 == 0)}
	}
}

// client sends requests as the official SDKs do on a 429: wait the
// Retry-After seconds, then send again, up to attempts times in all.
type client struct {
	http     *http.Client
	base     string
	header   http.Header // sent with every request (the credential, when direct)
	attempts int
}

// outcome is what one call of the mix came to.
type outcome struct {
	status  int // the last answer's status; 0 after a transport error
	limited int // 429s received, retried or not
	err     error
	done    time.Time     // when the last answer came
	latency time.Duration // from the first attempt to the last answer
}

// do sends o, retrying 429s.
func (c *client) do(ctx context.Context, o op) outcome {
	var out outcome
	start := time.Now()
	for attempt := 1; ; attempt++ {
		status, retryAfter, err := c.send(ctx, o)
		out.status, out.err, out.done = status, err, time.Now()
		out.latency = out.done.Sub(start)
		if err != nil || status != http.StatusTooManyRequests {
			return out
		}
		out.limited++
		if attempt >= c.attempts {
			return out
		}
		select {
		case <-time.After(retryAfter):
		case <-ctx.Done():
			out.err = ctx.Err()
			return out
		}
	}
}

// send makes one attempt and returns its status and, for a 429, how long
// the answer asked to wait (1 s when it did not say).
func (c *client) send(ctx context.Context, o op) (int, time.Duration, error) {
	var body io.Reader
	if o.body != "" {
		body = strings.NewReader(o.body)
	}
	req, err := http.NewRequestWithContext(ctx, o.method, c.base+o.path, body)
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w", o.name, err)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	if o.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w", o.name, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	wait := time.Second
	if s, err := strconv.ParseFloat(resp.Header.Get("Retry-After"), 64); err == nil && s >= 0 && s <= 60 {
		wait = time.Duration(s * float64(time.Second))
	}
	return resp.StatusCode, wait, nil
}

// load is one run of the workload: clients × requests calls of the mix,
// client i sending to bases[i % len(bases)], each client one call at a
// time.
type load struct {
	clients, requests, attempts int
	demo                        notiontest.Demo
	header                      http.Header
	timeout                     time.Duration // per call, retries included
}

// run sends the load and returns every outcome, when it started and the
// wall time, from the first request to the last answer.
func (l load) run(ctx context.Context, bases []string) ([]outcome, time.Time, time.Duration) {
	tr := &http.Transport{MaxIdleConnsPerHost: l.clients, IdleConnTimeout: time.Minute}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: l.timeout}
	outs := make([]outcome, l.clients*l.requests)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range l.clients {
		c := &client{http: hc, base: bases[i%len(bases)], header: l.header, attempts: l.attempts}
		wg.Go(func() {
			for j := range l.requests {
				outs[i*l.requests+j] = c.do(ctx, mix(l.demo, i, j))
			}
		})
	}
	wg.Wait()
	return outs, start, time.Since(start)
}
