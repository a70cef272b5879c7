package lambdaadapter

import (
	"context"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/tributary-gw/tributary/internal/authorizer"
)

// serveREST serves a REST API v1 event through api-proxy's
// httpadapter.ProxyWithContext (lambda.md §3), after our own validation
// and base-path trim (B9), with guard in front of the handler. The
// response status and headers go through api-proxy's ProxyResponseWriter;
// the body stays in our capture writer, because R5 re-encodes it anyway.
func (a *Adapter) serveREST(ctx context.Context, event []byte) []byte {
	ev, e := a.parseEvent(event)
	var in *inbound
	if e == nil {
		in, e = a.buildREST(ev)
	}
	if e != nil {
		return encodeResponse(trigREST, false, errorResult(e))
	}
	g := &guard{a: a, in: in}
	if ev.authorizer != nil {
		ctx = authorizer.NewContext(ctx, ev.authorizer)
	}
	resp, err := httpadapter.New(g).ProxyWithContext(ctx, events.APIGatewayProxyRequest{
		HTTPMethod:        in.method,
		Path:              in.url.EscapedPath(),
		MultiValueHeaders: in.header,
		Body:              ev.body,
		IsBase64Encoded:   ev.isBase64,
		RequestContext: events.APIGatewayProxyRequestContext{
			// The host is the guard's business; an empty domain name keeps
			// api-proxy's URL parse independent of untrusted input.
			Stage:    ev.stage,
			Identity: events.APIGatewayRequestIdentity{SourceIP: ev.identitySource},
		},
	})
	if err != nil || !g.served {
		// Not reachable after buildREST's checks unless the environment
		// sets GO_API_HOST to something unparsable.
		return encodeResponse(trigREST, false, errorResult(errInternal()))
	}
	return encodeResponse(trigREST, false, result{
		status: resp.StatusCode,
		header: http.Header(resp.MultiValueHeaders),
		body:   g.res.body,
		over:   g.res.over,
	})
}

// guard runs inside api-proxy in front of the handler and repairs what
// api-proxy gets wrong (lambda.md §3, §3.1): the request's method, URL
// (path and the sorted query, P11/B11), request target, Host (from the
// Host header, else domainName) and RemoteAddr ("ip:0") are ours; the
// Host field and every X-Golambdaproxy-* header are removed (B6); framing
// headers describe the body; panics are recovered; and api-proxy's writer
// always gets exactly one WriteHeader, 200 when the handler wrote nothing
// (B7).
type guard struct {
	a      *Adapter
	in     *inbound
	res    result
	served bool
}

// ServeHTTP implements http.Handler.
func (g *guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.served = true
	r.Method = g.in.method
	r.URL = g.in.url
	r.RequestURI = g.in.requestURI()
	r.Host = g.in.host
	r.RemoteAddr = g.in.remoteAddr
	delete(r.Header, "Host")
	for k := range r.Header {
		if strings.HasPrefix(k, "X-Golambdaproxy-") {
			delete(r.Header, k)
		}
	}
	normalizeLength(r.Header, int(r.ContentLength))
	g.res = g.a.run(r)
	dst := w.Header()
	for k, v := range g.res.header {
		dst[k] = v
	}
	w.WriteHeader(g.res.status)
}
