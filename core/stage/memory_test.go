package stage

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock for the store.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newTestMemory(o MemoryOptions) (*Memory, *fakeClock) {
	clk := &fakeClock{t: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)}
	o.Now = clk.now
	return NewMemory(o), clk
}

// TestMemoryTakeIsATokenBucket checks burst, refill at rate and the wait
// reported when tokens are missing.
func TestMemoryTakeIsATokenBucket(t *testing.T) {
	m, clk := newTestMemory(MemoryOptions{})
	ctx := context.Background()
	for i := range 3 {
		if ok, _, err := m.Take(ctx, "k", 2, 3, 1); !ok || err != nil {
			t.Fatalf("take %d of a full bucket of 3: %v %v", i, ok, err)
		}
	}
	ok, wait, err := m.Take(ctx, "k", 2, 3, 1)
	if ok || err != nil || wait != 500*time.Millisecond {
		t.Fatalf("empty bucket: ok=%v wait=%v err=%v, want refused with 500ms to wait at 2/s", ok, wait, err)
	}
	clk.advance(500 * time.Millisecond)
	if ok, _, _ := m.Take(ctx, "k", 2, 3, 1); !ok {
		t.Fatal("a token refilled after 500ms at 2/s was not there")
	}
	clk.advance(time.Hour)
	for i := range 3 {
		if ok, _, _ := m.Take(ctx, "k", 2, 3, 1); !ok {
			t.Fatalf("take %d after a long idle: the bucket refills to burst only", i)
		}
	}
	if ok, _, _ := m.Take(ctx, "k", 2, 3, 1); ok {
		t.Fatal("the bucket held more than its burst")
	}
	if ok, _, _ := m.Take(ctx, "other", 2, 3, 1); !ok {
		t.Fatal("buckets are per key")
	}
	if ok, wait, _ := m.Take(ctx, "big", 1, 2, 3); ok || wait != time.Duration(1<<63-1) {
		t.Fatalf("more than burst at once: ok=%v wait=%v, want never", ok, wait)
	}
}

// TestMemoryValuesExpire checks Get, Set, Delete and the time to live.
func TestMemoryValuesExpire(t *testing.T) {
	m, clk := newTestMemory(MemoryOptions{})
	ctx := context.Background()
	v := []byte("v1")
	if err := m.Set(ctx, "a", v, time.Second); err != nil {
		t.Fatal(err)
	}
	v[0] = 'X' // the store keeps its own copy
	got, ok, err := m.Get(ctx, "a")
	if !ok || err != nil || string(got) != "v1" {
		t.Fatalf("Get = %q %v %v, want v1", got, ok, err)
	}
	clk.advance(time.Second)
	if _, ok, _ := m.Get(ctx, "a"); ok {
		t.Fatal("a value outlived its ttl")
	}
	_ = m.Set(ctx, "b", []byte("x"), time.Minute)
	_ = m.Delete(ctx, "b")
	if _, ok, _ := m.Get(ctx, "b"); ok {
		t.Fatal("Delete left the value")
	}
	_ = m.Set(ctx, "c", []byte("x"), 0)
	if _, ok, _ := m.Get(ctx, "c"); ok {
		t.Fatal("a zero ttl stored a value")
	}
}

// TestMemoryIsBounded checks that MaxEntries bounds values and buckets
// however many keys arrive, expired and refilled entries going first.
func TestMemoryIsBounded(t *testing.T) {
	m, clk := newTestMemory(MemoryOptions{MaxEntries: 640})
	ctx := context.Background()
	_ = m.Set(ctx, "keep", []byte("x"), time.Hour)
	for i := range 10_000 {
		_ = m.Set(ctx, fmt.Sprint("v", i), []byte("x"), time.Minute)
		_, _, _ = m.Take(ctx, fmt.Sprint("b", i), 1, 5, 1)
	}
	if n := m.Len(); n > 640+memoryShards {
		t.Fatalf("%d entries held, want at most about 640", n)
	}
	clk.advance(2 * time.Minute) // values expire, buckets refill
	for i := range 2 * 640 {
		_ = m.Set(ctx, fmt.Sprint("w", i), []byte("x"), time.Hour)
	}
	if n := m.Len(); n > 640+memoryShards {
		t.Fatalf("%d entries held after expiry, want at most about 640", n)
	}
}

// TestMemoryHonoursContext checks that a cancelled context is an error,
// not an answer.
func TestMemoryHonoursContext(t *testing.T) {
	m := NewMemory(MemoryOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := m.Take(ctx, "k", 1, 1, 1); err == nil {
		t.Error("Take with a cancelled context succeeded")
	}
	if _, _, err := m.Get(ctx, "k"); err == nil {
		t.Error("Get with a cancelled context succeeded")
	}
	if err := m.Set(ctx, "k", nil, time.Second); err == nil {
		t.Error("Set with a cancelled context succeeded")
	}
}

// TestMemoryConcurrentTakes checks under -race that concurrent takers of
// one bucket never get more than its burst.
func TestMemoryConcurrentTakes(t *testing.T) {
	m, _ := newTestMemory(MemoryOptions{}) // the clock stands still: no refill
	var wg sync.WaitGroup
	var mu sync.Mutex
	taken := 0
	for range 8 {
		wg.Go(func() {
			for range 100 {
				if ok, _, _ := m.Take(context.Background(), "k", 10, 50, 1); ok {
					mu.Lock()
					taken++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if taken != 50 {
		t.Fatalf("%d tokens taken from a bucket of 50 with no refill", taken)
	}
}

// BenchmarkMemoryTake is an uncontended limiter check.
func BenchmarkMemoryTake(b *testing.B) {
	m := NewMemory(MemoryOptions{})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, _, _ = m.Take(ctx, "client:203.0.113.7", 1e9, 1e9, 1)
	}
}
