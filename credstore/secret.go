package credstore

import (
	"encoding/json"

	"go.uber.org/zap/zapcore"
)

// Secret is a credential value: a token, a client secret, a key. Every way
// of printing it prints [REDACTED]; only Reveal returns the value.
type Secret string

const redacted = "[REDACTED]"

// Reveal returns the secret's value, for the one place that must send it.
func (s Secret) Reveal() string { return string(s) }

// String returns [REDACTED].
func (Secret) String() string { return redacted }

// GoString returns [REDACTED], for %#v.
func (Secret) GoString() string { return redacted }

// MarshalJSON encodes [REDACTED].
func (Secret) MarshalJSON() ([]byte, error) { return json.Marshal(redacted) }

// MarshalText encodes [REDACTED].
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// MarshalLogObject writes [REDACTED] when a Secret is logged with zap.Object.
func (Secret) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("secret", redacted)
	return nil
}

var (
	_ zapcore.ObjectMarshaler = Secret("")
	_ json.Marshaler          = Secret("")
)
