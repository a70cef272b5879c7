// Package fasthttpadapter serves the gateway core through
// github.com/valyala/fasthttp's server instead of net/http's: the same
// compiled plan, the same answers, at a lower cost per request.
//
// The hot path converts a *fasthttp.RequestCtx straight into an
// exec.Request and writes the exec.Response back without joining a
// segmented body. Everything off the hot path is served by the net/http
// adapter itself, on a net/http request built from the fasthttp one: the
// built-in endpoints (every path under /__ and the health path) and the
// adapter's own rejections (too many header fields, an overlong or
// non-origin request target, several Authorization fields), so those
// answers are the net/http adapter's by construction. What net/http's
// server refuses before any handler runs (no Host, an invalid Host, an
// unsupported transfer coding, a malformed target) is refused here with
// the same JSON bodies the net/http adapter's listener sends.
package fasthttpadapter

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/tributary-gw/tributary/adapters/httpadapter"
	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/plan"
	"github.com/tributary-gw/tributary/core/stage"
	"github.com/tributary-gw/tributary/core/telemetry"
	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// maxRequestURI is the request-target cap of the net/http adapter (414
// beyond); requests over it are answered by that adapter.
const maxRequestURI = 8 << 10

// Options configure a Handler. The zero value works.
type Options struct {
	// Logger receives access and error logs. Default: discard.
	Logger *slog.Logger
	// Version is sent as X-Tributary-Version when the config's
	// tributary.version_header is on. Default "dev"; use the value given
	// to the net/http handler.
	Version string
	// MaxHeaderBytes is the header cap named in the 431 answer to an
	// oversize header block. Default: the plan's server setting.
	MaxHeaderBytes int
}

// Handler serves the gateway through fasthttp. Its Serve method is the
// fasthttp.RequestHandler.
type Handler struct {
	gw        *exec.Gateway
	edge      *plan.Edge
	builtin   http.Handler // the net/http adapter: built-ins and rejections
	log       *slog.Logger
	access    *telemetry.AccessLog // nil when the access log is off
	skipPaths map[string]bool
	version   string
	// bodyCap is the most the core may read of a request body: the plan's
	// largest cap plus the byte past it that tells an oversize body.
	bodyCap        int64
	maxHeaderBytes int
	// marker stands for net/http's server in the context of the requests
	// handed to the net/http adapter: it applies the header-field cap to
	// requests a server parsed only.
	marker *http.Server
}

