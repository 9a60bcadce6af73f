package proxy

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/ca"
)

const streamChunk = 64 << 10

// TestForwardProxyStreamsBothBodies shows that neither body is held whole
// on its way through a tunnel: the upstream sees the first part of an
// upload while the client still holds back the rest, and the client reads
// the first part of a download while the upstream still holds back the
// rest. A proxy that buffered either body would deadlock here.
func TestForwardProxyStreamsBothBodies(t *testing.T) {
	firstUp := make(chan struct{})   // upstream got the upload's first chunk
	firstDown := make(chan struct{}) // client got the download's first chunk
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, streamChunk)
		if _, err := io.ReadFull(r.Body, buf); err != nil {
			t.Errorf("upstream: %v", err)
			return
		}
		close(firstUp)
		rest, _ := io.Copy(io.Discard, r.Body)
		w.Header().Set("X-Upload-Bytes", strconv.FormatInt(streamChunk+rest, 10))
		w.WriteHeader(http.StatusOK)
		w.Write(bytes.Repeat([]byte("d"), streamChunk))
		http.NewResponseController(w).Flush()
		if !awaited(firstDown) {
			t.Error("upstream: the client never got the first chunk of the download")
			return
		}
		w.Write(bytes.Repeat([]byte("e"), streamChunk))
	}))
	defer upstream.Close()
	up, _ := url.Parse(upstream.URL)
	authority, _, err := ca.Generate(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(Config{
		Upstream: up, NotionVersion: "2025-09-03", MaxBodyBytes: 1 << 30,
		Credentials: []Credential{{Name: "wiki", Source: &source{token: wikiToken}}},
		ForwardCA:   authority.Certificate(),
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	roots := x509.NewCertPool()
	roots.AddCert(authority.Certificate().Leaf)
	proxyURL, _ := url.Parse(srv.URL)
	client := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxyURL), TLSClientConfig: &tls.Config{RootCAs: roots}}}

	pr, pw := io.Pipe()
	go func() {
		pw.Write(bytes.Repeat([]byte("u"), streamChunk))
		if !awaited(firstUp) {
			pw.CloseWithError(io.ErrUnexpectedEOF)
			return
		}
		pw.Write(bytes.Repeat([]byte("v"), 3*streamChunk))
		pw.Close()
	}()
	resp, err := client.Post("https://api.notion.com/v1/pages", "application/octet-stream", pr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if got := resp.Header.Get("X-Upload-Bytes"); got != strconv.Itoa(4*streamChunk) {
		t.Errorf("upstream got %s upload bytes, want %d", got, 4*streamChunk)
	}
	first := make([]byte, streamChunk)
	if _, err := io.ReadFull(resp.Body, first); err != nil {
		t.Fatal(err)
	}
	close(firstDown)
	rest, err := io.ReadAll(resp.Body)
	if err != nil || len(rest) != streamChunk || rest[0] != 'e' {
		t.Errorf("rest of the download: %d bytes, %v", len(rest), err)
	}
}

// awaited waits for ch a while; a proxy that buffers makes it time out.
func awaited(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	case <-time.After(10 * time.Second):
		return false
	}
}

// TestForwardProxyBreaksOffAFailedDownload checks that a download the
// upstream breaks off midway reaches the client as an error, not as a
// shorter body that looks complete.
func TestForwardProxyBreaksOffAFailedDownload(t *testing.T) {
	f := newForwardRig(t, nil)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.Write(bytes.Repeat([]byte("d"), streamChunk))
		http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler) // drop the connection mid-body
	}))
	defer upstream.Close()
	up, _ := url.Parse(upstream.URL)
	cfg := f.config
	cfg.Upstream = up
	if err := f.handler.Update(cfg); err != nil {
		t.Fatal(err)
	}
	resp, err := f.client().Get("https://api.notion.com/v1/blocks/x/children")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if n, err := io.Copy(io.Discard, resp.Body); err == nil {
		t.Errorf("read %d bytes and a clean end; want an error", n)
	}
}
