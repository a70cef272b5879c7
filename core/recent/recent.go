// Package recent keeps the last requests a gateway served, for the local
// dashboard (`tributary run -d`, /__dashboard). A [Ring] is an
// observe.Observer: when a request ends it stores a compact copy of it —
// method, route, path, status, size, completeness, timing and one record
// per backend call — and forgets the oldest once full.
//
// A record never holds a request or response body, a header, or the query
// string (which may carry credentials); every string in it is capped, so
// the ring's memory is bounded by its size. Storing takes a mutex for a
// slot assignment only; nothing on the request path waits for a reader.
package recent

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/tributary-gw/tributary/core/observe"
)

// DefaultSize is the number of requests a ring keeps when New is given 0.
const DefaultSize = 200

// Caps on what one record holds.
const (
	// MaxBackends is the most backend calls kept per request; the rest
	// are counted in Entry.MoreBackends.
	MaxBackends = 32
	// maxText caps paths, routes, patterns and hosts (in bytes).
	maxText = 256
	// maxErr caps a backend's error text (in bytes).
	maxErr = 200
	// maxID caps a request id (in bytes).
	maxID = 128
)

// Entry is one completed request. Once stored it is never modified, so a
// reader may keep it.
type Entry struct {
	// Seq numbers the requests the ring has seen, from 1.
	Seq uint64 `json:"seq"`
	// Start is when the gateway received the request.
	Start time.Time `json:"start"`
	// Method is the request method.
	Method string `json:"method"`
	// Route is the matched endpoint template, or "" when none matched.
	Route string `json:"route"`
	// Path is the request path as received, without the query string.
	Path string `json:"path"`
	// Status is the response status code.
	Status int `json:"status"`
	// Bytes is the response body length.
	Bytes int `json:"bytes"`
	// Complete reports that every backend succeeded.
	Complete bool `json:"complete"`
	// DurationUS is the time to build the response, in microseconds.
	DurationUS int64 `json:"duration_us"`
	// RequestID is the request's id, or "".
	RequestID string `json:"request_id,omitempty"`
	// Backends holds the backend calls, in declaration order.
	Backends []Call `json:"backends"`
	// MoreBackends counts the calls beyond MaxBackends left out.
	MoreBackends int `json:"more_backends,omitempty"`
}

// Call is one backend call of an Entry.
type Call struct {
	// Method is the method of the call.
	Method string `json:"method"`
	// Pattern is the backend's url_pattern as declared.
	Pattern string `json:"pattern"`
	// Host is where the call went (scheme://host[:port]).
	Host string `json:"host"`
	// Started is false for a call a sequential chain skipped.
	Started bool `json:"started"`
	// OffsetUS is when the call started, in microseconds after the
	// request's start.
	OffsetUS int64 `json:"offset_us"`
	// DurationUS is how long the call took, in microseconds.
	DurationUS int64 `json:"duration_us"`
	// Status is the backend's status code, or 0.
	Status int `json:"status"`
	// OK reports a successful call.
	OK bool `json:"ok"`
	// Timeout reports a call that failed because a timer expired.
	Timeout bool `json:"timeout"`
	// Answered reports a call a backend stage answered (the HTTP cache,
	// a Lua hook): no request went out.
	Answered bool `json:"answered"`
	// Error is the failure's text (query strings redacted, capped), or "".
	Error string `json:"error,omitempty"`
}

// Ring is the observer that keeps the last requests. It is safe for
// concurrent use; the zero value is not usable, call New.
type Ring struct {
	mu   sync.Mutex
	buf  []*Entry // buf[(seq-1)%len] holds request seq
	last uint64   // seq of the newest entry, 0 when empty
}

// New returns a ring keeping the last n requests (DefaultSize when n <= 0).
func New(n int) *Ring {
	if n <= 0 {
		n = DefaultSize
	}
	return &Ring{buf: make([]*Entry, n)}
}

// Size returns how many requests r keeps.
func (r *Ring) Size() int { return len(r.buf) }

