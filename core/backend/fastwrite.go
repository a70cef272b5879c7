package backend

import (
	"bufio"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// defaultUserAgent is what net/http sends when the caller sets none.
const defaultUserAgent = "Go-http-client/1.1"

// maxSortedKeys is how many header names are sorted without allocating.
const maxSortedKeys = 32

// outRequest is a validated request ready to be written by the fast path.
type outRequest struct {
	method    string
	u         *url.URL
	h         http.Header
	body      []byte
	userAgent string
	gzip      bool // add "Accept-Encoding: gzip"
	close     bool // add "Connection: close"
}

// excludedHeader reports whether the caller's header name k is not sent
// as given: the fast path writes these itself, as net/http does. Unlike
// net/http, a non-canonical spelling ("host", "content-length") is dropped
// too, so no request ever carries two framing or Host headers.
func excludedHeader(k string) bool {
	switch k {
	case "Host", "User-Agent", "Content-Length", "Transfer-Encoding", "Trailer", "Connection":
		return true
	}
	for _, x := range [...]string{"Host", "Content-Length", "Transfer-Encoding", "Trailer", "Connection"} {
		if len(k) == len(x) && strings.EqualFold(k, x) {
			return true
		}
	}
	return false
}

// prepare validates the request and fills o. It returns the header names
// to send, sorted, appended to keys, and ok=false when the request needs
// something only net/http provides.
func (t *fastTransport) prepare(o *outRequest, method string, u *url.URL, h http.Header, body []byte, keys []string) ([]string, bool, error) {
	if u.Opaque != "" || u.User != nil {
		return nil, false, nil
	}
	for i := 0; i < len(u.Host); i++ {
		c := u.Host[i]
		if c >= 0x80 || c == '%' {
			return nil, false, nil // an internationalised host or an IPv6 zone: net/http rewrites it
		}
		if c <= ' ' || c == 0x7f || c == '/' || c == '\\' || c == '?' || c == '#' {
			return nil, true, fmt.Errorf("%w: bad host %q", ErrInvalidRequest, u.Host)
		}
	}
	if !httpsyntax.IsToken(method) {
		return nil, true, fmt.Errorf("%w: bad method %q", ErrInvalidRequest, method)
	}
	for i := 0; i < len(u.RawQuery); i++ {
		if c := u.RawQuery[i]; c <= ' ' || c == 0x7f {
			return nil, true, fmt.Errorf("%w: control character or space in the URL query", ErrInvalidRequest)
		}
	}
	for k, vs := range h {
		if !httpsyntax.IsToken(k) {
			return nil, true, fmt.Errorf("%w: bad header name %q", ErrInvalidRequest, truncate(k))
		}
		for _, v := range vs {
			if !httpsyntax.IsFieldValue(v) {
				return nil, true, fmt.Errorf("%w: bad value for header %q", ErrInvalidRequest, k)
			}
		}
		if !excludedHeader(k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	o.method, o.u, o.h, o.body = method, u, h, body
	o.userAgent = defaultUserAgent
	if _, ok := h["User-Agent"]; ok {
		o.userAgent = first(h, "User-Agent")
	}
	o.gzip = t.compress && first(h, "Accept-Encoding") == "" && first(h, "Range") == "" && method != http.MethodHead
	// A caller's Connection header is honoured for "close" and otherwise
	// dropped: the fast path manages the connection, and its other tokens
	// mean nothing to an HTTP/1.1 server (excludedHeader).
	o.close = !t.keepAlive || hasToken(h["Connection"], "close")
	return keys, true, nil
}

// first returns the first value of h[k], or "".
func first(h http.Header, k string) string {
	if vs := h[k]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// sendsLength reports whether net/http sends a Content-Length for a
// request of method with a body of n bytes.
func sendsLength(method string, n int) bool {
	return n > 0 || method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch
}

// write writes the request head, with the headers named by keys, and the
// body to bw; the caller flushes.
func (o *outRequest) write(bw *bufio.Writer, keys []string) error {
	_, _ = bw.WriteString(o.method)
	_ = bw.WriteByte(' ')
	path := o.u.EscapedPath()
	if path == "" {
		path = "/"
	}
	_, _ = bw.WriteString(path)
	if o.u.ForceQuery || o.u.RawQuery != "" {
		_ = bw.WriteByte('?')
		_, _ = bw.WriteString(o.u.RawQuery)
	}
	_, _ = bw.WriteString(" HTTP/1.1\r\nHost: ")
	_, _ = bw.WriteString(o.u.Host)
	_, _ = bw.WriteString("\r\n")
	if o.userAgent != "" {
		writeField(bw, "User-Agent", o.userAgent)
	}
	if sendsLength(o.method, len(o.body)) {
		_, _ = bw.WriteString("Content-Length: ")
		_, _ = bw.Write(strconv.AppendInt(bw.AvailableBuffer(), int64(len(o.body)), 10))
		_, _ = bw.WriteString("\r\n")
	}
	for _, k := range keys {
		for _, v := range o.h[k] {
			writeField(bw, k, v)
		}
	}
	if o.gzip {
		_, _ = bw.WriteString("Accept-Encoding: gzip\r\n")
	}
	if o.close {
		_, _ = bw.WriteString("Connection: close\r\n")
	}
	_, _ = bw.WriteString("\r\n")
	_, err := bw.Write(o.body)
	return err
}

// writeField writes "k: v\r\n" with v trimmed as net/http trims it.
func writeField(bw *bufio.Writer, k, v string) {
	_, _ = bw.WriteString(k)
	_, _ = bw.WriteString(": ")
	_, _ = bw.WriteString(strings.Trim(v, " \t"))
	_, _ = bw.WriteString("\r\n")
}
