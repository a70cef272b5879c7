package cache

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/core/stage"
)

func TestParseCacheControl(t *testing.T) {
	cases := []struct {
		in   []string
		want Directives
	}{
		{nil, Directives{}},
		{[]string{"max-age=60"}, Directives{MaxAge: 60, HasMaxAge: true}},
		{[]string{"Max-Age=60, PUBLIC"}, Directives{MaxAge: 60, HasMaxAge: true, Public: true}},
		{[]string{`max-age="60"`}, Directives{MaxAge: 60, HasMaxAge: true}},
		{[]string{"s-maxage=10", "max-age=60"}, Directives{MaxAge: 60, HasMaxAge: true, SMaxAge: 10, HasSMaxAge: true}},
		{[]string{"no-store"}, Directives{NoStore: true}},
		{[]string{`private="Set-Cookie", max-age=5`}, Directives{Private: true, MaxAge: 5, HasMaxAge: true}},
		{[]string{`no-cache="x, y", max-age=5`}, Directives{NoCache: true, MaxAge: 5, HasMaxAge: true}},
		{[]string{"max-age=abc"}, Directives{Invalid: true}},
		{[]string{"max-age="}, Directives{Invalid: true}},
		{[]string{"max-age=-1"}, Directives{Invalid: true}},
		{[]string{"max-age=5, max-age=6"}, Directives{MaxAge: 5, HasMaxAge: true, Invalid: true}},
		{[]string{"max-age=5", "max-age=5"}, Directives{MaxAge: 5, HasMaxAge: true}},
		{[]string{"max-age=99999999999999999999999"}, Directives{MaxAge: maxDelta, HasMaxAge: true}},
		{[]string{`max-age="6`}, Directives{Invalid: true}},
		{[]string{" , ,, public ,"}, Directives{Public: true}},
		{[]string{"must-revalidate, immutable, x=\"a,b\", public"}, Directives{Public: true}},
		{[]string{"pub lic, max age=3"}, Directives{}},
	}
	for _, c := range cases {
		if got := ParseCacheControl(c.in); got != c.want {
			t.Errorf("%q: got %+v, want %+v", c.in, got, c.want)
		}
	}
}

// TestStorable is the freshness and storage matrix: s-maxage first, then
// max-age, then Expires − Date, less Age; no heuristics; the shared-cache
// storage rules.
func TestStorable(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	date := now.Format(http.TimeFormat)
	cases := []struct {
		name string
		h    http.Header
		cred bool
		ttl  time.Duration // 0: not storable
	}{
		{"nothing", http.Header{}, false, 0},
		{"last-modified only (no heuristics)", http.Header{"Last-Modified": {date}}, false, 0},
		{"max-age", http.Header{"Cache-Control": {"max-age=60"}}, false, time.Minute},
		{"max-age=0", http.Header{"Cache-Control": {"max-age=0"}}, false, 0},
		{"s-maxage beats max-age", http.Header{"Cache-Control": {"max-age=60, s-maxage=10"}}, false, 10 * time.Second},
		{"max-age beats Expires", http.Header{"Cache-Control": {"max-age=60"}, "Date": {date}, "Expires": {now.Add(time.Hour).Format(http.TimeFormat)}}, false, time.Minute},
		{"Expires minus Date", http.Header{"Date": {date}, "Expires": {now.Add(time.Hour).Format(http.TimeFormat)}}, false, time.Hour},
		{"Expires without Date uses now", http.Header{"Expires": {now.Add(30 * time.Second).Format(http.TimeFormat)}}, false, 30 * time.Second},
		{"Expires in the past", http.Header{"Date": {date}, "Expires": {now.Add(-time.Hour).Format(http.TimeFormat)}}, false, 0},
		{"Expires invalid", http.Header{"Expires": {"0"}}, false, 0},
		{"Expires twice", http.Header{"Expires": {now.Add(time.Hour).Format(http.TimeFormat), now.Add(time.Hour).Format(http.TimeFormat)}}, false, 0},
		{"Age subtracted", http.Header{"Cache-Control": {"max-age=60"}, "Age": {"15"}}, false, 45 * time.Second},
		{"Age over lifetime", http.Header{"Cache-Control": {"max-age=60"}, "Age": {"60"}}, false, 0},
		{"Age invalid ignored", http.Header{"Cache-Control": {"max-age=60"}, "Age": {"x"}}, false, time.Minute},
		{"no-store", http.Header{"Cache-Control": {"max-age=60, no-store"}}, false, 0},
		{"no-cache", http.Header{"Cache-Control": {"max-age=60, no-cache"}}, false, 0},
		{"private", http.Header{"Cache-Control": {"private, max-age=60"}}, false, 0},
		{"Set-Cookie", http.Header{"Cache-Control": {"public, max-age=60"}, "Set-Cookie": {"a=1"}}, false, 0},
		{"conflicting max-age", http.Header{"Cache-Control": {"max-age=60", "max-age=30"}}, false, 0},
		{"credentialed max-age", http.Header{"Cache-Control": {"max-age=60"}}, true, 0},
		{"credentialed public", http.Header{"Cache-Control": {"public, max-age=60"}}, true, time.Minute},
		{"credentialed s-maxage", http.Header{"Cache-Control": {"s-maxage=20"}}, true, 20 * time.Second},
		{"credentialed Expires", http.Header{"Expires": {now.Add(time.Hour).Format(http.TimeFormat)}}, true, 0},
		{"credentialed public Expires", http.Header{"Cache-Control": {"public"}, "Expires": {now.Add(time.Hour).Format(http.TimeFormat)}}, true, time.Hour},
	}
	for _, c := range cases {
		ttl, ok := Storable(c.h, c.cred, now)
		if ok != (c.ttl > 0) || ttl != c.ttl {
			t.Errorf("%s: got %v %v, want %v", c.name, ttl, ok, c.ttl)
		}
	}
}

