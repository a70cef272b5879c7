package stage

import (
	"context"
	"hash/maphash"
	"math"
	"sync"
	"time"
)

// Defaults of MemoryOptions.
const (
	// DefaultMaxEntries bounds a Memory store's values and buckets together.
	DefaultMaxEntries = 100_000
	// memoryShards spreads the keys over this many locks.
	memoryShards = 32
	// sweepEvery is how many writes to a shard trigger a sweep of it.
	sweepEvery = 1024
)

// MemoryOptions configure NewMemory. The zero value works.
type MemoryOptions struct {
	// MaxEntries bounds the values and token buckets kept together; past
	// it, expired entries and idle (full) buckets go first, then arbitrary
	// ones. 0 or a negative value means DefaultMaxEntries.
	MaxEntries int
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Memory is the in-process Store: sharded maps, no goroutine of its own.
// Expired values and buckets that have refilled are dropped as writes go
// by, so memory stays bounded by MaxEntries without a background sweeper.
type Memory struct {
	seed     maphash.Seed
	now      func() time.Time
	perShard int
	shards   [memoryShards]memShard
}

type memShard struct {
	mu      sync.Mutex
	values  map[string]memValue
	buckets map[string]*memBucket
	writes  int
}

type memValue struct {
	data    []byte
	expires time.Time
}

type memBucket struct {
	tokens float64
	last   time.Time
	rate   float64
	burst  float64
}

// NewMemory returns an empty in-process store.
func NewMemory(o MemoryOptions) *Memory {
	m := &Memory{seed: maphash.MakeSeed(), now: o.Now}
	if m.now == nil {
		m.now = time.Now
	}
	maxEntries := o.MaxEntries
	if maxEntries <= 0 {
		maxEntries = DefaultMaxEntries
	}
	m.perShard = max(1, maxEntries/memoryShards)
	for i := range m.shards {
		m.shards[i].values = make(map[string]memValue)
		m.shards[i].buckets = make(map[string]*memBucket)
	}
	return m
}

func (m *Memory) shard(key string) *memShard {
	return &m.shards[maphash.String(m.seed, key)%memoryShards]
}

// Take implements Store.
func (m *Memory) Take(ctx context.Context, key string, rate float64, burst, n int) (bool, time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return false, 0, err
	}
	if n <= 0 {
		return true, 0, nil
	}
	now := m.now()
	s := m.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[key]
	if b == nil {
		b = newBucket(now, rate, burst)
		s.buckets[key] = b
	}
	ok, wait := b.take(now, rate, burst, n)
	s.wrote(m, now)
	return ok, wait, nil
}

// TakeBytes is Take with the key given as bytes, for callers that build
// keys in a reusable or stack buffer: it allocates only when it creates a
// bucket. The store does not keep key.
func (m *Memory) TakeBytes(ctx context.Context, key []byte, rate float64, burst, n int) (bool, time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return false, 0, err
	}
	if n <= 0 {
		return true, 0, nil
	}
	now := m.now()
	s := &m.shards[maphash.Bytes(m.seed, key)%memoryShards]
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[string(key)]
	if b == nil {
		b = newBucket(now, rate, burst)
		s.buckets[string(key)] = b
	}
	ok, wait := b.take(now, rate, burst, n)
	s.wrote(m, now)
	return ok, wait, nil
}

// newBucket is a full bucket.
func newBucket(now time.Time, rate float64, burst int) *memBucket {
	return &memBucket{tokens: float64(burst), last: now, rate: rate, burst: float64(burst)}
}

// take refills b up to now and takes n tokens if it holds them; otherwise
// it reports how long until it would. A bucket asked with another rate or
// burst starts again, full. The shard's lock is held.
func (b *memBucket) take(now time.Time, rate float64, burst, n int) (bool, time.Duration) {
	if b.rate != rate || b.burst != float64(burst) {
		*b = memBucket{tokens: float64(burst), last: now, rate: rate, burst: float64(burst)}
	} else if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = math.Min(b.burst, b.tokens+elapsed*rate)
		b.last = now
	}
	need := float64(n)
	if b.tokens >= need {
		b.tokens -= need
		return true, 0
	}
	if rate <= 0 || need > b.burst {
		return false, time.Duration(math.MaxInt64)
	}
	wait := time.Duration((need - b.tokens) / rate * float64(time.Second))
	return false, max(wait, time.Nanosecond)
}

// Get implements Store. The returned slice must not be modified.
func (m *Memory) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	s := m.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.values[key]
	if !ok {
		return nil, false, nil
	}
	if !m.now().Before(v.expires) {
		delete(s.values, key)
		return nil, false, nil
	}
	return v.data, true, nil
}

// Set implements Store.
func (m *Memory) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := m.now()
	s := m.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if ttl <= 0 {
		delete(s.values, key)
		return nil
	}
	s.values[key] = memValue{data: append([]byte(nil), value...), expires: now.Add(ttl)}
	s.wrote(m, now)
	return nil
}

// Delete implements Store.
func (m *Memory) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s := m.shard(key)
	s.mu.Lock()
	delete(s.values, key)
	delete(s.buckets, key)
	s.mu.Unlock()
	return nil
}

// Len returns the number of values and buckets held, expired ones that
// have not been dropped yet included.
func (m *Memory) Len() int {
	n := 0
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.Lock()
		n += len(s.values) + len(s.buckets)
		s.mu.Unlock()
	}
	return n
}

// wrote counts a write to s and keeps s within its share of MaxEntries:
// every sweepEvery writes, and whenever it is over its share, expired
// values and refilled buckets are dropped; if it is still over, arbitrary
// entries go (Go's map order is random). s.mu is held.
func (s *memShard) wrote(m *Memory, now time.Time) {
	s.writes++
	over := len(s.values)+len(s.buckets) > m.perShard
	if !over && s.writes%sweepEvery != 0 {
		return
	}
	for k, v := range s.values {
		if !now.Before(v.expires) {
			delete(s.values, k)
		}
	}
	for k, b := range s.buckets {
		if b.rate > 0 && b.tokens+now.Sub(b.last).Seconds()*b.rate >= b.burst {
			delete(s.buckets, k) // full again: the same as absent
		}
	}
	for k := range s.values {
		if len(s.values)+len(s.buckets) <= m.perShard {
			break
		}
		delete(s.values, k)
	}
	for k := range s.buckets {
		if len(s.values)+len(s.buckets) <= m.perShard {
			break
		}
		delete(s.buckets, k)
	}
}

var _ Store = (*Memory)(nil)
