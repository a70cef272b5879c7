package backend

import (
	"net/http"
	"net/textproto"
	"strings"
)

// hopByHop lists the response headers that describe one connection, not
// the message (RFC 9110 §7.6.1), plus the framing headers the gateway
// recomputes. They never leave this package.
var hopByHop = [...]string{
	"Connection",
	"Keep-Alive",
	"Proxy-Connection",
	"Proxy-Authenticate",
	"Proxy-Authorization",
	"Te",
	"Trailer",
	"Transfer-Encoding",
	"Upgrade",
	"Content-Length",
}

// cleanResponseHeader removes hop-by-hop headers, the headers named in
// Connection, and the framing headers from h, in place. h comes from the
// transport and belongs to this call.
func cleanResponseHeader(h http.Header) {
	if len(h) == 0 {
		return
	}
	for _, v := range h["Connection"] {
		for f := range strings.SplitSeq(v, ",") {
			if f = textproto.TrimString(f); f != "" {
				delete(h, http.CanonicalHeaderKey(f))
			}
		}
	}
	for _, k := range hopByHop {
		delete(h, k)
	}
}
