package fasthttpadapter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/tributary-gw/tributary/core/plan"
)

// headerSlack is what net/http's server reads past MaxHeaderBytes before
// it answers 431 (room for the request line); the fasthttp read buffer,
// which bounds the whole request head, gets the same.
const headerSlack = 4 << 10

// Addr is the listen address of cfg; port overrides cfg.Port when
// positive.
func Addr(cfg plan.Server, port int) string {
	if port <= 0 {
		port = cfg.Port
	}
	host := ""
	if cfg.ListenIP.IsValid() {
		host = cfg.ListenIP.String()
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}

// NewServer returns the fasthttp.Server of h with every timeout and cap
// from the plan's server settings:
//
//   - the request head (request line and header block) is bounded by
//     MaxHeaderBytes plus 4 KiB, as net/http bounds it; over it the answer
//     is 431 headers_too_large naming MaxHeaderBytes;
//   - ReadHeaderTimeout bounds the wait for the head once its first byte
//     arrived, ReadTimeout the rest of the request from the end of the head;
//   - WriteTimeout bounds writing the answer (fasthttp starts it when the
//     handler returns; net/http starts it at the end of the head);
//   - IdleTimeout bounds the wait for the next request on a kept-alive
//     connection.
//
// Request bodies are streamed to the core (never buffered whole), header
// names reach the core as net/http would spell them, and no Server or
// default Content-Type header is added. Serve it on a plain TCP listener;
// shut it down with ShutdownWithContext.
func NewServer(h *Handler, cfg plan.Server, logger *slog.Logger) *fasthttp.Server {
	readBody := cfg.ReadTimeout
	s := &fasthttp.Server{
		Handler:      h.Serve,
		ErrorHandler: h.serveError,
		HeaderReceived: func(*fasthttp.RequestHeader) fasthttp.RequestConfig {
			return fasthttp.RequestConfig{ReadTimeout: readBody}
		},
		ReadBufferSize:                cfg.MaxHeaderBytes + headerSlack,
		ReadTimeout:                   cfg.ReadHeaderTimeout,
		WriteTimeout:                  cfg.WriteTimeout,
		IdleTimeout:                   cfg.IdleTimeout,
		StreamRequestBody:             true,
		DisablePreParseMultipartForm:  true,
		DisableHeaderNamesNormalizing: true,
		NoDefaultServerHeader:         true,
		NoDefaultContentType:          true,
		CloseOnShutdown:               true,
		Logger:                        discardLogger{},
	}
	if s.ReadTimeout <= 0 {
		s.ReadTimeout = cfg.ReadTimeout
	}
	if cfg.MaxHeaderBytes <= 0 {
		s.ReadBufferSize = http.DefaultMaxHeaderBytes + headerSlack
	}
	if logger != nil {
		s.Logger = slogLogger{logger.With("component", "fasthttp.Server")}
	}
	return s
}

// serveError answers a request fasthttp could not read, as the net/http
// adapter's listener answers the same fault: a head over the cap is 431,
// anything else malformed is 400, both with the JSON error body. A
// connection that timed out before a whole request arrived is closed
// without an answer, as net/http does.
func (h *Handler) serveError(ctx *fasthttp.RequestCtx, err error) {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		_ = ctx.Conn().Close()
		return
	}
	if _, ok := errors.AsType[*fasthttp.ErrSmallBuffer](err); ok {
		code, msg := describe(http.StatusRequestHeaderFieldsTooLarge, "", h.maxHeaderBytes)
		writeError(ctx, http.StatusRequestHeaderFieldsTooLarge, code, msg)
		return
	}
	status, text := netReason(err)
	writeNetError(ctx, status, text)
}

// netReason gives the status and reason net/http's server gives for the
// fault fasthttp reports as err. fasthttp has no typed error for most of
// them: the message is matched.
func netReason(err error) (int, string) {
	msg := err.Error()
	has := func(s string) bool { return strings.Contains(msg, s) }
	switch {
	case errors.Is(err, fasthttp.ErrUnsupportedTransferEncoding), has("unsupported transfer-encoding"), has("too many transfer-encoding headers"):
		return http.StatusNotImplemented, ""
	case has("missing required host header"):
		return http.StatusBadRequest, "missing required Host header"
	case errors.Is(err, fasthttp.ErrorInvalidURI) && !has("request uri"), has("in host name"):
		return http.StatusBadRequest, "malformed Host header"
	case has("invalid header key"):
		return http.StatusBadRequest, "invalid header name"
	}
	return http.StatusBadRequest, ""
}

// Shutdown stops s gracefully: no new connection, idle ones closed, the
// requests in flight finished (or ctx done).
func Shutdown(ctx context.Context, s *fasthttp.Server) error {
	return s.ShutdownWithContext(ctx)
}

// slogLogger is fasthttp's logger on a slog.Logger, at Warn.
type slogLogger struct{ l *slog.Logger }

// Printf implements fasthttp.Logger.
func (s slogLogger) Printf(format string, args ...any) {
	s.l.Warn(fmt.Sprintf(format, args...))
}

// discardLogger drops fasthttp's log lines (its default prints them).
type discardLogger struct{}

// Printf implements fasthttp.Logger.
func (discardLogger) Printf(string, ...any) {}
