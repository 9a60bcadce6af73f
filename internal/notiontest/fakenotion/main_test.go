package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestServesTheSeededWorkspace(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	out, w := io.Pipe()
	done := make(chan int, 1)
	go func() {
		code := run(ctx, []string{"-listen", "127.0.0.1:0", "-token", "ntn_demo"}, w, io.Discard)
		w.Close()
		done <- code
	}()
	sc := bufio.NewScanner(out)
	var base string
	var banner []string
	for sc.Scan() {
		line := sc.Text()
		banner = append(banner, line)
		if b, ok := strings.CutPrefix(line, "fake Notion API (not Notion) listening on "); ok {
			base = b
		}
		if strings.Contains(line, "/query") { // the last line
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	text := strings.Join(banner, "\n")
	for _, want := range []string{"1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b", "HR salaries", "curl http://127.0.0.1:8700/v1/pages/"} {
		if !strings.Contains(text, want) {
			t.Errorf("banner lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "curl "+base) {
		t.Errorf("banner suggests calling the fake directly:\n%s", text)
	}
	for path, want := range map[string]int{
		"/v1/pages/1f2e3d4c5b6a47988a7b6c5d4e3f2a1b": 200,
		"/v1/pages/9a8b7c6d5e4f4a3b9c2d1e0f2a3b4c5d": 404,
	} {
		req, _ := http.NewRequestWithContext(ctx, "GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer ntn_demo")
		req.Header.Set("Notion-Version", "2025-09-03")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit code %d after a stop", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("fakenotion did not stop")
	}
}

func TestRefusesBadUsage(t *testing.T) {
	for _, args := range [][]string{
		{"-listen", "127.0.0.1:0"},                           // no token
		{"-listen", "0.0.0.0:0", "-token", "x"},              // not loopback
		{"-listen", "127.0.0.1:0", "-token", "x", "surplus"}, // an argument
	} {
		t.Setenv("FAKENOTION_TOKEN", "")
		if code := run(t.Context(), args, io.Discard, io.Discard); code != 2 {
			t.Errorf("run(%q) = %d, want 2", args, code)
		}
	}
}
