// Package credstore is where notion-auth-proxy's credentials live and how
// they stay valid.
//
// Token sources supply one credential's token each: Static (an environment
// variable, or a file re-read while it runs), StoredToken (a token put in
// the Store by set-token) and OAuthSource (an OAuth pair kept alive in the
// Store). Every source is safe for concurrent use.
//
// A Store keeps records where every process of a deployment reaches them:
// FileStore (one host: an atomically written, optionally AES-256-GCM
// encrypted file, with flock-based refresh locks) and RedisStore (many
// replicas: compare-and-swap scripts fenced by an expiring lock, and a
// change feed over pub/sub).
//
// OAuthSource refreshes as a single flight: concurrent callers share one
// refresh, which takes the store's lock, re-reads the record (another
// process may have refreshed already), refreshes, and stores the rotated
// pair with compare-and-swap before the new access token is used. Login
// runs the authorization-code flow that first obtains a pair.
//
// Secrets travel as Secret values, which never print themselves, and a
// Redactor removes every secret its holders hold from text an upstream
// controlled before it is logged or printed.
//
// The package imports no other part of notion-auth-proxy except the
// atomic file writer it shares with the CA.
package credstore