func TestLRUBounds(t *testing.T) {
	now := time.Now()
	fresh := func(size int) *Entry {
		return &Entry{Answer: &stage.Answer{Status: 200}, Expires: now.Add(time.Hour), Size: size}
	}
	l := NewLRU(3, 10_000)
	for _, k := range []string{"a", "b", "c"} {
		l.Put(k, fresh(100))
	}
	l.Get([]byte("a"), now) // a is now the most recent; b the least
	l.Put("d", fresh(100))
	if l.Get([]byte("b"), now) != nil {
		t.Error("b was not evicted by the item bound")
	}
	for _, k := range []string{"a", "c", "d"} {
		if l.Get([]byte(k), now) == nil {
			t.Errorf("%s was evicted", k)
		}
	}
	if n, _ := l.Len(); n != 3 {
		t.Errorf("%d items, want 3", n)
	}
	// The byte bound.
	l = NewLRU(100, 1000)
	for i := range 10 {
		l.Put(fmt.Sprint(i), fresh(299)) // 300 bytes with the key
	}
	if n, b := l.Len(); n != 3 || b != 900 {
		t.Errorf("%d items, %d bytes, want 3, 900", n, b)
	}
	l.Put("big", fresh(1000))
	if l.Get([]byte("big"), now) != nil {
		t.Error("an entry over the byte bound was stored")
	}
	if n, _ := l.Len(); n != 3 {
		t.Error("an oversize entry evicted others")
	}
	// Expiry.
	l.Put("old", &Entry{Answer: &stage.Answer{}, Expires: now.Add(time.Second), Size: 1})
	if l.Get([]byte("old"), now.Add(time.Second)) != nil {
		t.Error("an expired entry was returned")
	}
	// Replacing a key keeps the byte count exact.
	l = NewLRU(10, 10_000)
	l.Put("k", fresh(100))
	l.Put("k", fresh(200))
	if n, b := l.Len(); n != 1 || b != 201 {
		t.Errorf("%d items, %d bytes, want 1, 201", n, b)
	}
}

// backend simulates one backend behind the stage the way core/exec runs
// it: Before, then the call unless answered, then After.
type backend struct {
	calls  atomic.Int32
	status int
	header http.Header
	body   string
}

func (b *backend) do(ctx context.Context, s *Stage, method, target string, h http.Header, x *stage.Exchange) (*stage.Answer, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	if x == nil {
		x = &stage.Exchange{Header: http.Header{}}
	}
	c := &stage.Call{Exchange: x, Method: method, URL: u, Header: h}
	a, err := s.Before(ctx, c)
	if a != nil || err != nil {
		return a, err
	}
	b.calls.Add(1)
	body := []byte(b.body) // the executor's buffer, reused after After
	s.After(c, b.status, b.header, body, nil)
	for i := range body {
		body[i] = 'X'
	}
	return &stage.Answer{Status: b.status, Header: b.header, Body: []byte(b.body)}, nil
}

