package credstore

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// ErrCorrupt means a credential store file cannot be used: it is damaged,
// cannot be decrypted with the configured key (or lack of one), or has a
// format version this build does not read. The file is left as it is.
var ErrCorrupt = errors.New("credential store is unusable")

// The on-disk format. Version 1 is the only one there is; a file of any
// other version is refused rather than guessed at.
const (
	fileFormatName    = "notion-auth-proxy-credentials"
	fileFormatVersion = 1
)

// fileDoc is the plaintext document: the whole file when no key is
// configured, and the sealed payload when one is.
type fileDoc struct {
	Format      string                `json:"format"`
	Version     int                   `json:"version"`
	Credentials map[string]fileRecord `json:"credentials"`
}

// fileRecord is a Record as stored. Its secrets are plain strings because
// Secret deliberately marshals as [REDACTED].
type fileRecord struct {
	AccessToken   string    `json:"access_token,omitempty"`
	RefreshToken  string    `json:"refresh_token,omitempty"`
	Expiry        time.Time `json:"expiry,omitzero"`
	BotID         string    `json:"bot_id,omitempty"`
	WorkspaceID   string    `json:"workspace_id,omitempty"`
	WorkspaceName string    `json:"workspace_name,omitempty"`
	ObtainedAt    time.Time `json:"obtained_at,omitzero"`
	RefreshedAt   time.Time `json:"refreshed_at,omitzero"`
	Version       int64     `json:"version"`
}

// fileEnvelope is the file when a key is configured: the sealed fileDoc.
// Format and Version are read first, so an encrypted file and a plaintext
// one are told apart before anything is decrypted.
type fileEnvelope struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	sealed
}

func toFileRecord(r Record) fileRecord {
	return fileRecord{
		AccessToken:   r.AccessToken.Reveal(),
		RefreshToken:  r.RefreshToken.Reveal(),
		Expiry:        r.Expiry,
		BotID:         r.BotID,
		WorkspaceID:   r.WorkspaceID,
		WorkspaceName: r.WorkspaceName,
		ObtainedAt:    r.ObtainedAt,
		RefreshedAt:   r.RefreshedAt,
		Version:       r.Version,
	}
}

func (f fileRecord) record(name string) Record {
	return Record{
		Credential:    name,
		AccessToken:   Secret(f.AccessToken),
		RefreshToken:  Secret(f.RefreshToken),
		Expiry:        f.Expiry,
		BotID:         f.BotID,
		WorkspaceID:   f.WorkspaceID,
		WorkspaceName: f.WorkspaceName,
		ObtainedAt:    f.ObtainedAt,
		RefreshedAt:   f.RefreshedAt,
		Version:       f.Version,
	}
}

// records returns the document's records sorted by name.
func (d fileDoc) records() []Record {
	out := make([]Record, 0, len(d.Credentials))
	for name, fr := range d.Credentials {
		out = append(out, fr.record(name))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Credential < out[j].Credential })
	return out
}

func newFileDoc() fileDoc {
	return fileDoc{Format: fileFormatName, Version: fileFormatVersion, Credentials: map[string]fileRecord{}}
}

// encodeFile returns the bytes to store for d, sealed when key is set.
func encodeFile(d fileDoc, key []byte) ([]byte, error) {
	if key == nil {
		plain, err := json.MarshalIndent(d, "", "  ")
		return append(plain, '\n'), err
	}
	plain, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	box, err := seal(key, plain, additionalData(fileFormatVersion))
	if err != nil {
		return nil, err
	}
	env := fileEnvelope{Format: fileFormatName, Version: fileFormatVersion, sealed: box}
	out, err := json.MarshalIndent(env, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// decodeFile parses a store file. Its errors wrap ErrCorrupt and describe
// the problem without quoting the file, which holds secrets.
func decodeFile(b []byte, key []byte) (fileDoc, error) {
	var env fileEnvelope
	if err := json.Unmarshal(b, &env); err != nil {
		return fileDoc{}, corrupt(describeJSONError(err))
	}
	if env.Format != fileFormatName {
		return fileDoc{}, corrupt("not a notion-auth-proxy credential store")
	}
	if env.Version != fileFormatVersion {
		return fileDoc{}, corrupt(fmt.Sprintf("format version %d is not supported (this build reads version %d)",
			env.Version, fileFormatVersion))
	}
	encrypted := env.isSealed()
	switch {
	case encrypted && key == nil:
		return fileDoc{}, corrupt("file is encrypted but no encryption key is configured")
	case !encrypted && key != nil:
		return fileDoc{}, corrupt("file is not encrypted but an encryption key is configured")
	case encrypted:
		plain, err := env.open(key, additionalData(env.Version))
		if err != nil {
			return fileDoc{}, err
		}
		b = plain
	}
	return decodeDoc(b)
}

func decodeDoc(b []byte) (fileDoc, error) {
	var d fileDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return fileDoc{}, corrupt(describeJSONError(err))
	}
	if d.Format != fileFormatName || d.Version != fileFormatVersion {
		return fileDoc{}, corrupt("encrypted payload has the wrong format or version")
	}
	if d.Credentials == nil {
		d.Credentials = map[string]fileRecord{}
	}
	for name, fr := range d.Credentials {
		if ValidName(name) != nil {
			return fileDoc{}, corrupt("a credential name is not valid")
		}
		if fr.Version < 1 {
			return fileDoc{}, corrupt(fmt.Sprintf("credential %s has version %d, want 1 or more", name, fr.Version))
		}
	}
	return d, nil
}

// additionalData binds a sealed payload to its format and version, so it
// cannot be passed off as another version's data.
func additionalData(version int) []byte {
	return fmt.Appendf(nil, "%s/%d/%s", fileFormatName, version, sealCipher)
}

func corrupt(why string) error { return fmt.Errorf("%w: %s", ErrCorrupt, why) }

// describeJSONError says where JSON parsing failed. The json package's own
// text can quote a character of the input, and the input holds secrets.
func describeJSONError(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("not valid JSON (at byte %d)", syntax.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("not valid JSON for a credential store (wrong type at byte %d)", typ.Offset)
	default:
		return "not valid JSON for a credential store"
	}
}

// ParseKey decodes an encryption key: base64 (standard or URL alphabet,
// padded or not) of exactly 32 bytes. Its errors never repeat the input.
func ParseKey(b64 string) ([]byte, error) {
	s := strings.TrimSpace(b64)
	if s == "" {
		return nil, errors.New("encryption key is empty")
	}
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
	} {
		key, err := enc.DecodeString(s)
		if err != nil {
			continue
		}
		if len(key) != keySize {
			return nil, fmt.Errorf("encryption key is %d bytes, want %d", len(key), keySize)
		}
		return key, nil
	}
	return nil, errors.New("encryption key is not valid base64")
}
