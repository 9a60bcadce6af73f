package credstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Static is a token credential: an internal integration secret or a personal
// access token that the proxy uses as it is. Its value comes from an
// environment variable (read once) or a file (re-read while Run runs, so a
// rotated file takes effect without a restart). It is safe for concurrent
// use.
type Static struct {
	tokenCell
	file string // empty for env-backed tokens
}

// tokenCell holds a credential's token, or why there is none. Static and
// StoredToken share it; it is safe for concurrent use.
type tokenCell struct {
	name  string
	mu    sync.RWMutex
	token Secret
	err   error // why there is no token
}

// NewEnvToken returns the token credential name whose secret is the value of
// the environment variable envVar, as read by lookup (os.LookupEnv when nil).
func NewEnvToken(name, envVar string, lookup func(string) (string, bool)) *Static {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	s := &Static{tokenCell: tokenCell{name: name}}
	v, _ := lookup(envVar)
	token, err := ParseSecret(v)
	switch {
	case errors.Is(err, ErrMissingSecret):
		s.err = fmt.Errorf("environment variable %s is not set: %w", envVar, err)
	case err != nil:
		s.err = fmt.Errorf("environment variable %s: %w", envVar, err)
	default:
		s.token = token
	}
	return s
}

// NewFileToken returns the token credential name whose secret is the content
// of path (surrounding white space removed). The file is read now and, while
// Run runs, again every poll interval.
func NewFileToken(name, path string) *Static {
	s := &Static{tokenCell: tokenCell{name: name}, file: path}
	s.reload()
	return s
}

// NewMissingToken returns a token credential that has no source of its own
// yet: it reports missing_secret with why.
func NewMissingToken(name, why string) *Static {
	return &Static{tokenCell: tokenCell{name: name, err: fmt.Errorf("%s: %w", why, ErrMissingSecret)}}
}

// Token returns the current token.
func (s *tokenCell) Token(context.Context) (string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.err != nil {
		return "", &Error{Credential: s.name, State: StateMissingSecret, Err: s.err}
	}
	return s.token.Reveal(), nil
}

// State reports ready when a token is at hand, else missing_secret.
func (s *tokenCell) State() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.err != nil {
		return string(StateMissingSecret)
	}
	return string(StateReady)
}

// Err returns why the credential has no token, or nil.
func (s *tokenCell) Err() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.err
}

// Run re-reads a file-backed token every interval until ctx ends. Polling,
// unlike file events, also sees the symlink swaps that mounted secrets use.
// It returns at once for tokens not backed by a file.
func (s *Static) Run(ctx context.Context, interval time.Duration) {
	if s.file == "" {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.reload()
		}
	}
}

func (s *Static) reload() {
	token, err := ReadSecret("", s.file)
	if err != nil {
		// Keep serving the last good token through a brief gap, such as
		// a rotation that removes the file before writing the new one.
		s.fail(err)
		return
	}
	s.set(token, nil)
}

// set replaces the token, or with err, records why there is none.
func (s *tokenCell) set(token Secret, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token, s.err = token, err
	if err != nil {
		s.token = ""
	}
}

// fail records err unless a token is held: the last good token keeps
// serving through a failure to read a new one.
func (s *tokenCell) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token == "" {
		s.err = err
	}
}

// ReadSecret reads a secret from the environment variable envVar or, when
// envVar is empty, from file. Surrounding white space is removed; an empty
// value is an error. Errors name where the secret was looked for, never what
// was found.
func ReadSecret(envVar, file string) (Secret, error) {
	if envVar != "" {
		v, err := ParseSecret(os.Getenv(envVar))
		switch {
		case errors.Is(err, ErrMissingSecret):
			return "", fmt.Errorf("environment variable %s is not set: %w", envVar, err)
		case err != nil:
			return "", fmt.Errorf("environment variable %s: %w", envVar, err)
		}
		return v, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("read secret file: %w: %w", err, ErrMissingSecret)
	}
	v, err := ParseSecret(string(b))
	switch {
	case errors.Is(err, ErrMissingSecret):
		return "", fmt.Errorf("secret file %s is empty: %w", file, err)
	case err != nil:
		return "", fmt.Errorf("secret file %s: %w", file, err)
	}
	return v, nil
}

// ErrInvalidSecret means a secret holds characters no token or key has.
var ErrInvalidSecret = errors.New("secret contains a control character (such as CR, LF or NUL)")

// ParseSecret trims surrounding white space from v and checks what is
// left: empty is ErrMissingSecret; a control character inside (a CR or LF
// would break every request header it is put in) is ErrInvalidSecret.
func ParseSecret(v string) (Secret, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", ErrMissingSecret
	}
	for _, r := range v {
		if unicode.IsControl(r) {
			return "", ErrInvalidSecret
		}
	}
	return Secret(v), nil
}