func TestStageHitAndKey(t *testing.T) {
	ctx := context.Background()
	s := NewStage(NewStore(Options{}), StageOptions{})
	b := &backend{status: 200, header: http.Header{"Cache-Control": {"max-age=60"}, "Content-Type": {"application/json"}}, body: `{"a":1}`}
	for range 3 {
		a, err := b.do(ctx, s, "GET", "http://h/x?q=1", http.Header{}, nil)
		if err != nil || string(a.Body) != `{"a":1}` || a.Status != 200 || a.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("got %+v %v", a, err)
		}
	}
	if n := b.calls.Load(); n != 1 {
		t.Fatalf("%d backend calls, want 1", n)
	}
	// The forwarded query, the method, the host and the path are all in
	// the key.
	for _, target := range []string{"http://h/x?q=2", "http://h/x", "http://h2/x?q=1", "http://h/y?q=1", "https://h/x?q=1"} {
		b.do(ctx, s, "GET", target, http.Header{}, nil)
	}
	b.do(ctx, s, "HEAD", "http://h/x?q=1", http.Header{}, nil)
	if n := b.calls.Load(); n != 7 {
		t.Fatalf("%d backend calls, want 7", n)
	}
	// Other methods are never looked up nor stored.
	for range 2 {
		b.do(ctx, s, "POST", "http://h/p", http.Header{}, nil)
	}
	if n := b.calls.Load(); n != 9 {
		t.Fatalf("%d backend calls, want 9", n)
	}
	// Client request directives do not bypass the cache.
	b.do(ctx, s, "GET", "http://h/x?q=1", http.Header{"Cache-Control": {"no-cache"}, "Pragma": {"no-cache"}}, nil)
	if n := b.calls.Load(); n != 9 {
		t.Fatalf("client no-cache reached the backend")
	}
}

func TestStageNotStored(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		status int
		header http.Header
		req    http.Header
		x      *stage.Exchange
	}{
		{"no freshness", 200, http.Header{}, nil, nil},
		{"500", 500, http.Header{"Cache-Control": {"max-age=60"}}, nil, nil},
		{"304", 304, http.Header{"Cache-Control": {"max-age=60"}}, nil, nil},
		{"206", 206, http.Header{"Cache-Control": {"max-age=60"}}, nil, nil},
		{"Set-Cookie", 200, http.Header{"Cache-Control": {"public, max-age=60"}, "Set-Cookie": {"s=1"}}, nil, nil},
		{"private", 200, http.Header{"Cache-Control": {"private, max-age=60"}}, nil, nil},
		{"no-store", 200, http.Header{"Cache-Control": {"no-store, max-age=60"}}, nil, nil},
		{"Vary *", 200, http.Header{"Cache-Control": {"max-age=60"}, "Vary": {"Accept, *"}}, nil, nil},
		{"Authorization", 200, http.Header{"Cache-Control": {"max-age=60"}}, http.Header{"Authorization": {"Bearer a"}}, nil},
		{"Cookie", 200, http.Header{"Cache-Control": {"max-age=60"}}, http.Header{"Cookie": {"a=b"}}, nil},
		{"client Authorization not forwarded", 200, http.Header{"Cache-Control": {"max-age=60"}}, nil,
			&stage.Exchange{Header: http.Header{"Authorization": {"Bearer a"}}}},
		{"propagated claims", 200, http.Header{"Cache-Control": {"max-age=60"}}, nil,
			&stage.Exchange{Header: http.Header{}, Forward: http.Header{"X-User": {"alice"}}}},
	}
	for _, c := range cases {
		s := NewStage(NewStore(Options{}), StageOptions{})
		b := &backend{status: c.status, header: c.header, body: "{}"}
		req := c.req
		if req == nil {
			req = http.Header{}
		}
		b.do(ctx, s, "GET", "http://h/x", req, c.x)
		b.do(ctx, s, "GET", "http://h/x", req, c.x)
		if n := b.calls.Load(); n != 2 {
			t.Errorf("%s: %d backend calls, want 2 (stored)", c.name, n)
		}
	}
	// Credentialed requests are stored when the response says public or
	// s-maxage.
	for _, cc := range []string{"public, max-age=60", "s-maxage=60"} {
		s := NewStage(NewStore(Options{}), StageOptions{})
		b := &backend{status: 200, header: http.Header{"Cache-Control": {cc}}, body: "{}"}
		req := http.Header{"Authorization": {"Bearer a"}}
		b.do(ctx, s, "GET", "http://h/x", req, nil)
		b.do(ctx, s, "GET", "http://h/x", req, nil)
		if n := b.calls.Load(); n != 1 {
			t.Errorf("%s: %d backend calls, want 1", cc, n)
		}
	}
}

