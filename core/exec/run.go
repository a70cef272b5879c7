package exec

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/tributary-gw/tributary/core/auth"
	"github.com/tributary-gw/tributary/core/backend"
	"github.com/tributary-gw/tributary/core/observe"
	"github.com/tributary-gw/tributary/core/plan"
	"github.com/tributary-gw/tributary/core/route"
	"github.com/tributary-gw/tributary/core/shape"
	"github.com/tributary-gw/tributary/core/stage"
	"github.com/tributary-gw/tributary/core/urltpl"
)

// result is the outcome of one backend call.
type result struct {
	data    shape.Object
	ok      bool // 2xx, decoded and shaped
	errData bool // data holds return_error_details error data
	timeout bool // failed because the budget or a transport timer expired
	err     error
	resp    *backend.Response // the raw response, when one arrived
}

// execute runs the endpoint's backends and builds the response.
// x is the request's Exchange when the endpoint has stages, else nil.
func (g *Gateway) execute(ctx context.Context, arrival time.Time, ep *plan.Endpoint, params []route.Param, q urltpl.Query, r *Request, body []byte, x *stage.Exchange) *Response {
	deadline := arrival.Add(ep.Timeout)
	if d, ok := ctx.Deadline(); ok {
		if d = d.Add(-g.margin); d.Before(deadline) {
			deadline = d
		}
	}
	bctx, cancel := context.WithDeadline(ctx, deadline.Add(-ep.Margin))
	defer cancel()

	c := call{
		g:      g,
		ep:     ep,
		params: params,
		header: withRequestID(withForward(forwardHeaders(ep, stagedRequest(r, x)), x), &g.plan.Edge.RequestID, r.RequestID),
		body:   body,
		x:      x,
		query:  q,
		// The shadow calls' failure lines carry it.
		requestID: r.RequestID,
		// Most backends inherit the endpoint's list: filter once.
		sharedQuery: q.Filter(ep.Query),
	}
	if x != nil && x.RawQuery != r.RawQuery {
		c.sharedQuery, c.rawQuery = x.RawQuery, true
	}

	if len(ep.Shadows) > 0 && g.shadows != nil {
		// Shadow calls start first, run beside the others, and never
		// reach the results (§17.17).
		if stop := g.startShadows(ctx, &c); stop != nil {
			defer stop()
		}
	}
	if g.obs != nil {
		if c.rec = observe.RequestFrom(ctx); c.rec != nil {
			c.rec.Route = ep.Path
			c.rec.Backends = make([]observe.Backend, len(ep.Backends))
			for i, b := range ep.Backends {
				c.rec.Backends[i] = observe.Backend{Index: i, Method: b.Method, Pattern: b.Pattern}
			}
		}
	}
	results := make([]result, len(ep.Backends))
	if ep.Sequential {
		c.sequential(bctx, results)
	} else if len(ep.Backends) == 1 {
		results[0] = c.do(bctx, ep.Backends[0])
	} else {
		var wg sync.WaitGroup
		for i, b := range ep.Backends {
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() {
					if p := recover(); p != nil {
						g.log.Error("panic in backend call", "endpoint", ep.Path, "backend", i, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
						results[i] = result{err: fmt.Errorf("internal error in backend %d", i)}
					}
				}()
				results[i] = c.do(bctx, b)
			}()
		}
		wg.Wait()
	}
	if m := ep.Metrics; m != nil {
		complete, failed := pipeOutcome(results)
		m.Proxy(complete, failed, time.Since(arrival))
	}
	if ctx.Err() != nil {
		// The client went away: nothing will be written.
		return g.errorResponse(http.StatusBadGateway, "bad_gateway", "request cancelled")
	}
	for i := range results {
		if res := &results[i]; !res.ok && res.err != nil {
			g.log.LogAttrs(ctx, slog.LevelWarn, "backend failed",
				slog.String("request_id", r.RequestID),
				slog.String("endpoint", ep.Method+" "+ep.Path),
				slog.Int("backend", i),
				slog.Bool("timeout", res.timeout),
				slog.String("error", res.err.Error()))
		}
	}
	var resp *Response
	if ep.Output == plan.OutputNoOp {
		resp = g.passthrough(ep, &results[0])
	} else {
		resp = g.render(ctx, ep, results, x, acceptOf(ep, r))
	}
	resp.keep(results)
	resp.backends = len(ep.Backends)
	return resp
}

