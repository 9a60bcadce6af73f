package credstore

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// reloadTimeout bounds a store read made on a change notice.
const reloadTimeout = 5 * time.Second

// StoredToken is a token credential whose token lives in the Store, put
// there by set-token. Every process sharing the store uses a new token as
// soon as it sees the change. It is safe for concurrent use.
type StoredToken struct {
	tokenCell
	store Store
}

// NewStoredToken returns the stored token credential name, reading the
// store now.
func NewStoredToken(ctx context.Context, name string, store Store) *StoredToken {
	s := &StoredToken{tokenCell: tokenCell{name: name}, store: store}
	s.Reload(ctx)
	return s
}

// Reload reads the token from the store again. A failed read keeps the
// token already held.
func (s *StoredToken) Reload(ctx context.Context) {
	rec, err := s.store.Get(ctx, s.name)
	switch {
	case errors.Is(err, ErrNotFound):
		s.set("", fmt.Errorf("no token stored: run `notion-auth-proxy set-token %s`: %w", s.name, ErrMissingSecret))
	case err != nil:
		s.fail(err) // the store is unreachable: keep the token held
	case rec.AccessToken == "":
		s.set("", fmt.Errorf("stored token is empty: %w", ErrMissingSecret))
	default:
		s.set(rec.AccessToken, nil)
	}
}

// State reports ready or missing_secret; or store_unavailable while the
// store cannot be reached, since a rotation would not be seen.
func (s *StoredToken) State() string {
	if storeHealth(s.store) != nil {
		return string(StateStoreUnavailable)
	}
	return s.tokenCell.State()
}

// SetToken stores token as the named credential's static token.
func SetToken(ctx context.Context, store Store, name string, token Secret, now time.Time) error {
	if _, err := ParseSecret(token.Reveal()); err != nil {
		return fmt.Errorf("set token %s: %w", name, err)
	}
	rec := Record{Credential: name, AccessToken: token, ObtainedAt: now}
	if _, err := replace(ctx, store, name, rec); err != nil {
		return fmt.Errorf("set token %s: %w", name, err)
	}
	return nil
}

// replace stores rec as the named credential's record in place of whatever
// is stored, retrying when another writer got in between. A person's
// action (login, set-token) wins over what it replaces; a refresh does not
// use it, since it must build on the record it read.
func replace(ctx context.Context, store Store, name string, rec Record) (Record, error) {
	for range 3 {
		old, err := store.Get(ctx, name)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return Record{}, err
		}
		written, err := store.CompareAndSwap(ctx, name, old.Version, rec)
		if !errors.Is(err, ErrConflict) {
			return written, err
		}
	}
	return Record{}, ErrConflict
}
