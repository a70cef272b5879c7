package exec

import (
	"net/http"
	"strings"

	"github.com/tributary-gw/tributary/core/plan"
	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// gatewaySet are the headers the gateway writes itself; client copies are
// always dropped first (krakend-compat §7.1 step 2).
var gatewaySet = map[string]bool{
	"X-Forwarded-For":  true,
	"X-Forwarded-Host": true,
	"X-Forwarded-Via":  true,
}

// neverForwarded are refused even when listed explicitly.
func neverForwarded(name string) bool {
	return httpsyntax.IsHopByHop(name) || name == "Host" || name == "Content-Length"
}

// starExcluded are the extra names "*" does not forward ([H4]).
func starExcluded(name string) bool {
	return name == "Forwarded" || name == "X-Real-Ip" ||
		strings.HasPrefix(name, "X-Forwarded-") || strings.IndexByte(name, '_') >= 0
}

// connectionNamed reports whether name is listed in the client's Connection
// header, which makes it hop-by-hop for this request.
func connectionNamed(in http.Header, name string) bool {
	for _, v := range in["Connection"] {
		for f := range strings.SplitSeq(v, ",") {
			if http.CanonicalHeaderKey(strings.TrimSpace(f)) == name {
				return true
			}
		}
	}
	return false
}

// forwardHeaders builds the endpoint-level header set for the backends of
// one request (krakend-compat §7.1 steps 1–4). Values are shared with the
// inbound header, which is never modified.
func forwardHeaders(ep *plan.Endpoint, r *Request) http.Header {
	in := r.Header
	f := &ep.Headers
	out := make(http.Header, len(f.Names)+4)
	hasConn := len(in["Connection"]) > 0
	if f.All {
		for k, v := range in {
			if neverForwarded(k) || gatewaySet[k] || starExcluded(k) || (hasConn && connectionNamed(in, k)) {
				continue
			}
			out[k] = v
		}
	} else {
		for _, k := range f.Names {
			v, ok := in[k]
			if !ok || neverForwarded(k) || gatewaySet[k] || (hasConn && connectionNamed(in, k)) {
				continue
			}
			out[k] = v
		}
	}
	if ep.Output != plan.OutputNoOp {
		// The gateway asks for gzip itself (§7.1).
		delete(out, "Accept-Encoding")
	}
	if r.ClientIP != "" {
		out["X-Forwarded-For"] = []string{r.ClientIP}
	}
	if r.Host != "" {
		out["X-Forwarded-Host"] = []string{r.Host}
	}
	if _, ok := out["User-Agent"]; ok {
		out["X-Forwarded-Via"] = []string{AgentName}
	} else {
		out["User-Agent"] = []string{AgentName}
	}
	return out
}

// withRequestID sets the request id in h, the request's own header set
// (built by forwardHeaders for this request alone), under the configured
// name when the plan forwards ids: the gateway's value replaces any copy
// the client sent. A backend-level input_headers list filters it like the
// other headers the gateway adds.
func withRequestID(h http.Header, rules *plan.RequestIDRules, id string) http.Header {
	if rules.Forward && id != "" {
		h[rules.Header] = []string{id}
	}
	return h
}

// filterHeaders applies a backend-level list to the endpoint-built set,
// gateway-added headers included (krakend-compat §7.1 step 5). The result
// is a new map; User-Agent is always present so Go's default agent string
// never leaks.
func filterHeaders(h http.Header, f *plan.HeaderFilter) http.Header {
	out := make(http.Header, len(f.Names)+1)
	for k, v := range h {
		if f.Allows(k) {
			out[k] = v
		}
	}
	if _, ok := out["User-Agent"]; !ok {
		out["User-Agent"] = []string{AgentName}
	}
	return out
}

// dropFromPassthrough reports the backend response headers a no-op endpoint
// does not pass on: framing is recomputed, and the gateway's own header is
// set on top.
func dropFromPassthrough(name string) bool {
	return httpsyntax.IsHopByHop(name) || name == "Content-Length" || name == HeaderCompleted
}
