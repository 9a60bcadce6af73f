package credstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"go.uber.org/zap"
	"golang.org/x/sync/singleflight"
)

// Refresh triggers, as logged in token_refreshed.
const (
	TriggerUnauthorized = "unauthorized"
	TriggerExpiry       = "expiry"
	TriggerManual       = "manual"
)

const (
	// expiryMargin refreshes a token this long before Notion says it
	// expires, so no request carries a token that dies in flight.
	expiryMargin = time.Minute
	// refreshTimeout bounds one refresh, including its retries; it runs
	// detached from the request that started it so waiters can give up
	// without abandoning the refresh.
	refreshTimeout = 90 * time.Second
	// Transient token-endpoint failures are retried after backoffBase,
	// doubling to backoffCap, with jitter.
	backoffBase     = 500 * time.Millisecond
	backoffCap      = 30 * time.Second
	refreshAttempts = 4
)

// OAuthSourceOptions configure an OAuthSource.
type OAuthSourceOptions struct {
	Name   string
	Client *OAuthClient
	Store  Store
	// Seed is an optional refresh token (refresh_token_env) used when the
	// store holds no pair yet.
	Seed Secret
	Log  *zap.Logger
	// OnRefresh, when set, is told of every refresh: its trigger and result
	// ("success" or the failure reason). For metrics.
	OnRefresh func(credential, trigger, result string)
	Now       func() time.Time
	// Sleep waits between retries; default a timer honouring ctx.
	Sleep func(ctx context.Context, d time.Duration) error
}

// OAuthSource is a public-integration credential: an access token kept
// valid by refreshing with a rotating refresh token held in a Store. It is
// safe for concurrent use; one refresh runs at a time per credential in this
// process, and the store's lock extends that to every process sharing it.
type OAuthSource struct {
	opts  OAuthSourceOptions
	group singleflight.Group

	mu       sync.RWMutex
	rec      Record
	loaded   bool  // rec holds the stored record
	state    State // ready, needs_login or refresh_failed
	lastErr  error
	failures int       // refreshes failed in a row
	retryAt  time.Time // no refresh attempt before this after a failure
}

// NewOAuthSource returns the OAuth credential described by opts. It reads
// the store on first use.
func NewOAuthSource(opts OAuthSourceOptions) *OAuthSource {
	if opts.Log == nil {
		opts.Log = zap.NewNop()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	return &OAuthSource{opts: opts, state: StateReady}
}

// Token returns a valid access token, refreshing first when the stored one
// expires within a minute. An expired token is never returned.
func (s *OAuthSource) Token(ctx context.Context) (string, error) {
	rec, err := s.current(ctx)
	if err != nil {
		return "", err
	}
	if !s.expiring(rec) {
		return rec.AccessToken.Reveal(), nil
	}
	fresh, err := s.refresh(ctx, TriggerExpiry, rec.AccessToken.Reveal())
	if err == nil {
		return fresh.AccessToken.Reveal(), nil
	}
	if s.opts.Now().Before(rec.Expiry) {
		return rec.AccessToken.Reveal(), nil // still valid for a little while
	}
	return "", err
}

// Refresh replaces rejected, the access token upstream refused. If the
// current token is already another one, it is returned without a refresh.
func (s *OAuthSource) Refresh(ctx context.Context, rejected string) (string, error) {
	rec, err := s.current(ctx)
	if err != nil {
		return "", err
	}
	if rec.AccessToken.Reveal() != rejected {
		return rec.AccessToken.Reveal(), nil
	}
	fresh, err := s.refresh(ctx, TriggerUnauthorized, rejected)
	if err != nil {
		return "", err
	}
	return fresh.AccessToken.Reveal(), nil
}

// RefreshNow refreshes regardless of the token's age (the refresh command).
func (s *OAuthSource) RefreshNow(ctx context.Context) (Record, error) {
	rec, err := s.current(ctx)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Record{}, err
	}
	return s.refresh(ctx, TriggerManual, rec.AccessToken.Reveal())
}

// State reports ready, needs_login or refresh_failed; or store_unavailable
// when it would be ready but its store cannot be reached.
func (s *OAuthSource) State() string {
	s.mu.RLock()
	state := s.state
	s.mu.RUnlock()
	if state == StateReady && storeHealth(s.opts.Store) != nil {
		return string(StateStoreUnavailable)
	}
	return string(state)
}

// WorkspaceID returns the Notion workspace the stored token belongs to.
func (s *OAuthSource) WorkspaceID() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.rec.WorkspaceID
}

