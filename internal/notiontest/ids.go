package notiontest

import (
	"crypto/rand"
	"encoding/hex"
)

// NormalizeID reports whether s is a Notion id, either 32 hex digits or a
// dashed UUID (8-4-4-4-12), in any case, and returns it as a dashed lower-case
// UUID, the form Notion uses in responses and messages.
func NormalizeID(s string) (string, bool) {
	var digits [32]byte
	n := 0
	switch len(s) {
	case 32:
	case 36:
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return "", false
		}
	default:
		return "", false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if len(s) == 36 && (i == 8 || i == 13 || i == 18 || i == 23) {
			continue
		}
		switch {
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f':
		case 'A' <= c && c <= 'F':
			c += 'a' - 'A'
		default:
			return "", false
		}
		digits[n] = c
		n++
	}
	return dashed(digits[:]), true
}

// dashed formats 32 hex digits as 8-4-4-4-12.
func dashed(h []byte) string {
	out := make([]byte, 0, 36)
	for i, c := range h {
		if i == 8 || i == 12 || i == 16 || i == 20 {
			out = append(out, '-')
		}
		out = append(out, c)
	}
	return string(out)
}

// compact returns a dashed id without its dashes, as in notion.so URLs.
func compact(id string) string {
	out := make([]byte, 0, 32)
	for i := 0; i < len(id); i++ {
		if id[i] != '-' {
			out = append(out, id[i])
		}
	}
	return string(out)
}

// newUUID returns a random (version 4) UUID in dashed lower-case form.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails: crypto/rand aborts the program instead
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var h [32]byte
	hex.Encode(h[:], b[:])
	return dashed(h[:])
}
