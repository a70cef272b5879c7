// Package httpadapter exposes the gateway core as a net/http Handler and
// Server. The Lambda adapter serves events through this same Handler, so
// every transport answers alike by construction.
package httpadapter

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/telemetry"
)

// maxRequestURI is the request-target cap (security.md §3): longer → 414.
const maxRequestURI = 8 << 10

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
}

// Handler serves the gateway over net/http.
type Handler struct {
	gw        *exec.Gateway
	cfg       *config.Config
	log       *slog.Logger
	debug     bool
	version   string
	now       func() time.Time
	skipPaths map[string]bool
}

// New returns the http.Handler for gw.
func New(gw *exec.Gateway, o Options) *Handler {
	h := &Handler{
		gw:      gw,
		cfg:     gw.Plan().Config,
		log:     o.Logger,
		debug:   o.Debug || gw.Plan().Config.DebugEndpoint,
		version: o.Version,
		now:     o.Now,
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.version == "" {
		h.version = "dev"
	}
	if h.now == nil {
		h.now = time.Now
	}
	if len(h.cfg.Router.LoggerSkipPaths) > 0 {
		h.skipPaths = make(map[string]bool, len(h.cfg.Router.LoggerSkipPaths))
		for _, p := range h.cfg.Router.LoggerSkipPaths {
			h.skipPaths[p] = true
		}
	}
	return h
}

// ServeHTTP implements http.Handler. The response is built in full before
// anything is written.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	resp := h.serve(r)
	size := resp.Len()
	h.write(w, r, resp)
	// The body may refer to pooled backend buffers: hand them back only
	// now that every byte is written.
	resp.Release()
	if !h.cfg.Router.DisableAccessLog && !h.skipPaths[r.URL.Path] {
		route := resp.Route
		if route == "" {
			route = truncate(r.URL.EscapedPath(), 256)
		}
		h.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method),
			slog.String("route", route),
			slog.Int("status", resp.Status),
			slog.Int("bytes", size),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
		)
	}
}

// serve produces the response, recovering any panic as 500 internal_error.
func (h *Handler) serve(r *http.Request) (resp *exec.Response) {
	defer func() {
		if p := recover(); p != nil {
			h.log.Error("panic serving request", "method", r.Method, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			resp = exec.ErrorResponse(http.StatusInternalServerError, "internal_error", "internal error")
		}
	}()
	if len(r.RequestURI) > maxRequestURI {
		return exec.ErrorResponse(http.StatusRequestURITooLong, "uri_too_long", "request target longer than 8192 bytes")
	}
	if !strings.HasPrefix(r.RequestURI, "/") && r.RequestURI != "" {
		return exec.ErrorResponse(http.StatusBadRequest, "bad_request", "the request target must be a path (origin form)")
	}
	if len(r.Header["Authorization"]) > 1 {
		return exec.ErrorResponse(http.StatusBadRequest, "ambiguous_credentials", "more than one Authorization header")
	}
	if resp, ok := h.builtin(r); ok {
		return resp
	}
	return h.gw.Serve(r.Context(), &exec.Request{
		Method:        r.Method,
		RawPath:       requestPath(r),
		RawQuery:      r.URL.RawQuery,
		Header:        r.Header,
		Host:          r.Host,
		ClientIP:      h.clientIP(r),
		Body:          r.Body,
		ContentLength: r.ContentLength,
	})
}

// write sends a complete response.
func (h *Handler) write(w http.ResponseWriter, r *http.Request, resp *exec.Response) {
	dst := w.Header()
	for k, v := range resp.Header {
		dst[k] = v
	}
	if h.cfg.VersionHeader {
		dst.Set("X-Tributary-Version", h.version)
	}
	dst["Content-Length"] = []string{strconv.Itoa(resp.Len())}
	w.WriteHeader(resp.Status)
	if r.Method != http.MethodHead && resp.Len() > 0 {
		_, _ = resp.WriteTo(w)
	}
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
	if !addr.IsValid() {
		return ""
	}
	rt := &h.cfg.Router
	if !rt.ForwardedByClientIP || !h.trusted(addr) {
		return addr.String()
	}
	for _, name := range rt.RemoteIPHeaders {
		vals := r.Header.Values(name)
		if len(vals) == 0 {
			continue
		}
		parts := strings.Split(strings.Join(vals, ","), ",")
		for i := len(parts) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(strings.TrimSpace(parts[i]))
			if err != nil {
				break
			}
			if a = a.Unmap(); !h.trusted(a) {
				return a.String()
			}
		}
		break
	}
	return addr.String()
}

func (h *Handler) trusted(a netip.Addr) bool {
	for _, p := range h.cfg.Router.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
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
