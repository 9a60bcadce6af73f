package proxy

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"
)

// headerWorkspace names the workspace a client wants; it never goes upstream.
const headerWorkspace = "X-Notion-Workspace"

// choose selects the request's credential, first rule that applies:
// the /w/{workspace}/ prefix, X-Notion-Workspace, a client key scoped to one
// credential, routes, then the default.
func (s *snapshot) choose(r *http.Request, pathWorkspace string, c *call) *proxyError {
	var fromPath, fromHeader *workspace
	if pathWorkspace != "" {
		if fromPath = s.findWorkspace(pathWorkspace); fromPath == nil {
			return s.unknownWorkspace(pathWorkspace)
		}
	}
	if values := r.Header.Values(headerWorkspace); len(values) > 0 {
		for _, v := range values[1:] {
			if v != values[0] {
				return newError(reasonWorkspaceConflict, "several different %s headers", headerWorkspace)
			}
		}
		if fromHeader = s.findWorkspace(strings.TrimSpace(values[0])); fromHeader == nil {
			return s.unknownWorkspace(values[0])
		}
	}
	if fromPath != nil && fromHeader != nil && fromPath.name != fromHeader.name {
		return newError(reasonWorkspaceConflict, "path selects workspace %q but %s selects %q",
			fromPath.name, headerWorkspace, fromHeader.name)
	}
	key := c.key
	var cred *credential
	switch {
	case fromPath != nil:
		cred, c.workspace = fromPath.cred, fromPath.name
	case fromHeader != nil:
		cred, c.workspace = fromHeader.cred, fromHeader.name
	case key != nil && len(key.credentials) == 1:
		for name := range key.credentials {
			cred = s.credentials[name]
		}
	default:
		cred = s.route(r.Method, c.path)
	}
	if cred == nil {
		return newError(reasonNoCredential,
			"no credential selected: use /w/{workspace}/v1/..., the %s header, a route or default_credential", headerWorkspace)
	}
	if !key.allows(cred.name) {
		return newError(reasonCredentialNotAllowed, "client key %q may not use credential %q", key.name, cred.name)
	}
	c.cred = cred
	return nil
}

// route returns the first route matching method and path, else the default.
func (s *snapshot) route(method, path string) *credential {
	for _, rt := range s.routes {
		if !strings.HasPrefix(path, rt.PathPrefix) {
			continue
		}
		if len(rt.Methods) == 0 || containsFold(rt.Methods, method) {
			return s.credentials[rt.Credential]
		}
	}
	return s.defaultCred
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// splitPath maps a client path to the upstream path: /v1/... passes as is,
// /w/{workspace}/v1/... loses its prefix. Paths with empty, "." or ".."
// segments are refused so the forwarded path is exactly the one checked.
func splitPath(u *url.URL) (workspace, path, rawPath string, ok bool) {
	escaped := u.EscapedPath()
	if rest, found := strings.CutPrefix(escaped, "/w/"); found {
		seg, tail, _ := strings.Cut(rest, "/")
		name, err := url.PathUnescape(seg)
		if err != nil || name == "" {
			return "", "", "", false
		}
		workspace, escaped = name, "/"+tail
	}
	if escaped != "/v1" && !strings.HasPrefix(escaped, "/v1/") {
		return "", "", "", false
	}
	path, err := url.PathUnescape(escaped)
	if err != nil {
		return "", "", "", false
	}
	for _, seg := range strings.Split(strings.TrimSuffix(path[1:], "/"), "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", "", "", false
		}
	}
	return workspace, path, escaped, true
}

// normalizeID returns a Notion id (32 hex digits, dashes optional) in its
// dashed lower-case form. uuid.Parse also takes braces and urn: prefixes,
// which Notion never uses: the length guard keeps them out.
func normalizeID(s string) (string, bool) {
	if len(s) != 32 && len(s) != 36 {
		return "", false
	}
	id, err := uuid.Parse(s)
	if err != nil {
		return "", false
	}
	return id.String(), true
}
