// Package statuspage renders the proxy's HTML status page (GET /status): the
// credentials and their health, the objects Notion reported as not shared,
// the traffic of the last 15 minutes as small server-drawn SVG charts, the
// client keys, and the version and uptime.
//
// The page is plain data in, HTML out: the proxy fills a [Page] for each
// request and calls [Render]. The page carries no script, loads nothing from
// elsewhere and refreshes itself every 15 seconds, so it works with
// JavaScript turned off and under the strict [ContentSecurityPolicy] the
// server must send with it (see [SetHeaders]). No type here has a field for
// a secret, and every value is escaped by html/template.
package statuspage

import "time"

// Window is how far back the traffic charts reach: one bar per minute, the
// last for the minute that holds Page.Now. The proxy need keep no more.
const Window = 15 * time.Minute

// refreshSeconds is how often the page reloads itself.
const refreshSeconds = 15

// Page is everything the status page shows. The zero value renders a page
// that says nothing is configured. A client key limited to some credentials
// must be given a Page holding only those credentials' entries.
type Page struct {
	Version   string    // e.g. "v1.4.0 (3f2a1b9)"
	StartedAt time.Time // when the process started; uptime is Now - StartedAt
	// Now is when the page is generated: the end of the traffic window and
	// the reference for "4 min ago". Zero means time.Now().
	Now time.Time

	Credentials []Credential // in configuration order
	NotShared   []NotShared  // most recent first is the natural order
	ClientKeys  []ClientKey  // the section is left out when empty
}

// State is a credential's health, with the same words as the credentials
// command and /readyz.
type State string

// The states a credential can be in. Any other value is shown as given, as
// a problem.
const (
	StateReady            State = "ready"
	StateNeedsLogin       State = "needs_login"
	StateRefreshFailed    State = "refresh_failed"
	StateMissingSecret    State = "missing_secret"
	StateStoreUnavailable State = "store_unavailable"
)

// Credential is one configured credential as the page shows it.
type Credential struct {
	Name        string
	Type        string // "token" or "oauth"
	Workspace   string // workspace name, if known
	WorkspaceID string // Notion workspace id, if known
	State       State
	LastRefresh time.Time // zero: never refreshed (or a static token)
	// LastError says in plain words what went wrong last, e.g. "Notion
	// refused the refresh token (invalid_grant)". It must already be free
	// of secrets. Empty when nothing went wrong.
	LastError string
	// Fix is the command that clears the state, shown verbatim, e.g.
	// "notion-auth-proxy login partner". [SuggestFix] gives the usual one.
	Fix string
	// Traffic holds the credential's per-minute counts. Minutes outside the
	// window ending at Page.Now are ignored and missing ones count as zero,
	// so the proxy may pass whatever it keeps.
	Traffic []Minute
}

// Minute is one minute of a credential's traffic.
type Minute struct {
	Start       time.Time     // any instant within the minute; truncated
	Requests    int           // requests sent to Notion
	RateLimited int           // 429 answers received from Notion
	Pauses      int           // pauses begun because Notion asked to wait
	PacingWait  time.Duration // total time requests waited for the rate budget
}

// NotShared is an object Notion answered "not found" for because it is not
// shared with the credential's integration.
type NotShared struct {
	Credential string
	// Integration is the integration's name in Notion, which the person
	// looks for under Connections. Empty means the same as Credential.
	Integration string
	ObjectType  string // "page", "database", "block", "data_source", ...
	ObjectID    string // in any form; the link drops the dashes
	Count       int
	FirstSeen   time.Time
	LastSeen    time.Time
	LastMethod  string
	LastPath    string // the path the client asked for, without query
}

// ClientKey is one configured client key, by name (never the key itself).
type ClientKey struct {
	Name        string
	Credentials []string // the credentials it may use; empty means all
	Requests    int      // requests presented with this key since start
	Refusals    int      // of those, refused by the proxy (scope, capability, ...)
}

// SuggestFix returns the command that usually clears state for the named
// credential of type typ ("token" or "oauth"), or "" when no single command
// does (the credential is ready, or the store itself is down). A token
// credential whose secret comes from an environment variable or a file is
// fixed by setting that, not by set-token: for one, leave Fix empty and
// name the variable or file in LastError.
func SuggestFix(name, typ string, state State) string {
	switch state {
	case StateNeedsLogin:
		return "notion-auth-proxy login " + name
	case StateRefreshFailed:
		return "notion-auth-proxy refresh " + name
	case StateMissingSecret:
		if typ == "token" {
			return "notion-auth-proxy set-token " + name
		}
		return "notion-auth-proxy check"
	}
	return ""
}
