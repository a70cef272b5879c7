package telemetry

// Access-log and request-id API shared by every server adapter (net/http,
// fasthttp) and the Lambda functions.

import (
	"context"
	"crypto/rand"
	"log/slog"
	"strings"
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

// DefaultRedactQuery are the query parameter names whose values the access
// log never shows unless a config says otherwise: the usual carriers of
// credentials and one-time secrets in a URL.
var DefaultRedactQuery = []string{
	"token", "access_token", "api_key", "key", "password", "secret", "signature", "code",
}

// RedactAll, as the only name given to RedactQuery or NewAccessLog,
// redacts the value of every parameter: the access line then shows which
// parameters a request had, never what they held (the default).
const RedactAll = "*"

// AccessLog writes access lines. The zero value is not usable; build one
// with NewAccessLog. It is safe for concurrent use.
type AccessLog struct {
	log    *slog.Logger
	redact []string
}

// NewAccessLog returns an AccessLog writing to log (nil: discard),
// redacting the values of the query parameters named in redact, the
// complete list (nil or empty: DefaultRedactQuery). Names are matched as
// RedactQuery matches them.
func NewAccessLog(log *slog.Logger, redact []string) *AccessLog {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if len(redact) == 0 {
		redact = DefaultRedactQuery
	}
	return &AccessLog{log: log, redact: redact}
}

// Write logs a as one INFO line "request" with the attributes method,
// route, query (only when the request had one, redacted), client_ip,
// request_id, status, bytes, duration_ms, complete and backends. Nothing is
// computed when the logger discards INFO lines.
func (l *AccessLog) Write(ctx context.Context, a *Access) {
	if !l.log.Enabled(ctx, slog.LevelInfo) {
		return
	}
	attrs := make([]slog.Attr, 0, 10)
	attrs = append(attrs,
		slog.String("method", a.Method),
		slog.String("route", a.Route))
	if a.RawQuery != "" {
		attrs = append(attrs, slog.String("query", RedactQuery(a.RawQuery, l.redact)))
	}
	attrs = append(attrs,
		slog.String("client_ip", a.ClientIP),
		slog.String("request_id", a.RequestID),
		slog.Int("status", a.Status),
		slog.Int("bytes", a.Bytes),
		slog.Float64("duration_ms", float64(a.Duration.Microseconds())/1000),
		slog.Bool("complete", a.Complete),
		slog.Int("backends", a.Backends))
	l.log.LogAttrs(ctx, slog.LevelInfo, "request", attrs...)
}

// Redact returns raw with the values of the parameters the log redacts
// replaced (see RedactQuery), for other lines that show a query.
func (l *AccessLog) Redact(raw string) string {
	return RedactQuery(raw, l.redact)
}

// MaxRequestIDLen is the longest request id a client may send.
const MaxRequestIDLen = 128

// ValidRequestID reports whether a client-sent X-Request-Id may be used
// as is: 1 to MaxRequestIDLen bytes, each an ASCII letter or digit or one
// of - _ . : / + = @ ~. No space, control byte, quote, comma, semicolon,
// backslash or non-ASCII byte is accepted, so an id can go into a header
// or a log line without escaping and cannot split either.
func ValidRequestID(id string) bool {
	if len(id) == 0 || len(id) > MaxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !idByte[id[i]] {
			return false
		}
	}
	return true
}

// idByte marks the bytes ValidRequestID accepts.
var idByte = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "-_.:/+=@~" {
		t[c] = true
	}
	return t
}()

// NewRequestID returns a fresh request id: 128 bits from the operating
// system's random source, written as a version 4 UUID (36 characters,
// lowercase). It takes no lock and allocates only the string.
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (the program dies first)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	const hex = "0123456789abcdef"
	j := 0
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j], out[j+1] = hex[c>>4], hex[c&15]
		j += 2
	}
	return string(out[:])
}

// RedactQuery returns raw, a raw query string, with the value of every
// parameter named in names replaced by [Redacted]. Parameters are split at
// "&" and at ";" (which some servers also treat as a separator), and each
// separator is kept as it was. A parameter's name is percent-decoded ("+"
// is a space, a malformed escape is kept as written) and cut at its first
// "[" (token[]=…) before it is compared with each name without regard to
// case, so "%74oken" and "TOKEN" are caught as "token". A parameter without
// "=" or with an empty value is left alone: it has nothing to hide.
//
// The result is as parseable as raw: only values are replaced, and the
// replacement has no "&", ";", "=" or "%". raw itself is returned, without
// allocating, when nothing needs redacting.
func RedactQuery(raw string, names []string) string {
	if len(names) == 0 || strings.IndexByte(raw, '=') < 0 {
		return raw
	}
	var b []byte // nil until the first redaction
	last := 0    // raw[:last] is already in b
	for start := 0; start <= len(raw); {
		end := start + strings.IndexAny(raw[start:], "&;")
		if end < start {
			end = len(raw)
		}
		seg := raw[start:end]
		if eq := strings.IndexByte(seg, '='); eq >= 0 && eq < len(seg)-1 && redactedName(seg[:eq], names) {
			if b == nil {
				b = make([]byte, 0, len(raw)+len(Redacted))
			}
			b = append(b, raw[last:start+eq+1]...)
			b = append(b, Redacted...)
			last = end
		}
		start = end + 1
	}
	if b == nil {
		return raw
	}
	b = append(b, raw[last:]...)
	return string(b)
}

// redactedName reports whether the raw parameter name n, decoded and cut
// at "[", equals one of names without regard to case.
func redactedName(n string, names []string) bool {
	if len(names) == 1 && names[0] == RedactAll {
		return true
	}
	if strings.ContainsAny(n, "%+[") {
		n = string(decodeName(make([]byte, 0, len(n)), n))
		if i := strings.IndexByte(n, '['); i >= 0 {
			n = n[:i]
		}
	}
	for _, name := range names {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

// decodeName appends the percent-decoded form of s to dst: "+" becomes a
// space, "%XX" its byte, and a "%" not followed by two hex digits stays.
func decodeName(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			dst = append(dst, ' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			dst = append(dst, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}
