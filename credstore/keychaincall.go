package credstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zalando/go-keyring"
)

// errNoAnswer means a keychain call did not return in time: a D-Bus that
// accepts connections but never answers, or a keychain waiting on an
// unlock prompt nobody sees.
var errNoAnswer = errors.New("did not answer")

// keychainCall runs op, one go-keyring call, and waits for it until ctx
// ends or timeout passes. go-keyring takes no context, so a call given up
// on runs on in its goroutine; the returned channel is closed when it
// returns, so that a writer can hold its lock until then.
func keychainCall(ctx context.Context, timeout time.Duration, op func() (string, error)) (string, <-chan struct{}, error) {
	var val string
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		val, err = op()
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-done:
		return val, done, err
	case <-ctx.Done():
		return "", done, contextError(ctx)
	case <-t.C:
		return "", done, fmt.Errorf("%w within %s", errNoAnswer, timeout)
	}
}

// contextError returns why ctx ended, with its cause when it has one.
func contextError(ctx context.Context) error {
	if cause := context.Cause(ctx); cause != ctx.Err() {
		return fmt.Errorf("%w: %w", ctx.Err(), cause)
	}
	return ctx.Err()
}

// get reads the keychain item of user. A missing item is keyring.ErrNotFound.
func (s *KeychainStore) get(ctx context.Context, user string) (string, error) {
	val, _, err := s.call(ctx, func() (string, error) {
		return keyring.Get(s.service, user)
	})
	return val, s.check(ctx, err)
}

// set writes the keychain item of user. The returned channel, unless nil,
// is closed when the write has returned, which may be after set gave up
// on it.
func (s *KeychainStore) set(ctx context.Context, user, value string) (<-chan struct{}, error) {
	_, done, err := s.call(ctx, func() (string, error) {
		return "", keyring.Set(s.service, user, value)
	})
	return done, s.check(ctx, err)
}

// call runs op with keychainCall, unless a call given up on earlier has
// still not returned: then the keychain is wedged, and starting more calls
// would only pile up goroutines that never end (godbus even serializes
// dialling), so call fails at once.
func (s *KeychainStore) call(ctx context.Context, op func() (string, error)) (string, <-chan struct{}, error) {
	s.stuckMu.Lock()
	stuck := s.stuck
	s.stuckMu.Unlock()
	if stuck != nil {
		select {
		case <-stuck:
		default:
			return "", nil, fmt.Errorf("%w: an earlier call has not returned", errNoAnswer)
		}
	}
	val, done, err := keychainCall(ctx, s.timeout, op)
	select {
	case <-done:
	default: // given up on
		s.stuckMu.Lock()
		s.stuck = done
		s.stuckMu.Unlock()
	}
	return val, done, err
}

// check records whether the keychain answered and returns err, wrapped with
// ErrUnavailable when the keychain could not be reached. A missing item is
// an answer, and so is a refusal of data too big to keep; a cancelled ctx
// says nothing about the keychain.
func (s *KeychainStore) check(ctx context.Context, err error) error {
	switch {
	case err == nil || errors.Is(err, keyring.ErrNotFound):
		s.setHealth(nil)
		return err
	case errors.Is(err, keyring.ErrSetDataTooBig):
		s.setHealth(nil)
		return fmt.Errorf("%s refused the record as too big: %w", s, err)
	case ctx.Err() != nil:
		return err
	}
	err = fmt.Errorf("%s: %w: %w", s, ErrUnavailable, err)
	s.setHealth(err)
	return err
}

// Health returns nil while the keychain answers, else why it did not the
// last time it was called.
func (s *KeychainStore) Health() error {
	s.healthMu.RLock()
	defer s.healthMu.RUnlock()
	return s.health
}

func (s *KeychainStore) setHealth(err error) {
	s.healthMu.Lock()
	defer s.healthMu.Unlock()
	s.health = err
}
