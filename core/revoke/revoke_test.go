package revoke

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

var _ List = (*Bloom)(nil)

func TestRevokedAndExpiry(t *testing.T) {
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	b, err := NewBloom(Options{N: 1000, P: 1e-6, TTL: time.Hour, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	key := Key("jti", "abc")
	if key != "jti-abc" {
		t.Fatalf("Key = %q", key)
	}
	if r, _ := b.Revoked(ctx, key); r {
		t.Fatal("revoked before Add")
	}
	clk.Add(50 * time.Minute) // added late in its generation
	b.Add(ctx, key)
	for _, step := range []time.Duration{0, 9 * time.Minute, 60 * time.Minute} {
		clk.Add(step)
		if r, _ := b.Revoked(ctx, key); !r {
			t.Fatalf("not revoked %v after Add (TTL 1h)", time.Since(clk.now))
		}
	}
	if r, _ := b.Revoked(ctx, Key("jti", "abd")); r {
		t.Error("a neighbour value is revoked")
	}
	if r, _ := b.Revoked(ctx, Key("sub", "abc")); r {
		t.Error("the same value under another claim is revoked")
	}
	// At most 2×TTL after it was added, the entry is gone.
	clk.Add(61 * time.Minute)
	if r, _ := b.Revoked(ctx, key); r {
		t.Fatal("still revoked after 2×TTL")
	}
}

func TestEntryLivesAtLeastTTL(t *testing.T) {
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	b, _ := NewBloom(Options{N: 100, P: 1e-6, TTL: 10 * time.Second, Now: clk.Now})
	ctx := context.Background()
	for i := range 50 {
		k := "jti-" + strconv.Itoa(i)
		b.Add(ctx, k)
		clk.Add(9 * time.Second)
		if r, _ := b.Revoked(ctx, k); !r {
			t.Fatalf("entry %d expired before TTL", i)
		}
		clk.Add(time.Duration(i%7) * time.Second)
	}
	// A long idle period drops everything.
	clk.Add(time.Hour)
	for i := range 50 {
		if r, _ := b.Revoked(ctx, "jti-"+strconv.Itoa(i)); r {
			t.Fatalf("entry %d survived an hour with TTL 10s", i)
		}
	}
}

func TestFalsePositiveRate(t *testing.T) {
	const n, p = 10000, 0.01
	b, err := NewBloom(Options{N: n, P: p, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range n {
		b.Add(ctx, "jti-in-"+strconv.Itoa(i))
	}
	for i := range n {
		if r, _ := b.Revoked(ctx, "jti-in-"+strconv.Itoa(i)); !r {
			t.Fatalf("false negative for entry %d", i)
		}
	}
	const trials = 100000
	fp := 0
	for i := range trials {
		if r, _ := b.Revoked(ctx, "jti-out-"+strconv.Itoa(i)); r {
			fp++
		}
	}
	rate := float64(fp) / trials
	t.Logf("false-positive rate %.4f for P %.2f", rate, p)
	if rate > 2*p {
		t.Fatalf("false-positive rate %.4f, configured %.2f", rate, p)
	}
}

func TestNewBloomRefuses(t *testing.T) {
	for _, o := range []Options{
		{N: 0, P: 0.1, TTL: time.Second},
		{N: 10, P: 0, TTL: time.Second},
		{N: 10, P: 1, TTL: time.Second},
		{N: 10, P: 0.1},
		{N: 100_000_000, P: 1e-12, TTL: time.Second},
	} {
		if _, err := NewBloom(o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

func TestConcurrent(t *testing.T) {
	b, _ := NewBloom(Options{N: 1000, P: 0.001, TTL: time.Millisecond})
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				k := Key("jti", strconv.Itoa(g*1000+i))
				b.Add(ctx, k)
				b.Revoked(ctx, k)
			}
		})
	}
	wg.Wait()
}

func BenchmarkRevoked(b *testing.B) {
	bl, _ := NewBloom(Options{N: 1_000_000, P: 1e-7, TTL: time.Hour})
	ctx := context.Background()
	bl.Add(ctx, "jti-x")
	b.ReportAllocs()
	for b.Loop() {
		bl.Revoked(ctx, "jti-abcdef0123456789")
	}
}
