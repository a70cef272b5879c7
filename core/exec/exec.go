// Package exec runs a compiled [plan.Plan] for one request: route, validate,
// fan out to the backends, shape and merge their responses in declaration
// order, decide the status, and encode the body once.
//
// The request and response types are plain structs with no transport in
// them; adapters convert to and from them.
//
// # The request pipeline
//
// [Gateway.Serve] is one visible sequence (krakend-compat.md §8), the same
// for every transport:
//
//  1. the body: a declared size over the largest cap is refused without
//     reading, a body of unknown length is read under it (413);
//  2. the service stages, plan.Plan.Stages, before routing;
//  3. the route (404, 405, redirects), the endpoint's body cap (413), the
//     path-param rules and the query (400), then a body of declared length
//     is read;
//  4. the endpoint stages, plan.Endpoint.Stages;
//  5. the backends, concurrently; each call runs its backend's stages,
//     plan.Backend.Stages, then the call, then the response side of §9
//     (status, size, decode, target, allow/deny, mapping, group);
//  6. the merge in declaration order, the status rules, the encoding.
//
// Features plug in as stages (package stage): values with one method that
// core/plan compiles from the config in the order the spec gives. A stage
// ends a request by returning a reply, fails a backend call by returning an
// error, and adds headers to the answer through Exchange.Respond. A request
// whose endpoint has no stages builds no Exchange and pays nothing for the
// seam. See Example_stage.
package exec

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/tributary-gw/tributary/core/backend"
	"github.com/tributary-gw/tributary/core/observe"
	"github.com/tributary-gw/tributary/core/plan"
	"github.com/tributary-gw/tributary/core/route"
	"github.com/tributary-gw/tributary/core/shape"
	"github.com/tributary-gw/tributary/core/stage"
	"github.com/tributary-gw/tributary/core/urltpl"
)

// Header names the gateway sets on responses.
const (
	// HeaderCompleted is true iff every backend of the endpoint succeeded.
	HeaderCompleted = "X-Tributary-Completed"
	// ContentTypeJSON is the Content-Type of every JSON body the gateway
	// encodes.
	ContentTypeJSON = "application/json; charset=utf-8"
	// ContentTypeText is the Content-Type of the string output encoding.
	ContentTypeText = "text/plain; charset=utf-8"
	// AgentName is sent as User-Agent (or X-Forwarded-Via) to backends.
	AgentName = "Tributary"
)

// Request is one inbound request, as an adapter hands it to the gateway.
type Request struct {
	// Method is the request method exactly as received.
	Method string
	// RawPath is the escaped request path (URL.EscapedPath()).
	RawPath string
	// RawQuery is the raw query without "?".
	RawQuery string
	// Header holds the inbound headers. It is read, never modified.
	Header http.Header
	// Host is the client's Host, or "" when there is none (direct invoke).
	Host string
	// ClientIP is the resolved client address, or "" when unknown.
	ClientIP string
	// TLS reports that the client used HTTPS (see stage.Exchange.TLS).
	TLS bool
	// Body is the request body; nil means none.
	Body io.Reader
	// ContentLength is the declared body length, or -1 when unknown.
	ContentLength int64
	// RequestID is the request's id, assigned by the adapter (a validated
	// client X-Request-Id or a generated one), or "" for none.
	RequestID string
}

// Response is the complete answer. Nothing is written before it exists, so
// a 200 is always a whole document.
type Response struct {
	// Status is the HTTP status code.
	Status int
	// Header holds the response headers, Content-Type included.
	Header http.Header
	// Route is the matched template, for access logs ("" when no route
	// matched).
	Route string

	// body is the encoded body, unless segments hold it: a large JSON
	// document written as byte ranges, most of them slices of backend
	// bodies. Len, WriteTo and Bytes read whichever holds it, so callers
	// never see half of a body.
	body     []byte
	segments [][]byte
	size     int
	// release are the backend responses whose bodies the response refers
	// to; Release hands them back.
	release []*backend.Response
	// backends is the number of backends the endpoint called (Backends).
	backends int
}

