package credstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// reloadTimeout bounds a store read made on a change notice.
const reloadTimeout = 5 * time.Second

// StoredToken is a token credential whose token lives in the Store, put
// there by set-token. Every process sharing the store uses a new token as
// soon as it sees the change. It is safe for concurrent use.
type StoredToken struct {
	name  string
	store Store

	mu    sync.RWMutex
	token Secret
	err   error
}

// NewStoredToken returns the stored token credential name, reading the
// store now.
func NewStoredToken(ctx context.Context, name string, store Store) *StoredToken {
	s := &StoredToken{name: name, store: store}
	s.Reload(ctx)
	return s
}

// Token returns the stored token.
func (s *StoredToken) Token(context.Context) (string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.err != nil {
		return "", &Error{Credential: s.name, State: StateMissingSecret, Err: s.err}
	}
	return s.token.Reveal(), nil
}

// State reports ready, or missing_secret when the store holds no token.
func (s *StoredToken) State() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.err != nil {
		return string(StateMissingSecret)
	}
	return string(StateReady)
}

// Reload reads the token from the store again. A failed read keeps the
// token already held.
func (s *StoredToken) Reload(ctx context.Context) {
	rec, err := s.store.Get(ctx, s.name)
	if errors.Is(err, ErrNotFound) {
		err = fmt.Errorf("no token stored: run `notion-auth-proxy set-token %s`: %w", s.name, ErrMissingSecret)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case err == nil && rec.AccessToken != "":
		s.token, s.err = rec.AccessToken, nil
	case err == nil:
		s.err = fmt.Errorf("stored token is empty: %w", ErrMissingSecret)
	case s.token == "" || errors.Is(err, ErrMissingSecret):
		s.token, s.err = "", err
	}
}

// SetToken stores token as the named credential's static token.
func SetToken(ctx context.Context, store Store, name string, token Secret, now time.Time) error {
	if token == "" {
		return fmt.Errorf("set token %s: the token is empty", name)
	}
	for range 3 {
		old, err := store.Get(ctx, name)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("set token %s: %w", name, err)
		}
		rec := Record{Credential: name, AccessToken: token, ObtainedAt: now}
		_, err = store.CompareAndSwap(ctx, name, old.Version, rec)
		if !errors.Is(err, ErrConflict) {
			if err != nil {
				return fmt.Errorf("set token %s: %w", name, err)
			}
			return nil
		}
	}
	return fmt.Errorf("set token %s: %w", name, ErrConflict)
}
