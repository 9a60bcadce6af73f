// Package ratelimit books turns for named budgets, one per credential, so
// that requests to Notion keep to each credential's rate limit. A Take books
// the next free turn and says how long to wait for it; the caller does the
// waiting, so it can give the turn back (cancel) when its client leaves.
// Pause holds a key's turns for as long as Notion asked with a 429 or 529
// Retry-After; turns booked behind a pause are reserved for when it ends, in
// order and with their spacing.
//
// Local keeps the budgets in the process, with golang.org/x/time/rate.
// Redis keeps one budget per key in a Redis server, shared by every replica.
//
// # GCRA
//
// Redis books with the generic cell rate algorithm. A key's budget is one
// instant, its theoretical arrival time (TAT): when every turn booked so far
// will have been paid for at the emission interval T = 1/rate. A turn asked
// for at now, after a pause that ends at p (or now), is booked at
//
//	start = max(now, p)
//	TAT'  = max(TAT, start) + T
//	turn  = max(start, TAT' - burst*T)
//
// so a full bucket lets burst turns go at once and spaces the rest T apart,
// as a token bucket of that rate and burst would. When turn - now exceeds the
// caller's max wait, nothing is written. A Lua script does this atomically
// (EVALSHA), so replicas never book the same turn. The budget expires once it
// is full again. The budget also records the rate and burst it was booked
// at; when a caller's differ (a configuration reload), the turns still free
// are carried over, so the bucket is neither refilled nor drained.
//
// # The clock
//
// The script reads Redis's own clock (TIME) and keeps instants in
// microseconds there. Replicas send only durations (the interval, the max
// wait, the pause) and receive durations (the wait), so their clocks never
// need to agree. Local, and the probes and fallback of Redis, read the clock
// given to their constructor, so tests need not run in real time.
//
// # Degraded mode
//
// Each call to Redis is bounded by a short timeout (250ms by default) and
// not retried. When a call fails, Redis logs rate_limit_degraded once and
// books each replica's share locally: rate/replicas, with burst/replicas (at
// least 1), so that the replicas together stay near the budget. While
// degraded it tries Redis again at most once per probe interval (1s by
// default), with the Take or Pause that comes then; the first that Redis
// answers logs rate_limit_restored and the shared budget is used again.
// Pauses are always kept locally too: a pause set while Redis is away
// applies to this replica alone, and once Redis is back this replica still
// books no turn before it ends; a pause set in Redis applies everywhere.
//
// # Cancel
//
// A turn given back in Redis is returned by moving the TAT back one
// interval. That is exact only while no later turn was booked after it:
// later turns keep their instants, so the script cannot fill the gap, and
// the turn is then lost rather than handed to a later booking. A turn whose
// instant has come, or whose budget changed limits since, is not given back
// either. The cost is, at worst, one unused turn per client that left.
// Local gives turns back as golang.org/x/time/rate does.
package ratelimit
