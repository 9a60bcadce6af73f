package ratelimit

// The scripts keep time in microseconds on Redis's own clock (TIME), so
// that the replicas' clocks never matter; durations cross between Go and
// Redis, instants never do. Lua numbers are doubles: microsecond instants
// (about 2^51) are exact, and int prints them without an exponent.

// takeScript books the next free turn of a GCRA budget, no earlier than the
// end of the key's pause.
//
// KEYS[1] is the budget, a hash: tat (the theoretical arrival time, the
// instant at which every turn booked so far has been paid for), iv (the
// emission interval it was booked at) and b (the burst). KEYS[2] holds the
// instant the key's pause ends. ARGV: iv, burst, max wait and the pause the
// caller knows of itself (durations; iv 0 means no pacing).
//
// It returns {booked (1 or 0), wait, tat after the booking, the turn's
// instant}. A turn that would wait longer than max wait books nothing.
const takeScript = `
local function int(x) return string.format('%.0f', x) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local start = now + tonumber(ARGV[4])
local pause = tonumber(redis.call('GET', KEYS[2]))
if pause and pause > start then start = pause end
local iv, burst, maxwait = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if iv <= 0 then
  local wait = start - now
  return {wait <= maxwait and 1 or 0, wait, 0, start}
end
local s = redis.call('HMGET', KEYS[1], 'tat', 'iv', 'b')
local tat = tonumber(s[1]) or now
local oiv, ob = tonumber(s[2]), tonumber(s[3])
if oiv and (oiv ~= iv or ob ~= burst) then
  -- New limits (a reload) keep the turns still free, as a token bucket
  -- does: the budget is neither refilled nor drained.
  local free = math.min(ob - math.max(tat - now, 0) / oiv, burst)
  tat = math.floor(now + (burst - free) * iv)
end
local newtat = math.max(tat, start) + iv
local slot = math.max(start, newtat - burst * iv)
local wait = slot - now
if wait > maxwait then return {0, wait, 0, slot} end
redis.call('HSET', KEYS[1], 'tat', int(newtat), 'iv', int(iv), 'b', int(burst))
redis.call('PEXPIRE', KEYS[1], math.max(math.ceil((newtat - now) / 1000), 1))
return {1, wait, newtat, slot}
`

// pauseScript holds a key's turns for ARGV[1] microseconds from now: it
// sets KEYS[1] to the instant the pause ends, unless a later one is set,
// with an expiry at that instant.
const pauseScript = `
local function int(x) return string.format('%.0f', x) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local d = tonumber(ARGV[1])
local cur = tonumber(redis.call('GET', KEYS[1]))
if cur and cur >= now + d then return 0 end
redis.call('SET', KEYS[1], int(now + d), 'PX', math.max(math.ceil(d / 1000), 1))
return 1
`

// cancelScript gives back the turn a takeScript booked: ARGV are the tat
// it set, the turn's instant and iv. The turn comes back only while it is
// still ahead and no later turn was booked after it; then tat moves back
// one interval. Otherwise nothing changes and the turn is lost.
const cancelScript = `
local function int(x) return string.format('%.0f', x) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
if now >= tonumber(ARGV[2]) then return 0 end
if tonumber(redis.call('HGET', KEYS[1], 'tat')) ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'tat', int(tonumber(ARGV[1]) - tonumber(ARGV[3])))
return 1
`