// Since returns the stored entries newer than seq after, oldest first, and
// the newest seq. An after beyond the newest (a reader that saw an earlier
// ring) is treated as 0: every stored entry comes back.
func (r *Ring) Since(after uint64) ([]*Entry, uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	last := r.last
	if after > last {
		after = 0
	}
	n := last - after
	if n > uint64(len(r.buf)) {
		n = uint64(len(r.buf))
	}
	out := make([]*Entry, 0, n)
	for s := last - n + 1; s <= last; s++ {
		out = append(out, r.buf[(s-1)%uint64(len(r.buf))])
	}
	return out, last
}

// Begin implements observe.Observer: it adds nothing.
func (r *Ring) Begin(ctx context.Context, _ *observe.Request) context.Context { return ctx }

// BackendStart implements observe.Observer: it adds nothing.
func (r *Ring) BackendStart(ctx context.Context, _ *observe.Request, _ *observe.Backend) context.Context {
	return ctx
}

// Inject implements observe.Observer: the ring propagates nothing.
func (r *Ring) Inject(context.Context, http.Header) {}

// Propagates implements observe.Observer: false.
func (r *Ring) Propagates() bool { return false }

// BackendEnd implements observe.Observer: the call is read at End.
func (r *Ring) BackendEnd(context.Context, *observe.Request, *observe.Backend) {}

// End implements observe.Observer: it stores a copy of req.
func (r *Ring) End(_ context.Context, req *observe.Request) {
	e := &Entry{
		Start:      req.Start,
		Method:     ownText(req.Method, 16),
		Route:      capText(req.Route, maxText),
		Path:       ownText(req.Path, maxText),
		Status:     req.Status,
		Bytes:      req.Bytes,
		Complete:   req.Complete,
		DurationUS: req.Duration.Microseconds(),
		RequestID:  ownText(req.RequestID, maxID),
	}
	n := len(req.Backends)
	if n > MaxBackends {
		e.MoreBackends = n - MaxBackends
		n = MaxBackends
	}
	if n > 0 {
		e.Backends = make([]Call, n)
	}
	for i := range n {
		b := &req.Backends[i]
		c := &e.Backends[i]
		c.Method = capText(b.Method, 16)
		c.Pattern = capText(b.Pattern, maxText)
		c.Host = capText(b.Host, maxText)
		c.Started = b.Started
		c.Status, c.OK, c.Timeout, c.Answered = b.Status, b.OK, b.Timeout, b.Answered
		if b.Started {
			c.OffsetUS = max(b.Start.Sub(req.Start).Microseconds(), 0)
			c.DurationUS = b.Duration.Microseconds()
		}
		if b.Err != nil {
			c.Error = errText(b.Err.Error())
		}
	}
	r.mu.Lock()
	r.last++
	e.Seq = r.last
	r.buf[(e.Seq-1)%uint64(len(r.buf))] = e
	r.mu.Unlock()
}

// capText returns s cut to at most n bytes on a rune boundary ("…"
// marks a cut, and the result is a copy).
func capText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// ownText is capText for a string of the request (not of the plan): the
// result never shares memory with s, so the ring does not pin what the
// request's string is a part of.
func ownText(s string, n int) string {
	if len(s) <= n {
		return strings.Clone(s)
	}
	return capText(s, n)
}

// errText is an error's text fit for the dashboard: every query string of
// a URL it quotes replaced by "?…" (it may hold credentials), capped.
func errText(s string) string {
	if strings.IndexByte(s, '?') < 0 {
		return capText(s, maxErr)
	}
	var b strings.Builder
	b.Grow(len(s))
	for {
		i := strings.IndexByte(s, '?')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i+1])
		s = s[i+1:]
		// A query runs to the next blank or quote; a '?' followed by one
		// (a question) is kept as is.
		end := strings.IndexAny(s, " \t\n\"'`")
		if end < 0 {
			end = len(s)
		}
		if end > 0 {
			b.WriteString("…")
			s = s[end:]
		}
		if b.Len() > 2*maxErr {
			break
		}
	}
	return capText(b.String(), maxErr)
}
