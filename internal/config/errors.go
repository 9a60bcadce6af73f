package config

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with a configuration, found at one key path.
// Validate and Load report every Problem at once rather than stopping at the
// first.
type Problem struct {
	// Key is the key path, e.g. "credentials[1].name" or "store.redis.addr".
	// It is empty for a problem that belongs to no single key.
	Key string
	// Msg says what is wrong and, where it helps, what to do instead.
	Msg string
}

// Error returns "key: message".
func (p *Problem) Error() string {
	if p.Key == "" {
		return p.Msg
	}
	return p.Key + ": " + p.Msg
}

// InvalidError is returned by Load when a configuration was read but has
// problems. Unwrap returns each *Problem, so errors.As finds them one by one.
type InvalidError struct {
	// Path is the absolute path of the file; empty in zero-config mode.
	Path string
	// Problems lists everything wrong, never empty.
	Problems []*Problem
}

// Error names the source and lists every problem, one per line when there
// is more than one.
func (e *InvalidError) Error() string {
	src := "config " + e.Path
	if e.Path == "" {
		src = "config (no file; zero-config from NOTION_API_TOKEN)"
	}
	if len(e.Problems) == 1 {
		return src + ": " + e.Problems[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d problems:", src, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.Error())
	}
	return b.String()
}

// Unwrap returns the problems as errors.
func (e *InvalidError) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p
	}
	return errs
}
