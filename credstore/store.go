package credstore

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Record is what a Store keeps for one credential: an OAuth token pair, or a
// static token set with set-token. A client secret is never stored.
type Record struct {
	// Credential is the configured credential's name.
	Credential string
	// AccessToken is the token sent upstream.
	AccessToken Secret
	// RefreshToken is an OAuth refresh token. Notion rotates it: once a
	// refresh succeeds, the previous value no longer works.
	RefreshToken Secret
	// Expiry is when AccessToken stops working; zero if Notion gave no
	// expires_in.
	Expiry time.Time

	BotID         string
	WorkspaceID   string
	WorkspaceName string

	// ObtainedAt is when the pair was first obtained (login or set-token),
	// RefreshedAt when it was last refreshed.
	ObtainedAt  time.Time
	RefreshedAt time.Time

	// Version counts writes of this record. CompareAndSwap uses it to
	// refuse a write based on a stale read.
	Version int64
}

// withGrant returns r holding the pair and workspace of a token response.
func (r Record) withGrant(g Grant) Record {
	r.AccessToken, r.RefreshToken, r.Expiry = g.AccessToken, g.RefreshToken, g.Expiry
	r.BotID, r.WorkspaceID, r.WorkspaceName = g.BotID, g.WorkspaceID, g.WorkspaceName
	return r
}

// Store keeps credential records where every process of a deployment can
// reach them: a file (one host) or Redis (many replicas). Implementations are
// safe for concurrent use by many goroutines and processes.
type Store interface {
	// Get returns the record of the named credential, or ErrNotFound.
	Get(ctx context.Context, name string) (Record, error)
	// List returns every record.
	List(ctx context.Context) ([]Record, error)
	// CompareAndSwap writes rec if the stored record's Version equals
	// version (0 when none is stored), and returns the written record with
	// its new Version. Otherwise it returns ErrConflict and writes nothing.
	// The write is atomic: a crash leaves the old or the new record.
	CompareAndSwap(ctx context.Context, name string, version int64, rec Record) (Record, error)
	// Lock takes the named credential's refresh lock, held across
	// processes, waiting until it is free or ctx ends. Work done under the
	// lock uses the returned context: it ends when the lock is released or
	// lost (a lock that expires, as in Redis, can be lost; its context
	// then ends with cause ErrLockLost), and a CompareAndSwap made with it
	// is refused with ErrLockLost once the lock is no longer held. unlock
	// releases the lock and may be called more than once.
	Lock(ctx context.Context, name string) (held context.Context, unlock func(), err error)
	// Changes reports the names of records written by other processes
	// (and this one) as they change, until ctx ends.
	Changes(ctx context.Context) <-chan string
	// Close releases the store's resources.
	Close() error
}

// A HealthReporter is a Store that knows whether it can be reached, such
// as RedisStore. Credentials kept in it report StateStoreUnavailable while
// it cannot, even though they keep serving the tokens they hold.
type HealthReporter interface {
	// Health returns nil while the store answers, else why it does not.
	Health() error
}

// storeHealth returns why s cannot be reached, or nil if it can or does
// not know.
func storeHealth(s Store) error {
	if h, ok := s.(HealthReporter); ok {
		return h.Health()
	}
	return nil
}

// describeStore names s for messages to the operator.
func describeStore(s Store) string {
	if n, ok := s.(fmt.Stringer); ok {
		return n.String()
	}
	return "the credential store"
}

var (
	// ErrNotFound means the store holds no record for a credential.
	ErrNotFound = errors.New("no stored credential")
	// ErrConflict means another writer changed the record first.
	ErrConflict = errors.New("stored credential changed concurrently")
	// ErrLockLost means a refresh lock expired and may be held by another
	// process: whatever was done under it must not be stored.
	ErrLockLost = errors.New("refresh lock lost")
	// ErrUnavailable means the store cannot be reached. Callers keep what
	// they hold and try again later.
	ErrUnavailable = errors.New("credential store is unreachable")
)
