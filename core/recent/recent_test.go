package recent

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tributary-gw/tributary/core/observe"
)

// sample is a request of two backend calls: one that succeeded and one
// that failed with an error quoting a URL with credentials in its query.
func sample(path string) *observe.Request {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return &observe.Request{
		Start:     start,
		Method:    "GET",
		Path:      path,
		RawQuery:  "token=secret",
		Header:    map[string][]string{"Authorization": {"Bearer secret"}},
		RequestID: "req-1",
		Route:     "/users/{id}",
		Status:    200,
		Bytes:     42,
		Duration:  30 * time.Millisecond,
		Backends: []observe.Backend{
			{Index: 0, Method: "GET", Pattern: "/u/{id}", Host: "http://a", Started: true,
				Start: start.Add(time.Millisecond), Duration: 10 * time.Millisecond, Status: 200, OK: true},
			{Index: 1, Method: "GET", Pattern: "/fail", Host: "http://b", Started: true,
				Start: start.Add(2 * time.Millisecond), Duration: 25 * time.Millisecond, Status: 0, Timeout: true,
				Err: errors.New(`Get "http://b/fail?api_key=hunter2&x=1": context deadline exceeded`)},
			{Index: 2, Method: "GET", Pattern: "/never", Host: "http://c"},
		},
	}
}

func TestEndCopiesRequest(t *testing.T) {
	r := New(4)
	req := sample("/users/7")
	r.End(context.Background(), req)
	// The engine may reuse its records: the copy must not change.
	req.Path, req.Backends[0].Pattern, req.Status = "/changed", "/changed", 500
	got, last := r.Since(0)
	if last != 1 || len(got) != 1 {
		t.Fatalf("Since(0) = %d entries, last %d; want 1, 1", len(got), last)
	}
	e := got[0]
	if e.Seq != 1 || e.Method != "GET" || e.Path != "/users/7" || e.Route != "/users/{id}" || e.Status != 200 ||
		e.Bytes != 42 || e.Complete || e.DurationUS != 30000 || e.RequestID != "req-1" {
		t.Errorf("entry %+v", e)
	}
	if len(e.Backends) != 3 {
		t.Fatalf("%d calls, want 3", len(e.Backends))
	}
	b0, b1, b2 := e.Backends[0], e.Backends[1], e.Backends[2]
	if b0.Pattern != "/u/{id}" || b0.Host != "http://a" || !b0.OK || b0.Status != 200 || b0.OffsetUS != 1000 || b0.DurationUS != 10000 || b0.Error != "" {
		t.Errorf("call 0 %+v", b0)
	}
	if b1.OK || !b1.Timeout || b1.OffsetUS != 2000 || b1.DurationUS != 25000 {
		t.Errorf("call 1 %+v", b1)
	}
	if strings.Contains(b1.Error, "hunter2") || !strings.Contains(b1.Error, "context deadline exceeded") || !strings.Contains(b1.Error, "http://b/fail?") {
		t.Errorf("call 1 error %q: want the query redacted and the rest kept", b1.Error)
	}
	if b2.Started || b2.OffsetUS != 0 || b2.DurationUS != 0 {
		t.Errorf("call 2 (skipped) %+v", b2)
	}
}

func TestRingKeepsTheLastN(t *testing.T) {
	r := New(3)
	for i := 1; i <= 7; i++ {
		r.End(context.Background(), sample("/p"+strconv.Itoa(i)))
	}
	got, last := r.Since(0)
	if last != 7 || len(got) != 3 {
		t.Fatalf("Since(0): %d entries, last %d; want 3, 7", len(got), last)
	}
	for i, want := range []string{"/p5", "/p6", "/p7"} {
		if got[i].Path != want || got[i].Seq != uint64(5+i) {
			t.Errorf("entry %d: %s seq %d, want %s seq %d", i, got[i].Path, got[i].Seq, want, 5+i)
		}
	}
	if got, _ := r.Since(6); len(got) != 1 || got[0].Path != "/p7" {
		t.Errorf("Since(6) = %v, want just /p7", got)
	}
	if got, last := r.Since(7); len(got) != 0 || last != 7 {
		t.Errorf("Since(7) = %d entries, last %d; want none, 7", len(got), last)
	}
	// A reader from before a restart (a seq the ring never reached) gets
	// everything.
	if got, _ := r.Since(1000); len(got) != 3 {
		t.Errorf("Since(1000) = %d entries, want 3", len(got))
	}
	if New(0).Size() != DefaultSize {
		t.Errorf("New(0).Size() = %d, want %d", New(0).Size(), DefaultSize)
	}
}

func TestCaps(t *testing.T) {
	r := New(2)
	req := sample("/" + strings.Repeat("é", 400)) // 2-byte runes: a cut may fall inside one
	req.RequestID = strings.Repeat("x", 1000)
	req.Backends = make([]observe.Backend, MaxBackends+5)
	for i := range req.Backends {
		req.Backends[i] = observe.Backend{Index: i, Pattern: "/b", Err: errors.New(strings.Repeat("e", 5000))}
	}
	r.End(context.Background(), req)
	got, _ := r.Since(0)
	e := got[0]
	if len(e.Path) > maxText+len("…") || !utf8.ValidString(e.Path) || !strings.HasSuffix(e.Path, "…") {
		t.Errorf("path not capped on a rune boundary: %d bytes, valid %v", len(e.Path), utf8.ValidString(e.Path))
	}
	if len(e.RequestID) > maxID+len("…") {
		t.Errorf("request id %d bytes", len(e.RequestID))
	}
	if len(e.Backends) != MaxBackends || e.MoreBackends != 5 {
		t.Errorf("%d calls kept, %d more; want %d, 5", len(e.Backends), e.MoreBackends, MaxBackends)
	}
	if n := len(e.Backends[0].Error); n > maxErr+len("…") {
		t.Errorf("error text %d bytes", n)
	}
}

func TestErrText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain failure", "plain failure"},
		{`Get "http://h/p?k=secret": EOF`, `Get "http://h/p?…": EOF`},
		{"why? because", "why? because"},
		{"a?x=1 b?y=2", "a?… b?…"},
		{"end?", "end?"},
	} {
		if got := errText(tc.in); got != tc.want {
			t.Errorf("errText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestConcurrent stores and reads from many goroutines (run with -race).
func TestConcurrent(t *testing.T) {
	r := New(16)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				r.End(context.Background(), sample("/g"+strconv.Itoa(g)+"/"+strconv.Itoa(i)))
				if i%10 == 0 {
					got, last := r.Since(0)
					if len(got) > 16 || (len(got) > 0 && got[len(got)-1].Seq > last) {
						t.Errorf("Since: %d entries, last %d", len(got), last)
					}
				}
			}
		})
	}
	wg.Wait()
	if _, last := r.Since(0); last != 1600 {
		t.Errorf("last = %d, want 1600", last)
	}
}

// TestObserverNoOps checks the observer methods that add nothing.
func TestObserverNoOps(t *testing.T) {
	r := New(1)
	ctx := context.Background()
	if r.Begin(ctx, nil) != ctx || r.BackendStart(ctx, nil, nil) != ctx || r.Propagates() {
		t.Error("Begin/BackendStart must return ctx, Propagates false")
	}
	var o observe.Observer = r
	_ = o
}

// BenchmarkEnd measures storing one request of three backend calls.
func BenchmarkEnd(b *testing.B) {
	r := New(DefaultSize)
	req := sample("/users/7")
	b.ReportAllocs()
	for b.Loop() {
		r.End(context.Background(), req)
	}
}
