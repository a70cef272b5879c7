package qos

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/tributary-gw/tributary/core/stage"
)

// ErrCircuitOpen is the error of a backend call refused by an open
// circuit breaker (or by a half-open one whose probe is in flight). The
// call is not made; the backend counts as failed.
var ErrCircuitOpen = errors.New("circuit open")

// State is a circuit breaker's state.
type State uint8

const (
	// Closed lets every call through and counts consecutive failures.
	Closed State = iota
	// Open refuses every call until its timeout has passed.
	Open
	// HalfOpen lets one probe call through; its outcome closes or reopens
	// the breaker.
	HalfOpen
)

// String returns "closed", "open" or "half-open".
func (s State) String() string {
	switch s {
	case Closed:
		return "closed"
	case Open:
		return "open"
	default:
		return "half-open"
	}
}

// BreakerOptions configure NewBreaker.
type BreakerOptions struct {
	// Interval is the counting window while closed: the consecutive
	// failure count starts again each Interval. Required.
	Interval time.Duration
	// Timeout is how long the breaker stays open before one probe call
	// may go through. Required.
	Timeout time.Duration
	// MaxErrors: the breaker opens when more than MaxErrors consecutive
	// calls failed. Required (≥ 1).
	MaxErrors int
	// Name labels the breaker's log lines.
	Name string
	// LogStatusChange logs every state change (INFO) with the Exchange's
	// logger.
	LogStatusChange bool
	// NotBackendFault reports errors of a call without a response that
	// are not the backend's fault besides the built-in ones (cancellation,
	// stage.ErrNotCalled): for example a redirect the gateway refused to
	// follow. nil means none.
	NotBackendFault func(error) bool
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Breaker is the qos/circuit-breaker stage of one backend. It implements
// stage.Backend (Before refuses calls while open) and stage.Observer
// (After counts each call's outcome). Its state lives in the process.
type Breaker struct {
	o BreakerOptions

	mu        sync.Mutex
	state     State
	failures  int       // consecutive failures while closed
	windowEnd time.Time // closed: when the count starts again
	openUntil time.Time // open: when a probe may go
	probe     *stage.Call
	probeAt   time.Time
}

// NewBreaker returns a closed breaker.
func NewBreaker(o BreakerOptions) (*Breaker, error) {
	if o.Interval <= 0 || o.Timeout <= 0 || o.MaxErrors < 1 {
		return nil, errors.New("interval, timeout and max_errors must be positive")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Breaker{o: o, windowEnd: o.Now().Add(o.Interval)}, nil
}

// State returns the breaker's current state.
func (b *Breaker) State() State {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tick(b.o.Now())
	return b.state
}

// staleProbe is how long a probe may stay unanswered before another call
// may take its slot: only a call whose outcome never reached After (a bug
// or a later stage answering it) holds it that long.
func (b *Breaker) staleProbe() time.Duration { return max(b.o.Timeout, 2*time.Minute) }

// tick starts a new counting window when the current one is over. b.mu
// is held.
func (b *Breaker) tick(now time.Time) {
	if b.state == Closed && !now.Before(b.windowEnd) {
		b.failures = 0
		b.windowEnd = now.Add(b.o.Interval)
	}
}

// Before implements stage.Backend.
func (b *Breaker) Before(ctx context.Context, c *stage.Call) (*stage.Answer, error) {
	now := b.o.Now()
	b.mu.Lock()
	b.tick(now)
	switch b.state {
	case Closed:
		b.mu.Unlock()
		return nil, nil
	case Open:
		if now.Before(b.openUntil) {
			b.mu.Unlock()
			return nil, ErrCircuitOpen
		}
		b.state, b.probe, b.probeAt = HalfOpen, c, now
		b.mu.Unlock()
		b.logChange(c, Open, HalfOpen)
		return nil, nil
	default: // HalfOpen
		if b.probe != nil && now.Sub(b.probeAt) < b.staleProbe() {
			b.mu.Unlock()
			return nil, ErrCircuitOpen
		}
		b.probe, b.probeAt = c, now
		b.mu.Unlock()
		return nil, nil
	}
}

// outcome is how a call counts.
type outcome uint8

const (
	notCounted outcome = iota
	success
	failure
)

// classify says how a call that ended with status and err counts: 5xx and
// the failures of a call without a response (connection errors, timeouts,
// oversize or undecodable bodies) are failures; a 2xx whose body could not
// be decoded is a failure; another 2xx is a success; 1xx, 3xx and 4xx,
// calls the client abandoned and calls a later stage stopped do not count.
func (b *Breaker) classify(status int, err error) outcome {
	switch {
	case status >= 500:
		return failure
	case status >= 200 && status <= 299:
		if err != nil {
			return failure // the body did not decode
		}
		return success
	case status != 0:
		return notCounted
	case err == nil:
		return success // a response that was discarded unread
	case errors.Is(err, stage.ErrNotCalled), errors.Is(err, context.Canceled):
		return notCounted
	case b.o.NotBackendFault != nil && b.o.NotBackendFault(err):
		return notCounted
	}
	return failure
}

// After implements stage.Observer.
func (b *Breaker) After(c *stage.Call, status int, _ http.Header, _ []byte, err error) {
	o := b.classify(status, err)
	now := b.o.Now()
	b.mu.Lock()
	from := b.state
	switch b.state {
	case HalfOpen:
		if c != b.probe {
			break // a call let through before the breaker opened
		}
		b.probe = nil
		switch o {
		case success:
			b.state, b.failures, b.windowEnd = Closed, 0, now.Add(b.o.Interval)
		case failure:
			b.state, b.openUntil = Open, now.Add(b.o.Timeout)
		}
		// notCounted: the slot is free again; the next call probes.
	case Closed:
		b.tick(now)
		switch o {
		case success:
			b.failures = 0
		case failure:
			b.failures++
			if b.failures > b.o.MaxErrors {
				b.state, b.openUntil, b.failures = Open, now.Add(b.o.Timeout), 0
			}
		}
	}
	to := b.state
	b.mu.Unlock()
	if from != to {
		b.logChange(c, from, to)
	}
}

// logChange logs a state change when the config asks for it.
func (b *Breaker) logChange(c *stage.Call, from, to State) {
	if !b.o.LogStatusChange || c == nil || c.Exchange == nil || c.Exchange.Log == nil {
		return
	}
	c.Exchange.Log.LogAttrs(context.Background(), slog.LevelInfo, "circuit breaker state changed",
		slog.String("name", b.o.Name),
		slog.String("from", from.String()),
		slog.String("to", to.String()))
}

var (
	_ stage.Backend  = (*Breaker)(nil)
	_ stage.Observer = (*Breaker)(nil)
)
