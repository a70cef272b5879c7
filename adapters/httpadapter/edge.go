package httpadapter

import (
	"io"
	"net/http"
	"strings"

	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/stage"
)

// The built-in endpoints and the adapter's own rejections are answered
// before the core's Serve, but the service stages must still apply to
// them (krakend-compat §8, §19): a CORS preflight is answered for any
// path, the host check and the HTTPS redirect come before the built-in
// paths, the service bot detector rejects bots on them (the health path
// excepted, which the stage knows), and the security and CORS headers go
// on every answer. A config without service stages pays nothing here.

// builtinPath reports whether builtin serves path p.
func (h *Handler) builtinPath(p string) bool {
	if health := h.edge.HealthPath; health != "" && p == health {
		return true
	}
	if !strings.HasPrefix(p, "/__") {
		return false
	}
	return h.debug && under(p, "/__debug") || h.edge.EchoEndpoint && under(p, "/__echo") || h.dashboardPath(p)
}

// serveBuiltin runs the service stages, then the built-in endpoint of r
// unless a stage answered.
func (h *Handler) serveBuiltin(r *http.Request, body io.Reader) *exec.Response {
	stages := h.gw.Plan().Stages
	if len(stages) == 0 {
		resp, _ := h.builtin(r, body)
		return resp
	}
	x := h.exchange(r)
	for _, s := range stages {
		if rep := s.Run(r.Context(), x); rep != nil {
			return withRespond(x, replyResponse(rep))
		}
	}
	resp, _ := h.builtin(r, body)
	return withRespond(x, resp)
}

// headerAdder is a service stage that can add its response headers
// without deciding anything (security/http).
type headerAdder interface {
	AddHeaders(x *stage.Exchange)
}

// edgeHeaders adds the headers of the header-adding service stages to an
// answer the adapter gives before the pipeline runs (431, 414, 400).
func (h *Handler) edgeHeaders(r *http.Request, resp *exec.Response) *exec.Response {
	var x *stage.Exchange
	for _, s := range h.gw.Plan().Stages {
		if a, ok := s.(headerAdder); ok {
			if x == nil {
				x = h.exchange(r)
			}
			a.AddHeaders(x)
		}
	}
	return withRespond(x, resp)
}

// exchange is the stage view of r before routing, as the core builds it.
func (h *Handler) exchange(r *http.Request) *stage.Exchange {
	return &stage.Exchange{
		Method:   r.Method,
		RawPath:  requestPath(r),
		RawQuery: r.URL.RawQuery,
		Host:     r.Host,
		ClientIP: h.clientIP(r),
		TLS:      r.TLS != nil,
		Header:   r.Header,
		Log:      h.log,
	}
}

// replyResponse is the answer a stage's Reply asks for, as the core
// builds it.
func replyResponse(rep *stage.Reply) *exec.Response {
	var resp *exec.Response
	if rep.Body == nil && rep.Code != "" {
		resp = exec.ErrorResponse(rep.Status, rep.Code, rep.Message)
	} else {
		resp = exec.NewResponse(rep.Status, make(http.Header, len(rep.Header)+1), rep.Body)
		resp.Header[exec.HeaderCompleted] = []string{"false"}
	}
	for k, v := range rep.Header {
		resp.Header[k] = v
	}
	return resp
}

// withRespond adds the headers the stages put in x.Respond to resp.
func withRespond(x *stage.Exchange, resp *exec.Response) *exec.Response {
	if x == nil || len(x.Respond) == 0 {
		return resp
	}
	if resp.Header == nil {
		resp.Header = make(http.Header, len(x.Respond))
	}
	for k, v := range x.Respond {
		resp.Header[k] = v
	}
	return resp
}
