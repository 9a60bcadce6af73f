package credstore

import (
	"context"
	"errors"

	"github.com/zalando/go-keyring"
)

// keychainFullLook is every how many polls Changes reads every item even
// though the index's count of writes has not moved: a writer that crashed
// between writing an item and raising the count is noticed this late.
const keychainFullLook = 30

// keychainLook is what the poller saw the last time it looked.
type keychainLook struct {
	writes   int64            // the index's count of writes
	versions map[string]int64 // by credential name
	ok       bool             // every item could be read
}

// Changes reports the names of records that appear, disappear or change
// Version,
// whoever wrote them. Every PollInterval it reads the index item, and only
// when its count of writes moved (or every 30th time) every record's item:
// an idle store costs one keychain read a poll. It compares with what the
// keychain held when Changes was called. While the keychain cannot be read,
// nothing is reported, and Health says why. The channel is closed, and its
// goroutine ends, when ctx ends.
func (s *KeychainStore) Changes(ctx context.Context) <-chan string {
	return pollChanges(ctx, s.poll, s.look(ctx, keychainLook{}, true),
		func(prev keychainLook, tick int) keychainLook { return s.look(ctx, prev, tick%keychainFullLook == 0) },
		func(l keychainLook) (map[string]int64, bool) { return l.versions, l.ok })
}

// look reads the index and, if its count of writes moved since prev or
// full is set, every item it names.
func (s *KeychainStore) look(ctx context.Context, prev keychainLook, full bool) keychainLook {
	idx, err := s.readIndex(ctx)
	if err != nil {
		return keychainLook{}
	}
	if prev.ok && !full && idx.Writes == prev.writes {
		return prev
	}
	versions := make(map[string]int64, len(idx.Names))
	for _, name := range idx.Names {
		data, err := s.get(ctx, name)
		if errors.Is(err, keyring.ErrNotFound) {
			continue
		}
		if err != nil {
			return keychainLook{}
		}
		// A damaged item counts as missing: its name is reported, and
		// whoever reads it then finds out.
		if item, err := s.parseItem(name, data); err == nil {
			versions[name] = item.Version
		}
	}
	return keychainLook{writes: idx.Writes, versions: versions, ok: true}
}