// pipeOutcome is the proxy layer's view of a request for the metrics:
// complete when every backend succeeded, failed when one did not.
func pipeOutcome(results []result) (complete, failed bool) {
	for i := range results {
		if !results[i].ok {
			return false, true
		}
	}
	return true, false
}

// call holds what every backend call of one request shares.
type call struct {
	g           *Gateway
	ep          *plan.Endpoint
	params      []route.Param
	header      http.Header
	body        []byte
	query       urltpl.Query
	sharedQuery string
	x           *stage.Exchange  // nil when the endpoint has no stages
	rec         *observe.Request // nil unless an observer watches (observe.go)
	resp        []respValue      // the sequential proxy's values for the backend being called
	requestID   string           // the request's id, for failure lines
	// rawQuery: a stage replaced the request's query (lua-proxy), which
	// every backend then gets whole, unfiltered, in sharedQuery.
	rawQuery bool
}

// lookup returns the value of a url_pattern placeholder: a path param, or
// {JWT.<claim>}, a top-level claim of the verified token rendered as
// krakend-compat §6.2 says (the validator has already refused tokens that
// lack it). The URL builder escapes both like client input.
func (c *call) lookup(name string) (string, bool) {
	for _, p := range c.params {
		if p.Name == name {
			return p.Value, true
		}
	}
	if claim, ok := strings.CutPrefix(name, "JWT."); ok && c.x != nil && c.x.Claims != nil {
		return auth.ClaimText(c.x.Claims, claim)
	}
	if c.resp != nil {
		return c.respLookup(name)
	}
	return "", false
}

