package main

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// relay forwards each TCP connection it accepts to target, holding every
// chunk back for delay in each direction, so that a loopback path gets a
// round-trip time of 2 × delay. Loopback completes a TCP handshake at once
// where a real path spends one round trip on it; the relay adds that round
// trip before the first bytes go upstream. Its methods are safe for
// concurrent use.
type relay struct {
	ln       net.Listener
	target   string
	delay    time.Duration
	accepted atomic.Int64 // connections accepted so far
	wg       sync.WaitGroup
}

// newRelay listens on a loopback port and relays to target until Close.
func newRelay(target string, delay time.Duration) (*relay, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &relay{ln: ln, target: target, delay: delay}
	r.wg.Go(r.serve)
	return r, nil
}

// Addr is the address the relay listens on.
func (r *relay) Addr() string { return r.ln.Addr().String() }

// Close stops accepting and waits for the relayed connections to end.
func (r *relay) Close() error {
	err := r.ln.Close()
	r.wg.Wait()
	return err
}

func (r *relay) serve() {
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		r.accepted.Add(1)
		r.wg.Go(func() { r.handle(c.(*net.TCPConn)) })
	}
}

// handle relays one connection in both directions until both are done.
func (r *relay) handle(down *net.TCPConn) {
	defer down.Close()
	c, err := net.Dial("tcp", r.target)
	if err != nil {
		return
	}
	up := c.(*net.TCPConn)
	defer up.Close()
	handshake := time.Now().Add(2 * r.delay) // when the client's first bytes would have left
	var wg sync.WaitGroup
	wg.Go(func() { pipe(up, down, r.delay, handshake) })
	pipe(down, up, r.delay, time.Time{})
	wg.Wait()
}

// chunk is bytes read at a moment.
type chunk struct {
	b  []byte
	at time.Time
}

// pipe copies src to dst, each chunk delay after it was read (and not
// before notBefore + delay), then half-closes dst.
func pipe(dst, src *net.TCPConn, delay time.Duration, notBefore time.Time) {
	chunks := make(chan chunk, 256)
	go func() {
		defer close(chunks)
		for {
			b := make([]byte, 32<<10)
			n, err := src.Read(b)
			if n > 0 {
				chunks <- chunk{b[:n], time.Now()}
			}
			if err != nil {
				return
			}
		}
	}()
	failed := false
	for c := range chunks {
		if failed {
			continue // drain so the reader ends
		}
		at := c.at
		if at.Before(notBefore) {
			at = notBefore
		}
		time.Sleep(time.Until(at.Add(delay)))
		if _, err := dst.Write(c.b); err != nil {
			failed = true
			_ = src.Close() // nobody will read what it sends
		}
	}
	if err := dst.CloseWrite(); err != nil && !errors.Is(err, net.ErrClosed) {
		_ = dst.Close()
	}
}
