package proxy

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// upstreamStub answers like Notion's users/me without recording anything,
// so the benchmarks measure the proxy rather than the fake.
func upstreamStub(b *testing.B) *httptest.Server {
	body := []byte(`{"object":"user","id":"b1","name":"Wiki Bot","type":"bot","bot":{}}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+wikiToken {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	b.Cleanup(srv.Close)
	return srv
}

func benchClient() *http.Client {
	t := NewTransport(TransportOptions{})
	return &http.Client{Transport: t}
}

func get(b *testing.B, c *http.Client, url string) {
	resp, err := c.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("status %d", resp.StatusCode)
	}
}

// BenchmarkDirect is the baseline: the client talks to the upstream itself.
func BenchmarkDirect(b *testing.B) {
	up := upstreamStub(b)
	c := benchClient()
	req := func() {
		r, _ := http.NewRequest("GET", up.URL+"/v1/users/me", nil)
		r.Header.Set("Authorization", "Bearer "+wikiToken)
		resp, err := c.Do(r)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req()
		}
	})
}

// BenchmarkProxy sends the same request through the proxy, with the access
// log encoding every line (to a discarding sink).
func BenchmarkProxy(b *testing.B) {
	up := upstreamStub(b)
	u, _ := url.Parse(up.URL)
	h, err := New(Config{
		Upstream: u, NotionVersion: "2025-09-03", MaxBodyBytes: 1 << 20,
		Credentials: []Credential{{Name: "wiki", Source: &source{token: wikiToken}}},
	}, Options{Logger: zap.New(discardCore())})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	c := benchClient()
	target := srv.URL + "/v1/users/me"
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			get(b, c, target)
		}
	})
}

// BenchmarkHandler is the proxy's own work on one request, with no socket
// on either side: ServeHTTP into a recorder, the upstream a RoundTripper
// answering from memory. Routing, stripping, the credential, the
// transport chain, httputil.ReverseProxy, the metrics and the encoded
// access log line are in it; net/http's server and client are not.
func BenchmarkHandler(b *testing.B) {
	body := []byte(`{"object":"user","id":"b1","name":"Wiki Bot","type":"bot","bot":{}}`)
	upstream := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Header.Get("Authorization") != "Bearer "+wikiToken {
			return nil, errors.New("no credential")
		}
		return &http.Response{
			StatusCode: http.StatusOK, ProtoMajor: 1, ProtoMinor: 1, Request: r, ContentLength: int64(len(body)),
			Header: http.Header{"Content-Type": {"application/json"}, "Content-Length": {strconv.Itoa(len(body))}},
			Body:   io.NopCloser(bytes.NewReader(body)),
		}, nil
	})
	u, _ := url.Parse("https://api.notion.com")
	h, err := New(Config{
		Upstream: u, NotionVersion: "2025-09-03", MaxBodyBytes: 1 << 20,
		Credentials: []Credential{{Name: "wiki", Source: &source{token: wikiToken}}},
	}, Options{Logger: zap.New(discardCore()), Transport: upstream})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, "/v1/users/me", nil)
		r.Host = "127.0.0.1:8700"
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// BenchmarkProxyClientKey is BenchmarkProxy with client keys configured and
// a key without allow presented: what an unscoped key costs per request
// (the key check, the client label and log field), never a policy.
func BenchmarkProxyClientKey(b *testing.B) {
	up := upstreamStub(b)
	u, _ := url.Parse(up.URL)
	h, err := New(Config{
		Upstream: u, NotionVersion: "2025-09-03", MaxBodyBytes: 1 << 20,
		Credentials: []Credential{{Name: "wiki", Source: &source{token: wikiToken}}},
		ClientKeys:  []ClientKey{{Name: "ci", Key: "key-ci-0123456789"}},
	}, Options{Logger: zap.New(discardCore())})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	c := benchClient()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("GET", srv.URL+"/v1/users/me", nil)
			req.Header.Set("X-Notion-Proxy-Key", "key-ci-0123456789")
			resp, err := c.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
}

// BenchmarkStripHeaders measures the header rules on a typical SDK request.
func BenchmarkStripHeaders(b *testing.B) {
	base := http.Header{
		"Authorization": {"Bearer x"}, "Content-Type": {"application/json"}, "Accept": {"application/json"},
		"User-Agent": {"notionhq-client/5"}, "Notion-Version": {"2025-09-03"}, "X-Forwarded-For": {"1.2.3.4"},
	}
	b.ReportAllocs()
	for b.Loop() {
		h := base.Clone()
		stripHeaders(h)
		if len(h) != 4 || !strings.HasPrefix(h.Get("User-Agent"), "notionhq") {
			b.Fatal("wrong headers")
		}
	}
}

// discardCore encodes log lines as serve does and throws them away.
func discardCore() zapcore.Core {
	return zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(io.Discard), zap.InfoLevel)
}

// BenchmarkRequestMetrics is the per-request metric update of the access
// log: by label values, as every request used to, and through the
// credential's cached children.
func BenchmarkRequestMetrics(b *testing.B) {
	m, err := newMetrics(prometheus.NewRegistry(), func() map[string]string { return nil })
	if err != nil {
		b.Fatal(err)
	}
	b.Run("by_label", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m.requests.WithLabelValues("default", strconv.Itoa(200), "").Inc()
			m.duration.WithLabelValues("default").Observe(0.002)
		}
	})
	b.Run("cached", func(b *testing.B) {
		cm := m.forCredential("default")
		b.ReportAllocs()
		for b.Loop() {
			cm.requested(200, "")
			cm.duration.Observe(0.002)
		}
	})
}