// Options configure a Gateway. The zero value works.
type Options struct {
	// Client is the upstream client. Default: one built from the plan's
	// transport options.
	Client *backend.Client
	// Logger receives backend failures. Default: discard.
	Logger *slog.Logger
	// DeadlineMargin is kept free before a deadline the caller's context
	// carries, so the response is written before it passes: the Lambda
	// composition root sets the invocation's margin (§15). Default 0.
	DeadlineMargin time.Duration
	// CancelShadows cancels the shadow backend calls of a request that are
	// still running when its response is ready, and returns from Serve
	// only once they have ended: the Lambda composition root sets it,
	// because nothing may run after a Lambda handler returns. A server
	// leaves it false: the response does not wait for shadow calls, each
	// bounded by its shadow_timeout (§17.17).
	CancelShadows bool
	// MaxShadowCalls bounds the shadow calls in flight in the gateway; a
	// request that finds the bound reached skips its shadow call (counted
	// by ShadowsSkipped). Default DefaultMaxShadowCalls.
	MaxShadowCalls int
	// Observer watches every request besides the plan's own observer
	// (plan.Plan.Observer): `tributary run -d` adds the dashboard's.
	// Default none.
	Observer observe.Observer
}

// Gateway executes a plan. It is safe for concurrent use.
type Gateway struct {
	plan   *plan.Plan
	client *backend.Client
	log    *slog.Logger
	margin time.Duration // Options.DeadlineMargin
	// shadows is nil unless some endpoint has a shadow backend.
	shadows *shadowState
	// obs is nil unless something observes requests (plan.Plan.Observer,
	// Options.Observer); inject is obs.Propagates().
	obs    observe.Observer
	inject bool
}

// New returns a gateway for p.
func New(p *plan.Plan, o Options) *Gateway {
	g := &Gateway{plan: p, client: o.Client, log: o.Logger, margin: max(o.DeadlineMargin, 0), shadows: newShadowState(p, o)}
	if g.obs = observe.Join(p.Observer, o.Observer); g.obs != nil {
		g.inject = g.obs.Propagates()
	}
	if g.client == nil {
		g.client = backend.NewClient(p.Transport)
	}
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	return g
}

// Plan returns the plan the gateway runs.
func (g *Gateway) Plan() *plan.Plan { return g.plan }

// Client returns the upstream client (for CloseIdleConnections after a
// Lambda thaw).
func (g *Gateway) Client() *backend.Client { return g.client }

// Serve answers one request. It never panics on bad input; a panic in a
// backend goroutine becomes that backend's failure.
//
// The request goes through the pipeline of krakend-compat.md §8 in this
// order: the body size, the service stages (plan.Plan.Stages), the route,
// the endpoint's body cap, the path params, the query, the body, the
// endpoint stages
// (plan.Endpoint.Stages), then the backends, each behind its own stages
// (plan.Backend.Stages). Headers the stages add to Exchange.Respond go on
// whatever answer comes out.
func (g *Gateway) Serve(ctx context.Context, r *Request) *Response {
	if g.obs != nil {
		return g.serveObserved(ctx, r)
	}
	return g.serve(ctx, time.Now(), r)
}

// Observer returns what observes the gateway's requests, or nil: a Lambda
// function flushes it (observe.Flusher) before each invocation returns.
func (g *Gateway) Observer() observe.Observer { return g.obs }

// serveObserved is Serve with an observer watching.
func (g *Gateway) serveObserved(ctx context.Context, r *Request) *Response {
	rec := &observe.Request{
		Start:     time.Now(),
		Method:    r.Method,
		Path:      r.RawPath,
		RawQuery:  r.RawQuery,
		Header:    r.Header,
		ClientIP:  r.ClientIP,
		RequestID: r.RequestID,
	}
	ctx = observe.WithRequest(g.obs.Begin(ctx, rec), rec)
	resp := g.serve(ctx, rec.Start, r)
	rec.Status, rec.Bytes, rec.Duration = resp.Status, resp.Len(), time.Since(rec.Start)
	if rec.Route == "" {
		rec.Route = resp.Route
	}
	if v := resp.Header[HeaderCompleted]; len(v) == 1 {
		rec.Complete = v[0] == "true"
	}
	g.obs.End(ctx, rec)
	return resp
}

