package proxy

import (
	"sort"
	"sync"
	"time"
)

// notSharedCapacity bounds the objects remembered for /not-shared; the least
// recently seen is forgotten first.
const notSharedCapacity = 1000

// NotShared is one entry of /not-shared: an object a credential's
// integration could not see.
type NotShared struct {
	Credential string    `json:"credential"`
	ObjectID   string    `json:"object_id"`
	ObjectType string    `json:"object_type"`
	Count      int64     `json:"count"`
	FirstSeen  time.Time `json:"first_seen"`
	LastSeen   time.Time `json:"last_seen"`
	LastMethod string    `json:"last_method"`
	LastPath   string    `json:"last_path"`
}

// notSharedLog remembers recent not-shared objects. It is touched only when
// Notion answers object_not_found, never on the ordinary request path.
type notSharedLog struct {
	mu       sync.Mutex
	capacity int
	entries  map[[2]string]*NotShared // credential, object id
}

func newNotSharedLog(capacity int) *notSharedLog {
	return &notSharedLog{capacity: capacity, entries: make(map[[2]string]*NotShared)}
}

func (l *notSharedLog) record(credential, objectType, objectID, method, path string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	key := [2]string{credential, objectID}
	e := l.entries[key]
	if e == nil {
		if len(l.entries) >= l.capacity {
			l.evictOldest()
		}
		e = &NotShared{Credential: credential, ObjectID: objectID, FirstSeen: now}
		l.entries[key] = e
	}
	e.ObjectType = objectType
	e.Count++
	e.LastSeen, e.LastMethod, e.LastPath = now, method, path
}

func (l *notSharedLog) evictOldest() {
	var oldest [2]string
	var at time.Time
	for k, e := range l.entries {
		if at.IsZero() || e.LastSeen.Before(at) {
			oldest, at = k, e.LastSeen
		}
	}
	delete(l.entries, oldest)
}

// list returns the entries of the credentials visible allows (nil allows
// every credential), most recently seen first.
func (l *notSharedLog) list(visible func(credential string) bool) []NotShared {
	l.mu.Lock()
	out := make([]NotShared, 0, len(l.entries))
	for _, e := range l.entries {
		if visible == nil || visible(e.Credential) {
			out = append(out, *e)
		}
	}
	l.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if !out[i].LastSeen.Equal(out[j].LastSeen) {
			return out[i].LastSeen.After(out[j].LastSeen)
		}
		return out[i].ObjectID < out[j].ObjectID
	})
	return out
}
