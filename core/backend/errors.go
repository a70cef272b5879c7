package backend

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"
)

// Sentinel errors. Errors returned by [Client.Do] wrap one of these (or a
// transport error) and read "METHOD URL: cause".
var (
	// ErrTooLarge means the body exceeded Request.MaxBodyBytes, counted
	// after decompression (or encoded, with Request.KeepEncoding).
	ErrTooLarge = errors.New("backend response too large")
	// ErrBadGzip means a gzip-encoded body could not be decoded: a bad
	// header, corrupt data, a wrong checksum or a truncated stream.
	ErrBadGzip = errors.New("bad gzip stream")
	// ErrUnsupportedEncoding means the body used a content coding other
	// than gzip or identity.
	ErrUnsupportedEncoding = errors.New("unsupported content-encoding")
	// ErrRedirectNotAllowed means a redirect target failed the scheme or
	// host rules of Request.FollowRedirects, or its Location was unusable.
	ErrRedirectNotAllowed = errors.New("redirect not allowed")
	// ErrTooManyRedirects means more than Request.MaxRedirects redirects
	// were needed.
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrInvalidRequest means the Request itself was unusable (nil, no URL,
	// a scheme other than http or https, no host) and nothing was sent.
	ErrInvalidRequest = errors.New("invalid backend request")
)

// callError names the call that failed and wraps the cause.
type callError struct {
	call string // "GET http://h/x", without query or fragment
	err  error
}

func (e *callError) Error() string { return e.call + ": " + e.err.Error() }
func (e *callError) Unwrap() error { return e.err }

// newCallError wraps err with the method and URL of the call. The query is
// left out: it may carry client values that do not belong in logs.
func newCallError(method string, u *url.URL, err error) error {
	var b strings.Builder
	b.WriteString(method)
	b.WriteByte(' ')
	if u != nil {
		if u.Scheme != "" {
			b.WriteString(u.Scheme)
			b.WriteString("://")
		}
		b.WriteString(u.Host)
		b.WriteString(u.EscapedPath())
	}
	return &callError{call: b.String(), err: err}
}

// IsTimeout reports whether err is a timeout: the context deadline (the
// backend budget), or a dial, TLS handshake or response header timeout of
// the transport. A cancelled context (the client went away), a refused
// connection and every sentinel error of this package are not timeouts.
func IsTimeout(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
