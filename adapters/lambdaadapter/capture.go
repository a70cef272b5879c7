package lambdaadapter

import (
	"errors"
	"net/http"
	"strings"

	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// errResponseTooLarge is returned by capture.Write once the body passes the
// Lambda response cap; the answer will be 502 bad_gateway.
var errResponseTooLarge = errors.New("lambdaadapter: response larger than the 6 MB Lambda limit")

// sniffLen is how many body bytes net/http's content sniffing looks at.
const sniffLen = 512

// result is a finished response, ready to encode in a trigger's format.
type result struct {
	status int
	header http.Header // final: filtered, Content-Type sniffed
	body   []byte      // nil for HEAD and bodiless statuses
	over   bool        // the body passed the response cap
}

// capture is the http.ResponseWriter handed to the handler (lambda.md R4):
// net/http semantics, fully buffered. The first WriteHeader wins, a Write
// implies 200, and so does writing nothing. 1xx statuses are ignored. The
// header is snapshotted at WriteHeader, as net/http does. At most
// maxResponseBytes+1 body bytes are kept. It is not an http.Flusher:
// nothing streams.
type capture struct {
	header    http.Header
	snapshot  http.Header
	status    int
	head      bool // HEAD request: the body is dropped
	body      []byte
	over      bool
	badStatus bool
}

func newCapture(head bool) *capture {
	return &capture{header: make(http.Header), head: head}
}

// Header implements http.ResponseWriter.
func (c *capture) Header() http.Header { return c.header }

// WriteHeader implements http.ResponseWriter. A status outside 100-999
// (which makes net/http panic) becomes 500 internal_error.
func (c *capture) WriteHeader(code int) {
	if c.status != 0 {
		return
	}
	if code < 100 || code > 999 {
		c.badStatus = true
		c.status = http.StatusInternalServerError
		return
	}
	if code < 200 {
		return
	}
	c.status = code
	c.snapshot = c.header.Clone()
}

// Write implements http.ResponseWriter.
func (c *capture) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.WriteHeader(http.StatusOK)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if !bodyAllowed(c.status) {
		return 0, http.ErrBodyNotAllowed
	}
	if c.head {
		// Keep just enough for Content-Type sniffing.
		if room := sniffLen - len(c.body); room > 0 {
			c.body = append(c.body, p[:min(room, len(p))]...)
		}
		return len(p), nil
	}
	room := maxResponseBytes + 1 - len(c.body)
	if len(p) > room {
		c.body = append(c.body, p[:room]...)
		c.over = true
		return room, errResponseTooLarge
	}
	c.body = append(c.body, p...)
	return len(p), nil
}

// WriteString implements io.StringWriter.
func (c *capture) WriteString(s string) (int, error) {
	return c.Write([]byte(s))
}

// bodyAllowed reports whether a status may carry a body (net/http's rule).
func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// finish returns the response as a client would receive it.
func (c *capture) finish() result {
	if c.badStatus {
		return errorResult(errInternal())
	}
	if c.status == 0 {
		c.WriteHeader(http.StatusOK)
	}
	h := c.snapshot
	cleanResponseHeader(h)
	if _, ok := h["Content-Type"]; !ok && len(c.body) > 0 && bodyAllowed(c.status) {
		h["Content-Type"] = []string{http.DetectContentType(c.body[:min(len(c.body), sniffLen)])}
	}
	body := c.body
	if c.head || !bodyAllowed(c.status) {
		body = nil
	}
	return result{status: c.status, header: h, body: body, over: c.over}
}

// cleanResponseHeader drops hop-by-hop, framing and trailer headers, the
// headers named by Connection, and names net/http would refuse to write,
// and replaces control characters in values with spaces (net/http
// replaces CR and LF).
func cleanResponseHeader(h http.Header) {
	for _, v := range h["Connection"] {
		for name := range strings.SplitSeq(v, ",") {
			if name = strings.TrimSpace(name); name != "" {
				delete(h, http.CanonicalHeaderKey(name))
			}
		}
	}
	for _, k := range httpsyntax.HopByHop() {
		delete(h, k)
	}
	delete(h, "Content-Length") // framing is the trigger's
	for k, vs := range h {
		if !httpsyntax.IsToken(k) || strings.HasPrefix(k, http.TrailerPrefix) {
			delete(h, k)
			continue
		}
		for i, v := range vs {
			if !httpsyntax.IsFieldValue(v) {
				vs[i] = replaceControls(v)
			}
		}
	}
}

// replaceControls replaces every control character but tab with a space.
func replaceControls(v string) string {
	b := []byte(v)
	for i, c := range b {
		if c < 0x20 && c != '\t' || c == 0x7f {
			b[i] = ' '
		}
	}
	return string(b)
}