// run performs one backend call and processes its response (§9). A
// backend timeout narrows ctx (already bounded by the budget B) to
// min(now + timeout, B) for this call alone (§15).
func (c *call) run(ctx context.Context, b *plan.Backend) (res result) {
	if m := b.Metrics; m != nil {
		start := time.Now()
		defer func() { m.Done(res.ok, res.err != nil, time.Since(start)) }()
	}
	if b.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, b.Timeout)
		defer cancel()
	}
	query := c.sharedQuery
	if !b.QueryShared && !c.rawQuery {
		query = c.query.Filter(b.Query)
	}
	origin, tpl := b.NextTarget()
	if rec := c.observedCall(b); rec != nil {
		rec.Host = origin
	}
	u, err := tpl.Build(origin, c.lookup, query)
	if err != nil {
		return result{err: fmt.Errorf("backend %d: building the URL: %w", b.Index, err)}
	}
	// The header map is shared by the backends of this request; the client
	// never modifies it.
	header := c.header
	if b.Headers != nil {
		header = filterHeaders(header, b.Headers)
	}
	body := c.body
	if b.GraphQL != nil { // backend/graphql: the operation replaces the body (lambda.go, graphql.go)
		if u, header, body, err = c.graphqlRequest(b, u, header); err != nil {
			return result{err: err}
		}
	}
	var sc *stage.Call // the call as backend stages see it
	var answer *stage.Answer
	method := b.Method // a stage may change it (lua-backend)
	if len(b.Stages) > 0 {
		sc = &stage.Call{Exchange: c.x, Backend: b.Index, Method: b.Method, URL: u, Header: header, Body: body}
		var ran []stage.Backend
		if answer, ran, err = beforeCall(ctx, b.Stages, sc); err != nil {
			afterCall(ran, sc, 0, nil, nil, fmt.Errorf("%w: %w", stage.ErrNotCalled, err))
			return result{err: fmt.Errorf("backend %d: %w", b.Index, err)}
		}
		u, header, body, method = sc.URL, sc.Header, sc.Body, sc.Method
		if answer == nil {
			defer func() { afterCall(ran, sc, resStatus(res), resHeader(res), resBody(res), res.err) }()
		}
	}
	if c.g.inject && c.rec != nil && answer == nil {
		// Propagation headers (traceparent) differ per call: a copy.
		header = header.Clone()
		c.g.obs.Inject(ctx, header)
	}
	// Only no-op passthrough forwards the client's Accept-Encoding (§13).
	keep := c.ep.Output == plan.OutputNoOp && len(header["Accept-Encoding"]) > 0
	if answer != nil {
		if rec := c.observedCall(b); rec != nil {
			rec.Answered = true
		}
		return c.process(b, &backend.Response{Status: answer.Status, Header: answer.Header, Body: answer.Body})
	}
	if b.Lambda != nil { // backend/lambda invokes a function instead (lambda.go)
		return c.runLambda(ctx, b, sc, method, u, header, body)
	}
	resp, err := c.g.client.Do(ctx, &backend.Request{
		Method:          method,
		URL:             u,
		Header:          header,
		Body:            body,
		MaxBodyBytes:    b.MaxResponseBytes,
		KeepEncoding:    keep,
		FollowRedirects: b.FollowRedirects,
		MaxRedirects:    b.MaxRedirects,
		RedirectHosts:   b.RedirectHosts,
		AllowedHosts:    b.Hosts,
	})
	if err != nil {
		if discardsBody(c.ep, b) && bodyError(err) {
			// [H26]: the body of a no-op backend under another output is
			// discarded unread, so only transport errors and timeouts fail
			// it.
			return result{ok: true}
		}
		return result{err: err, timeout: backend.IsTimeout(err) || errors.Is(ctx.Err(), context.DeadlineExceeded)}
	}
	if sc != nil { // martian response modifiers (stage.ResponseModifier)
		if resp.Status, resp.Header, resp.Body, err = stage.ModifyResponse(b.Stages, sc, resp.Status, resp.Header, resp.Body); err != nil {
			return result{err: fmt.Errorf("backend %d: %w", b.Index, err), resp: resp}
		}
	}
	return c.process(b, resp)
}

// discardsBody reports a backend whose response is discarded: encoding
// "no-op" under an endpoint whose output is not "no-op" (§10 [H26]).
func discardsBody(ep *plan.Endpoint, b *plan.Backend) bool {
	return b.Encoding == plan.EncodingNoOp && ep.Output != plan.OutputNoOp
}

// bodyError reports the failures that come from reading the body, not from
// the transport.
func bodyError(err error) bool {
	return errors.Is(err, backend.ErrTooLarge) || errors.Is(err, backend.ErrBadGzip) ||
		errors.Is(err, backend.ErrUnsupportedEncoding)
}

// process checks, decodes and shapes one backend response (§9, response
// side).
func (c *call) process(b *plan.Backend, resp *backend.Response) (res result) {
	var err error
	res.resp = resp
	if b.Encoding == plan.EncodingNoOp {
		res.ok = true
		return res
	}
	if resp.Status < 200 || resp.Status > 299 {
		res.err = fmt.Errorf("invalid status code %d from backend %d", resp.Status, b.Index)
		if b.ErrorKey != "" {
			res.data = errorData(b.ErrorKey, resp)
			res.errData = true
		}
		return res
	}
	var obj shape.Object
	switch b.Encoding {
	case plan.EncodingSafeJSON:
		obj, err = shape.DecodeSafeJSON(resp.Body)
	case plan.EncodingString:
		obj = shape.DecodeString(resp.Body)
	case plan.EncodingXML, plan.EncodingRSS:
		obj, err = decodeMarkup(b, resp.Body)
	default:
		obj, err = shape.DecodeJSON(resp.Body, b.Expect)
	}
	if err != nil {
		res.err = fmt.Errorf("decoding the response of backend %d: %w", b.Index, err)
		return res
	}
	if b.GraphQL != nil {
		if res.err = graphqlFailure(b, obj); res.err != nil {
			if b.ErrorKey != "" {
				res.data, res.errData = errorData(b.ErrorKey, resp), true
			}
			return res
		}
	}
	res.data = b.ApplyShape(obj)
	res.ok = true
	return res
}