// New returns the fasthttp handler for gw. builtin is the net/http
// adapter's handler for the same gateway (as `tributary run` builds it:
// same logger, debug and dashboard options); it answers the built-in
// endpoints and the adapter's rejections.
func New(gw *exec.Gateway, builtin *httpadapter.Handler, o Options) *Handler {
	p := gw.Plan()
	h := &Handler{
		gw:             gw,
		edge:           &p.Edge,
		builtin:        builtin,
		log:            o.Logger,
		version:        o.Version,
		bodyCap:        p.MaxBodyBytes,
		maxHeaderBytes: o.MaxHeaderBytes,
		marker:         &http.Server{},
	}
	if h.bodyCap < math.MaxInt64 {
		h.bodyCap++
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.version == "" {
		h.version = "dev"
	}
	if h.maxHeaderBytes <= 0 {
		h.maxHeaderBytes = p.Server.MaxHeaderBytes
	}
	if h.edge.AccessLog {
		h.access = telemetry.NewAccessLog(h.log, h.edge.RedactQuery)
	}
	if len(h.edge.LoggerSkipPaths) > 0 {
		h.skipPaths = make(map[string]bool, len(h.edge.LoggerSkipPaths))
		for _, s := range h.edge.LoggerSkipPaths {
			h.skipPaths[s] = true
		}
	}
	return h
}

// Serve is the fasthttp.RequestHandler.
func (h *Handler) Serve(ctx *fasthttp.RequestCtx) {
	start := time.Now()
	head := parseHead(ctx.Request.Header.RawHeaders())
	target := string(ctx.Request.Header.RequestURI())
	if status, msg := h.netRefusal(ctx, &head, target); status != 0 {
		writeNetError(ctx, status, msg)
		return
	}
	if target == "*" && ctx.IsOptions() {
		// net/http answers OPTIONS * itself: 200, empty.
		ctx.Response.Header.SetContentLength(0)
		return
	}
	stream, cl := streamOf(ctx)
	var body *requestBody
	if stream != nil {
		body = &requestBody{stream: stream, limit: h.bodyCap, cl: cl}
	}
	if h.offHotPath(&head, target) {
		h.serveNetHTTP(ctx, &head, target, body)
		return
	}
	// The request's context, as net/http gives one: canceled when the
	// handler returns. fasthttp's RequestCtx is recycled for the next
	// request, so it must not be the context of work that outlives this
	// one (a shadow call keeps its context's values).
	rctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if body == nil {
		// A client that leaves cancels the request (a request with a body
		// is read by the core, which then owns the connection's reads).
		if stop := watchClient(ctx, cancel); stop != nil {
			defer stop()
		}
	}
	m := method(ctx.Method())
	rawPath, rawQuery, _ := strings.Cut(target, "?")
	req := exec.Request{
		Method:    m,
		RawPath:   rawPath,
		RawQuery:  rawQuery,
		Header:    head.header,
		Host:      head.host,
		ClientIP:  h.clientIP(ctx, head.header),
		Body:      http.NoBody,
		RequestID: h.requestID(head.header),
	}
	if req.Header == nil {
		req.Header = http.Header{}
	}
	if body != nil {
		req.Body = body
		req.ContentLength = cl
	}
	resp := h.serveCore(rctx, &req)
	if resp.Status == http.StatusRequestEntityTooLarge {
		// The core refuses an oversize body before its service stages run;
		// the net/http adapter adds the security headers then.
		h.edgeHeaders(ctx, &head, target, resp)
	}
	size, backends := resp.Len(), resp.Backends()
	linger := body != nil && body.lingers(resp.Status)
	closeConn := linger || resp.Status == http.StatusRequestEntityTooLarge || len(head.te) > 0
	h.write(ctx, resp, m == http.MethodHead, closeConn, req.RequestID)
	if linger {
		lingerClose(ctx, body)
	}
	if h.access != nil && !h.skipPaths[decodedPath(rawPath)] {
		route := resp.Route
		if route == "" {
			route = truncate(rawPath, 256)
		}
		complete := false
		if v := resp.Header[exec.HeaderCompleted]; len(v) == 1 {
			complete = v[0] == "true"
		}
		h.access.Write(rctx, &telemetry.Access{
			Method:    m,
			Route:     route,
			RawQuery:  rawQuery,
			ClientIP:  req.ClientIP,
			RequestID: req.RequestID,
			Status:    resp.Status,
			Bytes:     size,
			Duration:  time.Since(start),
			Complete:  complete,
			Backends:  backends,
		})
	}
}

// serveCore runs the core, recovering a panic as 500 internal_error.
func (h *Handler) serveCore(ctx context.Context, req *exec.Request) (resp *exec.Response) {
	defer func() {
		if p := recover(); p != nil {
			h.log.Error("panic serving request", "request_id", req.RequestID, "method", req.Method, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			resp = exec.ErrorResponse(http.StatusInternalServerError, "internal_error", "internal error")
		}
	}()
	return h.gw.Serve(ctx, req)
}

// requestID resolves the request's id as the net/http adapter does: the
// client's, when the config trusts it and it is one valid value, else a
// fresh one.
func (h *Handler) requestID(hdr http.Header) string {
	if rid := &h.edge.RequestID; rid.TrustClient {
		if v := hdr[rid.Header]; len(v) == 1 && telemetry.ValidRequestID(v[0]) {
			return v[0]
		}
	}
	return telemetry.NewRequestID()
}

// netRefusal gives the status and message of the answer net/http's
// server would send on its own, before any handler runs, or 0.
func (h *Handler) netRefusal(ctx *fasthttp.RequestCtx, head *parsed, target string) (int, string) {
	if proto := ctx.Request.Header.Protocol(); len(proto) > 5 && proto[5] != '1' {
		return http.StatusHTTPVersionNotSupported, "unsupported protocol version"
	}
	switch {
	case head.badName:
		return http.StatusBadRequest, "invalid header name"
	case head.badHeader:
		return http.StatusBadRequest, ""
	case head.hosts > 1:
		return http.StatusBadRequest, ""
	case head.hosts == 0 && ctx.Request.Header.IsHTTP11():
		return http.StatusBadRequest, "missing required Host header"
	case !validHost(head.host):
		return http.StatusBadRequest, "malformed Host header"
	case len(head.te) > 0 && (len(head.te) != 1 || !strings.EqualFold(head.te[0], "chunked")):
		return http.StatusNotImplemented, ""
	case !validTarget(target) && strings.HasPrefix(target, "/"):
		return http.StatusBadRequest, ""
	}
	return 0, ""
}

// offHotPath reports whether the request is answered by the net/http
// adapter: a built-in path, or one of that adapter's own rejections.
func (h *Handler) offHotPath(head *parsed, target string) bool {
	if !strings.HasPrefix(target, "/") || len(target) > maxRequestURI ||
		head.fields > httpsyntax.MaxHeaderFields || len(head.header["Authorization"]) > 1 {
		return true
	}
	// The net/http adapter matches the decoded path.
	p, _, _ := strings.Cut(target, "?")
	if strings.IndexByte(p, '%') >= 0 {
		d, err := url.PathUnescape(p)
		if err != nil {
			return true
		}
		p = d
	}
	return strings.HasPrefix(p, "/__") || h.edge.HealthPath != "" && p == h.edge.HealthPath
}

// headerAdder is a service stage that adds its response headers without
// deciding anything (security/http), as the net/http adapter sees it.
type headerAdder interface {
	AddHeaders(x *stage.Exchange)
}

// edgeHeaders adds the headers of the header-adding service stages to an
// answer given before the service stages ran (the core's early 413), as
// the net/http adapter does.
func (h *Handler) edgeHeaders(ctx *fasthttp.RequestCtx, head *parsed, target string, resp *exec.Response) {
	var x *stage.Exchange
	for _, s := range h.gw.Plan().Stages {
		a, ok := s.(headerAdder)
		if !ok {
			continue
		}
		if x == nil {
			rawPath, rawQuery, _ := strings.Cut(target, "?")
			x = &stage.Exchange{
				Method:   method(ctx.Method()),
				RawPath:  rawPath,
				RawQuery: rawQuery,
				Host:     head.host,
				ClientIP: h.clientIP(ctx, head.header),
				Header:   head.header,
				Log:      h.log,
			}
		}
		a.AddHeaders(x)
	}
	if x == nil || len(x.Respond) == 0 {
		return
	}
	if resp.Header == nil {
		resp.Header = make(http.Header, len(x.Respond))
	}
	for k, v := range x.Respond {
		resp.Header[k] = v
	}
}

// clientIP resolves the client address by the net/http adapter's rules:
// the peer address, or, when router.forwarded_by_client_ip is on and the
// peer is a trusted proxy, the rightmost untrusted address of the first
// configured header present.
func (h *Handler) clientIP(ctx *fasthttp.RequestCtx, hdr http.Header) string {
	var addr netip.Addr
	if ta, ok := ctx.RemoteAddr().(*net.TCPAddr); ok {
		addr = ta.AddrPort().Addr().Unmap()
	} else if ap, err := netip.ParseAddrPort(ctx.RemoteAddr().String()); err == nil {
		addr = ap.Addr().Unmap()
	}
	return h.edge.ClientIP.Resolve(addr, hdr)
}

// decodedPath is the path net/http's URL.Path holds for the raw path p.
func decodedPath(p string) string {
	if strings.IndexByte(p, '%') < 0 {
		return p
	}
	if d, err := url.PathUnescape(p); err == nil {
		return d
	}
	return p
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
