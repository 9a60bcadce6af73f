package proxy

import (
	"net/http"
	"net/http/httputil"
	"strings"
)

// Header rules, as data. httputil.ReverseProxy has already removed
// hop-by-hop headers, headers named in Connection, Forwarded and the common
// X-Forwarded-* headers before Rewrite runs; these rules remove the rest.
var (
	// strippedHeaders never go upstream: identity the client sent, the
	// proxy's own selectors, and proxy-credential leftovers.
	strippedHeaders = []string{
		"Authorization", "Proxy-Authorization", "Cookie",
		headerWorkspace, "X-Notion-Proxy-Key",
		"Forwarded", "X-Real-Ip",
	}
	// strippedPrefixes remove whole families, e.g. every X-Forwarded-*.
	strippedPrefixes = []string{"X-Forwarded-"}
)

const headerVersion = "Notion-Version"

// rewrite is the ReverseProxy's Rewrite hook: strip, then point the request
// at the upstream and set the static headers. The credential is attached
// last, by credentialTransport.
func (h *Handler) rewrite(pr *httputil.ProxyRequest) {
	ex := exchangeFrom(pr.In.Context())
	stripHeaders(pr.Out.Header)
	pr.Out.URL.Path, pr.Out.URL.RawPath = ex.path, ex.rawPath
	pr.SetURL(ex.snap.upstream)
	if ex.snap.forceVersion || pr.Out.Header.Get(headerVersion) == "" {
		pr.Out.Header.Set(headerVersion, ex.snap.notionVersion)
	}
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
