package proxy

import (
	"bufio"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// upload returns a body of size bytes with no declared length, written in
// 1 MiB pieces as a client streaming a file would.
func upload(size int) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		chunk := make([]byte, 1<<20)
		for sent := 0; sent < size; sent += len(chunk) {
			if _, err := pw.Write(chunk[:min(len(chunk), size-sent)]); err != nil {
				return
			}
		}
		pw.Close()
	}()
	return pr
}

// allocated returns the bytes the whole process allocated while f ran.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestStreamsBodiesWithFlatMemory(t *testing.T) {
	// Retries on: bodies up to 1 MiB are kept for replay, larger ones must
	// still stream.
	r := newRig(t, func(c *Config) {
		c.MaxBodyBytes = 128 << 20
		c.Retry = Retry{MaxAttempts: 3, MaxRetryAfter: time.Second}
	})
	const size = 64 << 20
	// Everything the process allocates counts (client, proxy and fake
	// alike), so the bound is loose; a proxy that buffered a body would
	// allocate at least the body's size.
	const limit = size / 8
	for _, length := range []string{"0", "1"} {
		var n int64
		var resp *http.Response
		got := allocated(func() {
			resp = r.do("GET", "/v1/__fake/download?length="+length+"&bytes="+strconv.Itoa(size), nil)
			n, _ = io.Copy(io.Discard, resp.Body)
		})
		if n != size {
			t.Fatalf("download (length=%s): %d bytes, want %d", length, n, size)
		}
		if length == "1" && resp.ContentLength != size {
			t.Errorf("download lost its Content-Length: %d", resp.ContentLength)
		}
		if got > limit {
			t.Errorf("a %d MiB download (length=%s) allocated %d MiB", size>>20, length, got>>20)
		}
	}
	var resp *http.Response
	got := allocated(func() {
		resp = r.do("POST", "/v1/file_uploads/"+sharedPage+"/send", upload(size))
		_, _ = io.Copy(io.Discard, resp.Body)
	})
	if resp.StatusCode != 200 || r.lastUpstream().BodyBytes != size {
		t.Fatalf("upload: status %d, upstream got %d bytes, want %d", resp.StatusCode, r.lastUpstream().BodyBytes, size)
	}
	if got > limit {
		t.Errorf("a %d MiB upload allocated %d MiB", size>>20, got>>20)
	}
}

func TestStreamsEventsAsTheyArrive(t *testing.T) {
	r := newRig(t, nil)
	next := make(chan struct{})
	r.fake.SetFault(func(w http.ResponseWriter, req *http.Request) bool {
		if req.URL.Path != "/v1/__fake/events" {
			return false
		}
		w.Header().Set("Content-Type", "text/event-stream")
		rc := http.NewResponseController(w)
		for i := range 3 {
			if _, err := io.WriteString(w, "data: "+strconv.Itoa(i)+"\n\n"); err != nil {
				return true
			}
			_ = rc.Flush()
			select { // the next event only once the client has this one
			case <-next:
			case <-req.Context().Done():
				return true
			}
		}
		return true
	})
	resp := r.do("GET", "/v1/__fake/events", nil)
	defer resp.Body.Close()
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if line := sc.Text(); line != "" {
				lines <- line
			}
		}
		close(lines)
	}()
	for i := range 3 {
		select {
		case line := <-lines:
			if want := "data: " + strconv.Itoa(i); line != want {
				t.Fatalf("event %q, want %q", line, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("event %d never arrived: the proxy holds back a streamed response", i)
		}
		next <- struct{}{}
	}
	if !strings.Contains(resp.Header.Get("Content-Type"), "event-stream") {
		t.Errorf("Content-Type %q", resp.Header.Get("Content-Type"))
	}
}
