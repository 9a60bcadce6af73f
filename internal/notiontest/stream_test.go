package notiontest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
)

// servers returns one plain HTTP/1.1 and one TLS HTTP/2 fake, both with
// tokenA, and the protocol each should speak.
func servers(t *testing.T) map[string]*notiontest.Server {
	t.Helper()
	out := map[string]*notiontest.Server{"HTTP/1.1": notiontest.NewServer(), "HTTP/2.0": notiontest.NewTLSServer()}
	for _, s := range out {
		t.Cleanup(s.Close)
		s.AddToken(tokenA, botA)
	}
	return out
}

// onlyReader hides a reader's type so the client cannot learn its length.
type onlyReader struct{ io.Reader }

func TestFileUpload(t *testing.T) {
	const n = 8<<20 + 3
	for proto, s := range servers(t) {
		for _, known := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s known length=%v", proto, known), func(t *testing.T) {
				var body io.Reader = onlyReader{io.LimitReader(zeros{}, n)}
				if known {
					body = bytes.NewReader(make([]byte, n))
				}
				req, _ := http.NewRequestWithContext(t.Context(), "POST",
					s.URL()+"/v1/file_uploads/"+compact(otherID)+"/send", body)
				req.Header.Set("Authorization", "Bearer "+tokenA)
				req.Header.Set("Notion-Version", version)
				req.Header.Set("Content-Type", "application/octet-stream")
				resp, err := s.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var got struct {
					Object, ID, Status string
					ContentLength      int64 `json:"content_length"`
				}
				if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != 200 {
					t.Fatalf("status %d, %v", resp.StatusCode, err)
				}
				if got.Object != "file_upload" || got.ID != otherID || got.Status != "uploaded" || got.ContentLength != n {
					t.Errorf("got %+v", got)
				}
				if last, _ := s.LastRequest(); last.BodyBytes != n || last.Proto != proto {
					t.Errorf("recorded %d body bytes over %s", last.BodyBytes, last.Proto)
				}
			})
		}
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// pattern returns the first n bytes of the download body.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a' + byte(i%26)
	}
	return b
}

func TestDownload(t *testing.T) {
	tests := []struct {
		query      string
		n          int
		wantLength int64 // resp.ContentLength
	}{
		{"bytes=0", 0, -1},
		{"bytes=100&chunk=7", 100, -1},
		{"bytes=1000000", 1000000, -1},
		{"bytes=100&chunk=7&length=1", 100, 100},
		{"bytes=70000&length=1", 70000, 70000},
	}
	for proto, s := range servers(t) {
		for _, tt := range tests {
			t.Run(proto+" "+tt.query, func(t *testing.T) {
				resp, body := do(t, s, call{path: "/v1/__fake/download?" + tt.query, token: tokenA, version: version})
				if resp.StatusCode != 200 || resp.Proto != proto {
					t.Fatalf("%s %d: %s", resp.Proto, resp.StatusCode, body)
				}
				if resp.ContentLength != tt.wantLength || (tt.wantLength < 0) != (resp.Header.Get("Content-Length") == "") {
					t.Errorf("ContentLength %d, header %q; want %d", resp.ContentLength, resp.Header.Get("Content-Length"), tt.wantLength)
				}
				if !bytes.Equal(body, pattern(tt.n)) {
					t.Errorf("body of %d bytes does not follow the pattern", len(body))
				}
				if resp.Header.Get("x-notion-request-id") == "" {
					t.Error("no request id")
				}
			})
		}
	}
}

func TestDownloadInvalidQuery(t *testing.T) {
	s := newFake(t)
	for _, q := range []string{"bytes=-1", "bytes=x", "bytes=10&chunk=0", "bytes=10&chunk=999999999"} {
		resp, body := do(t, s, call{path: "/v1/__fake/download?" + q, token: tokenA, version: version})
		wantError(t, resp, body, 400, "validation_error", "")
	}
}

// TestDownloadStreams reads the start of a body far too large to buffer: it
// arrives only if every chunk is flushed as written.
func TestDownloadStreams(t *testing.T) {
	for proto, s := range servers(t) {
		t.Run(proto, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(t.Context(), "GET", s.URL()+"/v1/__fake/download?bytes=1099511627776&chunk=4096", nil)
			req.Header.Set("Authorization", "Bearer "+tokenA)
			req.Header.Set("Notion-Version", version)
			timer := time.AfterFunc(10*time.Second, func() { s.Close() })
			defer timer.Stop()
			resp, err := s.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.ContentLength != -1 {
				t.Errorf("ContentLength = %d", resp.ContentLength)
			}
			got := make([]byte, 10000)
			if _, err := io.ReadFull(resp.Body, got); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, pattern(len(got))) {
				t.Error("body does not follow the pattern")
			}
		})
	}
}

func TestHTTP2(t *testing.T) {
	s := notiontest.NewTLSServer()
	t.Cleanup(s.Close)
	s.AddToken(tokenA, botA)
	resp, body := do(t, s, call{path: "/v1/users/me", token: tokenA, version: version})
	if resp.StatusCode != 200 || resp.Proto != "HTTP/2.0" {
		t.Fatalf("%s %d: %s", resp.Proto, resp.StatusCode, body)
	}
	if last, _ := s.LastRequest(); last.Proto != "HTTP/2.0" {
		t.Errorf("recorded proto %q", last.Proto)
	}
	resp, body = do(t, s, call{path: "/v1/pages/" + pageID, token: tokenA, version: version})
	wantError(t, resp, body, 404, "object_not_found", "")
}
