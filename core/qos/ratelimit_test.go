package qos

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/core/stage"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func exchange(ip string, h http.Header, params ...stage.Param) *stage.Exchange {
	return &stage.Exchange{Method: "GET", RawPath: "/x", ClientIP: ip, Header: h, Params: params}
}

func mustRouter(t *testing.T, o RouterOptions) *RouterLimiter {
	t.Helper()
	r, err := NewRouterLimiter(o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestPerEvery checks the rate arithmetic: n tokens per every.
func TestPerEvery(t *testing.T) {
	l := PerEvery(5, 10*time.Minute, 3)
	if want := 5.0 / 600; l.Rate != want || l.Burst != 3 {
		t.Fatalf("PerEvery(5, 10m, 3) = %+v, want rate %v burst 3", l, want)
	}
	if PerEvery(0, time.Second, 1).On() {
		t.Fatal("a zero rate limits nothing")
	}
}

// TestEndpointBucketMaths checks refill and capacity with a fake clock:
// max_rate 2 per second, capacity 2 gives a token every 500ms, never more
// than 2 held.
func TestEndpointBucketMaths(t *testing.T) {
	clk := newClock()
	store := stage.NewMemory(stage.MemoryOptions{Now: clk.Now})
	r := mustRouter(t, RouterOptions{Route: "GET /x", Endpoint: PerEvery(2, time.Second, 2), Store: store})
	ctx := context.Background()
	x := exchange("10.0.0.1", nil)
	for i := range 2 {
		if rep := r.Run(ctx, x); rep != nil {
			t.Fatalf("request %d of a full bucket refused: %+v", i, rep)
		}
	}
	rep := r.Run(ctx, x)
	if rep == nil || rep.Status != http.StatusServiceUnavailable || rep.Code != "rate_limited" {
		t.Fatalf("empty endpoint bucket: got %+v, want 503 rate_limited", rep)
	}
	if got := rep.Header.Get("Retry-After"); got != "1" {
		t.Fatalf("Retry-After = %q, want 1 (500ms rounded up)", got)
	}
	clk.advance(499 * time.Millisecond)
	if r.Run(ctx, x) == nil {
		t.Fatal("admitted before a whole token refilled")
	}
	clk.advance(time.Millisecond)
	if r.Run(ctx, x) != nil {
		t.Fatal("refused after one token refilled (500ms)")
	}
	clk.advance(time.Hour) // refills to capacity, not beyond
	for i := range 2 {
		if r.Run(ctx, x) != nil {
			t.Fatalf("request %d after a long idle refused", i)
		}
	}
	if r.Run(ctx, x) == nil {
		t.Fatal("the bucket held more than its capacity")
	}
}

// TestRetryAfterWholeSeconds checks the rounding: up, at least 1.
func TestRetryAfterWholeSeconds(t *testing.T) {
	for _, tc := range []struct {
		wait time.Duration
		want string
	}{
		{time.Nanosecond, "1"}, {time.Second, "1"}, {time.Second + 1, "2"}, {2500 * time.Millisecond, "3"},
		{0, "1"}, {10 * time.Minute, "600"},
	} {
		if got := retryAfter(tc.wait); got != tc.want {
			t.Errorf("retryAfter(%v) = %s, want %s", tc.wait, got, tc.want)
		}
	}
	// A slow rate: 5 per 10 minutes, capacity 1 → the next token in 120s.
	clk := newClock()
	r := mustRouter(t, RouterOptions{Route: "GET /x", Endpoint: PerEvery(5, 10*time.Minute, 1),
		Store: stage.NewMemory(stage.MemoryOptions{Now: clk.Now})})
	x := exchange("1.2.3.4", nil)
	r.Run(context.Background(), x)
	clk.advance(20 * time.Second)
	rep := r.Run(context.Background(), x)
	if rep == nil || rep.Header.Get("Retry-After") != "100" {
		t.Fatalf("got %+v, want Retry-After 100", rep)
	}
}

// TestClientBeforeEndpoint checks the order: a request the client bucket
// refuses takes no endpoint token, and a client limit answers 429.
func TestClientBeforeEndpoint(t *testing.T) {
	clk := newClock()
	store := stage.NewMemory(stage.MemoryOptions{Now: clk.Now})
	r := mustRouter(t, RouterOptions{
		Route:    "GET /x",
		Endpoint: PerEvery(3, time.Minute, 3),
		Client:   PerEvery(1, time.Minute, 1),
		Strategy: ByIP,
		Store:    store,
	})
	ctx := context.Background()
	a, b := exchange("10.0.0.1", nil), exchange("10.0.0.2", nil)
	if r.Run(ctx, a) != nil {
		t.Fatal("first request of a refused")
	}
	for i := range 5 {
		rep := r.Run(ctx, a)
		if rep == nil || rep.Status != http.StatusTooManyRequests || rep.Code != "rate_limited" {
			t.Fatalf("repeat %d of a: got %+v, want 429", i, rep)
		}
		if ra := rep.Header.Get("Retry-After"); ra != "60" {
			t.Fatalf("Retry-After %q, want 60", ra)
		}
	}
	// The endpoint bucket lost one token only (a's first request): two
	// more clients get through, the third client finds it empty.
	if r.Run(ctx, b) != nil || r.Run(ctx, exchange("10.0.0.3", nil)) != nil {
		t.Fatal("the client refusals took endpoint tokens")
	}
	rep := r.Run(ctx, exchange("10.0.0.4", nil))
	if rep == nil || rep.Status != http.StatusServiceUnavailable {
		t.Fatalf("endpoint exhausted: got %+v, want 503", rep)
	}
}

// TestClientKeys checks the three strategies and that an empty key is 429.
func TestClientKeys(t *testing.T) {
	ctx := context.Background()
	mk := func(s Strategy, key string) *RouterLimiter {
		return mustRouter(t, RouterOptions{Route: "GET /u/{id}", Client: PerEvery(1, time.Hour, 1), Strategy: s, Key: key,
			Store: stage.NewMemory(stage.MemoryOptions{})})
	}
	t.Run("header", func(t *testing.T) {
		r := mk(ByHeader, "X-Api-Key")
		if rep := r.Run(ctx, exchange("1.1.1.1", nil)); rep == nil || rep.Status != 429 || rep.Header.Get("Retry-After") != "3600" {
			t.Fatalf("no header: got %+v, want 429 with Retry-After", rep)
		}
		k1 := http.Header{"X-Api-Key": {"one"}}
		if r.Run(ctx, exchange("1.1.1.1", k1)) != nil {
			t.Fatal("first request with key one refused")
		}
		// Same IP, other key: its own bucket.
		if r.Run(ctx, exchange("1.1.1.1", http.Header{"X-Api-Key": {"two"}})) != nil {
			t.Fatal("key two shares key one's bucket")
		}
		// Other IP, same key: the same bucket.
		if r.Run(ctx, exchange("2.2.2.2", k1)) == nil {
			t.Fatal("key one was admitted twice")
		}
		// A long key is hashed, and still tells clients apart.
		long := strings.Repeat("k", 500)
		if r.Run(ctx, exchange("", http.Header{"X-Api-Key": {long}})) != nil ||
			r.Run(ctx, exchange("", http.Header{"X-Api-Key": {long}})) == nil ||
			r.Run(ctx, exchange("", http.Header{"X-Api-Key": {long + "x"}})) != nil {
			t.Fatal("long keys are not told apart")
		}
	})
	t.Run("param", func(t *testing.T) {
		r := mk(ByParam, "id")
		if rep := r.Run(ctx, exchange("1.1.1.1", nil, stage.Param{Name: "id", Value: ""})); rep == nil || rep.Status != 429 {
			t.Fatalf("empty param: got %+v, want 429", rep)
		}
		if r.Run(ctx, exchange("1.1.1.1", nil, stage.Param{Name: "id", Value: "7"})) != nil {
			t.Fatal("param 7 refused")
		}
		if r.Run(ctx, exchange("1.1.1.1", nil, stage.Param{Name: "id", Value: "8"})) != nil {
			t.Fatal("param 8 shares 7's bucket")
		}
		if r.Run(ctx, exchange("9.9.9.9", nil, stage.Param{Name: "id", Value: "7"})) == nil {
			t.Fatal("param 7 admitted twice")
		}
	})
	t.Run("ip", func(t *testing.T) {
		r := mk(ByIP, "")
		if rep := r.Run(ctx, exchange("", nil)); rep == nil || rep.Status != 429 {
			t.Fatalf("no client address: got %+v, want 429", rep)
		}
		if r.Run(ctx, exchange("1.1.1.1", http.Header{"X-Real-Ip": {"5.5.5.5"}})) != nil {
			t.Fatal("first request refused")
		}
		if r.Run(ctx, exchange("1.1.1.1", http.Header{"X-Real-Ip": {"6.6.6.6"}})) == nil {
			t.Fatal("without key, a client-sent header changed the client")
		}
	})
	t.Run("ip from header", func(t *testing.T) {
		r := mk(ByIP, "X-Real-Ip")
		if r.Run(ctx, exchange("1.1.1.1", http.Header{"X-Real-Ip": {" 5.5.5.5 , 7.7.7.7"}})) != nil {
			t.Fatal("first request refused")
		}
		if r.Run(ctx, exchange("2.2.2.2", http.Header{"X-Real-Ip": {"5.5.5.5"}})) == nil {
			t.Fatal("the header's first entry is not the key")
		}
		// Without the header, the resolved client address is the key.
		if r.Run(ctx, exchange("1.1.1.1", nil)) != nil {
			t.Fatal("fallback to the client address refused")
		}
		if r.Run(ctx, exchange("1.1.1.1", http.Header{"X-Real-Ip": {""}})) == nil {
			t.Fatal("an empty header did not fall back to the client address")
		}
	})
}

// TestLimitersRefuseBadOptions checks the constructors.
func TestLimitersRefuseBadOptions(t *testing.T) {
	s := stage.NewMemory(stage.MemoryOptions{})
	for _, o := range []RouterOptions{
		{Route: "GET /", Store: s},
		{Route: "GET /", Client: PerEvery(1, time.Second, 1), Store: s},
		{Route: "GET /", Client: PerEvery(1, time.Second, 1), Strategy: ByHeader, Store: s},
		{Route: "GET /", Endpoint: PerEvery(1, time.Second, 1)},
	} {
		if _, err := NewRouterLimiter(o); err == nil {
			t.Errorf("NewRouterLimiter(%+v) accepted", o)
		}
	}
	if _, err := NewProxyLimiter("x", Limit{}, s); err == nil {
		t.Error("NewProxyLimiter without a rate accepted")
	}
}

// TestProxyLimiter checks the backend limiter: no token fails the call
// with ErrRateLimited; a cancelled context is an error too.
func TestProxyLimiter(t *testing.T) {
	clk := newClock()
	p, err := NewProxyLimiter("GET /x#0", PerEvery(1, time.Second, 2), stage.NewMemory(stage.MemoryOptions{Now: clk.Now}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c := &stage.Call{}
	for i := range 2 {
		if _, err := p.Before(ctx, c); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if _, err := p.Before(ctx, c); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("third call: %v, want ErrRateLimited", err)
	}
	clk.advance(time.Second)
	if _, err := p.Before(ctx, c); err != nil {
		t.Fatalf("after a refill: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := p.Before(cctx, c); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

// TestStoreKeysAreNamespaced checks that the endpoint, client and backend
// buckets of one route do not share state.
func TestStoreKeysAreNamespaced(t *testing.T) {
	s := stage.NewMemory(stage.MemoryOptions{})
	ctx := context.Background()
	one := PerEvery(1, time.Hour, 1)
	a := mustRouter(t, RouterOptions{Route: "GET /a", Endpoint: one, Client: one, Strategy: ByIP, Store: s})
	b := mustRouter(t, RouterOptions{Route: "GET /b", Endpoint: one, Store: s})
	p, _ := NewProxyLimiter("GET /a#0", one, s)
	if a.Run(ctx, exchange("1.1.1.1", nil)) != nil || b.Run(ctx, exchange("1.1.1.1", nil)) != nil {
		t.Fatal("endpoints share buckets")
	}
	if _, err := p.Before(ctx, &stage.Call{}); err != nil {
		t.Fatal("backend bucket shared with the endpoint's")
	}
}

// TestRouterLimiterAllocs checks that an admitted check does not allocate
// with the in-process store.
func TestRouterLimiterAllocs(t *testing.T) {
	r := mustRouter(t, RouterOptions{Route: "GET /x", Endpoint: PerEvery(1e9, time.Second, 1e9),
		Client: PerEvery(1e9, time.Second, 1e9), Strategy: ByHeader, Key: "X-Key", Store: stage.NewMemory(stage.MemoryOptions{})})
	x := exchange("1.1.1.1", http.Header{"X-Key": {"client-123"}})
	ctx := context.Background()
	r.Run(ctx, x)
	if n := testing.AllocsPerRun(100, func() { r.Run(ctx, x) }); n != 0 {
		t.Fatalf("%v allocations per admitted check, want 0", n)
	}
}

// BenchmarkRouterLimiter measures an uncontended admitted check (client
// bucket, then endpoint bucket) with the in-process store.
func BenchmarkRouterLimiter(b *testing.B) {
	r, _ := NewRouterLimiter(RouterOptions{Route: "GET /x", Endpoint: PerEvery(1e9, time.Second, 1e9),
		Client: PerEvery(1e9, time.Second, 1e9), Strategy: ByIP, Store: stage.NewMemory(stage.MemoryOptions{})})
	x := exchange("192.168.100.200", nil)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if r.Run(ctx, x) != nil {
			b.Fatal("refused")
		}
	}
}

// BenchmarkProxyLimiter measures an admitted backend limiter check.
func BenchmarkProxyLimiter(b *testing.B) {
	p, _ := NewProxyLimiter("GET /x#0", PerEvery(1e9, time.Second, 1e9), stage.NewMemory(stage.MemoryOptions{}))
	ctx := context.Background()
	c := &stage.Call{}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Before(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
}
