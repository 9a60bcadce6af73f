package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jomei/notionapi"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/ca"
)

// parseCA parses the output of `ca` and requires it to be one CA
// certificate.
func parseCA(t *testing.T, out string) *x509.Certificate {
	t.Helper()
	block, rest := pem.Decode([]byte(out))
	if block == nil || block.Type != "CERTIFICATE" || len(bytes.TrimSpace(rest)) != 0 {
		t.Fatalf("ca printed %q, want exactly one PEM certificate", out)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if !cert.IsCA || !cert.BasicConstraintsValid {
		t.Fatal("ca printed a certificate that is not a CA")
	}
	return cert
}

// proxiedClient is an HTTP client set up like an app run with
// HTTPS_PROXY=<proxy> and SSL_CERT_FILE=<the ca output>.
func proxiedClient(t *testing.T, proxyAddr string, roots *x509.CertPool) *http.Client {
	t.Helper()
	u, err := url.Parse(proxyAddr)
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{Proxy: http.ProxyURL(u), TLSClientConfig: &tls.Config{RootCAs: roots}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

func forwardEnv(t *testing.T, upstream string) {
	t.Helper()
	t.Setenv("NOTION_API_TOKEN", testToken)
	t.Setenv("NOTION_PROXY_UPSTREAM", upstream)
	t.Setenv("NOTION_PROXY_FORWARD_PROXY_ENABLED", "true")
}

func TestServeForwardProxyWithGeneratedCA(t *testing.T) {
	dir := isolate(t)
	fake := newFake(t)
	forwardEnv(t, fake.URL())
	stateDir := filepath.Join(dir, "state", "notion-auth-proxy")
	s := startServe(t)

	// serve generated the CA on first use, privately.
	for path, want := range map[string]os.FileMode{
		stateDir: os.ModeDir | 0o700, filepath.Join(stateDir, "ca-key.pem"): 0o600,
	} {
		if fi, err := os.Stat(path); err != nil || fi.Mode() != want {
			t.Fatalf("%s: %v, mode %v; want %v", path, err, fi, want)
		}
	}
	code, out, stderr := runCmd(t, "ca")
	if code != 0 {
		t.Fatalf("ca: exit %d %s", code, stderr)
	}
	roots := x509.NewCertPool()
	roots.AddCert(parseCA(t, out))
	client := proxiedClient(t, s.url, roots)

	req, _ := http.NewRequest("GET", "https://api.notion.com/v1/users/me", nil)
	req.Header.Set("Authorization", "Bearer not-a-notion-token")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"Wiki Bot"`) {
		t.Fatalf("users/me through the tunnel: %d %s", resp.StatusCode, body)
	}
	if up, _ := fake.LastRequest(); up.Token != testToken {
		t.Error("upstream did not get the credential's token in place of the client's")
	}

	// A second start reuses the CA: the client's trust still holds.
	if code := s.stop(); code != 0 {
		t.Fatalf("serve exited %d", code)
	}
	logs := s.stderr.String()
	s = startServe(t)
	resp, err = proxiedClient(t, s.url, roots).Get("https://api.notion.com/v1/users/me")
	if err != nil {
		t.Fatalf("after a restart: %v", err)
	}
	resp.Body.Close()
	if _, again, _ := runCmd(t, "ca"); again != out {
		t.Error("ca printed a different certificate after a restart")
	}
	s.stop()
	logs += s.stderr.String()
	checkLogs(t, logs)
	key, _ := os.ReadFile(filepath.Join(stateDir, "ca-key.pem"))
	keyLine := strings.Split(string(key), "\n")[1]
	if strings.Contains(logs+out+stderr, keyLine) {
		t.Error("CA key material appears in logs or output")
	}
}

func TestForwardProxyStreamsLargeBodies(t *testing.T) {
	isolate(t)
	fake := newFake(t)
	forwardEnv(t, fake.URL())
	s := startServe(t)
	_, out, _ := runCmd(t, "ca")
	roots := x509.NewCertPool()
	roots.AddCert(parseCA(t, out))
	client := proxiedClient(t, s.url, roots)

	const size = 8 << 20
	resp, err := client.Get("https://api.notion.com/v1/__fake/download?bytes=" + strconv.Itoa(size))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || len(got) != size {
		t.Fatalf("download: %d bytes, %v", len(got), err)
	}
	for i := range got {
		if got[i] != byte('a'+i%26) {
			t.Fatalf("download byte %d is %q", i, got[i])
		}
	}
	// An upload of unknown length, sent chunked.
	upload := io.MultiReader(bytes.NewReader(bytes.Repeat([]byte("x"), size)))
	resp, err = client.Post("https://api.notion.com/v1/__fake/echo", "application/octet-stream", upload)
	if err != nil {
		t.Fatal(err)
	}
	var echo struct {
		BodyBytes int64 `json:"body_bytes"`
	}
	err = json.NewDecoder(resp.Body).Decode(&echo)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || echo.BodyBytes != size {
		t.Errorf("upload: status %d, upstream got %d bytes, %v", resp.StatusCode, echo.BodyBytes, err)
	}
}

// TestForwardProxyWithJomeiNotionapi runs an unchanged Go Notion client,
// which always calls https://api.notion.com, through the proxy.
func TestForwardProxyWithJomeiNotionapi(t *testing.T) {
	isolate(t)
	fake := newFake(t)
	forwardEnv(t, fake.URL())
	s := startServe(t)
	_, out, _ := runCmd(t, "ca")
	roots := x509.NewCertPool()
	roots.AddCert(parseCA(t, out))

	client := notionapi.NewClient("placeholder-the-proxy-replaces", notionapi.WithHTTPClient(proxiedClient(t, s.url, roots)))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	me, err := client.User.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if me.Name != "Wiki Bot" {
		t.Errorf("users/me named %q", me.Name)
	}
	if up, _ := fake.LastRequest(); up.Token != testToken || up.Header.Get("Notion-Version") == "" {
		t.Error("upstream did not get the credential's token")
	}
	// A page not shared with the integration is diagnosed as usual.
	const page = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	_, err = client.Page.Get(ctx, notionapi.PageID(page))
	var apiErr *notionapi.Error
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound {
		t.Fatalf("unshared page: %v", err)
	}
	waitLog(t, s.stderr, `"event":"not_shared"`)
	checkLogs(t, s.stderr.String())
}

func TestServeForwardProxyWithGivenCA(t *testing.T) {
	dir := isolate(t)
	fake := newFake(t)
	authority, key, err := ca.Generate(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "my-ca.pem"), filepath.Join(dir, "my-ca.key")
	writeFile(t, certFile, string(authority.CertPEM()))
	writeFile(t, keyFile, string(key))
	t.Setenv("WIKI_TOKEN", testToken)
	cfg := filepath.Join(dir, "notion-auth-proxy.yaml")
	writeFile(t, cfg, "upstream: "+fake.URL()+"\ncredentials:\n  - {name: wiki, type: token, token_env: WIKI_TOKEN}\n"+
		"forward_proxy: {enabled: true, ca_cert_file: "+certFile+", ca_key_file: "+keyFile+"}\n")

	code, out, _ := runCmd(t, "ca")
	if code != 0 || out != string(authority.CertPEM()) {
		t.Fatalf("ca: exit %d; want the configured certificate", code)
	}
	s := startServe(t)
	roots := x509.NewCertPool()
	roots.AddCert(authority.Certificate().Leaf)
	resp, err := proxiedClient(t, s.url, roots).Get("https://api.notion.com/v1/users/me")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("status %d", resp.StatusCode)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "state", "notion-auth-proxy")); len(entries) > 0 {
		t.Error("a CA was generated although one is configured")
	}
}

func TestCACommandWithoutConfiguration(t *testing.T) {
	dir := isolate(t)
	code, out, stderr := runCmd(t, "ca")
	if code != 0 {
		t.Fatalf("ca: exit %d %s", code, stderr)
	}
	parseCA(t, out)
	if !strings.Contains(stderr, "forward_proxy.enabled is false") {
		t.Errorf("ca does not say forward mode is off: %q", stderr)
	}
	if fi, err := os.Stat(filepath.Join(dir, "state", "notion-auth-proxy", "ca-key.pem")); err != nil || fi.Mode() != 0o600 {
		t.Errorf("key file: %v %v", fi, err)
	}
}

func TestForwardProxyRefusalsEndToEnd(t *testing.T) {
	isolate(t)
	fake := newFake(t)
	var conns atomic.Int64
	other, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	go func() {
		for {
			c, err := other.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			c.Close()
		}
	}()
	t.Setenv("NOTION_API_TOKEN", testToken)
	t.Setenv("NOTION_PROXY_UPSTREAM", fake.URL())
	for _, enabled := range []string{"false", "true"} {
		t.Setenv("NOTION_PROXY_FORWARD_PROXY_ENABLED", enabled)
		s := startServe(t)
		targets := []string{other.Addr().String(), "api.notion.com:80"}
		if enabled == "false" {
			targets = append(targets, "api.notion.com:443")
		}
		for _, target := range targets {
			if status, reason := connect(t, s.url, target); status != 403 || reason != "forbidden_host" {
				t.Errorf("forward %s, CONNECT %s: %d %q; want 403 forbidden_host", enabled, target, status, reason)
			}
		}
		s.stop()
		if want := `"method":"CONNECT","path":"api.notion.com:80","status":403`; !strings.Contains(s.stderr.String(), want) {
			t.Errorf("forward %s: the refused CONNECT is not logged with its target: no %s", enabled, want)
		}
		checkLogs(t, s.stderr.String())
	}
	if conns.Load() != 0 || len(fake.Requests()) != 0 {
		t.Errorf("refused CONNECTs reached a server: %d connections, %d upstream requests", conns.Load(), len(fake.Requests()))
	}
}

// connect sends CONNECT target to the proxy and returns the answer's status
// and proxy error reason.
func connect(t *testing.T, proxyURL, target string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(proxyURL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "CONNECT "+target+" HTTP/1.1\r\nHost: "+target+"\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("X-Notion-Proxy-Error")
}

func TestCheckForwardProxyCA(t *testing.T) {
	dir := isolate(t)
	t.Setenv("WIKI_TOKEN", testToken)
	garbage := filepath.Join(dir, "garbage.pem")
	writeFile(t, garbage, "not a certificate")
	base := "credentials:\n  - {name: wiki, type: token, token_env: WIKI_TOKEN}\n"
	tests := []struct {
		name, forward string
		code          int
		want          string
	}{
		{"generated on first use", "forward_proxy: {enabled: true}\n", 0, "a CA will be generated in"},
		{"missing files", "forward_proxy: {enabled: true, ca_cert_file: " + filepath.Join(dir, "nope.pem") +
			", ca_key_file: " + filepath.Join(dir, "nope.key") + "}\n", 2, "nope.pem"},
		{"not a certificate", "forward_proxy: {enabled: true, ca_cert_file: " + garbage + ", ca_key_file: " + garbage + "}\n", 2, "garbage.pem"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := filepath.Join(dir, "c.yaml")
			writeFile(t, cfg, base+tt.forward)
			code, stdout, stderr := runCmd(t, "check", "--config", cfg)
			if code != tt.code || !strings.Contains(stdout+stderr, tt.want) {
				t.Errorf("exit %d, output %q; want %d mentioning %q", code, stdout+stderr, tt.code, tt.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "state", "notion-auth-proxy")); !errors.Is(err, os.ErrNotExist) {
		t.Error("check created the state directory")
	}
}
