package credstore

import (
	"context"
	"sort"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Changes reports the names of records as they are written, by any
// process: at once from the notice every write publishes, and, in case a
// notice is missed (the subscription dropped, Redis restarted), from a
// re-read of every record's version each PollInterval. After Redis was
// unreachable, every name is reported, since anything may have changed
// meanwhile. A name may be reported more than once for one write. The
// polling also keeps Health current. The channel is closed when ctx ends
// or the store is closed.
func (s *RedisStore) Changes(ctx context.Context) <-chan string {
	ch := make(chan string)
	if !s.spawn(func() {
		defer close(ch)
		s.watch(ctx, ch)
	}) {
		close(ch)
	}
	return ch
}

func (s *RedisStore) watch(ctx context.Context, ch chan<- string) {
	sub := s.rdb.Subscribe(ctx, s.channel)
	defer sub.Close()
	notices := sub.Channel(redis.WithChannelHealthCheckInterval(max(s.poll, time.Second)))
	last, err := s.versions(ctx)
	down := err != nil
	t := time.NewTicker(s.poll)
	defer t.Stop()
	for {
		var names []string
		select {
		case <-ctx.Done():
			return
		case <-s.done:
			return
		case m, ok := <-notices:
			if !ok {
				return
			}
			names = []string{m.Payload}
		case <-t.C:
			next, err := s.versions(ctx)
			if err != nil {
				down = true
				continue
			}
			if down {
				names = allNames(last, next)
			} else {
				names = diffVersions(last, next)
			}
			last, down = next, false
		}
		for _, name := range names {
			select {
			case ch <- name:
			case <-ctx.Done():
				return
			case <-s.done:
				return
			}
		}
	}
}

// versions returns every stored record's version by credential name.
func (s *RedisStore) versions(ctx context.Context) (map[string]int64, error) {
	names, err := s.rdb.SMembers(ctx, s.namesKey).Result()
	if err = s.check(ctx, err); err != nil {
		return nil, err
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.StringCmd, len(names))
	for i, name := range names {
		cmds[i] = pipe.HGet(ctx, s.recordKey(name), "v")
	}
	if len(names) > 0 {
		_, err = pipe.Exec(ctx)
		if err = s.check(ctx, err); err != nil {
			return nil, err
		}
	}
	out := make(map[string]int64, len(names))
	for i, name := range names {
		v, _ := strconv.ParseInt(cmds[i].Val(), 10, 64)
		out[name] = v
	}
	return out, nil
}

// allNames returns, sorted, every name in a or b.
func allNames(a, b map[string]int64) []string {
	seen := make(map[string]bool, len(a)+len(b))
	var names []string
	for _, m := range []map[string]int64{a, b} {
		for name := range m {
			if !seen[name] {
				seen[name] = true
				names = append(names, name)
			}
		}
	}
	sort.Strings(names)
	return names
}
