package stage

import (
	"context"
	"testing"
)

// TestMemoryTakeBytes checks that TakeBytes and Take name the same
// buckets, and that a check on an existing bucket does not allocate.
func TestMemoryTakeBytes(t *testing.T) {
	m, _ := newTestMemory(MemoryOptions{})
	ctx := context.Background()
	if ok, _, _ := m.TakeBytes(ctx, []byte("k"), 1, 2, 1); !ok {
		t.Fatal("first take refused")
	}
	if ok, _, _ := m.Take(ctx, "k", 1, 2, 1); !ok {
		t.Fatal("second take refused")
	}
	ok, wait, err := m.TakeBytes(ctx, []byte("k"), 1, 2, 1)
	if ok || err != nil || wait <= 0 {
		t.Fatalf("third take of a bucket of 2: %v %v %v; Take and TakeBytes do not share the bucket", ok, wait, err)
	}
	if ok, _, _ := m.TakeBytes(ctx, []byte("other"), 1, 2, 1); !ok {
		t.Fatal("another key shares the bucket")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := m.TakeBytes(cctx, []byte("k"), 1, 2, 1); err == nil {
		t.Fatal("a cancelled context is not reported")
	}
	key := []byte("client:203.0.113.7")
	m.TakeBytes(ctx, key, 1e9, 1e9, 1)
	if n := testing.AllocsPerRun(100, func() { m.TakeBytes(ctx, key, 1e9, 1e9, 1) }); n != 0 {
		t.Fatalf("%v allocations per check of an existing bucket", n)
	}
}

// BenchmarkMemoryTakeBytes is an uncontended limiter check with the key
// given as bytes.
func BenchmarkMemoryTakeBytes(b *testing.B) {
	m := NewMemory(MemoryOptions{})
	ctx := context.Background()
	key := []byte("client:203.0.113.7")
	b.ReportAllocs()
	for b.Loop() {
		_, _, _ = m.TakeBytes(ctx, key, 1e9, 1e9, 1)
	}
}
