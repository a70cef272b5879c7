package exec

import (
	"context"
	"maps"
	"net/http"
	"reflect"
	"strings"

	"github.com/tributary-gw/tributary/core/plan"
	"github.com/tributary-gw/tributary/core/route"
	"github.com/tributary-gw/tributary/core/stage"
)

// newExchange is the Exchange of r, whose body is body, before routing.
func (g *Gateway) newExchange(r *Request, body []byte) *stage.Exchange {
	return &stage.Exchange{
		TLS:      r.TLS,
		Log:      g.log,
		Body:     body,
		Method:   r.Method,
		RawPath:  r.RawPath,
		RawQuery: r.RawQuery,
		Host:     r.Host,
		ClientIP: r.ClientIP,
		Header:   r.Header,
	}
}

// usesStages reports whether a request to ep needs an Exchange: ep or one
// of its backends has stages (Finish stages included).
func usesStages(ep *plan.Endpoint) bool {
	if len(ep.Stages) > 0 || len(ep.Finish) > 0 {
		return true
	}
	for _, b := range ep.Backends {
		if len(b.Stages) > 0 {
			return true
		}
	}
	for _, b := range ep.Shadows {
		if len(b.Stages) > 0 {
			return true
		}
	}
	return false
}

// stageParams copies the matched params for the stages.
func stageParams(ps []route.Param) []stage.Param {
	if len(ps) == 0 {
		return nil
	}
	out := make([]stage.Param, len(ps))
	for i, p := range ps {
		out[i] = stage.Param{Name: p.Name, Value: p.Value}
	}
	return out
}

// runStages runs stages in order with x; the first Reply ends the request
// and becomes its response.
func (g *Gateway) runStages(ctx context.Context, stages []stage.Endpoint, x *stage.Exchange) *Response {
	for _, s := range stages {
		if rep := s.Run(ctx, x); rep != nil {
			return g.replyResponse(rep)
		}
	}
	return nil
}

// replyResponse is the response a stage's Reply asks for.
func (g *Gateway) replyResponse(rep *stage.Reply) *Response {
	var resp *Response
	if rep.Body == nil && rep.Code != "" {
		resp = g.errorResponse(rep.Status, rep.Code, rep.Message)
	} else {
		resp = &Response{Status: rep.Status, Header: make(http.Header, len(rep.Header)+1), body: rep.Body}
		if rep.Status >= 400 {
			// A rejection; an answer such as a CORS preflight carries no
			// completeness header, like the built-in endpoints.
			resp.Header[HeaderCompleted] = []string{"false"}
		}
	}
	for k, v := range rep.Header {
		resp.Header[k] = v
	}
	return resp
}

// withRespond adds the headers the stages of x asked for to resp; a
// stage's header replaces the response's, except Vary, whose names are
// merged. The response may take x.Respond as its header set.
func withRespond(x *stage.Exchange, resp *Response) *Response {
	if x == nil || len(x.Respond) == 0 {
		return resp
	}
	if len(x.Respond) >= len(resp.Header) {
		// Usually the stages added more headers than the response has
		// (CORS and security headers on a proxied answer): the response's
		// few go into x.Respond, a map the stages made for this request
		// alone, which then serves as the response's header set.
		for k, v := range resp.Header {
			old, ok := x.Respond[k]
			switch {
			case !ok:
				x.Respond[k] = v
			case k == "Vary" && len(v) > 0:
				x.Respond[k] = mergeVary(v, old)
			}
		}
		resp.Header = x.Respond
		return resp
	}
	if need := len(resp.Header) + len(x.Respond); resp.Header == nil || need > 8 {
		// One allocation at the final size instead of growing the map the
		// response was built with.
		h := make(http.Header, need)
		maps.Copy(h, resp.Header)
		resp.Header = h
	}
	for k, v := range x.Respond {
		if old := resp.Header[k]; k == "Vary" && len(old) > 0 {
			resp.Header[k] = mergeVary(old, v)
			continue
		}
		resp.Header[k] = v
	}
	return resp
}

// mergeVary adds the field names of add that have missing (compared
// case-insensitively) to the Vary values have, so that a stage's
// "Vary: Origin" keeps a backend's "Vary: Accept-Encoding".
func mergeVary(have, add []string) []string {
	out := strings.Join(have, ", ")
	for _, v := range add {
		for name := range strings.SplitSeq(v, ",") {
			name = strings.TrimSpace(name)
			if name != "" && !varyHas(have, name) {
				out += ", " + name
			}
		}
	}
	return []string{out}
}

// varyHas reports whether the Vary values list name or "*".
func varyHas(values []string, name string) bool {
	for _, v := range values {
		for f := range strings.SplitSeq(v, ",") {
			f = strings.TrimSpace(f)
			if f == "*" || strings.EqualFold(f, name) {
				return true
			}
		}
	}
	return false
}

// withForward adds the headers the stages of x put in Forward to the
// backends' header set h (a new map: h shares the client's values).
func withForward(h http.Header, x *stage.Exchange) http.Header {
	if x == nil || len(x.Forward) == 0 {
		return h
	}
	out := make(http.Header, len(h)+len(x.Forward))
	for k, v := range h {
		out[k] = v
	}
	for k, v := range x.Forward {
		out[k] = v
	}
	return out
}

// beforeCall runs a backend's stages in order. It returns the answer of a
// stage that answered the call itself, the stages whose Before let the
// call through (for afterCall), and the error of a stage that failed it.
func beforeCall(ctx context.Context, stages []stage.Backend, c *stage.Call) (*stage.Answer, []stage.Backend, error) {
	for i, s := range stages {
		answer, err := s.Before(ctx, c)
		if err != nil || answer != nil {
			return answer, stages[:i], err
		}
	}
	return nil, stages, nil
}

// afterCall tells the Observers among ran how the call ended.
func afterCall(ran []stage.Backend, c *stage.Call, status int, h http.Header, body []byte, err error) {
	for _, s := range ran {
		if o, ok := s.(stage.Observer); ok {
			o.After(c, status, h, body, err)
		}
	}
}

// resStatus, resHeader and resBody read a result's raw response, if any.
func resStatus(r result) int {
	if r.resp == nil {
		return 0
	}
	return r.resp.Status
}

func resHeader(r result) http.Header {
	if r.resp == nil {
		return nil
	}
	return r.resp.Header
}

func resBody(r result) []byte {
	if r.resp == nil {
		return nil
	}
	return r.resp.Body
}

// stagedRequest is r with the header set a stage put in place of the
// client's (lua-endpoint replaces x.Header rather than modifying it), so
// that the endpoint's input_headers filter applies to it.
func stagedRequest(r *Request, x *stage.Exchange) *Request {
	if x == nil || reflect.ValueOf(x.Header).UnsafePointer() == reflect.ValueOf(r.Header).UnsafePointer() {
		return r
	}
	c := *r
	c.Header = x.Header
	return &c
}

// stagedParams is ps with the values a stage set in x.Params (Lua); ps
// itself when none changed.
func stagedParams(x *stage.Exchange, ps []route.Param) []route.Param {
	same := len(x.Params) == len(ps)
	for i := 0; same && i < len(ps); i++ {
		same = x.Params[i].Name == ps[i].Name && x.Params[i].Value == ps[i].Value
	}
	if same {
		return ps
	}
	out := make([]route.Param, len(x.Params))
	for i, p := range x.Params {
		out[i] = route.Param{Name: p.Name, Value: p.Value}
	}
	return out
}
