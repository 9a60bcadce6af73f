package ratelimit

import (
	"context"
	"testing"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/redistest"
)

// BenchmarkTake books turns on a budget fast enough never to make them
// wait, so that it measures the booking alone: in process, and a round trip
// to a Redis server on loopback.
func BenchmarkTake(b *testing.B) {
	ctx := context.Background()
	b.Run("local", func(b *testing.B) {
		l := NewLocal(nil)
		b.ReportAllocs()
		for b.Loop() {
			l.Take(ctx, "partner", 1e9, 1000, forever)
		}
	})
	b.Run("redis", func(b *testing.B) {
		p := replicas(b, redistest.Start(b, redistest.Options{}), 1, RedisOptions{})[0]
		b.ReportAllocs()
		for b.Loop() {
			p.Take(ctx, "partner", 1e6, 1000, forever)
		}
	})
}
