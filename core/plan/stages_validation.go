//go:build !tributary_nocel

package plan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/celcheck"
	"github.com/tributary-gw/tributary/core/shape"
	"github.com/tributary-gw/tributary/core/stage"
	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// celSet is a compiled validation/cel namespace split by phase.
type celSet struct {
	jwt, req, resp []*celcheck.Check
}

// compileCEL compiles checks; the error names the offending expression.
func compileCEL(checks []config.CELCheck) (*celSet, error) {
	if len(checks) == 0 {
		return nil, nil
	}
	set := &celSet{}
	for i, ck := range checks {
		p, err := celcheck.Compile(ck.Expr)
		if err != nil {
			return nil, fmt.Errorf("expression %d %q: %w", i, ck.Expr, err)
		}
		ph := p.Phases()
		if ph&celcheck.PhaseJWT != 0 {
			set.jwt = append(set.jwt, p)
		}
		if ph&celcheck.PhaseRequest != 0 {
			set.req = append(set.req, p)
		}
		if ph&celcheck.PhaseResponse != 0 {
			set.resp = append(set.resp, p)
		}
	}
	return set, nil
}

// endpointCEL compiles e's validation/cel once per endpoint, for the three
// builders that use it.
func (c *compiler) endpointCEL(e *config.Endpoint) (*celSet, error) {
	if len(e.CEL) == 0 {
		return nil, nil
	}
	v, err := c.memo("cel:"+e.JSONPath, func() (any, error) {
		set, err := compileCEL(e.CEL)
		if err != nil {
			return nil, err
		}
		if len(set.jwt) > 0 && e.Validator == nil {
			return nil, fmt.Errorf("expression %q names JWT but the endpoint has no auth/validator, so it would never run", set.jwt[0].Expr())
		}
		return set, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*celSet), nil
}

// celJWTStage runs e's JWT expressions right after auth/validator accepted
// the token: a false one answers 401 like an invalid token.
func (c *compiler) celJWTStage(e *config.Endpoint) (stage.Endpoint, error) {
	set, err := c.endpointCEL(e)
	if err != nil || set == nil || len(set.jwt) == 0 {
		return nil, err
	}
	return &celEndpointStage{
		checks: set.jwt,
		reply: &stage.Reply{Status: http.StatusUnauthorized, Header: http.Header{"Www-Authenticate": {"Bearer"}},
			Code: "invalid_token", Message: "missing or invalid token"},
		vars: newCELReqVars(e),
		name: e.Method + " " + e.Path,
	}, nil
}

// celRequestStage runs e's req_ expressions before the backends: a false
// one answers 500 validation_failed.
func (c *compiler) celRequestStage(e *config.Endpoint) (stage.Endpoint, error) {
	set, err := c.endpointCEL(e)
	if err != nil || set == nil || len(set.req) == 0 {
		return nil, err
	}
	return &celEndpointStage{
		checks: set.req,
		reply:  &stage.Reply{Status: http.StatusInternalServerError, Code: "validation_failed", Message: "the request did not pass validation"},
		vars:   newCELReqVars(e),
		name:   e.Method + " " + e.Path,
	}, nil
}

// celFinishStage runs e's resp_ expressions on the merged response; nil
// when there are none.
func (c *compiler) celFinishStage(e *config.Endpoint, ep *Endpoint) (stage.Finish, error) {
	set, err := c.endpointCEL(e)
	if err != nil || set == nil || len(set.resp) == 0 {
		return nil, err
	}
	if ep.Output == OutputNoOp {
		return nil, errors.New(`resp_ expressions are not allowed with output_encoding "no-op" (the response is passed through unread)`)
	}
	return &celResponseStage{checks: set.resp, vars: newCELReqVars(e), name: e.Method + " " + e.Path}, nil
}

// celReqVars builds the req_ variables of an endpoint-scope evaluation:
// the headers and query keys the endpoint lets through (§7).
type celReqVars struct {
	headers HeaderFilter
	query   []string
}

func newCELReqVars(e *config.Endpoint) celReqVars {
	return celReqVars{headers: compileHeaderFilter(e.InputHeaders, true), query: e.InputQueryStrings}
}

// build returns the request variables of x.
func (rv *celReqVars) build(x *stage.Exchange) *celcheck.Request {
	path, err := url.PathUnescape(x.RawPath)
	if err != nil {
		path = x.RawPath
	}
	return &celcheck.Request{
		Method:  x.Method,
		Path:    path,
		Params:  celParams(x.Params),
		Headers: rv.filterHeaders(x.Header),
		Query:   rv.filterQuery(x.RawQuery),
	}
}

// filterHeaders keeps the client headers the endpoint forwards.
func (rv *celReqVars) filterHeaders(in http.Header) map[string][]string {
	out := make(map[string][]string, len(rv.headers.Names))
	if rv.headers.All {
		for k, v := range in {
			if httpsyntax.IsHopByHop(k) || k == "Host" || k == "Content-Length" || k == "Forwarded" ||
				k == "X-Real-Ip" || strings.HasPrefix(k, "X-Forwarded-") || strings.IndexByte(k, '_') >= 0 {
				continue
			}
			out[k] = v
		}
		return out
	}
	for _, k := range rv.headers.Names {
		if v, ok := in[k]; ok && !httpsyntax.IsHopByHop(k) && k != "Host" && k != "Content-Length" {
			out[k] = v
		}
	}
	return out
}

// filterQuery keeps the query keys the endpoint forwards.
func (rv *celReqVars) filterQuery(raw string) map[string][]string {
	if raw == "" || len(rv.query) == 0 {
		return map[string][]string{}
	}
	q, _ := url.ParseQuery(raw) // the router already refused an invalid query
	if isStar(rv.query) {
		return q
	}
	out := make(map[string][]string, len(rv.query))
	for _, k := range rv.query {
		if v, ok := q[k]; ok {
			out[k] = v
		}
	}
	return out
}

// celParams names each parameter with its first letter upper-cased, as
// KrakenD stores them ({id} is req_params.Id).
func celParams(ps []stage.Param) map[string]string {
	out := make(map[string]string, len(ps))
	for _, p := range ps {
		out[celUpperFirst(p.Name)] = p.Value
	}
	return out
}

func celUpperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || unicode.IsUpper(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// celEndpointStage evaluates request-side expressions; any false one (or
// one that fails to evaluate) ends the request with reply.
type celEndpointStage struct {
	checks []*celcheck.Check
	reply  *stage.Reply
	vars   celReqVars
	name   string
}

// Run evaluates the checks in order.
func (s *celEndpointStage) Run(ctx context.Context, x *stage.Exchange) *stage.Reply {
	v := &celcheck.Vars{Request: s.vars.build(x), JWT: x.Claims}
	for _, ck := range s.checks {
		if err := ck.Eval(ctx, v); err != nil {
			celLog(x, s.name, -1, ck, err)
			return s.reply
		}
	}
	return nil
}

// celLog records why a check refused a request (debug level for a plain
// false, which is the expected outcome of a rule; warn for an error).
func celLog(x *stage.Exchange, endpoint string, backend int, ck *celcheck.Check, err error) {
	if x == nil || x.Log == nil {
		return
	}
	args := []any{"endpoint", endpoint, "expression", ck.Expr()}
	if backend >= 0 {
		args = append(args, "backend", backend)
	}
	if errors.Is(err, celcheck.ErrFalse) {
		x.Log.Debug("validation/cel: check failed", args...)
		return
	}
	x.Log.Warn("validation/cel: evaluation failed", append(args, "error", err.Error())...)
}

// celResponseStage evaluates the resp_ expressions on the merged result.
type celResponseStage struct {
	checks []*celcheck.Check
	vars   celReqVars
	name   string
}

var celFailedReply = &stage.Reply{Status: http.StatusInternalServerError, Code: "validation_failed", Message: "the response did not pass validation"}

// Finish answers 500 validation_failed when a check is false. A request
// without data is left to the gateway's 502/504 answer.
func (s *celResponseStage) Finish(ctx context.Context, x *stage.Exchange, d *stage.Document) *stage.Reply {
	if !d.HasData {
		return nil
	}
	data := make(map[string]any, len(d.Members))
	for _, m := range d.Members {
		data[m.Name] = celDecode(m.Value)
	}
	v := &celcheck.Vars{
		Request:  s.vars.build(x),
		Response: &celcheck.Response{Completed: d.Complete, Status: http.StatusOK, Data: data},
		JWT:      x.Claims,
	}
	for _, ck := range s.checks {
		if err := ck.Eval(ctx, v); err != nil {
			celLog(x, s.name, -1, ck, err)
			return celFailedReply
		}
	}
	return nil
}

// celDecode decodes one compact JSON value for CEL (numbers as float64).
func celDecode(b []byte) any {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return nil
	}
	return v
}

// backendCEL compiles b's validation/cel once, for its two stages.
func (c *compiler) backendCEL(b *config.Backend) (*celSet, error) {
	if len(b.CEL) == 0 {
		return nil, nil
	}
	v, err := c.memo("cel:"+b.JSONPath, func() (any, error) { return compileCEL(b.CEL) })
	if err != nil {
		return nil, err
	}
	return v.(*celSet), nil
}

// celBackendRequestStage runs b's req_ expressions before any other stage
// of the backend (as KrakenD runs them outside the backend's client):
// neither a cached answer nor a rate-limit token is spent on a request
// the expressions refuse. nil when there are none.
func (c *compiler) celBackendRequestStage(e *config.Endpoint, b *config.Backend) (stage.Backend, error) {
	set, err := c.backendCEL(b)
	if err != nil || set == nil || len(set.req) == 0 {
		return nil, err
	}
	return &celBackendRequest{checks: set.req, name: e.Method + " " + e.Path}, nil
}

// celBackendResponseStage runs b's resp_ expressions on each response
// from the backend, after every other response modifier, decoded and
// shaped as the merge will see it. nil when there are none.
func (c *compiler) celBackendResponseStage(e *config.Endpoint, b *config.Backend) (stage.Backend, error) {
	set, err := c.backendCEL(b)
	if err != nil || set == nil || len(set.resp) == 0 {
		return nil, err
	}
	idx := 0
	for i, bb := range e.Backends {
		if bb == b {
			idx = i
		}
	}
	cb, err := compileBackend(idx, e, b)
	if err != nil {
		return nil, err
	}
	switch cb.Encoding {
	case EncodingJSON, EncodingSafeJSON, EncodingString:
	case EncodingNoOp:
		return nil, errors.New(`resp_ expressions are not allowed with encoding "no-op" (the response is passed through unread)`)
	default:
		return nil, fmt.Errorf("resp_ expressions are not supported with encoding %q yet (json, safejson and string are)", b.Encoding)
	}
	return &celBackendResponse{checks: set.resp, shaped: cb, name: e.Method + " " + e.Path}, nil
}

// celBackendRequest is the backend-scope req_ stage.
type celBackendRequest struct {
	checks []*celcheck.Check
	name   string
}

// celBackendResponse is the backend-scope resp_ stage.
type celBackendResponse struct {
	checks []*celcheck.Check
	// shaped holds the decoder and shaping rules of the backend, used to
	// give resp_data the shaped result.
	shaped *Backend
	name   string
}

// errCELRequest fails a call whose request a req_ expression refused.
var errCELRequest = errors.New("validation/cel: the backend request did not pass validation")

// errCELResponse fails a call whose response a resp_ expression refused.
var errCELResponse = errors.New("validation/cel: the backend response did not pass validation")

// Before evaluates the req_ expressions against the outgoing request.
func (s *celBackendRequest) Before(ctx context.Context, c *stage.Call) (*stage.Answer, error) {
	v := &celcheck.Vars{Request: celCallRequest(c), JWT: celClaims(c.Exchange)}
	for _, ck := range s.checks {
		if err := ck.Eval(ctx, v); err != nil {
			celLog(c.Exchange, s.name, c.Backend, ck, err)
			return nil, errCELRequest
		}
	}
	return nil, nil
}

func celClaims(x *stage.Exchange) map[string]any {
	if x == nil {
		return nil
	}
	return x.Claims
}

// celCallRequest is the request variables of a backend call.
func celCallRequest(c *stage.Call) *celcheck.Request {
	r := &celcheck.Request{Method: c.Method, Headers: c.Header}
	if c.URL != nil {
		r.Path = c.URL.Path
		r.Query = c.URL.Query()
	}
	if c.Exchange != nil {
		r.Params = celParams(c.Exchange.Params)
	}
	return r
}

// Before lets every call through: the checks run on the response.
func (s *celBackendResponse) Before(context.Context, *stage.Call) (*stage.Answer, error) {
	return nil, nil
}

// ModifyResponse evaluates the resp_ expressions on a 2xx response,
// decoded and shaped as the gateway will; it never changes the response.
func (s *celBackendResponse) ModifyResponse(c *stage.Call, status int, header http.Header, body []byte) (int, http.Header, []byte, error) {
	if status < 200 || status > 299 {
		return status, header, body, nil
	}
	b := s.shaped
	var obj shape.Object
	var err error
	switch b.Encoding {
	case EncodingSafeJSON:
		obj, err = shape.DecodeSafeJSON(body)
	case EncodingString:
		obj = shape.DecodeString(body)
	default:
		obj, err = shape.DecodeJSON(body, b.Expect)
	}
	if err != nil {
		return status, header, body, nil // the gateway's own decoding fails the call
	}
	obj = b.Shape.Apply(obj)
	data := make(map[string]any, len(obj.Members))
	for _, m := range obj.Members {
		data[m.Name] = celDecode(m.Value)
	}
	v := &celcheck.Vars{
		Request:  celCallRequest(c),
		Response: &celcheck.Response{Completed: true, Status: status, Headers: header, Data: data},
		JWT:      celClaims(c.Exchange),
	}
	ctx := context.Background()
	for _, ck := range s.checks {
		if err := ck.Eval(ctx, v); err != nil {
			celLog(c.Exchange, s.name, c.Backend, ck, err)
			return status, header, body, errCELResponse
		}
	}
	return status, header, body, nil
}
