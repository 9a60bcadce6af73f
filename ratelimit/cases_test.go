package ratelimit

import (
	"context"
	"testing"
	"time"
)

// A step is one call in a pacing scenario, at the scenario's clock.
type step struct {
	do      string // "take", "pause", "cancel" or "advance"
	rate    float64
	burst   int
	maxWait time.Duration // take: 0 means forever
	d       time.Duration // pause, advance: how long
	take    int           // cancel: which take of the scenario, from 0
	want    time.Duration // take: the wait
	refused bool          // take: ok is false
}

func take(rate float64, burst int, want time.Duration) step {
	return step{do: "take", rate: rate, burst: burst, want: want}
}

func takeRefused(rate float64, burst int, maxWait, want time.Duration) step {
	return step{do: "take", rate: rate, burst: burst, maxWait: maxWait, want: want, refused: true}
}

func pause(d time.Duration) step   { return step{do: "pause", d: d} }
func advance(d time.Duration) step { return step{do: "advance", d: d} }
func cancelTake(i int) step        { return step{do: "cancel", take: i} }
func ms(n float64) time.Duration   { return time.Duration(n * float64(time.Millisecond)) }

// scenario is a named sequence of steps; steps at one clock instant unless
// an advance moves it.
type scenario struct {
	name  string
	steps []step
}

func steps(parts ...any) []step {
	var out []step
	for _, p := range parts {
		switch p := p.(type) {
		case step:
			out = append(out, p)
		case []step:
			out = append(out, p...)
		}
	}
	return out
}

// sharedScenarios hold for every Pacer, on any clock: none advances it.
var sharedScenarios = []scenario{
	{"burst then spacing", repeatTakes(10, 3, 0, 0, 0, ms(100), ms(200))},
	{"burst below 1 counts as 1", repeatTakes(2, 0, 0, ms(500), ms(1000))},
	{"rate 0 does not pace", repeatTakes(0, 5, 0, 0, 0, 0)},
	{"turns behind a pause keep their order and spacing",
		steps(pause(time.Second), repeatTakes(10, 2, time.Second, time.Second, ms(1100), ms(1200)))},
	{"a shorter pause does not cut a longer one short",
		steps(pause(time.Second), pause(ms(200)), take(0, 1, time.Second), take(5, 1, time.Second))},
	{"a pause applies without pacing", steps(pause(ms(300)), take(0, 1, ms(300)))},
	{"a refused turn books nothing",
		steps(take(1, 1, 0), takeRefused(1, 1, ms(500), time.Second), take(1, 1, time.Second), take(1, 1, 2*time.Second))},
	{"max wait counts the pause",
		steps(pause(2*time.Second), takeRefused(10, 5, time.Second, 2*time.Second), take(10, 1, 2*time.Second))},
	{"max wait refuses without pacing too", steps(pause(time.Second), takeRefused(0, 1, ms(500), time.Second))},
	{"cancel gives the turn back",
		steps(take(1, 1, 0), take(1, 1, time.Second), cancelTake(1), take(1, 1, time.Second))},
	{"a second cancel gives nothing more",
		steps(take(1, 1, 0), take(1, 1, time.Second), cancelTake(1), cancelTake(1), take(1, 1, time.Second), take(1, 1, 2*time.Second))},
	{"cancel behind a pause",
		steps(pause(time.Second), take(1, 1, time.Second), take(1, 1, 2*time.Second), cancelTake(1), take(1, 1, 2*time.Second))},
	{"a lower rate keeps the bucket drained", steps(take(10, 2, 0), take(10, 2, 0), take(1, 2, time.Second))},
	{"a lower rate keeps the queue", steps(repeatTakes(10, 2, 0, 0, ms(100)), take(1, 2, 2*time.Second))},
	{"a larger burst does not refill", steps(take(1, 1, 0), take(1, 3, time.Second), take(1, 3, 2*time.Second))},
	{"a smaller burst caps the free turns", steps(take(1, 5, 0), repeatTakes(1, 2, 0, 0, time.Second))},
}

// localScenarios move the clock, which only Local's tests control.
var localScenarios = []scenario{
	{"the bucket refills with time",
		steps(repeatTakes(2, 2, 0, 0, ms(500)), advance(ms(1500)), repeatTakes(2, 2, 0, 0, ms(500)))},
	{"a pause ends", steps(pause(time.Second), advance(time.Second), take(0, 1, 0), take(1, 1, 0))},
	{"a turn whose time has come is not given back",
		steps(take(1, 1, 0), take(1, 1, time.Second), advance(ms(1500)), cancelTake(1), take(1, 1, ms(500)))},
}

// repeatTakes is one take per wanted wait, all at rate and burst.
func repeatTakes(rate float64, burst int, want ...time.Duration) []step {
	out := make([]step, len(want))
	for i, w := range want {
		out[i] = take(rate, burst, w)
	}
	return out
}

// play runs sc against the pacers in turn (step i on pacers[i%len]), on key,
// and checks each take's wait within tol of what it wants. elapsed says how
// much real time has passed since the scenario began; the waits of a
// pacer on a real clock shrink by as much.
func play(t *testing.T, sc scenario, key string, pacers []pacer, clock *fakeClock, tol time.Duration, elapsed func() time.Duration) {
	t.Helper()
	ctx := context.Background()
	var cancels []func()
	for i, s := range sc.steps {
		p := pacers[i%len(pacers)]
		switch s.do {
		case "pause":
			p.Pause(ctx, key, s.d)
		case "advance":
			clock.advance(s.d)
		case "cancel":
			cancels[s.take]()
		case "take":
			maxWait := s.maxWait
			if maxWait == 0 {
				maxWait = forever
			}
			wait, cancel, ok := p.Take(ctx, key, s.rate, s.burst, maxWait)
			if cancel == nil {
				t.Fatalf("step %d: Take returned a nil cancel", i)
			}
			cancels = append(cancels, cancel)
			late := elapsed()
			if ok == s.refused || wait < s.want-late-tol || wait > s.want+tol {
				t.Errorf("step %d: Take(rate %g, burst %d, max wait %s) = %s, ok %t; want %s, ok %t",
					i, s.rate, s.burst, maxWait, wait, ok, s.want, !s.refused)
			}
		}
	}
}