func TestStageVary(t *testing.T) {
	ctx := context.Background()
	s := NewStage(NewStore(Options{}), StageOptions{})
	mk := func(lang string) *backend {
		return &backend{status: 200, header: http.Header{"Cache-Control": {"max-age=60"}, "Vary": {"accept-language"}}, body: lang}
	}
	en, es, none := mk("en"), mk("es"), mk("none")
	h := func(v ...string) http.Header {
		if len(v) == 0 {
			return http.Header{}
		}
		return http.Header{"Accept-Language": v}
	}
	for range 2 {
		if a, _ := en.do(ctx, s, "GET", "http://h/v", h("en"), nil); string(a.Body) != "en" {
			t.Fatalf("en got %q", a.Body)
		}
		if a, _ := es.do(ctx, s, "GET", "http://h/v", h("es"), nil); string(a.Body) != "es" {
			t.Fatalf("es got %q", a.Body)
		}
		if a, _ := none.do(ctx, s, "GET", "http://h/v", h(), nil); string(a.Body) != "none" {
			t.Fatalf("absent header got %q", a.Body)
		}
	}
	if en.calls.Load() != 1 || es.calls.Load() != 1 || none.calls.Load() != 1 {
		t.Fatalf("calls en %d es %d none %d, want 1 each", en.calls.Load(), es.calls.Load(), none.calls.Load())
	}
	// An empty value is not an absent header, and two lines are not one.
	other := mk("other")
	other.do(ctx, s, "GET", "http://h/v", h(""), nil)
	other.do(ctx, s, "GET", "http://h/v", h("en", "es"), nil)
	other.do(ctx, s, "GET", "http://h/v", h("en,es"), nil)
	if n := other.calls.Load(); n != 3 {
		t.Fatalf("%d calls, want 3", n)
	}
	// A content-coded response varies by Accept-Encoding even unasked.
	gz := &backend{status: 200, header: http.Header{"Cache-Control": {"max-age=60"}, "Content-Encoding": {"gzip"}}, body: "gz"}
	gz.do(ctx, s, "GET", "http://h/gz", http.Header{"Accept-Encoding": {"gzip"}}, nil)
	if a, _ := gz.do(ctx, s, "GET", "http://h/gz", http.Header{}, nil); gz.calls.Load() != 2 || string(a.Body) != "gz" {
		t.Fatal("an encoded body was served to a client that did not accept it")
	}
}

// TestStampede: 100 concurrent misses for one key make one backend call.
// Whatever the interleaving, a caller either waits for the flight in
// progress or finds the entry it stored.
func TestStampede(t *testing.T) {
	s := NewStage(NewStore(Options{}), StageOptions{})
	var calls atomic.Int32
	var wg sync.WaitGroup
	var bad atomic.Int32
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u, _ := url.Parse("http://h/hot")
			c := &stage.Call{Exchange: &stage.Exchange{Header: http.Header{}}, Method: "GET", URL: u, Header: http.Header{}}
			a, err := s.Before(context.Background(), c)
			if err != nil {
				bad.Add(1)
				return
			}
			if a != nil {
				if string(a.Body) != "hot" {
					bad.Add(1)
				}
				return
			}
			calls.Add(1)
			// Answer once every other caller is waiting for this call.
			for s.store.waiting.Load() < 99 {
				runtime.Gosched()
			}
			s.After(c, 200, http.Header{"Cache-Control": {"max-age=60"}}, []byte("hot"), nil)
		}()
	}
	wg.Wait()
	if n := calls.Load(); n != 1 || bad.Load() != 0 {
		t.Fatalf("%d backend calls (want 1), %d bad answers", n, bad.Load())
	}
	if len(s.pending) != 0 || len(s.store.flights) != 0 {
		t.Fatal("state left behind")
	}
}

