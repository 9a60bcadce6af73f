package credstore

import (
	"errors"
	"fmt"
)

// State is a credential's health, as `credentials` and /readyz show it.
type State string

// The states a credential can be in.
const (
	StateReady         State = "ready"
	StateNeedsLogin    State = "needs_login"
	StateRefreshFailed State = "refresh_failed"
	StateMissingSecret State = "missing_secret"
	// StateStoreUnavailable means the shared store cannot be reached: the
	// credential serves the token it holds but cannot refresh it or see
	// a rotation.
	StateStoreUnavailable State = "store_unavailable"
)

// ErrMissingSecret means a credential's secret could not be read: its
// environment variable is empty or its file is missing or empty.
var ErrMissingSecret = errors.New("secret is missing")

// Error is a credential that cannot supply a token. Its text names the
// credential and the cause, never a secret.
type Error struct {
	Credential string
	State      State
	Err        error
}

func (e *Error) Error() string {
	return fmt.Sprintf("credential %s: %s: %v", e.Credential, e.State, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// NeedsLogin reports whether a person must log in again to fix e.
func (e *Error) NeedsLogin() bool { return e.State == StateNeedsLogin }
