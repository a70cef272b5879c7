package lambdaadapter

import (
	"net/http"
	"strconv"

	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// hostChars are the bytes net/http accepts in a Host header.
var hostChars = [256]bool{
	'!': true, '$': true, '%': true, '&': true, '\'': true, '(': true, ')': true, '*': true,
	'+': true, ',': true, '-': true, '.': true, ':': true, ';': true, '=': true, '[': true,
	']': true, '_': true, '~': true,
	'0': true, '1': true, '2': true, '3': true, '4': true, '5': true, '6': true, '7': true, '8': true, '9': true,
	'A': true, 'B': true, 'C': true, 'D': true, 'E': true, 'F': true, 'G': true, 'H': true, 'I': true,
	'J': true, 'K': true, 'L': true, 'M': true, 'N': true, 'O': true, 'P': true, 'Q': true, 'R': true,
	'S': true, 'T': true, 'U': true, 'V': true, 'W': true, 'X': true, 'Y': true, 'Z': true,
	'a': true, 'b': true, 'c': true, 'd': true, 'e': true, 'f': true, 'g': true, 'h': true, 'i': true,
	'j': true, 'k': true, 'l': true, 'm': true, 'n': true, 'o': true, 'p': true, 'q': true, 'r': true,
	's': true, 't': true, 'u': true, 'v': true, 'w': true, 'x': true, 'y': true, 'z': true,
}

// validHost reports whether h is a Host value net/http would accept.
func validHost(h string) bool {
	for i := 0; i < len(h); i++ {
		if !hostChars[h[i]] {
			return false
		}
	}
	return true
}

// checkMethod validates an event's method: present, and a token.
func checkMethod(m string) *httpError {
	if m == "" {
		return errInvalidEvent("the event has no HTTP method")
	}
	if !httpsyntax.IsToken(m) {
		return errBadRequest("invalid HTTP method")
	}
	return nil
}

// checkRawQuery validates a query copied verbatim into RawQuery the way a
// request line is validated: no control characters, spaces or '#'.
// Percent-encoding, semicolons and the parameter caps are left to the
// gateway core, exactly as in server mode, so the answer is the same
// (lambda.md §3).
func checkRawQuery(q string) *httpError {
	for i := 0; i < len(q); i++ {
		if c := q[i]; c <= ' ' || c == 0x7f || c == '#' {
			return errInvalidQuery("the query string contains a control character, a space or '#'")
		}
	}
	return nil
}

// headerBuilder builds a request header from event pairs, validating each
// field and enforcing the header caps (security.md §3).
type headerBuilder struct {
	h        http.Header
	vals     []string // one backing array for single-valued fields
	fields   int
	bytes    int
	maxBytes int
	err      *httpError
}

func newHeaderBuilder(n, maxBytes int) *headerBuilder {
	n = min(n, maxHeaderFields)
	return &headerBuilder{h: make(http.Header, n), vals: make([]string, 0, n), maxBytes: maxBytes}
}

// add adds one field; false (with b.err set) when it is invalid or over a
// cap.
func (b *headerBuilder) add(name, value string) bool {
	if b.err != nil {
		return false
	}
	if !httpsyntax.IsToken(name) {
		b.err = errBadRequest("invalid header name")
		return false
	}
	if !httpsyntax.IsFieldValue(value) {
		b.err = errBadRequest("invalid value in header " + strconv.Quote(truncate(name, 64)))
		return false
	}
	if !b.count(len(name) + len(value)) {
		return false
	}
	key := http.CanonicalHeaderKey(name)
	if vs, ok := b.h[key]; ok {
		b.h[key] = append(vs, value)
	} else if len(b.vals) < cap(b.vals) {
		b.vals = append(b.vals, value)
		b.h[key] = b.vals[len(b.vals)-1 : len(b.vals) : len(b.vals)]
	} else {
		b.h[key] = []string{value}
	}
	return true
}

// count accounts one field of n bytes against the caps.
func (b *headerBuilder) count(n int) bool {
	b.fields++
	b.bytes += n + 4 // ": " and CRLF
	if b.fields > maxHeaderFields {
		b.err = errHeadersTooLarge("more than " + strconv.Itoa(maxHeaderFields) + " header fields")
		return false
	}
	if b.bytes > b.maxBytes {
		b.err = errHeadersTooLarge("the request headers are larger than " + strconv.Itoa(b.maxBytes) + " bytes")
		return false
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
