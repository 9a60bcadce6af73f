package main

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"
)

// echoServer answers every connection with what it reads.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String()
}

// TestRelayDelaysEachWay checks what the benchmark rests on: through the
// relay, the first exchange on a connection costs two round trips (the
// handshake and the exchange) and every later one a round trip, and the
// bytes arrive unchanged.
func TestRelayDelaysEachWay(t *testing.T) {
	const delay = 20 * time.Millisecond
	r, err := newRelay(echoServer(t), delay)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	c, err := net.Dial("tcp", r.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	exchange := func(msg []byte) time.Duration {
		t.Helper()
		start := time.Now()
		if _, err := c.Write(msg); err != nil {
			t.Fatal(err)
		}
		got := make([]byte, len(msg))
		if _, err := io.ReadFull(c, got); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, msg) {
			t.Fatalf("the relay changed the bytes: got %q, want %q", got, msg)
		}
		return time.Since(start)
	}
	if took := exchange([]byte("hello")); took < 4*delay {
		t.Errorf("first exchange took %s, want at least %s (handshake and one round trip)", took, 4*delay)
	}
	big := bytes.Repeat([]byte("0123456789"), 20000) // several chunks
	if took := exchange(big); took < 2*delay || took > 20*delay {
		t.Errorf("second exchange took %s, want about one round trip of %s", took, 2*delay)
	}
	if n := r.accepted.Load(); n != 1 {
		t.Errorf("relay counted %d connections, want 1", n)
	}
}
