package statuspage

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// stamp is an instant as the page shows it: how long ago, and exactly.
type stamp struct {
	Ago   string // "4 min ago"
	Exact string // "2026-12-03 14:02:11 CET"
	ISO   string // for <time datetime>
}

// newStamp words t relative to now; a zero t is a stamp with no text.
func newStamp(t, now time.Time) stamp {
	if t.IsZero() {
		return stamp{}
	}
	return stamp{
		Ago:   ago(now.Sub(t)),
		Exact: t.In(now.Location()).Format("2006-01-02 15:04:05 MST"),
		ISO:   t.UTC().Format(time.RFC3339),
	}
}

// ago words an elapsed time coarsely, as people say it.
func ago(d time.Duration) string {
	switch {
	case d < 5*time.Second:
		return "just now"
	case d < time.Minute:
		return fmt.Sprintf("%d s ago", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d/time.Hour))
	}
	return fmt.Sprintf("%d days ago", int(d/(24*time.Hour)))
}

// uptime words how long the process has run, in its two largest units.
func uptime(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%d s", int(max(d, 0)/time.Second))
	}
	days := int(d / (24 * time.Hour))
	hours := int(d/time.Hour) % 24
	mins := int(d/time.Minute) % 60
	switch {
	case days > 0:
		return fmt.Sprintf("%d d %d h", days, hours)
	case hours > 0:
		return fmt.Sprintf("%d h %d min", hours, mins)
	}
	return fmt.Sprintf("%d min", mins)
}

// count writes n with thin grouping, e.g. "12 345".
func count(n int) string {
	s := strconv.Itoa(n)
	if n < 10000 && n > -10000 {
		return s
	}
	sign := ""
	if s[0] == '-' {
		sign, s = "-", s[1:]
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune('\u202f') // narrow no-break space
		}
		b.WriteRune(r)
	}
	return sign + b.String()
}

// millis writes a duration given in milliseconds in the unit that reads
// best: "0 ms", "850 ms", "3.4 s", "2.5 min".
func millis(ms int) string {
	switch {
	case ms < 1000:
		return fmt.Sprintf("%d ms", ms)
	case ms < 60_000:
		return trimZero(fmt.Sprintf("%.1f", float64(ms)/1000)) + " s"
	}
	return trimZero(fmt.Sprintf("%.1f", float64(ms)/60_000)) + " min"
}

func trimZero(s string) string { return strings.TrimSuffix(s, ".0") }
