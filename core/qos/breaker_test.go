package qos

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/core/stage"
)

// faultServer is a loopback backend answering with the status it is told.
type faultServer struct {
	*httptest.Server
	status atomic.Int32
	calls  atomic.Int32
}

func newFaultServer(t *testing.T) *faultServer {
	f := &faultServer{}
	f.status.Store(200)
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(int(f.status.Load()))
		io.WriteString(w, `{}`)
	}))
	t.Cleanup(f.Close)
	return f
}

// call runs one call through b the way the executor does: Before, the
// request to the loopback backend, After with the outcome. It returns
// Before's error, if any.
func (f *faultServer) call(ctx context.Context, b *Breaker, x *stage.Exchange) error {
	c := &stage.Call{Exchange: x, Method: "GET"}
	if _, err := b.Before(ctx, c); err != nil {
		return err
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", f.URL, nil)
	resp, err := f.Client().Do(req)
	if err != nil {
		b.After(c, 0, nil, nil, err)
		return nil
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	b.After(c, resp.StatusCode, resp.Header, body, nil)
	return nil
}

func newTestBreaker(t *testing.T, clk *fakeClock, maxErrors int, log *bytes.Buffer) *Breaker {
	t.Helper()
	b, err := NewBreaker(BreakerOptions{Interval: 10 * time.Second, Timeout: 5 * time.Second, MaxErrors: maxErrors,
		Name: "users", LogStatusChange: log != nil, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func logExchange(buf *bytes.Buffer) *stage.Exchange {
	x := &stage.Exchange{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if buf != nil {
		x.Log = slog.New(slog.NewTextHandler(buf, nil))
	}
	return x
}

// TestBreakerCycle drives a breaker against a real backend through
// closed → open → half-open → closed, and half-open → open.
func TestBreakerCycle(t *testing.T) {
	clk := newClock()
	var logs bytes.Buffer
	b := newTestBreaker(t, clk, 2, &logs)
	f := newFaultServer(t)
	ctx := context.Background()
	x := logExchange(&logs)

	f.status.Store(503)
	for i := range 3 { // max_errors 2: the third consecutive failure opens
		if err := f.call(ctx, b, x); err != nil {
			t.Fatalf("failure %d refused: %v", i, err)
		}
	}
	if s := b.State(); s != Open {
		t.Fatalf("after 3 failures with max_errors 2: %v, want open", s)
	}
	before := f.calls.Load()
	if err := f.call(ctx, b, x); !errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("open breaker: %v, want ErrCircuitOpen", err)
	}
	if f.calls.Load() != before {
		t.Fatal("an open breaker called the backend")
	}

	// After the timeout one probe goes; it fails: open again.
	clk.advance(5 * time.Second)
	if err := f.call(ctx, b, x); err != nil {
		t.Fatalf("probe refused: %v", err)
	}
	if s := b.State(); s != Open {
		t.Fatalf("failed probe: %v, want open", s)
	}
	if err := f.call(ctx, b, x); !errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("reopened breaker: %v", err)
	}

	// Next probe succeeds: closed, count reset.
	clk.advance(5 * time.Second)
	f.status.Store(200)
	if err := f.call(ctx, b, x); err != nil {
		t.Fatalf("second probe refused: %v", err)
	}
	if s := b.State(); s != Closed {
		t.Fatalf("successful probe: %v, want closed", s)
	}
	f.status.Store(500)
	for range 2 {
		f.call(ctx, b, x)
	}
	if s := b.State(); s != Closed {
		t.Fatalf("2 failures after closing: %v, want closed", s)
	}
	out := logs.String()
	for _, want := range []string{"from=closed to=open", "from=open to=half-open", "from=half-open to=open", "from=half-open to=closed", "name=users"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

// TestBreakerOneProbe checks that a half-open breaker lets exactly one
// call through, and that a probe the client cancels frees its slot
// without changing the state.
func TestBreakerOneProbe(t *testing.T) {
	clk := newClock()
	b := newTestBreaker(t, clk, 1, nil)
	x := logExchange(nil)
	ctx := context.Background()
	fail := func() {
		c := &stage.Call{Exchange: x}
		b.Before(ctx, c)
		b.After(c, 502, nil, nil, nil)
	}
	fail()
	fail()
	if b.State() != Open {
		t.Fatal("not open")
	}
	clk.advance(5 * time.Second)
	probe := &stage.Call{Exchange: x}
	if _, err := b.Before(ctx, probe); err != nil {
		t.Fatalf("probe refused: %v", err)
	}
	other := &stage.Call{Exchange: x}
	if _, err := b.Before(ctx, other); !errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("second call while probing: %v, want ErrCircuitOpen", err)
	}
	b.After(probe, 0, nil, nil, fmt.Errorf("GET http://b/: %w", context.Canceled))
	if s := b.State(); s != HalfOpen {
		t.Fatalf("cancelled probe changed the state to %v", s)
	}
	next := &stage.Call{Exchange: x}
	if _, err := b.Before(ctx, next); err != nil {
		t.Fatalf("the cancelled probe kept its slot: %v", err)
	}
	b.After(next, 200, nil, nil, nil)
	if s := b.State(); s != Closed {
		t.Fatalf("successful probe: %v", s)
	}
}

// TestBreakerNotCounted checks what never opens a breaker: 4xx (429
// included), 3xx, client cancellations, calls a stage stopped (a rate
// limit), and redirect-policy errors; and that decode errors on a 2xx,
// timeouts and connection errors do count.
func TestBreakerNotCounted(t *testing.T) {
	clk := newClock()
	b, _ := NewBreaker(BreakerOptions{Interval: time.Minute, Timeout: time.Minute, MaxErrors: 1, Now: clk.Now,
		NotBackendFault: func(err error) bool { return strings.Contains(err.Error(), "redirect not allowed") }})
	x := logExchange(nil)
	ctx := context.Background()
	run := func(status int, err error) {
		c := &stage.Call{Exchange: x}
		if _, e := b.Before(ctx, c); e != nil {
			t.Fatalf("refused: %v", e)
		}
		b.After(c, status, nil, nil, err)
	}
	for range 10 {
		run(404, errors.New("invalid status code 404"))
		run(429, errors.New("invalid status code 429"))
		run(301, nil)
		run(0, fmt.Errorf("GET x: %w", context.Canceled))
		run(0, fmt.Errorf("%w: %w", stage.ErrNotCalled, ErrRateLimited))
		run(0, errors.New("GET x: redirect not allowed"))
	}
	if s := b.State(); s != Closed {
		t.Fatalf("uncounted outcomes opened the breaker: %v", s)
	}
	for _, tc := range []struct {
		name   string
		status int
		err    error
	}{
		{"5xx", 500, nil},
		{"decode error on 2xx", 200, errors.New("decoding the response: bad json")},
		{"timeout", 0, fmt.Errorf("GET x: %w", context.DeadlineExceeded)},
		{"connection refused", 0, errors.New("dial tcp: connection refused")},
		{"oversize body", 0, errors.New("backend response too large")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, _ := NewBreaker(BreakerOptions{Interval: time.Minute, Timeout: time.Minute, MaxErrors: 1, Now: clk.Now})
			for range 2 {
				c := &stage.Call{Exchange: x}
				b.Before(ctx, c)
				b.After(c, tc.status, nil, nil, tc.err)
			}
			if s := b.State(); s != Open {
				t.Fatalf("2 × %s with max_errors 1: %v, want open", tc.name, s)
			}
		})
	}
}

// TestBreakerConsecutiveAndInterval checks that a success resets the
// count, and that the count starts again each interval while closed.
func TestBreakerConsecutiveAndInterval(t *testing.T) {
	clk := newClock()
	b := newTestBreaker(t, clk, 2, nil)
	x := logExchange(nil)
	ctx := context.Background()
	run := func(status int) {
		c := &stage.Call{Exchange: x}
		b.Before(ctx, c)
		b.After(c, status, nil, nil, nil)
	}
	run(500)
	run(500)
	run(200)
	run(500)
	run(500)
	if s := b.State(); s != Closed {
		t.Fatalf("a success between failures did not reset the count: %v", s)
	}
	clk.advance(10 * time.Second) // a new window
	run(500)
	run(500)
	if s := b.State(); s != Closed {
		t.Fatalf("the window did not reset the count: %v", s)
	}
	run(500)
	if s := b.State(); s != Open {
		t.Fatalf("3 consecutive failures in one window: %v", s)
	}
}

// TestBreakerLateCalls checks that a call let through while closed and
// finishing after the breaker opened does not take the probe's part.
func TestBreakerLateCalls(t *testing.T) {
	clk := newClock()
	b := newTestBreaker(t, clk, 1, nil)
	x := logExchange(nil)
	ctx := context.Background()
	late := &stage.Call{Exchange: x}
	b.Before(ctx, late)
	for range 2 {
		c := &stage.Call{Exchange: x}
		b.Before(ctx, c)
		b.After(c, 500, nil, nil, nil)
	}
	clk.advance(5 * time.Second)
	probe := &stage.Call{Exchange: x}
	if _, err := b.Before(ctx, probe); err != nil {
		t.Fatal(err)
	}
	b.After(late, 200, nil, nil, nil)
	if s := b.State(); s != HalfOpen {
		t.Fatalf("a late success decided the probe: %v", s)
	}
}

// TestBreakerOptions checks the constructor.
func TestBreakerOptions(t *testing.T) {
	if _, err := NewBreaker(BreakerOptions{Interval: time.Second, Timeout: time.Second}); err == nil {
		t.Fatal("max_errors 0 accepted")
	}
	if Closed.String() != "closed" || Open.String() != "open" || HalfOpen.String() != "half-open" {
		t.Fatal("state names")
	}
}
