package credstore

import (
	"context"
	"errors"
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
	// processes, waiting until it is free or ctx ends. The returned
	// function releases it.
	Lock(ctx context.Context, name string) (unlock func(), err error)
	// Changes reports the names of records written by other processes
	// (and this one) as they change, until ctx ends.
	Changes(ctx context.Context) <-chan string
	// Close releases the store's resources.
	Close() error
}

var (
	// ErrNotFound means the store holds no record for a credential.
	ErrNotFound = errors.New("no stored credential")
	// ErrConflict means another writer changed the record first.
	ErrConflict = errors.New("stored credential changed concurrently")
)
