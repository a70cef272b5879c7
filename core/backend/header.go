package backend

import (
	"net/http"
	"net/textproto"
	"strings"

	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// cleanResponseHeader removes from h, in place, the hop-by-hop headers
// (httpsyntax.HopByHop), the headers named in Connection, and
// Content-Length, which the gateway recomputes. h comes from the transport
// and belongs to this call.
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
	for _, k := range httpsyntax.HopByHop() {
		delete(h, k)
	}
	delete(h, "Content-Length")
}
