package redisstore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tributary-gw/tributary/core/cache"
	"github.com/tributary-gw/tributary/core/stage"
)

func newStore(t *testing.T, o Options) *Store {
	t.Helper()
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestNewNeedsAddress(t *testing.T) {
	if _, err := New(Options{}); err == nil {
		t.Fatal("New without an address succeeded")
	}
}

// Two stores (two processes' worth of connections) take from one bucket:
// together they admit exactly the burst, and the refusal says how long
// until the next token.
func TestTakeSharedBucket(t *testing.T) {
	addr := testRedis(t)
	prefix := uniquePrefix(t)
	a := newStore(t, Options{Address: addr, Prefix: prefix, Timeout: time.Second})
	b := newStore(t, Options{Address: addr, Prefix: prefix, Timeout: time.Second})
	ctx := context.Background()
	const burst = 10
	admitted := 0
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i := range 40 {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, _, err := s.Take(ctx, "rl:e|GET /x", 0.01, burst, 1)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				admitted++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if admitted != burst {
		t.Fatalf("admitted %d of 40, want the burst %d", admitted, burst)
	}
	ok, wait, err := a.Take(ctx, "rl:e|GET /x", 0.01, burst, 1)
	if err != nil || ok {
		t.Fatalf("Take on an empty bucket = %v, %v, %v", ok, wait, err)
	}
	if wait <= 0 || wait > 100*time.Second {
		t.Fatalf("wait %v, want within one token's time (100s)", wait)
	}
	// Another key is another bucket.
	if ok, _, _ := b.Take(ctx, "rl:e|GET /y", 0.01, burst, 1); !ok {
		t.Fatal("a fresh bucket refused")
	}
}

func TestTakeEdgeCases(t *testing.T) {
	s := newStore(t, Options{Address: "127.0.0.1:1"}) // never dialled below
	ctx := context.Background()
	if ok, _, err := s.Take(ctx, "k", 1, 1, 0); !ok || err != nil {
		t.Fatal("taking nothing must succeed")
	}
	if ok, wait, _ := s.Take(ctx, "k", 1, 1, 2); ok || wait <= 0 {
		t.Fatal("more than the burst must be refused")
	}
	if ok, _, _ := s.Take(ctx, "k", 0, 1, 1); ok {
		t.Fatal("rate 0 must refuse")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := s.Take(cctx, "k", 1, 1, 1); err == nil {
		t.Fatal("a cancelled context must be an error")
	}
	if s.Failures() != 0 {
		t.Fatalf("no command was sent, yet %d failures", s.Failures())
	}
}

func TestGetSetDelete(t *testing.T) {
	s := newStore(t, Options{Address: testRedis(t), Prefix: uniquePrefix(t), Timeout: time.Second})
	ctx := context.Background()
	if _, ok, err := s.Get(ctx, "revoke:jti-1"); ok || err != nil {
		t.Fatalf("absent key: ok %v err %v", ok, err)
	}
	if err := s.Set(ctx, "revoke:jti-1", []byte{1, 2}, time.Minute); err != nil {
		t.Fatal(err)
	}
	v, ok, err := s.Get(ctx, "revoke:jti-1")
	if err != nil || !ok || !bytes.Equal(v, []byte{1, 2}) {
		t.Fatalf("Get = %v, %v, %v", v, ok, err)
	}
	ttl, err := s.rdb.PTTL(ctx, s.prefix+"revoke:jti-1").Result()
	if err != nil || ttl <= 0 || ttl > time.Minute {
		t.Fatalf("PTTL = %v, %v; want within a minute", ttl, err)
	}
	if err := s.Delete(ctx, "revoke:jti-1"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Get(ctx, "revoke:jti-1"); ok {
		t.Fatal("deleted key still there")
	}
	if err := s.Set(ctx, "v", []byte("x"), 0); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Get(ctx, "v"); ok {
		t.Fatal("Set with ttl 0 stored a value")
	}
}

// silentServer accepts connections and never answers: a Redis that hangs.
func silentServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return ln.Addr().String()
}

// deadAddress is a loopback port nobody listens on.
func deadAddress(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// logBuf collects log output safely.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A Redis that is down or hangs: rate limits apply their policy, values
// are errors, the breaker stops calling after a run of failures, one
// warning is logged and the password never appears in it.
func TestFailurePolicy(t *testing.T) {
	for _, tc := range []struct {
		name string
		addr string
	}{{"down", deadAddress(t)}, {"hanging", silentServer(t)}} {
		t.Run(tc.name, func(t *testing.T) {
			var logs logBuf
			log := slog.New(slog.NewTextHandler(&logs, nil))
			open := newStore(t, Options{Address: tc.addr, Password: "s3cret-pass", Timeout: 20 * time.Millisecond, Log: log,
				BreakerCooldown: time.Hour})
			closed := newStore(t, Options{Address: tc.addr, Timeout: 20 * time.Millisecond, Log: log,
				RateLimitFailClosed: true, RetryAfter: 3 * time.Second, BreakerCooldown: time.Hour})
			ctx := context.Background()
			for range 2 * DefaultBreakerFailures {
				if ok, _, err := open.Take(ctx, "k", 1, 1, 1); !ok || err != nil {
					t.Fatalf("fail-open Take = %v, %v", ok, err)
				}
				ok, wait, err := closed.Take(ctx, "k", 1, 1, 1)
				if ok || err != nil || wait != 3*time.Second {
					t.Fatalf("fail-closed Take = %v, %v, %v", ok, wait, err)
				}
			}
			if _, _, err := open.Get(ctx, "k"); !errors.Is(err, ErrUnavailable) {
				t.Fatalf("Get with the breaker open = %v, want ErrUnavailable", err)
			}
			if err := open.Set(ctx, "k", []byte("v"), time.Second); err == nil {
				t.Fatal("Set on a dead server succeeded")
			}
			if open.skipped.Load() == 0 {
				t.Fatal("the breaker never skipped a command")
			}
			out := logs.String()
			if strings.Count(out, "shared state unavailable") != 2 { // one per store
				t.Fatalf("want one warning per store, got:\n%s", out)
			}
			if strings.Contains(out, "s3cret") {
				t.Fatal("the password was logged")
			}
		})
	}
}

// Redis killed and restarted: the store fails open while it is down and
// recovers on its own once it is back.
func TestRestartRecovers(t *testing.T) {
	srv := startRedis(t, 0)
	s := newStore(t, Options{Address: srv.addr, Prefix: uniquePrefix(t), Timeout: 50 * time.Millisecond,
		BreakerCooldown: 20 * time.Millisecond, RateLimitFailClosed: false})
	ctx := context.Background()
	if err := s.Set(ctx, "a", []byte("1"), time.Minute); err != nil {
		t.Fatal(err)
	}
	srv.stop()
	for range 20 {
		if ok, _, err := s.Take(ctx, "b", 0.001, 1, 1); !ok || err != nil {
			t.Fatalf("Take while down = %v, %v; want fail-open", ok, err)
		}
	}
	startRedis(t, srv.port)
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := s.Set(ctx, "c", []byte("1"), time.Minute)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the store did not recover: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if ok, _, _ := s.Take(ctx, "b", 0.001, 1, 1); !ok {
		t.Fatal("the new server's bucket should be full")
	}
	if ok, _, _ := s.Take(ctx, "b", 0.001, 1, 1); ok {
		t.Fatal("the bucket must be shared again once Redis is back")
	}
}

func testEntry() *cache.Entry {
	return &cache.Entry{
		Answer: &stage.Answer{Status: 200, Header: http.Header{"Content-Type": {"application/json"}, "X-Multi": {"a", "b"}},
			Body: []byte(`{"a":1}`)},
		Expires: time.Now().Add(time.Minute).Round(0),
		Size:    321,
		Encoded: true,
	}
}

func TestCacheStorage(t *testing.T) {
	s := newStore(t, Options{Address: testRedis(t), Prefix: uniquePrefix(t), Timeout: time.Second})
	c := NewCacheStorage(s, "hc:shared|", 0)
	now := time.Now()
	if c.Get([]byte("GET http://x/a"), now) != nil {
		t.Fatal("hit on an empty cache")
	}
	e := testEntry()
	c.Put("GET http://x/a", e)
	got := c.Get([]byte("GET http://x/a"), now)
	if got == nil {
		t.Fatal("miss after Put")
	}
	if !reflect.DeepEqual(got.Answer, e.Answer) || !got.Expires.Equal(e.Expires) || got.Size != e.Size || !got.Encoded {
		t.Fatalf("round trip: got %+v %+v, want %+v %+v", got, got.Answer, e, e.Answer)
	}
	if c.Get([]byte("GET http://x/a"), e.Expires) != nil {
		t.Fatal("hit at the expiry instant")
	}
	marker := &cache.Entry{Vary: []string{"Accept-Encoding", "X-Tenant"}, Expires: time.Now().Add(time.Minute)}
	long := "GET http://x/" + strings.Repeat("p", 1000)
	c.Put(long, marker)
	if got := c.Get([]byte(long), now); got == nil || got.Answer != nil || !reflect.DeepEqual(got.Vary, marker.Vary) {
		t.Fatalf("marker round trip = %+v", got)
	}
	small := NewCacheStorage(s, "hc:small|", 64)
	small.Put("GET http://x/big", e)
	if small.Get([]byte("GET http://x/big"), now) != nil {
		t.Fatal("an entry over the size bound was stored")
	}
	past := testEntry()
	past.Expires = time.Now().Add(-time.Second)
	c.Put("GET http://x/past", past)
	if c.Get([]byte("GET http://x/past"), now.Add(-time.Hour)) != nil {
		t.Fatal("an expired entry was stored")
	}
	// A corrupt value is a miss.
	if err := s.Set(context.Background(), "hc:shared|GET http://x/bad", []byte{1, 1, 0, 0}, time.Minute); err != nil {
		t.Fatal(err)
	}
	if c.Get([]byte("GET http://x/bad"), now) != nil {
		t.Fatal("a corrupt value was a hit")
	}
}

// Every truncation and every single-byte change of a valid encoding
// decodes to an error or an entry, never a panic.
func TestDecodeCorrupt(t *testing.T) {
	b := encodeEntry(testEntry())
	for i := range len(b) {
		if _, err := decodeEntry(b[:i]); err == nil {
			t.Fatalf("truncation at %d decoded", i)
		}
		m := append([]byte(nil), b...)
		for _, v := range []byte{0, 0x7f, 0xff} {
			m[i] = v
			_, _ = decodeEntry(m)
		}
	}
	if _, err := decodeEntry(b); err != nil {
		t.Fatal(err)
	}
}

// A store leaves no goroutine behind once closed, after use or after a
// failed dial.
func TestNoGoroutineLeft(t *testing.T) {
	addr := testRedis(t)
	before := goleak.IgnoreCurrent()
	for _, a := range []string{addr, deadAddress(t)} {
		s, err := New(Options{Address: a, Prefix: uniquePrefix(t), Timeout: time.Second, Log: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		s.Take(context.Background(), "k", 1, 1, 1)
		s.Set(context.Background(), "v", []byte("x"), time.Minute)
		s.Close()
	}
	goleak.VerifyNone(t, before)
}
