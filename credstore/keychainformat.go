package credstore

import (
	"encoding/json"
	"fmt"
	"slices"
)

// What a keychain item holds. Each format is checked first, so that data
// this build cannot read is refused rather than guessed at.
const (
	keychainFormat      = "notion-auth-proxy-keychain-credential/1"
	keychainIndexFormat = "notion-auth-proxy-keychain-index/1"
	// keychainIndexUser names the index item. It is not a valid credential
	// name, so no credential's item can take its place.
	keychainIndexUser = ".index"
)

// keychainItem is one credential's item: its version in the clear, and
// the record the file store keeps for it, sealed when a key is configured.
type keychainItem struct {
	Format  string      `json:"format"`
	Version int64       `json:"version"`
	Record  *fileRecord `json:"record,omitempty"`
	sealed
}

// keychainIndex is the index item. The keychain cannot list its items, so
// the store keeps the names it has written here, and counts its writes so
// that a watcher can tell from this one item whether any record changed.
type keychainIndex struct {
	Format string   `json:"format"`
	Names  []string `json:"names"`
	Writes int64    `json:"writes"`
}

// keychainAD binds a sealed record to its service, credential and version,
// so none of them can be changed without the key.
func keychainAD(service, name string, version int64) []byte {
	return fmt.Appendf(nil, "%s/%s/%s/%d/%s", keychainFormat, service, name, version, sealCipher)
}

// encodeItem returns the item to store for rec, sealed when s has a key.
func (s *KeychainStore) encodeItem(rec Record) (string, error) {
	fr := toFileRecord(rec)
	item := keychainItem{Format: keychainFormat, Version: rec.Version}
	if s.key == nil {
		item.Record = &fr
	} else {
		plain, err := json.Marshal(fr)
		if err != nil {
			return "", err
		}
		if item.sealed, err = seal(s.key, plain, keychainAD(s.service, rec.Credential, rec.Version)); err != nil {
			return "", err
		}
	}
	b, err := json.Marshal(item)
	return string(b), err
}

// parseItem reads an item's envelope, without opening its record. Its
// errors wrap ErrCorrupt and name the item, never its data.
func (s *KeychainStore) parseItem(name, data string) (keychainItem, error) {
	var item keychainItem
	if err := json.Unmarshal([]byte(data), &item); err != nil {
		return keychainItem{}, s.itemError(name, corrupt(describeJSONError(err)))
	}
	if item.Format != keychainFormat {
		return keychainItem{}, s.itemError(name, corrupt("not a notion-auth-proxy credential of a supported format"))
	}
	if item.Version < 1 {
		return keychainItem{}, s.itemError(name, corrupt(fmt.Sprintf("version %d, want 1 or more", item.Version)))
	}
	return item, nil
}

// decodeItem turns the named credential's item into its record.
func (s *KeychainStore) decodeItem(name, data string) (Record, error) {
	item, err := s.parseItem(name, data)
	if err != nil {
		return Record{}, err
	}
	var fr fileRecord
	switch {
	case item.isSealed() && s.key == nil:
		err = corrupt("record is encrypted but no encryption key is configured")
	case !item.isSealed() && s.key != nil:
		err = corrupt("record is not encrypted but an encryption key is configured")
	case !item.isSealed() && item.Record == nil:
		err = corrupt("record is empty")
	case !item.isSealed():
		fr = *item.Record
	default:
		var plain []byte
		if plain, err = item.open(s.key, keychainAD(s.service, name, item.Version)); err == nil {
			if jerr := json.Unmarshal(plain, &fr); jerr != nil {
				err = corrupt(describeJSONError(jerr))
			}
		}
	}
	if err != nil {
		return Record{}, s.itemError(name, err)
	}
	rec := fr.record(name)
	rec.Version = item.Version
	return rec, nil
}

// encodeIndex returns the index item for idx.
func encodeIndex(idx keychainIndex) (string, error) {
	idx.Format = keychainIndexFormat
	b, err := json.Marshal(idx)
	return string(b), err
}

// decodeIndex reads the index item. Its errors wrap ErrCorrupt.
func (s *KeychainStore) decodeIndex(data string) (keychainIndex, error) {
	var idx keychainIndex
	if err := json.Unmarshal([]byte(data), &idx); err != nil {
		return keychainIndex{}, s.itemError(keychainIndexUser, corrupt(describeJSONError(err)))
	}
	if idx.Format != keychainIndexFormat {
		return keychainIndex{}, s.itemError(keychainIndexUser, corrupt("not a notion-auth-proxy index of a supported format"))
	}
	for _, name := range idx.Names {
		if ValidName(name) != nil {
			return keychainIndex{}, s.itemError(keychainIndexUser, corrupt("a credential name is not valid"))
		}
	}
	slices.Sort(idx.Names)
	idx.Names = slices.Compact(idx.Names)
	return idx, nil
}

func (s *KeychainStore) itemError(user string, err error) error {
	return fmt.Errorf("read credential store %s item %s: %w", s, user, err)
}
