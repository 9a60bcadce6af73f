package credstore

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"sort"
	"time"
)

// fileLook is what the poller saw of the store file the last time it looked.
type fileLook struct {
	info     os.FileInfo      // nil: the file was missing
	versions map[string]int64 // by credential name
	ok       bool             // the file could be read and decoded
}

// changed reports whether info describes another file, or the same file
// written since, than the one last seen. Every write renames a new file in,
// so the inode changes even when size and time do not.
func (l fileLook) changed(info os.FileInfo) bool {
	if !l.ok || (l.info == nil) != (info == nil) {
		return true
	}
	if info == nil {
		return false
	}
	return !os.SameFile(l.info, info) || l.info.Size() != info.Size() || !l.info.ModTime().Equal(info.ModTime())
}

// Changes reports the names of records that appear, disappear or change
// Version, whoever wrote them, by looking at the file every PollInterval
// (and re-reading it when its size, time or inode changed). It compares
// with what the file held when Changes was called. While the file cannot be
// read or decoded, nothing is reported. The channel is closed, and its
// goroutine ends, when ctx ends.
func (s *FileStore) Changes(ctx context.Context) <-chan string {
	return pollChanges(ctx, s.poll, s.look(fileLook{}), func(prev fileLook, _ int) fileLook { return s.look(prev) },
		func(l fileLook) (map[string]int64, bool) { return l.versions, l.ok })
}

// pollChanges looks every interval, starting from first, and reports the
// names whose versions differ between one good look and the next, until
// ctx ends; then it closes the channel. look is given the last good look
// and the tick's number; a look that is not ok is skipped, so the next is
// compared with the last good one. The file and keychain stores share it.
func pollChanges[L any](ctx context.Context, interval time.Duration, first L, look func(prev L, tick int) L,
	versions func(L) (map[string]int64, bool)) <-chan string {
	ch := make(chan string)
	go func() {
		defer close(ch)
		t := time.NewTicker(interval)
		defer t.Stop()
		last := first
		for tick := 1; ; tick++ {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			next := look(last, tick)
			nextVersions, ok := versions(next)
			if !ok {
				continue
			}
			lastVersions, _ := versions(last)
			for _, name := range diffVersions(lastVersions, nextVersions) {
				select {
				case ch <- name:
				case <-ctx.Done():
					return
				}
			}
			last = next
		}
	}()
	return ch
}

// look stats the store file and, if it changed since prev, reads it.
func (s *FileStore) look(prev fileLook) fileLook {
	info, err := os.Stat(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return fileLook{versions: map[string]int64{}, ok: true}
	}
	if err != nil {
		return fileLook{}
	}
	if !prev.changed(info) {
		return prev
	}
	d, err := s.read()
	if err != nil {
		return fileLook{}
	}
	versions := make(map[string]int64, len(d.Credentials))
	for name, fr := range d.Credentials {
		versions[name] = fr.Version
	}
	// The file may have been replaced between Stat and read; then the
	// next look sees a changed inode and reads it again.
	return fileLook{info: info, versions: versions, ok: true}
}

// diffVersions returns, sorted, the names whose versions differ between a
// and b, including names present in only one of them.
func diffVersions(a, b map[string]int64) []string {
	var names []string
	for name, v := range a {
		if w, ok := b[name]; !ok || w != v {
			names = append(names, name)
		}
	}
	for name := range b {
		if _, ok := a[name]; !ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}