// TestWaitersProceed: when the leader's response is not stored, or the
// leader's call failed or was stopped, the waiters call the backend
// themselves; a waiter whose context ends stops waiting.
func TestWaitersProceed(t *testing.T) {
	for _, outcome := range []string{"uncacheable", "error", "not called"} {
		s := NewStage(NewStore(Options{}), StageOptions{})
		u, _ := url.Parse("http://h/x")
		leader := &stage.Call{Method: "GET", URL: u, Header: http.Header{}}
		if a, _ := s.Before(context.Background(), leader); a != nil {
			t.Fatal("hit on an empty store")
		}
		done := make(chan *stage.Answer)
		go func() {
			c := &stage.Call{Method: "GET", URL: u, Header: http.Header{}}
			a, _ := s.Before(context.Background(), c)
			if a == nil {
				s.After(c, 500, nil, nil, nil)
			}
			done <- a
		}()
		switch outcome {
		case "uncacheable":
			s.After(leader, 200, http.Header{}, []byte("x"), nil)
		case "error":
			s.After(leader, 0, nil, nil, errors.New("connection refused"))
		default:
			s.After(leader, 0, nil, nil, fmt.Errorf("%w: rate limited", stage.ErrNotCalled))
		}
		if a := <-done; a != nil {
			t.Errorf("%s: the waiter got an answer", outcome)
		}
	}
	// A waiter bounded by its context.
	s := NewStage(NewStore(Options{}), StageOptions{})
	u, _ := url.Parse("http://h/x")
	leader := &stage.Call{Method: "GET", URL: u, Header: http.Header{}}
	s.Before(context.Background(), leader)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := &stage.Call{Method: "GET", URL: u, Header: http.Header{}}
	if a, err := s.Before(ctx, c); a != nil || err != nil {
		t.Fatalf("cancelled waiter: %v %v", a, err)
	}
	s.After(c, 0, nil, nil, context.Canceled)
	s.After(leader, 0, nil, nil, context.Canceled)
	if len(s.pending) != 0 || len(s.store.flights) != 0 {
		t.Fatal("state left behind")
	}
}

// TestCopiesRace: the identical copies of one call (concurrent_calls)
// do not wait for each other; another backend of the same request does.
func TestCopiesRace(t *testing.T) {
	s := NewStage(NewStore(Options{}), StageOptions{})
	u, _ := url.Parse("http://h/x")
	x := &stage.Exchange{Header: http.Header{}}
	leader := &stage.Call{Exchange: x, Backend: 0, Method: "GET", URL: u, Header: http.Header{}}
	s.Before(context.Background(), leader)
	copy2 := &stage.Call{Exchange: x, Backend: 0, Method: "GET", URL: u, Header: http.Header{}}
	if a, err := s.Before(context.Background(), copy2); a != nil || err != nil {
		t.Fatalf("copy: %v %v", a, err)
	}
	other := make(chan *stage.Answer)
	go func() {
		c := &stage.Call{Exchange: x, Backend: 1, Method: "GET", URL: u, Header: http.Header{}}
		a, _ := s.Before(context.Background(), c)
		other <- a
	}()
	s.After(copy2, 200, http.Header{"Cache-Control": {"max-age=60"}}, []byte("2"), nil)
	s.After(leader, 0, nil, nil, context.Canceled)
	if a := <-other; a == nil || string(a.Body) != "2" {
		t.Fatalf("the other backend got %+v, want the stored answer", a)
	}
}

