// Package revoke keeps the list of revoked tokens (auth/revoker): entries
// "<claim>-<value>" that make any token carrying that claim value invalid
// for a while.
//
// List is the seam: Bloom is the per-process implementation, a Bloom
// filter with time-to-live, used by auth/revoker today; StoreList keeps
// exact entries in a key-value store with TTL (the gateway's state store
// has the needed shape), so a shared store makes the list fleet-wide
// without the revocation check changing.
package revoke

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// List is a set of revoked entries with a time-to-live. Implementations
// are safe for concurrent use and honour ctx.
type List interface {
	// Add revokes key for at least the list's TTL.
	Add(ctx context.Context, key string) error
	// Revoked reports whether key was revoked and has not expired yet. A
	// probabilistic list may report a key that was never added (a false
	// positive), never the reverse.
	Revoked(ctx context.Context, key string) (bool, error)
}

// Key is the entry for the value of one claim: "<claim>-<value>".
func Key(claim, value string) string { return claim + "-" + value }

// MaxBits bounds the memory of one Bloom generation (512 MiB).
const MaxBits = 1 << 32

// Options configure a Bloom list.
type Options struct {
	// N is the number of entries expected within one TTL.
	N int
	// P is the acceptable false-positive rate, 0 < P < 1.
	P float64
	// TTL is how long an entry stays revoked: at least TTL, at most 2×TTL.
	TTL time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Bloom is a Bloom filter with time-to-live, kept in two generations of
// one TTL each: entries go to the current generation; when it is TTL old it
// becomes the previous one and the one before is dropped. A lookup checks
// both, so an entry is found for at least TTL and at most 2×TTL after it
// was added. Each generation is sized for N entries at P/2, so a lookup's
// false-positive rate stays about P. The hash seed is random per process,
// so clients cannot craft values that collide.
type Bloom struct {
	m, k int
	ttl  time.Duration
	now  func() time.Time
	seed maphash.Seed

	mu      sync.RWMutex
	cur     *gen
	prev    *gen
	started time.Time // when cur started
}

type gen struct{ words []atomic.Uint64 }

// NewBloom returns an empty list.
func NewBloom(o Options) (*Bloom, error) {
	switch {
	case o.N < 1:
		return nil, errors.New("N must be at least 1")
	case !(o.P > 0 && o.P < 1):
		return nil, errors.New("P must be between 0 and 1")
	case o.TTL <= 0:
		return nil, errors.New("TTL must be positive")
	}
	m, k := Size(o.N, o.P/2)
	if m > MaxBits {
		return nil, fmt.Errorf("N %d at P %g needs %d MiB per generation; the limit is %d MiB", o.N, o.P, m/8>>20, MaxBits/8>>20)
	}
	b := &Bloom{m: m, k: k, ttl: o.TTL, now: o.Now, seed: maphash.MakeSeed()}
	if b.now == nil {
		b.now = time.Now
	}
	b.cur, b.prev, b.started = b.newGen(), b.newGen(), b.now()
	return b, nil
}

// Size is the number of bits m and hash functions k of a Bloom filter for
// n entries at false-positive rate p.
func Size(n int, p float64) (m, k int) {
	mf := math.Ceil(-float64(n) * math.Log(p) / (math.Ln2 * math.Ln2))
	if mf > math.MaxInt32*4 {
		mf = math.MaxInt32 * 4
	}
	m = max(64, int(mf))
	k = max(1, int(math.Round(float64(m)/float64(n)*math.Ln2)))
	return m, min(k, 64)
}

func (b *Bloom) newGen() *gen {
	return &gen{words: make([]atomic.Uint64, (b.m+63)/64)}
}

// rotate moves to a new generation for every TTL that has passed.
func (b *Bloom) rotate() {
	now := b.now()
	b.mu.RLock()
	due := now.Sub(b.started) >= b.ttl
	b.mu.RUnlock()
	if !due {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch age := now.Sub(b.started); {
	case age >= 2*b.ttl:
		b.cur, b.prev = b.newGen(), b.newGen()
		b.started = now
	case age >= b.ttl:
		b.prev, b.cur = b.cur, b.newGen()
		b.started = b.started.Add(b.ttl)
	}
}

// positions calls f with the k bit positions of key.
func (b *Bloom) positions(key string, f func(pos uint64) bool) bool {
	h := maphash.String(b.seed, key)
	h1, h2 := h&0xffffffff, h>>32|1
	m := uint64(b.m)
	for i := uint64(0); i < uint64(b.k); i++ {
		if !f((h1 + i*h2) % m) {
			return false
		}
	}
	return true
}

// Add revokes key. It never fails.
func (b *Bloom) Add(_ context.Context, key string) error {
	b.rotate()
	b.mu.RLock()
	g := b.cur
	b.mu.RUnlock()
	b.positions(key, func(p uint64) bool {
		g.words[p/64].Or(1 << (p % 64))
		return true
	})
	return nil
}

// Revoked reports whether key is (probably) revoked. It never fails.
func (b *Bloom) Revoked(_ context.Context, key string) (bool, error) {
	b.rotate()
	b.mu.RLock()
	cur, prev := b.cur, b.prev
	b.mu.RUnlock()
	return b.in(cur, key) || b.in(prev, key), nil
}

func (b *Bloom) in(g *gen, key string) bool {
	return b.positions(key, func(p uint64) bool {
		return g.words[p/64].Load()&(1<<(p%64)) != 0
	})
}