// Reload reads the stored pair again: at start, on a change notice from
// another process, or after a login. A failed read keeps what is held.
func (s *OAuthSource) Reload(ctx context.Context) {
	rec, err := s.opts.Store.Get(ctx, s.opts.Name)
	switch {
	case err == nil:
		s.adopt(rec)
	case errors.Is(err, ErrNotFound) && s.opts.Seed == "":
		_ = s.setFailed(StateNeedsLogin, fmt.Errorf("no token stored: %w", err))
	case errors.Is(err, ErrNotFound):
		s.mu.Lock()
		s.loaded = false // the seed is exchanged on first use
		s.mu.Unlock()
	}
}

// current returns the cached record, reading the store if needed.
func (s *OAuthSource) current(ctx context.Context) (Record, error) {
	s.mu.RLock()
	rec, loaded, state, lastErr := s.rec, s.loaded, s.state, s.lastErr
	s.mu.RUnlock()
	if loaded {
		if state == StateNeedsLogin {
			return Record{}, s.fail(StateNeedsLogin, lastErr)
		}
		return rec, nil
	}
	rec, err := s.opts.Store.Get(ctx, s.opts.Name)
	switch {
	case errors.Is(err, ErrNotFound) && s.opts.Seed != "":
		// A seed refresh token: the first refresh turns it into a pair.
		fresh, err := s.refresh(ctx, TriggerExpiry, "")
		return fresh, err
	case errors.Is(err, ErrNotFound):
		return Record{}, s.setFailed(StateNeedsLogin, fmt.Errorf("no token stored: %w", err))
	case err != nil:
		return Record{}, &Error{Credential: s.opts.Name, State: StateRefreshFailed, Err: err}
	}
	s.adopt(rec)
	return rec, nil
}

func (s *OAuthSource) expiring(rec Record) bool {
	return !rec.Expiry.IsZero() && !s.opts.Now().Add(expiryMargin).Before(rec.Expiry)
}

// adopt caches rec as the credential's current, working pair.
func (s *OAuthSource) adopt(rec Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rec, s.loaded, s.state, s.lastErr = rec, true, StateReady, nil
	s.failures, s.retryAt = 0, time.Time{}
}

// refresh runs one refresh for every concurrent caller. Each caller waits
// for it or for its own ctx; the refresh itself is not cancelled by a
// caller going away, because its result must reach the store.
func (s *OAuthSource) refresh(ctx context.Context, trigger, rejected string) (Record, error) {
	ch := s.group.DoChan("refresh", func() (any, error) {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
		defer cancel()
		return s.lockedRefresh(rctx, trigger, rejected)
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return Record{}, res.Err
		}
		return res.Val.(Record), nil
	case <-ctx.Done():
		return Record{}, ctx.Err()
	}
}

// lockedRefresh refreshes under the store's lock. It reads the stored pair
// again first: another process may have refreshed already, and sending a
// rotated refresh token would lose the grant. Everything under the lock
// uses the lock's context, so that losing the lock stops the work and
// fences the write.
func (s *OAuthSource) lockedRefresh(ctx context.Context, trigger, rejected string) (Record, error) {
	s.mu.RLock()
	retryAt := s.retryAt
	s.mu.RUnlock()
	if trigger != TriggerManual && s.opts.Now().Before(retryAt) {
		return Record{}, s.fail(StateRefreshFailed, errors.New("waiting to retry after a failed refresh"))
	}
	// Without the lock no refresh runs: another replica may be using the
	// same refresh token.
	held, unlock, err := s.opts.Store.Lock(ctx, s.opts.Name)
	if err != nil {
		return Record{}, s.refreshFailed(trigger, err)
	}
	defer unlock()

	stored, err := s.opts.Store.Get(held, s.opts.Name)
	refreshToken := stored.RefreshToken
	switch {
	case errors.Is(err, ErrNotFound) && s.opts.Seed != "":
		refreshToken = s.opts.Seed
	case errors.Is(err, ErrNotFound):
		return Record{}, s.setFailed(StateNeedsLogin, fmt.Errorf("no token stored: %w", err))
	case err != nil:
		return Record{}, s.refreshFailed(trigger, err)
	case trigger != TriggerManual && stored.AccessToken.Reveal() != rejected && !s.expiring(stored):
		s.adopt(stored) // someone else refreshed while we waited
		return stored, nil
	}
	grant, err := s.exchange(held, refreshToken)
	if err != nil {
		return Record{}, s.refreshFailed(trigger, withCause(held, err))
	}
	return s.save(held, trigger, stored, grant)
}

