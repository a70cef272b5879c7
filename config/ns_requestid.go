package config

import (
	"net/http"
	"strings"

	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// Request ids and the access log's query redaction: the service options
// tributary.request_id and tributary.access_log. Both are Tributary
// extensions; KrakenD has neither.

// DefaultRequestIDHeader is the header a request id is read from, echoed
// in and forwarded as, unless tributary.request_id.header says otherwise.
const DefaultRequestIDHeader = "X-Request-Id"

// RequestID is the service option tributary.request_id. Every request gets
// an id whatever it says (a valid one the client sent, or a generated
// one): it goes into the access line and every backend-failure line.
type RequestID struct {
	// Header is the header the id is read from, echoed in and forwarded
	// as, canonicalised. Default DefaultRequestIDHeader.
	Header string
	// TrustClient takes a valid id the client sent in Header instead of
	// generating one. Default true.
	TrustClient bool
	// Echo sends the id to the client in Header on every response the
	// gateway writes. Default true.
	Echo bool
	// Forward sends the id to the backends in Header, replacing any value
	// the client sent. Default false: backends see the client's header
	// only when input_headers lets it through, as in KrakenD.
	Forward bool
}

// DefaultRequestID returns the request-id settings of a config without
// tributary.request_id.
func DefaultRequestID() RequestID {
	return RequestID{Header: DefaultRequestIDHeader, TrustClient: true, Echo: true}
}

// requestID decodes the service option tributary.request_id.
func (l *loader) requestID(c *Config, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	r := DefaultRequestID()
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "header":
			if h, ok := l.str(mv, path, m.key); ok {
				if reason := requestIDHeaderProblem(h); reason != "" {
					l.errNode(mv, keyPath(path, m.key), "request id header "+quoteJSON(h)+" "+reason,
						`use a custom header such as "X-Request-Id" or "X-Correlation-Id"`)
				} else {
					r.Header = http.CanonicalHeaderKey(h)
				}
			}
		case "trust_client":
			l.setBool(&r.TrustClient, mv, path, m.key)
		case "echo":
			l.setBool(&r.Echo, mv, path, m.key)
		case "forward":
			l.setBool(&r.Forward, mv, path, m.key)
		default:
			l.unknownKey(objRequestID, path, m)
		}
	}
	c.RequestID = &r
}

// requestIDHeaderProblem says why h cannot carry request ids, or "".
// Headers with a meaning of their own to HTTP or to the gateway are
// refused: echoing or forwarding an id in them would break the exchange.
func requestIDHeaderProblem(h string) string {
	if !httpsyntax.IsToken(h) {
		return "is not a valid header name"
	}
	c := http.CanonicalHeaderKey(h)
	if httpsyntax.IsHopByHop(c) {
		return "is a hop-by-hop header"
	}
	switch c {
	case "Host", "Content-Length", "Content-Type", "Content-Encoding", "Authorization", "Proxy-Authorization",
		"Cookie", "Set-Cookie", "Location", "Allow", "Vary", "Cache-Control", "Forwarded", "X-Real-Ip",
		"User-Agent", "Accept", "Accept-Encoding", "X-Tributary-Completed", "X-Krakend-Completed",
		"X-Tributary-Version":
		return "has a meaning of its own"
	}
	if strings.HasPrefix(c, "X-Forwarded-") || strings.HasPrefix(c, "Access-Control-") {
		return "has a meaning of its own"
	}
	return ""
}

// accessLogOptions decodes the service option tributary.access_log.
func (l *loader) accessLogOptions(c *Config, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "redact_query":
			list, ok := l.strList(mv, path, m.key)
			if !ok {
				continue
			}
			for i, name := range list {
				if name == "" {
					l.errAt(mv.elems[i].pos, keyIndexPath(path, m.key, i), "empty parameter name", "")
					ok = false
				}
			}
			if ok {
				c.RedactQuery = list
			}
		case "query_values":
			l.setBool(&c.AccessLogQueryValues, mv, path, m.key)
		default:
			l.unknownKey(objAccessLog, path, m)
		}
	}
}
