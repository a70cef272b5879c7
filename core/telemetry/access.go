package telemetry

// Access-log and request-id API shared by every server adapter (net/http,
// fasthttp) and the Lambda functions. STUB: the request-ids engineer
// fills in the bodies; the signatures are fixed.

import (
	"context"
	"log/slog"
	"time"
)

// Access is one access-log line: what an adapter knows once a response is
// written.
type Access struct {
	// Method is the request method.
	Method string
	// Route is the matched endpoint template, or the escaped path
	// (truncated) when no endpoint matched.
	Route string
	// RawQuery is the raw query string; credential-like parameters are
	// redacted when the line is written.
	RawQuery string
	// ClientIP is the resolved client address, or "".
	ClientIP string
	// RequestID is the request's id, or "".
	RequestID string
	// Status is the response status.
	Status int
	// Bytes is the response body length.
	Bytes int
	// Duration is the time from arrival to the last byte written.
	Duration time.Duration
	// Complete reports X-Krakend-Completed: true.
	Complete bool
	// Backends is the number of backends the endpoint called.
	Backends int
}

// AccessLog writes access lines.
type AccessLog struct {
	log *slog.Logger
}

// NewAccessLog returns an AccessLog writing to log, redacting the query
// parameters named in redact (nil: the default list).
func NewAccessLog(log *slog.Logger, redact []string) *AccessLog {
	return &AccessLog{log: log}
}

// Write logs a.
func (l *AccessLog) Write(ctx context.Context, a *Access) {
	l.log.LogAttrs(ctx, slog.LevelInfo, "request",
		slog.String("method", a.Method),
		slog.String("route", a.Route),
		slog.Int("status", a.Status),
		slog.Int("bytes", a.Bytes),
		slog.Float64("duration_ms", float64(a.Duration.Microseconds())/1000),
	)
}

// ValidRequestID reports whether a client-sent X-Request-Id may be used
// as is.
func ValidRequestID(id string) bool {
	return false
}

// NewRequestID returns a fresh request id.
func NewRequestID() string {
	return ""
}