// serve is Serve for a request that arrived at arrival.
func (g *Gateway) serve(ctx context.Context, arrival time.Time, r *Request) *Response {
	if r.ContentLength > g.plan.MaxBodyBytes {
		// Refused before routing, without reading (§8 stage 2).
		return g.errorResponse(http.StatusRequestEntityTooLarge, "payload_too_large", tooLarge(g.plan.MaxBodyBytes).Error())
	}
	// A body of unknown length (chunked) is read now, up to the largest
	// cap (§8 stage 2): an oversize upload is a 413 whatever its path. A
	// declared length is checked against its endpoint's cap after routing,
	// and only then read.
	var body []byte
	if r.ContentLength < 0 {
		var err error
		if body, err = readBody(r.Body, r.ContentLength, g.plan.MaxBodyBytes); err != nil {
			return g.bodyError(err)
		}
	}
	var x *stage.Exchange
	if len(g.plan.Stages) > 0 {
		x = g.newExchange(r, body)
		if resp := g.runStages(ctx, g.plan.Stages, x); resp != nil {
			return withRespond(x, resp)
		}
	}
	resp, x := g.serveRoute(ctx, arrival, r, body, x)
	return withRespond(x, resp)
}

// serveRoute routes r, whose body is already read, and runs its endpoint.
// x is the request's Exchange when a stage has run already, else nil; the
// one in use is returned.
func (g *Gateway) serveRoute(ctx context.Context, arrival time.Time, r *Request, body []byte, x *stage.Exchange) (*Response, *stage.Exchange) {
	var pbuf [8]route.Param
	params := pbuf[:0]
	if g.plan.MaxParams > len(pbuf) {
		params = make([]route.Param, 0, g.plan.MaxParams)
	}
	res := g.plan.Routes.Lookup(r.Method, r.RawPath, r.RawQuery, params)
	if res.Kind == route.Found || res.Kind == route.BadParam {
		// The endpoint's own cap comes with the body (§8 stage 2), before
		// the param and query rules (stage 6).
		if ep := g.plan.Endpoints[res.Route]; r.ContentLength > ep.MaxBodyBytes || int64(len(body)) > ep.MaxBodyBytes {
			return g.routed(arrival, ep, g.errorResponse(http.StatusRequestEntityTooLarge, "payload_too_large", tooLarge(ep.MaxBodyBytes).Error())), x
		}
	}
	switch res.Kind {
	case route.Found:
	case route.MethodNotAllowed:
		if r.Method == http.MethodOptions && g.plan.Router.AutoOptions {
			return optionsResponse(res.Allow), x
		}
		resp := g.errorResponse(http.StatusMethodNotAllowed, "method_not_allowed", "method "+r.Method+" is not allowed on this path")
		resp.Header.Set("Allow", res.Allow)
		return resp, x
	case route.Redirect:
		h := make(http.Header, 2)
		h.Set("Location", res.Location)
		return &Response{Status: res.Status, Header: h}, x
	case route.BadPath, route.BadParam:
		return g.errorResponse(http.StatusBadRequest, "invalid_path", res.Message), x
	default:
		if r.Method == http.MethodOptions && g.plan.Router.AutoOptions {
			if allow := g.plan.Routes.Allowed(r.RawPath); allow != "" {
				return optionsResponse(allow), x
			}
		}
		return g.errorResponse(http.StatusNotFound, "not_found", "no endpoint matches "+r.Method+" "+truncate(r.RawPath, 256)), x
	}
	ep := g.plan.Endpoints[res.Route]
	q, err := urltpl.ParseQuery(r.RawQuery)
	if err != nil {
		return g.routed(arrival, ep, g.errorResponse(http.StatusBadRequest, "invalid_query", err.Error())), x
	}
	if r.ContentLength > 0 {
		if body, err = readBody(r.Body, r.ContentLength, ep.MaxBodyBytes); err != nil {
			return g.routed(arrival, ep, g.bodyError(err)), x
		}
	}
	if x != nil && !usesStages(ep) {
		// Only service stages ran: nothing reads the params (no endpoint,
		// backend or response stage), and no stage can change them.
		x.Route, x.Body = ep.Path, body
	} else if x != nil || usesStages(ep) {
		if x == nil {
			x = g.newExchange(r, body)
		}
		x.Route, x.Params, x.Body = ep.Path, stageParams(res.Params), body
		if resp := g.runStages(ctx, ep.Stages, x); resp != nil {
			return g.routed(arrival, ep, resp), x
		}
		// A stage may have replaced the body or a param (Lua).
		body, res.Params = x.Body, stagedParams(x, res.Params)
	}
	return g.routed(arrival, ep, g.execute(ctx, arrival, ep, res.Params, q, r, body, x)), x
}