// save stores the refreshed pair and adopts it. The pair is stored before
// first use: if this write fails, the new pair is never sent, and the error
// says the grant may be lost.
func (s *OAuthSource) save(held context.Context, trigger string, stored Record, grant Grant) (Record, error) {
	now := s.opts.Now()
	next := stored.withGrant(grant)
	next.Credential = s.opts.Name
	next.RefreshedAt = now
	if next.ObtainedAt.IsZero() {
		next.ObtainedAt = now
	}
	written, err := s.opts.Store.CompareAndSwap(held, s.opts.Name, stored.Version, next)
	if err != nil {
		return Record{}, s.refreshFailed(trigger, fmt.Errorf("store refreshed pair: %w", withCause(held, err)))
	}
	s.adopt(written)
	s.opts.Log.Info("token refreshed", zap.String("event", "token_refreshed"),
		zap.String("credential", s.opts.Name), zap.String("trigger", trigger))
	s.report(trigger, "success")
	return written, nil
}

// withCause adds why held ended, such as ErrLockLost, to an error it caused.
func withCause(held context.Context, err error) error {
	cause := context.Cause(held)
	if cause == nil || errors.Is(err, cause) || !errors.Is(err, held.Err()) {
		return err
	}
	return fmt.Errorf("%w: %w", err, cause)
}

// exchange calls the token endpoint, retrying transient failures with
// capped, jittered backoff.
func (s *OAuthSource) exchange(ctx context.Context, refreshToken Secret) (Grant, error) {
	delay := backoffBase
	for attempt := 1; ; attempt++ {
		grant, err := s.opts.Client.Refresh(ctx, refreshToken)
		if err == nil || !IsTemporary(err) || attempt == refreshAttempts {
			return grant, err
		}
		jittered := delay/2 + rand.N(delay/2+1)
		if err := s.opts.Sleep(ctx, jittered); err != nil {
			return Grant{}, err
		}
		delay = min(2*delay, backoffCap)
	}
}

// refreshFailed records a failed refresh: needs_login when Notion refused
// the grant, else refresh_failed with a backoff before the next attempt.
// refresh_failed is logged once per failure streak.
func (s *OAuthSource) refreshFailed(trigger string, err error) error {
	reason, state := "error", StateRefreshFailed
	hint := "the token endpoint failed; the proxy retries on the next request"
	var oe *OAuthError
	switch {
	case errors.As(err, &oe):
		reason = oe.Code
		if oe.NeedsLogin() {
			state = StateNeedsLogin
			hint = "run `notion-auth-proxy login " + s.opts.Name + "` to authorize again"
		}
	case errors.Is(err, ErrUnavailable):
		reason = "store_unavailable"
		hint = describeStore(s.opts.Store) + " cannot be reached: no refresh runs without its lock, so replicas " +
			"never race; requests use the token held while it lasts, and refreshes resume when the store answers"
	case errors.Is(err, ErrLockLost):
		reason = "lock_lost"
		hint = "the refresh lock in " + describeStore(s.opts.Store) + " expired before the new pair was stored; " +
			"another process may hold it now"
	}
	s.mu.Lock()
	first := s.state == StateReady
	s.state, s.lastErr = state, err
	s.failures++
	s.retryAt = s.opts.Now().Add(min(backoffBase<<min(s.failures, 16), backoffCap))
	if state == StateNeedsLogin {
		s.loaded = true // stay needs_login until a login or a store change
	}
	s.mu.Unlock()
	s.report(trigger, reason)
	if first {
		s.opts.Log.Error("token refresh failed", zap.String("event", "refresh_failed"),
			zap.String("credential", s.opts.Name), zap.String("reason", reason),
			zap.String("hint", hint), zap.Error(err))
	}
	return &Error{Credential: s.opts.Name, State: state, Err: err}
}

func (s *OAuthSource) setFailed(state State, err error) error {
	s.mu.Lock()
	s.state, s.lastErr, s.loaded = state, err, true
	s.mu.Unlock()
	return &Error{Credential: s.opts.Name, State: state, Err: err}
}

func (s *OAuthSource) fail(state State, err error) error {
	return &Error{Credential: s.opts.Name, State: state, Err: err}
}

func (s *OAuthSource) report(trigger, result string) {
	if s.opts.OnRefresh != nil {
		s.opts.OnRefresh(s.opts.Name, trigger, result)
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