// errorData is the return_error_details object (§14.3).
func errorData(key string, resp *backend.Response) shape.Object {
	v := make([]byte, 0, 64+len(resp.Body))
	v = append(v, `{"http_status_code":`...)
	v = fmt.Appendf(v, "%d", resp.Status)
	v = append(v, `,"http_body":`...)
	v = shape.AppendString(v, string(resp.Body))
	v = append(v, `,"http_body_encoding":`...)
	v = shape.AppendString(v, resp.Header.Get("Content-Type"))
	v = append(v, '}')
	return shape.Object{Members: []shape.Member{{Name: key, Value: v}}}
}

// combine merges the results in declaration order, runs the endpoint's
// Finish stages on the merged result and decides the status
// (krakend-compat §12.1, §14.2).
func (g *Gateway) combine(ctx context.Context, ep *plan.Endpoint, results []result, x *stage.Exchange) *Response {
	return g.render(ctx, ep, results, x, "")
}

// render is combine for a request whose Accept header is accept (read only
// by output encoding negotiate).
func (g *Gateway) render(ctx context.Context, ep *plan.Endpoint, results []result, x *stage.Exchange, accept string) *Response {
	var merged shape.Object
	complete, hasData, timedOut := true, false, false
	for i := range results {
		res := &results[i]
		switch {
		case res.ok:
			merged = mergeInto(merged, res.data, hasData, ep.DeepMerge)
			hasData = true
		case res.errData:
			merged = mergeInto(merged, res.data, hasData, ep.DeepMerge)
			hasData = true
			complete = false
		default:
			complete = false
			timedOut = timedOut || res.timeout
		}
	}
	if ep.Flatmap != nil && hasData {
		merged = ep.Flatmap.Apply(merged)
	}
	if ep.Static != nil {
		merged, hasData = withStatic(ep.Static, results, merged, hasData)
	}
	if len(ep.Finish) > 0 {
		var resp *Response
		if merged, resp = g.finish(ctx, ep, x, merged, complete, hasData); resp != nil {
			return resp
		}
	}
	if !hasData {
		return g.noData(ep, results, timedOut)
	}
	h := make(http.Header, 3)
	out := &Response{Status: http.StatusOK, Header: h}
	switch ep.Output {
	case plan.OutputJSONCollection:
		h["Content-Type"] = []string{ContentTypeJSON}
		if v, ok := merged.Get("collection"); ok && len(v) > 0 && v[0] == '[' {
			out.body = v // the array's bytes as decoded: no copy
		} else {
			out.body = []byte("[]")
		}
	case plan.OutputString:
		h["Content-Type"] = []string{ContentTypeText}
		out.body = shape.StringContent(merged)
	case plan.OutputXML, plan.OutputYAML, plan.OutputNegotiate:
		if !g.setMarkup(ep, out, merged, accept) {
			return g.errorResponse(http.StatusInternalServerError, "internal_error", "internal error")
		}
	default:
		h["Content-Type"] = []string{ContentTypeJSON}
		out.setJSON(merged)
	}
	if complete {
		h[HeaderCompleted] = []string{"true"}
		if ep.CacheControl != "" {
			h["Cache-Control"] = []string{ep.CacheControl}
		}
	} else {
		h[HeaderCompleted] = []string{"false"}
	}
	return out
}

