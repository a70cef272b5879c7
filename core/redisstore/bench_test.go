package redisstore

import (
	"context"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/core/stage"
)

// BenchmarkTake compares one bucket check in Redis (one script call on
// loopback) with the in-process store; run with -cpu to vary the
// parallelism. The figures are printed, never asserted.
func BenchmarkTake(b *testing.B) {
	b.Run("memory", func(b *testing.B) {
		m := stage.NewMemory(stage.MemoryOptions{})
		ctx := context.Background()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				m.Take(ctx, "rl:e|GET /x", 1e9, 1e9, 1)
			}
		})
	})
	b.Run("redis", func(b *testing.B) {
		addr := benchRedis(b)
		s, err := New(Options{Address: addr, Prefix: "bench:", Timeout: time.Second})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		ctx := context.Background()
		b.ReportAllocs()
		b.SetParallelism(8)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if ok, _, err := s.Take(ctx, "rl:e|GET /x", 1e9, 1e9, 1); !ok || err != nil {
					b.Error("refused", err)
					return
				}
			}
		})
	})
}
