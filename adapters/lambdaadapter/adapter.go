package lambdaadapter

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// DeadlineMargin is kept free before an invocation's deadline so that the
// reply is written and returned before Lambda ends the invocation
// (krakend-compat §15): the composition root passes it to the executor as
// exec.Options.DeadlineMargin.
const DeadlineMargin = 250 * time.Millisecond

const (
	// maxResponseBytes caps the marshalled reply, envelope and base64
	// included (lambda.md R7): Lambda's synchronous response limit.
	maxResponseBytes = 6_000_000
	// defaultMaxHeaderBytes is the default request header cap (security.md §3).
	defaultMaxHeaderBytes = 64 << 10
	// maxHeaderFields caps the number of request header fields (security.md
	// §3), the same cap on every transport.
	maxHeaderFields = httpsyntax.MaxHeaderFields
)

// Options configure an Adapter. The zero value works.
type Options struct {
	// BasePath is stripped, at a segment boundary only, from the path of
	// every trigger after the HTTP API stage prefix (TRIBUTARY_BASE_PATH,
	// lambda.md P6). "/v1", "v1" and "/v1/" are the same base path; "" and
	// "/" strip nothing. Default "".
	BasePath string
	// Direct enables the direct-invocation contract of functions/endpoint
	// (lambda.md §4.1). Its Template must be one ParseEndpoint accepts;
	// otherwise every direct payload gets the error result
	// Tributary.internal_error. Default nil: direct payloads get the error
	// result Tributary.invalid_event.
	Direct *DirectEndpoint
	// MaxHeaderBytes caps the request header block, counted as
	// len(name)+len(value)+4 per field. Over the cap, or over 128 fields,
	// the answer is 431 headers_too_large. Default (0 or negative) 64 KiB.
	MaxHeaderBytes int
	// BeforeInvoke, when set, runs at the start of each invoke with the
	// wall-clock time since the previous invoke ended (0 on the first).
	// Functions use it to close idle connections after a thaw longer than
	// 30 s (lambda.md §9). It must be goroutine-safe. Default nil.
	BeforeInvoke func(gap time.Duration)
	// AfterInvoke, when set, runs at the end of each invoke, once the
	// reply is ready and before Handle returns it, with the invoke's
	// context. Functions use it to flush buffered telemetry; whatever it
	// does delays the reply, so it must bound itself. A panic in it is
	// logged and does not change the reply. Default nil.
	AfterInvoke func(ctx context.Context)
	// Logger receives recovered panics with their stack (never sent to the
	// caller). Default: discard.
	Logger *slog.Logger
}

// Adapter serves Lambda events with an http.Handler. It is immutable after
// New apart from the time of the last invoke, and safe for concurrent use
// (AWS_LAMBDA_MAX_CONCURRENCY > 1).
type Adapter struct {
	h              http.Handler
	basePath       string
	direct         *directRoute
	directErr      error
	maxHeaderBytes int
	before         func(time.Duration)
	after          func(context.Context)
	log            *slog.Logger
	// lastEnd is the wall-clock Unix time in nanoseconds at which the
	// previous invoke ended; 0 before the first.
	lastEnd atomic.Int64
}

// New returns an Adapter that serves every event with h.
func New(h http.Handler, o Options) *Adapter {
	a := &Adapter{
		h:              h,
		basePath:       normalizeBasePath(o.BasePath),
		maxHeaderBytes: o.MaxHeaderBytes,
		before:         o.BeforeInvoke,
		after:          o.AfterInvoke,
		log:            o.Logger,
	}
	if a.maxHeaderBytes <= 0 {
		a.maxHeaderBytes = defaultMaxHeaderBytes
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if o.Direct != nil {
		a.direct, a.directErr = compileDirect(*o.Direct)
	}
	return a
}

// Invoke implements aws-lambda-go's lambda.Handler, so lambda.Start(a) runs the adapter
// without reflection: the runtime loop hands the payload over exactly as it
// arrived (no encoding/json pass before Handle) and sends the reply bytes
// untouched. A payload that is not valid JSON never reaches Handle: it is
// the *json.SyntaxError function error aws-lambda-go's own decoding reports
// (lambda.md §2.1).
func (a *Adapter) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	if !json.Valid(payload) {
		var v json.RawMessage
		return nil, json.Unmarshal(payload, &v)
	}
	out, err := a.Handle(ctx, payload)
	if err != nil {
		return nil, err
	}
	if r, ok := out.(*reply); ok {
		return r.b, nil
	}
	return io.ReadAll(out)
}

// Handle answers every HTTP-shaped event
// (REST v1, HTTP API v2, Function URL, ALB) with a reply in that trigger's
// format and a nil error, whatever the event holds (lambda.md R1). Direct
// invocations get the endpoint's document, or an error result; so do
// payloads no trigger recognises. The invoke deadline is carried by ctx
// into the request's context. The reader has no exported fields and its
// ContentType is application/json, so aws-lambda-go sends it untouched.
func (a *Adapter) Handle(ctx context.Context, event json.RawMessage) (out io.Reader, err error) {
	now := time.Now().UnixNano()
	defer func() { a.lastEnd.Store(time.Now().UnixNano()) }()
	if a.after != nil {
		defer a.runAfter(ctx) // after the reply (and any recovered panic's reply) is set
	}
	var p probe
	defer func() {
		if v := recover(); v != nil {
			a.logPanic(ctx, "lambda adapter", v)
			out, err = a.answerError(p, errInternal())
		}
	}()
	p = a.sniff(event)
	if a.before != nil {
		var gap time.Duration
		if last := a.lastEnd.Load(); last != 0 && now > last {
			gap = time.Duration(now - last)
		}
		a.before(gap)
	}
	switch p.trigger {
	case trigREST:
		return newReply(a.serveREST(ctx, event)), nil
	case trigV2, trigURL, trigALB:
		return newReply(a.serveHTTPEvent(ctx, p, event)), nil
	case trigDirect:
		return a.serveDirect(ctx, event)
	default:
		return nil, invokeError(errInvalidEvent(p.reason))
	}
}

// runAfter runs the AfterInvoke hook, logging a panic instead of letting
// it replace the reply.
func (a *Adapter) runAfter(ctx context.Context) {
	defer func() {
		if v := recover(); v != nil {
			a.logPanic(ctx, "after-invoke hook", v)
		}
	}()
	a.after(ctx)
}

// answerError answers e in the format of the sniffed trigger.
func (a *Adapter) answerError(p probe, e *httpError) (io.Reader, error) {
	switch p.trigger {
	case trigREST, trigV2, trigURL, trigALB:
		return newReply(encodeResponse(p.trigger, p.albMulti, errorResult(e))), nil
	default:
		return nil, invokeError(e)
	}
}

// logPanic logs a recovered panic with its stack.
func (a *Adapter) logPanic(ctx context.Context, where string, v any) {
	a.log.LogAttrs(ctx, slog.LevelError, "panic recovered",
		slog.String("where", where),
		slog.String("panic", fmt.Sprint(v)),
		slog.String("stack", string(debug.Stack())))
}

// normalizeBasePath returns p with one leading slash and no trailing one,
// or "" when p strips nothing.
func normalizeBasePath(p string) string {
	p = strings.TrimSpace(p)
	p = strings.TrimRight(p, "/")
	if p == "" {
		return ""
	}
	if p[0] != '/' {
		p = "/" + p
	}
	return p
}
