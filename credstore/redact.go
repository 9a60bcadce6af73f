package credstore

import (
	"bytes"
	"encoding/base64"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// A SecretHolder lists the secrets it holds now: tokens, refresh tokens,
// client secrets, keys. Every credential source is one; a Redactor asks
// them at the moment it redacts, so a token rotated a moment ago is known.
type SecretHolder interface {
	// AppendSecrets appends the secrets held now to dst and returns it.
	AppendSecrets(dst []Secret) []Secret
}

// Secrets is a fixed list of secrets, such as the configured client keys.
type Secrets []Secret

// AppendSecrets appends every secret of s.
func (s Secrets) AppendSecrets(dst []Secret) []Secret { return append(dst, s...) }

// minRedacted is the shortest secret replaced: a one-letter "secret" would
// turn every message into noise, and no real token is that short.
const minRedacted = 8

// Redactor replaces every secret its holders hold, and the base64 form in
// which HTTP Basic authentication carries a client id and secret, with
// [REDACTED] in error texts and output. It is the one place where text an
// upstream controlled (an echoed Authorization header, an OAuth error body)
// is cleaned before it is logged or printed. The zero value redacts
// nothing. A Redactor is safe for concurrent use.
type Redactor struct {
	holders atomic.Pointer[[]SecretHolder]
}

// SetHolders replaces the holders whose secrets are redacted.
func (r *Redactor) SetHolders(holders ...SecretHolder) {
	list := append([]SecretHolder(nil), holders...)
	r.holders.Store(&list)
}

var secretsPool = sync.Pool{New: func() any { s := make([]Secret, 0, 16); return &s }}

// held returns the secrets held now, in a pooled buffer to give back with
// release; nil when there are no holders.
func (r *Redactor) held() *[]Secret {
	if r == nil {
		return nil
	}
	hs := r.holders.Load()
	if hs == nil {
		return nil
	}
	buf := secretsPool.Get().(*[]Secret)
	for _, h := range *hs {
		*buf = h.AppendSecrets(*buf)
	}
	return buf
}

func release(buf *[]Secret) {
	if buf != nil {
		clear(*buf)
		*buf = (*buf)[:0]
		secretsPool.Put(buf)
	}
}

// String returns s with every held secret replaced.
func (r *Redactor) String(s string) string {
	buf := r.held()
	defer release(buf)
	if buf == nil {
		return s
	}
	for _, sec := range *buf {
		if v := string(sec); len(v) >= minRedacted && strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, redacted)
		}
	}
	return s
}

// Bytes returns p with every held secret replaced. When p holds none, p
// itself is returned: the common case costs no copy.
func (r *Redactor) Bytes(p []byte) []byte {
	buf := r.held()
	defer release(buf)
	if buf == nil {
		return p
	}
	// Search a read-only string view of p: a []byte(secret) per secret
	// and line would allocate on every access-log line.
	view := unsafe.String(unsafe.SliceData(p), len(p))
	var out []byte
	for _, sec := range *buf {
		v := string(sec)
		if len(v) < minRedacted || !strings.Contains(view, v) {
			continue
		}
		if out == nil {
			out = bytes.Clone(p)
		}
		out = bytes.ReplaceAll(out, []byte(v), []byte(redacted))
	}
	if out == nil {
		return p
	}
	return out
}

// Error returns err with its text redacted; errors.Is and errors.As still
// see the original chain. It returns nil for nil.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	return &redactedError{text: r.String(err.Error()), err: err}
}

type redactedError struct {
	text string
	err  error
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.err }

// Writer returns a writer that redacts each Write before passing it to w.
// A secret split across two writes is not seen: give it whole lines, as
// loggers and fmt.Fprintf do.
func (r *Redactor) Writer(w io.Writer) io.Writer {
	return &redactingWriter{r: r, w: w}
}

type redactingWriter struct {
	r *Redactor
	w io.Writer
}

func (rw *redactingWriter) Write(p []byte) (int, error) {
	if _, err := rw.w.Write(rw.r.Bytes(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Sync flushes the underlying writer when it can, so the writer serves as
// a zap WriteSyncer.
func (rw *redactingWriter) Sync() error {
	if s, ok := rw.w.(interface{ Sync() error }); ok {
		return s.Sync()
	}
	return nil
}

// basicForm is how HTTP Basic authentication carries id and secret.
func basicForm(id string, secret Secret) Secret {
	return Secret(base64.StdEncoding.EncodeToString([]byte(id + ":" + secret.Reveal())))
}

// AppendSecrets appends the token held, if any.
func (c *tokenCell) AppendSecrets(dst []Secret) []Secret {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.token != "" {
		dst = append(dst, c.token)
	}
	return dst
}

// AppendSecrets appends the client secret and the Basic form that carries
// it with the client id.
func (c *OAuthClient) AppendSecrets(dst []Secret) []Secret {
	if c == nil || c.secret == "" {
		return dst
	}
	return append(dst, c.secret, basicForm(c.config.ClientID, c.secret))
}

// AppendSecrets appends the pair held, the seed refresh token and the
// client's secrets.
func (s *OAuthSource) AppendSecrets(dst []Secret) []Secret {
	s.mu.RLock()
	for _, v := range []Secret{s.rec.AccessToken, s.rec.RefreshToken, s.opts.Seed} {
		if v != "" {
			dst = append(dst, v)
		}
	}
	s.mu.RUnlock()
	return s.opts.Client.AppendSecrets(dst)
}

var (
	_ SecretHolder = (*Static)(nil)
	_ SecretHolder = (*StoredToken)(nil)
	_ SecretHolder = (*OAuthSource)(nil)
	_ SecretHolder = (*OAuthClient)(nil)
	_ SecretHolder = Secrets(nil)
)