// finish runs ep's Finish stages on the merged result. It returns the
// result with the values the stages replaced, or the response that ends
// the request: a stage's Reply, or 500 when a stage broke the document's
// shape.
func (g *Gateway) finish(ctx context.Context, ep *plan.Endpoint, x *stage.Exchange, merged shape.Object, complete, hasData bool) (shape.Object, *Response) {
	d := stage.Document{Complete: complete, HasData: hasData}
	if len(merged.Members) > 0 {
		d.Members = make([]stage.Member, len(merged.Members))
		for i, m := range merged.Members {
			d.Members[i] = stage.Member{Name: m.Name, Value: m.Value}
		}
	}
	for _, s := range ep.Finish {
		if rep := s.Finish(ctx, x, &d); rep != nil {
			return merged, g.replyResponse(rep)
		}
	}
	if len(d.Members) != len(merged.Members) {
		g.log.Error("a response stage changed the shape of the document", "endpoint", ep.Method+" "+ep.Path)
		return merged, g.errorResponse(http.StatusInternalServerError, "internal_error", "internal error")
	}
	out := shape.Object{Members: make([]shape.Member, len(merged.Members))}
	for i, m := range merged.Members {
		if d.Members[i].Name != m.Name {
			g.log.Error("a response stage changed the shape of the document", "endpoint", ep.Method+" "+ep.Path)
			return merged, g.errorResponse(http.StatusInternalServerError, "internal_error", "internal error")
		}
		m.Value = d.Members[i].Value
		out.Members[i] = m
	}
	return out, nil
}

// mergeInto merges one backend's data into the result so far: shallow as
// KrakenD, or deep for tributary.merge "deep".
func mergeInto(dst, src shape.Object, hasData, deep bool) shape.Object {
	if !hasData {
		return src
	}
	if deep {
		return shape.MergeDeep(dst, src)
	}
	return shape.Merge(dst, src)
}

// noData answers a request for which no backend produced data.
func (g *Gateway) noData(ep *plan.Endpoint, results []result, timedOut bool) *Response {
	if timedOut {
		return g.failure(http.StatusGatewayTimeout, "gateway_timeout", results)
	}
	if len(results) == 1 && ep.Backends[0].ReturnErrorCode && results[0].resp != nil && (results[0].resp.Status < 200 || results[0].resp.Status > 299) {
		resp := results[0].resp
		h := make(http.Header, 2)
		h[HeaderCompleted] = []string{"false"}
		out := &Response{Status: resp.Status, Header: h}
		if g.plan.Router.ReturnErrorMsg {
			if ct := resp.Header.Get("Content-Type"); ct != "" {
				h.Set("Content-Type", ct)
			}
			out.body = resp.Body
		}
		return out
	}
	return g.failure(http.StatusBadGateway, "bad_gateway", results)
}

func (g *Gateway) failure(status int, code string, results []result) *Response {
	msg := "no backend returned data"
	if status == http.StatusGatewayTimeout {
		msg = "the backends did not answer in time"
	}
	if g.plan.Router.ReturnErrorMsg {
		var parts []string
		for _, res := range results {
			if res.err != nil {
				parts = append(parts, res.err.Error())
			}
		}
		if len(parts) > 0 {
			msg = strings.Join(parts, "; ")
		}
	}
	return g.errorResponse(status, code, msg)
}

// passthrough answers a no-op endpoint with the backend's own response (§13).
func (g *Gateway) passthrough(ep *plan.Endpoint, res *result) *Response {
	if res.resp == nil {
		code, status := "bad_gateway", http.StatusBadGateway
		if res.timeout {
			code, status = "gateway_timeout", http.StatusGatewayTimeout
		}
		return g.failure(status, code, []result{*res})
	}
	h := make(http.Header, len(res.resp.Header)+1)
	for k, v := range res.resp.Header {
		if !dropFromPassthrough(k) && !(g.plan.DropBackendCORS && strings.HasPrefix(k, "Access-Control-")) {
			h[k] = v
		}
	}
	h[HeaderCompleted] = []string{"false"}
	return &Response{Status: res.resp.Status, Header: h, body: res.resp.Body}
}
