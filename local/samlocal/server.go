package samlocal

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/tributary-gw/tributary/local/rie"
)

// Limits of API Gateway and Lambda that start-api enforces
// (docs/lambda.md#limits).
const (
	// MaxRequestBody is API Gateway's payload limit (10 MB): a larger
	// request body gets 413 {"message":"Request Entity Too Large"}.
	MaxRequestBody = 10 << 20
	// MaxInvokePayload is Lambda's synchronous invoke limit (6 MB): a
	// larger event fails the invoke, so the client gets the API's
	// integration failure (502 REST, 500 HTTP API).
	MaxInvokePayload = 6 << 20
	// invokeMargin is added to the function timeout to bound one invoke;
	// the emulator enforces the function timeout itself, so the margin
	// only catches a hung emulator.
	invokeMargin = 5 * time.Second
)

// errFunction marks an emulator answer that is a function error.
var errFunction = errors.New("function error")

// Options configure Start and Invoke.
type Options struct {
	// RIE is the aws-lambda-rie binary. Required.
	RIE string
	// Bootstrap finds or builds each function's binary. Required.
	Bootstrap BootstrapFunc
	// Env is added to every function's environment after the template's
	// variables, so it overrides them ("KEY=VALUE" pairs). The emulator
	// also forwards the caller's own environment.
	Env []string
	// Output receives the emulators' and the functions' logs. Default:
	// discarded.
	Output io.Writer
	// Logger receives one line per request. Default: discarded.
	Logger *slog.Logger
}

// invoker is one function's emulator (*rie.Emulator).
type invoker interface {
	Invoke(ctx context.Context, payload []byte) (int, []byte, error)
	Close() error
}

// Server serves a template's Api and HttpApi events over HTTP, one
// emulator per function. It is an http.Handler; the caller listens (on
// loopback) and calls Close when done.
type Server struct {
	router *Router
	fns    map[*Function]invoker
	log    *slog.Logger
	now    func() time.Time
	newID  func() string
	margin time.Duration // added to the function timeout to bound an invoke

	closeOnce sync.Once
	closeErr  error
}

// Start builds (through o.Bootstrap) and starts one emulator for every
// function of t that has an Api or HttpApi event, eagerly, so a missing
// binary or a broken build fails here rather than on the first request.
// The function's own init still happens on its first invoke. On error,
// every emulator already started is stopped.
func Start(ctx context.Context, t *Template, o Options) (*Server, error) {
	router, err := NewRouter(t)
	if err != nil {
		return nil, err
	}
	if err := o.check(); err != nil {
		return nil, err
	}
	s := newServer(router, o.Logger)
	var fns []*Function
	for _, r := range router.Routes() {
		if _, ok := s.fns[r.Function]; !ok {
			s.fns[r.Function] = nil
			fns = append(fns, r.Function)
		}
	}
	paths := make([]string, len(fns))
	for i, fn := range fns {
		if paths[i], err = o.Bootstrap(ctx, fn); err != nil {
			return nil, err
		}
	}
	out := syncWriter(o.Output)
	for i, fn := range fns {
		e, err := startEmulator(fn, paths[i], o, out)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.fns[fn] = e
	}
	return s, nil
}

func newServer(router *Router, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{router: router, fns: map[*Function]invoker{}, log: log, now: time.Now, newID: newRequestID, margin: invokeMargin}
}

func (o *Options) check() error {
	if o.Bootstrap == nil {
		return errors.New("samlocal: Options.Bootstrap is required")
	}
	if o.RIE == "" {
		return errors.New("samlocal: Options.RIE is required")
	}
	if _, err := os.Stat(o.RIE); err != nil {
		return fmt.Errorf("the Lambda Runtime Interface Emulator: %w", err)
	}
	return nil
}

// startEmulator starts fn's emulator. Its environment: the template's
// variables, the memory size, then o.Env. It runs in the bootstrap's
// directory, the function's package, as a function runs in /var/task (and
// `sam local` mounts the package there): relative paths such as the
// TRIBUTARY_CONFIG of a template from `tributary sam generate -c` resolve
// as they do in AWS.
func startEmulator(fn *Function, bootstrap string, o Options, out io.Writer) (*rie.Emulator, error) {
	// Both paths are made absolute: relative ones would be taken relative
	// to the new working directory.
	emulator, err := filepath.Abs(o.RIE)
	if err == nil {
		bootstrap, err = filepath.Abs(bootstrap)
	}
	if err != nil {
		return nil, fmt.Errorf("starting %s: %w", fn.LogicalID, err)
	}
	env := append(fn.Environ(), "AWS_LAMBDA_FUNCTION_MEMORY_SIZE="+strconv.Itoa(fn.MemorySize))
	e, err := rie.Start(rie.Options{
		RIE:       emulator,
		Bootstrap: bootstrap,
		Dir:       filepath.Dir(bootstrap),
		Env:       append(env, o.Env...),
		Timeout:   fn.Timeout,
		Name:      fn.LogicalID,
		Output:    out,
	})
	if err != nil {
		return nil, fmt.Errorf("starting %s: %w", fn.LogicalID, err)
	}
	return e, nil
}

