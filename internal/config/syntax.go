package config

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
)

// normalize puts values in the form the rest of the program compares
// against: route methods upper case, workspace ids lower case with dashes.
// Values it cannot make sense of are left for Validate to report.
func (c *Config) normalize() {
	for i := range c.Routes {
		for j, m := range c.Routes[i].Methods {
			c.Routes[i].Methods[j] = strings.ToUpper(m)
		}
	}
	for i := range c.Workspaces {
		if id, ok := canonicalID(c.Workspaces[i].ID); ok {
			c.Workspaces[i].ID = id
		}
	}
}

// canonicalID returns a Notion UUID, given as 32 hex digits or in the dashed
// 8-4-4-4-12 form, lower case with dashes. uuid.Parse also takes braces and
// urn: prefixes, which Notion never uses: the length guard keeps them out.
func canonicalID(s string) (string, bool) {
	if len(s) != 32 && len(s) != 36 {
		return "", false
	}
	id, err := uuid.Parse(s)
	if err != nil {
		return "", false
	}
	return id.String(), true
}

// isEnvName reports whether s is a portable environment variable name,
// ^[A-Za-z_][A-Za-z0-9_]*$.
func isEnvName(s string) bool {
	for i, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' || i > 0 && r >= '0' && r <= '9'
		if !ok {
			return false
		}
	}
	return s != ""
}

// looksLikeNotionToken reports whether s has the shape of a Notion
// integration token or personal access token (ntn_... or secret_..., around
// 50 characters).
func looksLikeNotionToken(s string) bool {
	return (strings.HasPrefix(s, "ntn_") || strings.HasPrefix(s, "secret_")) && len(s) >= 40
}

// isToken reports whether s is an HTTP token (RFC 9110 §5.6.2), the syntax
// of a method.
func isToken(s string) bool {
	for _, r := range s {
		alnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if !alnum && !strings.ContainsRune("!#$%&'*+-.^_`|~", r) {
			return false
		}
	}
	return s != ""
}

// isLoopback reports whether a listen host only accepts connections from
// this machine. An empty host means every interface.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkHTTPURL returns what keeps s from being an absolute http(s) URL
// with a host and no query, fragment or user info, or "".
func checkHTTPURL(s string) string {
	u, err := url.Parse(s)
	switch {
	case err != nil || s == "":
		return fmt.Sprintf("%q is not a URL", s)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Sprintf("%q must be an absolute http:// or https:// URL", s)
	case u.Host == "":
		return fmt.Sprintf("%q has no host", s)
	case u.User != nil:
		return fmt.Sprintf("%q must not contain user info; secrets are never literal in the file", u.Redacted())
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return fmt.Sprintf("%q must not have a query or fragment", s)
	}
	return ""
}

// checkHost returns what keeps s from being a Host header value, or "".
func checkHost(s string) string {
	switch {
	case strings.TrimSpace(s) == "":
		return "must not be empty"
	case strings.ContainsAny(s, "/ \t"):
		return fmt.Sprintf("%q must be a host or host:port as sent in the Host header, not a URL", s)
	}
	return ""
}

// checkOrigin returns what keeps s from being a browser Origin
// (scheme://host[:port]), or "".
func checkOrigin(s string) string {
	u, err := url.Parse(s)
	switch {
	case err != nil || s == "":
		return fmt.Sprintf("%q is not an origin such as https://app.example.com", s)
	case u.Scheme == "" || u.Host == "" || u.Opaque != "":
		return fmt.Sprintf("%q must be scheme://host[:port], e.g. https://app.example.com", s)
	case u.Path != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.User != nil:
		return fmt.Sprintf("%q must be scheme://host[:port] with nothing after it (no path, not even /)", s)
	}
	return ""
}

func quoteList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

// looksLikeSecret reports whether a value given as a file path is more
// likely a pasted secret: a Notion token, or a long run of token characters
// with no path separator and no dot, as no file name of a secret has.
func looksLikeSecret(s string) bool {
	if looksLikeNotionToken(s) {
		return true
	}
	if len(s) < 24 || strings.ContainsAny(s, "/\\.") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// versionDate reports whether s is a Notion API version: a date,
// YYYY-MM-DD, which is what makes versions comparable as strings.
func versionDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}