// routed stamps resp with its route and records it in the router
// metrics when telemetry/metrics is on.
func (g *Gateway) routed(arrival time.Time, ep *plan.Endpoint, resp *Response) *Response {
	resp.Route = ep.Path
	if m := ep.Metrics; m != nil {
		m.Response(resp.Status, resp.Len(), time.Since(arrival))
	}
	return resp
}

func optionsResponse(allow string) *Response {
	h := make(http.Header, 1)
	h.Set("Allow", allow+", OPTIONS")
	return &Response{Status: http.StatusOK, Header: h}
}

var errBodyTooLarge = errors.New("request body too large")

// bodyError is the answer to a body that could not be read whole: 413 over
// a cap, else 400.
func (g *Gateway) bodyError(err error) *Response {
	if errors.Is(err, errBodyTooLarge) {
		return g.errorResponse(http.StatusRequestEntityTooLarge, "payload_too_large", err.Error())
	}
	return g.errorResponse(http.StatusBadRequest, "bad_request", "reading the request body: "+err.Error())
}

// readBody reads the whole request body, refusing more than limit bytes
// (an oversize Content-Length is refused before reading).
func readBody(r io.Reader, contentLength, limit int64) ([]byte, error) {
	if r == nil || r == http.NoBody || contentLength == 0 {
		return nil, nil
	}
	if contentLength > limit {
		return nil, tooLarge(limit)
	}
	size := int64(512)
	if contentLength > 0 {
		size = contentLength + 1
	}
	buf := make([]byte, 0, min(size, limit+1))
	for {
		if int64(len(buf)) > limit {
			return nil, tooLarge(limit)
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):min(int64(cap(buf)), limit+1)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			if int64(len(buf)) > limit {
				return nil, tooLarge(limit)
			}
			if len(buf) == 0 {
				return nil, nil
			}
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func tooLarge(limit int64) error {
	return &limitError{limit: limit}
}

type limitError struct{ limit int64 }

func (e *limitError) Error() string {
	return "request body larger than " + strconv.FormatInt(e.limit, 10) + " bytes"
}

func (e *limitError) Is(target error) bool { return target == errBodyTooLarge }

// errorResponse builds a gateway error: {"error":code,"message":msg}.
func (g *Gateway) errorResponse(status int, code, msg string) *Response {
	h := make(http.Header, 3)
	h.Set("Content-Type", ContentTypeJSON)
	h.Set(HeaderCompleted, "false")
	var body []byte
	switch {
	case status == http.StatusNotFound && g.plan.Router.ErrorBody404 != nil:
		body = g.plan.Router.ErrorBody404
	case status == http.StatusMethodNotAllowed && g.plan.Router.ErrorBody405 != nil:
		body = g.plan.Router.ErrorBody405
	default:
		body = ErrorBody(code, msg)
	}
	return &Response{Status: status, Header: h, body: body}
}

// ErrorBody encodes a gateway error body (krakend-compat §14.4).
func ErrorBody(code, msg string) []byte {
	b := make([]byte, 0, 32+len(code)+len(msg))
	b = append(b, `{"error":`...)
	b = shape.AppendString(b, code)
	b = append(b, `,"message":`...)
	b = shape.AppendString(b, msg)
	return append(b, '}')
}

// NewResponse returns a complete response with body as its encoded body,
// for adapters that answer on their own (built-in endpoints). body must not
// be modified afterwards.
func NewResponse(status int, h http.Header, body []byte) *Response {
	return &Response{Status: status, Header: h, body: body}
}

// ErrorResponse is a gateway-generated error response for adapters (built-in
// endpoints, recovered panics).
func ErrorResponse(status int, code, msg string) *Response {
	h := make(http.Header, 3)
	h.Set("Content-Type", ContentTypeJSON)
	h.Set(HeaderCompleted, "false")
	return &Response{Status: status, Header: h, body: ErrorBody(code, msg)}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