// Router returns the server's routes.
func (s *Server) Router() *Router { return s.router }

// Close stops every emulator (each SIGKILLs its function) and waits for
// them to exit. It is safe to call more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		var wg sync.WaitGroup
		errs := make([]error, 0, len(s.fns))
		var mu sync.Mutex
		for fn, inv := range s.fns {
			if inv == nil {
				continue
			}
			wg.Go(func() {
				if err := inv.Close(); err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("stopping %s: %w", fn.LogicalID, err))
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// ServeHTTP routes one request, invokes the function and writes its
// converted response.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	var route *Route
	var resp *response
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("panic serving a request", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if resp == nil {
				writeResponse(w, r, failure(route != nil && route.Event.Type == EventREST))
			}
		}
	}()
	route, params := s.router.Match(r.Method, r.URL.EscapedPath())
	fnID := ""
	if route == nil {
		resp = notFound(!s.router.HTTPAPI())
	} else {
		fnID = route.Function.LogicalID
		resp = s.serve(r, route, params)
	}
	writeResponse(w, r, resp)
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
		slog.String("method", r.Method),
		slog.String("path", r.URL.EscapedPath()),
		slog.String("function", fnID),
		slog.Int("status", resp.status),
		slog.Duration("duration", time.Since(start)))
}

// serve runs one request through route's function.
func (s *Server) serve(r *http.Request, route *Route, params []Param) *response {
	ev, fn := route.Event, route.Function
	rest := ev.Type == EventREST
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxRequestBody+1))
	if err != nil {
		s.log.Warn("reading the request body", "function", fn.LogicalID, "err", err)
		return failure(rest)
	}
	if len(body) > MaxRequestBody {
		return gatewayResponse(http.StatusRequestEntityTooLarge, tooLargeBody)
	}
	info := requestInfo{port: localPort(r), requestID: s.newID(), now: s.now()}
	event, err := buildEvent(r, body, ev, route.Key(), params, info)
	if err != nil {
		s.log.Warn("cannot build the event", "function", fn.LogicalID, "err", err)
		return failure(rest)
	}
	if len(event) > MaxInvokePayload {
		s.log.Warn("the event exceeds Lambda's invoke payload limit", "function", fn.LogicalID,
			"bytes", len(event), "limit", MaxInvokePayload)
		return failure(rest)
	}
	// The invoke outlives a client that hangs up: cancelling it would free
	// the emulator for the next invoke while it still runs this one, and
	// the emulator crashes on concurrent invokes. The function timeout
	// bounds it.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), fn.Timeout+s.margin)
	defer cancel()
	status, out, err := s.fns[fn].Invoke(ctx, event)
	if err != nil {
		s.log.Error("invoke failed", "function", fn.LogicalID, "err", err)
		if ctx.Err() != nil {
			return integrationTimeout(rest)
		}
		return failure(rest)
	}
	resp, err := convert(ev, r.Header.Get("Accept"), status, out)
	if err != nil {
		s.log.Warn("the function's answer becomes a gateway error", "function", fn.LogicalID,
			"err", err, "result", truncate(out, 512))
		return failure(rest)
	}
	return resp
}

// convert maps an emulator answer (HTTP status and body) to the client's
// response for an event like ev. The error wraps errFunction or
// errMalformed.
func convert(ev *Event, accept string, status int, out []byte) (*response, error) {
	rep, ok := result(status, out)
	if !ok {
		return nil, errFunction
	}
	switch {
	case ev.Type == EventREST:
		return convertREST(rep, accept, ev.BinaryMediaTypes)
	case ev.V2():
		return convertHTTPv2(rep)
	default:
		return convertHTTPv1(rep)
	}
}

// writeResponse writes resp with an exact Content-Length.
func writeResponse(w http.ResponseWriter, r *http.Request, resp *response) {
	h := w.Header()
	for k, vs := range resp.header {
		h[k] = vs
	}
	h.Set("Content-Length", strconv.Itoa(len(resp.body)))
	w.WriteHeader(resp.status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(resp.body)
	}
}

// localPort is the port the request came in on (X-Forwarded-Port).
func localPort(r *http.Request) string {
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, port, err := net.SplitHostPort(a.String()); err == nil {
			return port
		}
	}
	if _, port, err := net.SplitHostPort(r.Host); err == nil {
		return port
	}
	return "80"
}

// newRequestID returns a random UUID-shaped request id.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

// syncWriter serialises writes from several emulators to one writer; an
// *os.File (or nil: discarded) is passed through, as exec gives it to the
// process directly.
func syncWriter(w io.Writer) io.Writer {
	switch w.(type) {
	case nil:
		return io.Discard
	case *os.File:
		return w
	}
	return &lockedWriter{w: w}
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
