// Package observe is the seam between the engine and the telemetry that
// watches it: traces, per-invocation metrics, the local dashboard. The
// engine calls an [Observer] at the start of a request, around each backend
// call and once the response is built — and only when one is configured:
// with none, a request pays a nil check.
//
// The package holds the records the engine fills and the interface
// observers implement; it imports the standard library only, so a heavy
// observer (OpenTelemetry) stays out of binaries whose config does not
// use it.
package observe

import (
	"context"
	"net/http"
	"time"
)

// Observer watches requests. Its methods run on the request path: they
// must not block on I/O (an exporter queues and drops instead of waiting)
// and must not keep r or b after the call that received them returns, the
// engine may reuse them.
type Observer interface {
	// Begin is called when a request arrives, before any stage runs. The
	// context it returns is the one the request is served with (a tracer
	// puts its span in it); return ctx itself to add nothing.
	Begin(ctx context.Context, r *Request) context.Context
	// BackendStart is called before backend call b of r, with the
	// request's context; the context it returns is the call's.
	BackendStart(ctx context.Context, r *Request, b *Backend) context.Context
	// Inject adds the propagation headers of the call whose context is
	// ctx (W3C traceparent) to h, a copy the engine made for this call. It
	// is called only when Propagates reported true.
	Inject(ctx context.Context, h http.Header)
	// Propagates reports whether Inject adds anything; the engine asks
	// once, when the gateway is built, and copies the backend headers of
	// each call only when it does.
	Propagates() bool
	// BackendEnd is called with the call's context once b's outcome is
	// filled in.
	BackendEnd(ctx context.Context, r *Request, b *Backend)
	// End is called with the request's context once the response is
	// built (Status, Bytes, Complete and Duration filled in), before it is
	// written.
	End(ctx context.Context, r *Request)
}

// Flusher is implemented by observers that buffer: a Lambda function
// calls Flush before each invocation returns, bounded by ctx, and
// Shutdown once when the runtime stops; a server calls Shutdown on exit.
type Flusher interface {
	// Flush sends what is buffered, giving up when ctx ends.
	Flush(ctx context.Context) error
	// Shutdown flushes and releases the observer's resources.
	Shutdown(ctx context.Context) error
}

// Request is one request as observers see it. The engine fills it; an
// observer only reads it.
type Request struct {
	// Start is when the gateway received the request.
	Start time.Time
	// Method is the request method.
	Method string
	// Path is the escaped request path as received.
	Path string
	// RawQuery is the raw query string without "?". It may hold
	// credentials: redact it before writing it anywhere.
	RawQuery string
	// Header holds the inbound headers (read-only). A tracer reads an
	// incoming traceparent here, when its config trusts the client.
	Header http.Header
	// ClientIP is the resolved client address, or "".
	ClientIP string
	// RequestID is the request's id (a validated client X-Request-Id or
	// a generated one), or "" when the adapter assigns none.
	RequestID string
	// Route is the matched endpoint template ("/users/{id}"), or "" when
	// no endpoint matched. Set once routing has run.
	Route string
	// Backends holds one record per backend of the matched endpoint, in
	// declaration order (shadows excluded); nil when no endpoint matched.
	// Record i is written only by the goroutine calling backend i.
	Backends []Backend
	// Status is the response status code (set before End).
	Status int
	// Bytes is the response body length (set before End).
	Bytes int
	// Complete reports a complete response: every backend succeeded
	// (X-Krakend-Completed: true). Set before End.
	Complete bool
	// Duration is the time from Start until the response was built.
	Duration time.Duration
}

// Backend is one backend call of a request.
type Backend struct {
	// Index is the backend's position in its endpoint.
	Index int
	// Method is the method of the backend call.
	Method string
	// Pattern is the backend's url_pattern as declared.
	Pattern string
	// Host is the host the call went to (scheme://host[:port]).
	Host string
	// Started reports that the call started; false for a backend a
	// sequential chain skipped after an earlier failure.
	Started bool
	// Start is when the call started.
	Start time.Time
	// Duration is how long the call took, response processing included.
	Duration time.Duration
	// Status is the backend's status code, or 0 when none arrived.
	Status int
	// OK reports a call that succeeded (2xx, decoded and shaped).
	OK bool
	// Timeout reports a call that failed because a timer expired.
	Timeout bool
	// Answered reports that a backend stage answered (the HTTP cache or a
	// Lua hook) and no request went out.
	Answered bool
	// Err is the failure, or nil.
	Err error
}

// requestKey is the context key of the Request being observed.
type requestKey struct{}

// WithRequest returns ctx carrying r, for the engine's inner layers.
func WithRequest(ctx context.Context, r *Request) context.Context {
	return context.WithValue(ctx, requestKey{}, r)
}

// RequestFrom returns the Request ctx carries, or nil.
func RequestFrom(ctx context.Context) *Request {
	r, _ := ctx.Value(requestKey{}).(*Request)
	return r
}

// Join combines observers into one that calls each in order (End and
// BackendEnd in reverse order, like deferred calls). Nil observers are
// skipped; Join returns nil when none is left, and the observer itself
// when one is.
func Join(obs ...Observer) Observer {
	var list multi
	for _, o := range obs {
		switch o := o.(type) {
		case nil:
		case multi:
			list = append(list, o...)
		default:
			list = append(list, o)
		}
	}
	switch len(list) {
	case 0:
		return nil
	case 1:
		return list[0]
	}
	return list
}

// multi is a joined list of observers.
type multi []Observer

func (m multi) Begin(ctx context.Context, r *Request) context.Context {
	for _, o := range m {
		ctx = o.Begin(ctx, r)
	}
	return ctx
}

func (m multi) BackendStart(ctx context.Context, r *Request, b *Backend) context.Context {
	for _, o := range m {
		ctx = o.BackendStart(ctx, r, b)
	}
	return ctx
}

func (m multi) Inject(ctx context.Context, h http.Header) {
	for _, o := range m {
		if o.Propagates() {
			o.Inject(ctx, h)
		}
	}
}

func (m multi) Propagates() bool {
	for _, o := range m {
		if o.Propagates() {
			return true
		}
	}
	return false
}

func (m multi) BackendEnd(ctx context.Context, r *Request, b *Backend) {
	for i := len(m) - 1; i >= 0; i-- {
		m[i].BackendEnd(ctx, r, b)
	}
}

func (m multi) End(ctx context.Context, r *Request) {
	for i := len(m) - 1; i >= 0; i-- {
		m[i].End(ctx, r)
	}
}

// Flush flushes every member that is a Flusher, returning the first error.
func (m multi) Flush(ctx context.Context) error {
	var first error
	for _, o := range m {
		if f, ok := o.(Flusher); ok {
			if err := f.Flush(ctx); err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}

// Shutdown shuts every member that is a Flusher down, returning the first
// error.
func (m multi) Shutdown(ctx context.Context) error {
	var first error
	for _, o := range m {
		if f, ok := o.(Flusher); ok {
			if err := f.Shutdown(ctx); err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}