// TestAbandonedFlight: a flight whose leader never reported back (a later
// stage panicked) is replaced once the leader's deadline has passed.
func TestAbandonedFlight(t *testing.T) {
	now := time.Unix(1000, 0)
	s := NewStage(NewStore(Options{Now: func() time.Time { return now }}), StageOptions{})
	u, _ := url.Parse("http://h/x")
	ctx, cancel := context.WithDeadline(context.Background(), now.Add(time.Second))
	defer cancel()
	lost := &stage.Call{Exchange: &stage.Exchange{}, Method: "GET", URL: u, Header: http.Header{}}
	s.Before(ctx, lost) // After never comes
	now = now.Add(2 * time.Second)
	next := &stage.Call{Exchange: &stage.Exchange{}, Method: "GET", URL: u, Header: http.Header{}}
	if a, err := s.Before(context.Background(), next); a != nil || err != nil {
		t.Fatalf("%v %v", a, err)
	}
	if f := s.store.flights["GET http://h/x"]; f == nil || f.x != next.Exchange {
		t.Fatal("the abandoned flight was not replaced")
	}
	s.After(next, 200, http.Header{"Cache-Control": {"max-age=60"}}, []byte("n"), nil)
	third := &stage.Call{Exchange: &stage.Exchange{}, Method: "GET", URL: u, Header: http.Header{}}
	if a, _ := s.Before(context.Background(), third); a == nil || string(a.Body) != "n" {
		t.Fatalf("got %+v", a)
	}
}

// TestUsable: a backend sharing a store only uses entries it would have
// processed the same way live: within its size cap, and with a content
// coding only when it passes bodies through encoded.
func TestUsable(t *testing.T) {
	ctx := context.Background()
	st := NewStore(Options{})
	small := NewStage(st, StageOptions{MaxBody: 4})
	plain := NewStage(st, StageOptions{})
	pass := NewStage(st, StageOptions{KeepEncoding: true})
	big := &backend{status: 200, header: http.Header{"Cache-Control": {"max-age=60"}}, body: "12345"}
	big.do(ctx, plain, "GET", "http://h/big", http.Header{}, nil)
	big.do(ctx, small, "GET", "http://h/big", http.Header{}, nil)
	big.do(ctx, plain, "GET", "http://h/big", http.Header{}, nil)
	if n := big.calls.Load(); n != 2 {
		t.Fatalf("%d calls, want 2: a body over the cap was used", n)
	}
	gz := &backend{status: 200, header: http.Header{"Cache-Control": {"max-age=60"}, "Content-Encoding": {"gzip"}}, body: "gz"}
	ae := http.Header{"Accept-Encoding": {"gzip"}}
	gz.do(ctx, pass, "GET", "http://h/gz", ae, nil)
	gz.do(ctx, pass, "GET", "http://h/gz", ae, nil)
	gz.do(ctx, plain, "GET", "http://h/gz", ae, nil)
	if n := gz.calls.Load(); n != 2 {
		t.Fatalf("%d calls, want 2: an encoded body reached a decoding backend, or passthrough missed", n)
	}
}

// TestSharedStoreBound: many URLs through one store stay within its
// bound.
func TestSharedStoreBound(t *testing.T) {
	st := NewStore(Options{MaxItems: 10, MaxSize: 1 << 20})
	s1, s2 := NewStage(st, StageOptions{}), NewStage(st, StageOptions{})
	b := &backend{status: 200, header: http.Header{"Cache-Control": {"max-age=60"}}, body: strings.Repeat("x", 100)}
	for i := range 50 {
		b.do(context.Background(), s1, "GET", fmt.Sprintf("http://h/%d", i), http.Header{}, nil)
	}
	if n, _ := st.storage.(*LRU).Len(); n != 10 {
		t.Fatalf("%d items, want 10", n)
	}
	// The second stage sees what the first stored.
	b.do(context.Background(), s2, "GET", "http://h/49", http.Header{}, nil)
	if n := b.calls.Load(); n != 50 {
		t.Fatalf("%d calls, want 50", n)
	}
}

func BenchmarkHit(b *testing.B) {
	s := NewStage(NewStore(Options{}), StageOptions{})
	be := &backend{status: 200, header: http.Header{"Cache-Control": {"max-age=600"}, "Vary": {"Accept-Language"}}, body: `{"a":1}`}
	u, _ := url.Parse("http://127.0.0.1:8080/users/42?locale=es&page=2")
	h := http.Header{"Accept-Language": {"es"}, "User-Agent": {"bench"}}
	be.do(context.Background(), s, "GET", u.String(), h, nil)
	c := &stage.Call{Exchange: &stage.Exchange{Header: h}, Method: "GET", URL: u, Header: h}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if a, _ := s.Before(ctx, c); a == nil {
			b.Fatal("miss")
		}
	}
}
