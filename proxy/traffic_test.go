package proxy

import (
	"testing"
	"time"
)

// The ring keeps the last 15 minutes, one bucket each, and forgets older
// minutes as new ones arrive, whatever the gap.
func TestTrafficRingKeepsTheLastMinutes(t *testing.T) {
	var r trafficRing
	base := time.Date(2026, 12, 1, 10, 0, 30, 0, time.UTC)
	for i := range 20 {
		at := base.Add(time.Duration(i) * time.Minute)
		r.request(at)
		r.request(at.Add(10 * time.Second))
		r.paced(at, 250*time.Millisecond)
		if i%5 == 0 {
			r.rateLimited(at, true)
		}
	}
	now := base.Add(19 * time.Minute)
	got := r.minutes(now)
	if len(got) != trafficMinutes {
		t.Fatalf("%d minutes, want %d", len(got), trafficMinutes)
	}
	if first := got[0].Start; !first.Equal(base.Add(5 * time.Minute).Truncate(time.Minute)) {
		t.Errorf("oldest minute %s, want 10:05", first)
	}
	for i, m := range got {
		if m.Requests != 2 || m.PacingWait != 250*time.Millisecond {
			t.Errorf("minute %d: %+v", i, m)
		}
		if i > 0 && !m.Start.After(got[i-1].Start) {
			t.Errorf("minutes out of order at %d", i)
		}
	}
	if got[0].RateLimited != 1 || got[0].Pauses != 1 || got[1].RateLimited != 0 {
		t.Errorf("429 counts: %+v %+v", got[0], got[1])
	}
	// An hour of silence: nothing is left in the window.
	if later := r.minutes(now.Add(time.Hour)); len(later) != 0 {
		t.Errorf("after an hour of silence: %d minutes", len(later))
	}
}
