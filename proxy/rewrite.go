package proxy

import (
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
)

// Header rules, as data. httputil.ReverseProxy has already removed
// hop-by-hop headers, headers named in Connection, Forwarded and the common
// X-Forwarded-* headers before Rewrite runs; these rules remove the rest.
var (
	// strippedHeaders never go upstream: identity the client sent (taken
	// already, see identityHeaders; checked again here in any case), the
	// proxy's own selector, and what would tell Notion about local clients.
	strippedHeaders = append([]string{headerWorkspace, "Forwarded", "X-Real-Ip"}, identityHeaders...)
	// strippedPrefixes remove whole families, e.g. every X-Forwarded-*.
	strippedPrefixes = []string{"X-Forwarded-"}
)

const headerVersion = "Notion-Version"

// rewrite is the ReverseProxy's Rewrite hook: strip, then point the request
// at the upstream and set the static headers. The credential is attached
// last, by credentialTransport.
func (h *Handler) rewrite(pr *httputil.ProxyRequest) {
	c := callFrom(pr.In.Context())
	stripHeaders(pr.Out.Header)
	pr.Out.URL.Path, pr.Out.URL.RawPath = c.path, c.rawPath
	pr.SetURL(c.snap.upstream)
	// ReverseProxy drops query parameters it cannot parse (such as one
	// with a ";"); the client's query goes upstream byte for byte.
	pr.Out.URL.RawQuery = pr.In.URL.RawQuery
	pr.Out.Header.Set(headerVersion, c.snap.version(pr.Out.Header.Values(headerVersion)))
}

// version is the one Notion-Version sent upstream, given the client's
// values: the first non-empty one, under the snapshot's policy.
func (s *snapshot) version(client []string) string {
	if s.forceVersion {
		return s.notionVersion
	}
	for _, v := range client {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		// Versions are dates (2025-09-03), so they compare as strings.
		if s.minimumVersion && v < s.notionVersion {
			return s.notionVersion
		}
		return v
	}
	return s.notionVersion
}

// stripHeaders applies the header rules to h. Names are compared without
// regard to case, so a key that escaped canonicalisation is caught too.
func stripHeaders(h http.Header) {
	for name := range h {
		if strippedName(name) {
			delete(h, name)
		}
	}
}

func strippedName(name string) bool {
	for _, s := range strippedHeaders {
		if strings.EqualFold(name, s) {
			return true
		}
	}
	for _, p := range strippedPrefixes {
		if len(name) >= len(p) && strings.EqualFold(name[:len(p)], p) {
			return true
		}
	}
	return false
}

// clientOrigin is the origin and workspace prefix a client addressed, such
// as "http://127.0.0.1:8700/w/acme": URLs in responses are rewritten onto
// it so that following them stays credential-less. Requests read from a
// forward-proxy tunnel are never rewritten: their clients already talk to
// api.notion.com.
func clientOrigin(r *http.Request, workspace string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	origin := scheme + "://" + r.Host
	if workspace != "" {
		origin += "/w/" + url.PathEscape(workspace)
	}
	return origin
}
