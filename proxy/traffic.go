package proxy

import (
	"sync"
	"time"
)

// trafficMinutes is how many minutes of per-credential traffic the proxy
// keeps for the status page.
const trafficMinutes = 15

// MinuteTraffic is one credential's traffic in one minute.
type MinuteTraffic struct {
	Start       time.Time     // the minute's first instant
	Requests    int           // requests answered
	RateLimited int           // 429 and 529 answers from Notion
	Pauses      int           // pauses Notion asked for (Retry-After)
	PacingWait  time.Duration // time requests waited for their turn, summed
}

// trafficRing counts a credential's traffic in per-minute buckets, the
// last trafficMinutes of them. It is safe for concurrent use; the request
// path takes its lock once per event.
type trafficRing struct {
	mu      sync.Mutex
	buckets [trafficMinutes + 1]MinuteTraffic
}

// bucket returns the bucket of the minute holding now, clearing it when it
// last held an older minute. The caller holds mu.
func (t *trafficRing) bucket(now time.Time) *MinuteTraffic {
	start := now.Truncate(time.Minute)
	b := &t.buckets[(start.Unix()/60)%int64(len(t.buckets))]
	if !b.Start.Equal(start) {
		*b = MinuteTraffic{Start: start}
	}
	return b
}

func (t *trafficRing) request(now time.Time) {
	t.mu.Lock()
	t.bucket(now).Requests++
	t.mu.Unlock()
}

func (t *trafficRing) rateLimited(now time.Time, paused bool) {
	t.mu.Lock()
	b := t.bucket(now)
	b.RateLimited++
	if paused {
		b.Pauses++
	}
	t.mu.Unlock()
}

func (t *trafficRing) paced(now time.Time, wait time.Duration) {
	t.mu.Lock()
	t.bucket(now).PacingWait += wait
	t.mu.Unlock()
}

// minutes returns the buckets of the last trafficMinutes minutes up to now
// that saw traffic, oldest first.
func (t *trafficRing) minutes(now time.Time) []MinuteTraffic {
	since := now.Truncate(time.Minute).Add(-(trafficMinutes - 1) * time.Minute)
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]MinuteTraffic, 0, trafficMinutes)
	for _, b := range t.buckets {
		if !b.Start.Before(since) && !b.Start.After(now) {
			out = append(out, b)
		}
	}
	for i := 1; i < len(out); i++ { // a handful of entries: insertion sort
		for j := i; j > 0 && out[j].Start.Before(out[j-1].Start); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
