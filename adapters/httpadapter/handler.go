// Package httpadapter exposes the gateway core as a net/http Handler and
// Server. The Lambda adapter serves events through this same Handler, so
// every transport answers alike by construction.
package httpadapter

import (
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/plan"
	"github.com/tributary-gw/tributary/core/recent"
	"github.com/tributary-gw/tributary/core/telemetry"
	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// maxRequestURI is the request-target cap (security.md §3): longer → 414.
const maxRequestURI = 8 << 10

// tooManyFields is the message of the 431 for too many header fields; the
// Lambda adapter sends the same one.
var tooManyFields = "more than " + strconv.Itoa(httpsyntax.MaxHeaderFields) + " header fields"

// Options configure a Handler. The zero value works.
type Options struct {
	// Logger receives access and error logs. Default: discard.
	Logger *slog.Logger
	// Debug enables /__debug/ even when the config does not (run -d).
	Debug bool
	// Version is sent as X-Tributary-Version when the config's
	// tributary.version_header is on. Default "dev".
	Version string
	// Now returns the current time (health "now"). Default time.Now.
	Now func() time.Time
	// Dashboard, with Debug, serves the local dashboard of the requests it
	// keeps at /__dashboard (run -d); it must observe the gateway's
	// requests (exec.Options.Observer). Default none.
	Dashboard *recent.Ring
}

// Handler serves the gateway over net/http.
type Handler struct {
	gw        *exec.Gateway
	edge      *plan.Edge // what the plan decided for adapters
	log       *slog.Logger
	debug     bool
	version   string
	now       func() time.Time
	skipPaths map[string]bool
	access    *telemetry.AccessLog // access lines, query redacted
	dash      *recent.Ring         // Options.Dashboard
	// bodyCap is the most any reader of the handler may take from a
	// request body: the plan's largest body cap plus the one byte past it
	// that the core reads to tell an oversize body from one at the cap.
	bodyCap int64
}

// New returns the http.Handler for gw.
func New(gw *exec.Gateway, o Options) *Handler {
	h := &Handler{
		gw:      gw,
		edge:    &gw.Plan().Edge,
		log:     o.Logger,
		debug:   o.Debug || gw.Plan().Edge.DebugEndpoint,
		version: o.Version,
		now:     o.Now,
		dash:    o.Dashboard,
		bodyCap: gw.Plan().MaxBodyBytes,
	}
	if h.bodyCap < math.MaxInt64 {
		h.bodyCap++
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	h.access = telemetry.NewAccessLog(h.log, h.edge.RedactQuery)
	if h.version == "" {
		h.version = "dev"
	}
	if h.now == nil {
		h.now = time.Now
	}
	if len(h.edge.LoggerSkipPaths) > 0 {
		h.skipPaths = make(map[string]bool, len(h.edge.LoggerSkipPaths))
		for _, p := range h.edge.LoggerSkipPaths {
			h.skipPaths[p] = true
		}
	}
	return h
}

// ServeHTTP implements http.Handler. The response is built in full before
// anything is written.
//
// A request body is read through a requestBody. When the answer leaves
// part of it unread and net/http would not read the rest itself, the
// connection closes after a lingering drain (see requestBody.lingers):
// a client that sends its whole body before reading gets the answer
// instead of a connection reset.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := h.requestID(r)
	ip := "" // the client address, resolved when first needed
	var body *requestBody
	var in io.Reader = r.Body
	if r.Body != nil && r.Body != http.NoBody {
		body = newRequestBody(w, r.Body, h.bodyCap)
		in = body
	}
	resp := h.serve(r, in, id, &ip)
	size := resp.Len()
	linger := body != nil && body.lingers(r, resp.Status)
	var rc *http.ResponseController
	if linger {
		rc = http.NewResponseController(w)
		// Keep the body readable once the answer is written: by default
		// net/http discards or abandons it then. ErrNotSupported (the
		// Lambda adapter's writer, HTTP/2) changes nothing: linger then
		// reads nothing, or reads a body that stays readable anyway.
		_ = rc.EnableFullDuplex()
	}
	// Chunked framing: RFC 9112 §6.3 requires closing the connection after
	// a request that carried both Transfer-Encoding and Content-Length (a
	// request smuggling shape: what follows the last chunk may be a hidden
	// request). net/http deletes that Content-Length before the handler
	// runs, so the handler cannot tell the two apart and closes after
	// every chunked request; a chunked upload only loses keep-alive.
	closeConn := linger || resp.Status == http.StatusRequestEntityTooLarge || len(r.TransferEncoding) > 0
	h.write(w, r, resp, closeConn, id)
	// The body may refer to pooled backend buffers: hand them back only
	// now that every byte is written.
	resp.Release()
	if h.edge.AccessLog && !h.skipPaths[r.URL.Path] && h.log.Enabled(r.Context(), slog.LevelInfo) {
		if ip == "" {
			ip = h.clientIP(r)
		}
		route := resp.Route
		if route == "" {
			route = truncate(r.URL.EscapedPath(), 256)
		}
		complete := false
		if v := resp.Header[exec.HeaderCompleted]; len(v) == 1 {
			complete = v[0] == "true"
		}
		h.access.Write(r.Context(), &telemetry.Access{
			Method:    r.Method,
			Route:     route,
			RawQuery:  r.URL.RawQuery,
			ClientIP:  ip,
			RequestID: id,
			Status:    resp.Status,
			Bytes:     size,
			Duration:  time.Since(start),
			Complete:  complete,
			Backends:  resp.Backends(),
		})
	}
	if linger {
		body.linger(rc)
	}
}

// serve produces the response, recovering any panic as 500 internal_error.
// body is the request body to read (r.Body behind the adapter's reader),
// id the request's id; the client address is resolved into *ip when the
// request goes to the core.
func (h *Handler) serve(r *http.Request, body io.Reader, id string, ip *string) (resp *exec.Response) {
	defer func() {
		if p := recover(); p != nil {
			h.log.Error("panic serving request", "request_id", id, "method", r.Method, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			resp = exec.ErrorResponse(http.StatusInternalServerError, "internal_error", "internal error")
		}
	}()
	if headerFields(r) > httpsyntax.MaxHeaderFields && parsedByServer(r) {
		return h.edgeHeaders(r, exec.ErrorResponse(http.StatusRequestHeaderFieldsTooLarge, "headers_too_large", tooManyFields))
	}
	if len(r.RequestURI) > maxRequestURI {
		return h.edgeHeaders(r, exec.ErrorResponse(http.StatusRequestURITooLong, "uri_too_long", "request target longer than 8192 bytes"))
	}
	if !strings.HasPrefix(r.RequestURI, "/") && r.RequestURI != "" {
		return h.edgeHeaders(r, exec.ErrorResponse(http.StatusBadRequest, "bad_request", "the request target must be a path (origin form)"))
	}
	if len(r.Header["Authorization"]) > 1 {
		return h.edgeHeaders(r, exec.ErrorResponse(http.StatusBadRequest, "ambiguous_credentials", "more than one Authorization header"))
	}
	if h.builtinPath(r.URL.Path) {
		return h.serveBuiltin(r, body)
	}
	*ip = h.clientIP(r)
	resp = h.gw.Serve(r.Context(), &exec.Request{
		Method:        r.Method,
		RawPath:       requestPath(r),
		RawQuery:      r.URL.RawQuery,
		Header:        r.Header,
		Host:          r.Host,
		ClientIP:      *ip,
		TLS:           r.TLS != nil,
		Body:          body,
		ContentLength: r.ContentLength,
		RequestID:     id,
	})
	if resp.Status == http.StatusRequestEntityTooLarge {
		// The core refuses an oversize body before its service stages run;
		// the security headers still go on the answer.
		resp = h.edgeHeaders(r, resp)
	}
	return resp
}

// write sends a complete response, with Connection: close when closeConn
// and the request id when the config echoes it.
func (h *Handler) write(w http.ResponseWriter, r *http.Request, resp *exec.Response, closeConn bool, id string) {
	dst := w.Header()
	for k, v := range resp.Header {
		dst[k] = v
	}
	if rid := &h.edge.RequestID; rid.Echo && id != "" {
		dst[rid.Header] = []string{id}
	}
	if closeConn {
		dst["Connection"] = []string{"close"}
	}
	if h.edge.VersionHeader {
		dst.Set("X-Tributary-Version", h.version)
	}
	dst["Content-Length"] = []string{strconv.Itoa(resp.Len())}
	w.WriteHeader(resp.Status)
	if r.Method != http.MethodHead && resp.Len() > 0 {
		_, _ = resp.WriteTo(w)
	}
}

// requestID resolves the request's id: the client's, when the config
// trusts it and it is one valid value (telemetry.ValidRequestID), else a
// fresh one. An id given twice is replaced: no copy is preferred.
func (h *Handler) requestID(r *http.Request) string {
	if rid := &h.edge.RequestID; rid.TrustClient {
		if v := r.Header[rid.Header]; len(v) == 1 && telemetry.ValidRequestID(v[0]) {
			return v[0]
		}
	}
	return telemetry.NewRequestID()
}

// headerFields counts the header fields of r the way the Lambda adapter
// counts an event's: every value of every field, plus the fields net/http
// takes out of r.Header while parsing, Host (into r.Host) and
// Transfer-Encoding (into r.TransferEncoding). A Content-Length that
// net/http drops because Transfer-Encoding is present is not seen.
func headerFields(r *http.Request) int {
	n := len(r.TransferEncoding)
	if r.Host != "" {
		n++
	}
	for _, vs := range r.Header {
		n += len(vs)
	}
	return n
}

// parsedByServer reports whether net/http parsed r from a connection (the
// server puts itself in the request context). The header-field cap is
// applied to those requests only: the Lambda adapter applies it to the
// event's own fields, before conversion adds framing fields
// (Content-Length, a direct payload's Content-Type) that would push a
// request it accepted over the cap here.
func parsedByServer(r *http.Request) bool {
	return r.Context().Value(http.ServerContextKey) != nil
}

// clientIP resolves the client address (security.md §2 rule 9): the peer
// address, or, when router.forwarded_by_client_ip is on and the peer is a
// trusted proxy, the rightmost untrusted address of the first configured
// header present.
func (h *Handler) clientIP(r *http.Request) string {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	var addr netip.Addr
	if err == nil {
		addr = peer.Addr().Unmap()
	} else if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		addr, _ = netip.ParseAddr(host)
	}
	return h.edge.ClientIP.Resolve(addr, r.Header)
}

// requestPath returns the path exactly as the client sent it. The request
// target is preferred over r.URL.EscapedPath, which re-escapes the decoded
// path (turning %2F into a real "/") when the raw form holds bytes net/url
// would have escaped.
func requestPath(r *http.Request) string {
	if uri := r.RequestURI; strings.HasPrefix(uri, "/") {
		if i := strings.IndexByte(uri, '?'); i >= 0 {
			return uri[:i]
		}
		return uri
	}
	if r.URL.RawPath != "" {
		return r.URL.RawPath
	}
	return r.URL.EscapedPath()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// redacted is used by the debug endpoint's log line.
var redacted = telemetry.RedactHeaders
