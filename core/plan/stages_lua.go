//go:build !tributary_nolua

package plan

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"sync"
	"weak"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/lua"
	"github.com/tributary-gw/tributary/core/stage"
)

// The Lua namespaces (§17.23): lua-endpoint is an endpoint stage on the
// client request; lua-proxy is an endpoint stage (pre, run last) plus a
// Finish stage (post); lua-backend is a backend stage (pre in Before, post
// as a stage.ResponseModifier).

// headerCompleted is the executor's completeness header, set on the
// answers the Lua stages build themselves.
const headerCompleted = "X-Tributary-Completed"

// compileLua compiles one Lua namespace.
func compileLua(l *config.Lua, kind lua.Kind) (*lua.Script, error) {
	o := lua.Options{Kind: kind, Pre: l.Pre, Post: l.Post, OpenLibs: l.AllowOpenLibs}
	for _, s := range l.Sources {
		o.Sources = append(o.Sources, lua.Source{Name: s.Name, Code: s.Code})
	}
	return lua.Compile(o)
}

// luaEndpointStages are the lua-endpoint stages of e: the service-level
// script, then e's own.
func (c *compiler) luaEndpointStages(e *config.Endpoint) ([]stage.Endpoint, error) {
	var out []stage.Endpoint
	if l := c.cfg.LuaEndpoint; l != nil && l.Pre != "" {
		v, err := c.memo("lua-endpoint:service", func() (any, error) {
			s, err := compileLua(l, lua.Endpoint)
			if err != nil {
				return nil, fmt.Errorf("service level: %w", err)
			}
			return &luaEndpoint{script: s, service: true, name: "service"}, nil
		})
		if err != nil {
			return nil, err
		}
		out = append(out, v.(*luaEndpoint))
	}
	if l := e.LuaEndpoint; l != nil && l.Pre != "" {
		s, err := compileLua(l, lua.Endpoint)
		if err != nil {
			return nil, err
		}
		out = append(out, &luaEndpoint{script: s, name: e.Method + " " + e.Path})
	}
	return out, nil
}

// luaEndpoint runs a lua-endpoint pre script on the client request.
type luaEndpoint struct {
	script  *lua.Script
	service bool
	name    string
}

// Run implements stage.Endpoint: a header the script sets replaces the
// client's (the endpoint's input_headers filter runs afterwards), a param
// it sets replaces the matched one.
func (s *luaEndpoint) Run(ctx context.Context, x *stage.Exchange) *stage.Reply {
	sess, err := s.script.Begin(x.Log)
	if err != nil {
		return luaFailure(x.Log, s.name, "modifier/lua-endpoint", err, s.service)
	}
	defer sess.End()
	req := exchangeRequest(x)
	req.Host = x.Host
	if err := sess.Pre(ctx, &req); err != nil {
		return luaFailure(x.Log, s.name, "modifier/lua-endpoint", err, s.service)
	}
	if len(req.HeaderSets) > 0 {
		h := x.Header.Clone()
		if h == nil {
			h = make(http.Header, len(req.HeaderSets))
		}
		for _, p := range req.HeaderSets {
			h.Set(p.Name, p.Value)
		}
		x.Header = h
	}
	applyParams(x, req.ParamSets)
	return nil
}

// exchangeRequest is the request a script sees for x.
func exchangeRequest(x *stage.Exchange) lua.Request {
	req := lua.Request{Method: x.Method, Path: x.RawPath, Query: x.RawQuery, URL: x.RawPath, Body: x.Body, Header: x.Header}
	if x.RawQuery != "" {
		req.URL += "?" + x.RawQuery
	}
	if len(x.Params) > 0 {
		req.Params = make([]lua.Param, len(x.Params))
		for i, p := range x.Params {
			req.Params[i] = lua.Param{Name: p.Name, Value: p.Value}
		}
	}
	return req
}

// applyParams gives x a new params slice with sets applied.
func applyParams(x *stage.Exchange, sets []lua.Param) {
	if len(sets) == 0 {
		return
	}
	ps := append([]stage.Param(nil), x.Params...)
next:
	for _, set := range sets {
		for i := range ps {
			if ps[i].Name == set.Name {
				ps[i].Value = set.Value
				continue next
			}
		}
		ps = append(ps, stage.Param{Name: set.Name, Value: set.Value})
	}
	x.Params = ps
}

// luaFailure is the answer to a script that failed: custom_error's status
// (500 without one, and always 500 at service scope) with the custom
// body, else 500 internal_error. The Lua message is logged, never sent.
func luaFailure(log *slog.Logger, endpoint, ns string, err error, service bool) *stage.Reply {
	var ce *lua.CustomError
	if errors.As(err, &ce) {
		status := ce.Status
		if service || status < 100 || status > 599 {
			status = http.StatusInternalServerError
		}
		return &stage.Reply{Status: status, Code: "custom", Message: ce.Message}
	}
	if log != nil {
		log.Error("Lua script failed", "namespace", ns, "endpoint", endpoint, "error", err.Error())
	}
	return &stage.Reply{Status: http.StatusInternalServerError, Code: "internal_error", Message: "internal error"}
}

// luaProxy is the compiled lua-proxy of one endpoint: its pre stage and
// its post (Finish) stage share the script and the requests' sessions.
type luaProxy struct {
	script   *lua.Script
	name     string
	skipNext bool
	allow    HeaderFilter
	output   Output
	cache    string
	// sessions holds the Lua state of each request between pre and post,
	// keyed weakly by the request's Exchange: a request that never reaches
	// post (the client went away) loses its entry when the Exchange is
	// collected.
	sessions sync.Map // weak.Pointer[stage.Exchange] → *lua.Session
}

// luaProxyFor compiles e's lua-proxy once for both of its stages.
func (c *compiler) luaProxyFor(e *config.Endpoint) (*luaProxy, error) {
	l := e.LuaProxy
	if l == nil || l.Pre == "" && l.Post == "" && !l.SkipNext {
		return nil, nil
	}
	v, err := c.memo(fmt.Sprintf("lua-proxy:%p", e), func() (any, error) {
		s, err := compileLua(l, lua.Proxy)
		if err != nil {
			return nil, err
		}
		p := &luaProxy{script: s, name: e.Method + " " + e.Path, skipNext: l.SkipNext,
			allow: compileHeaderFilter(e.InputHeaders, true), output: outputOf(e.OutputEncoding)}
		if p.output == OutputNoOp && (s.HasPost() || l.SkipNext) {
			return nil, errors.New(`modifier/lua-proxy: post and skip_next need the response data, which output_encoding "no-op" passes through unread`)
		}
		if e.CacheTTL > 0 {
			p.cache = fmt.Sprintf("public, max-age=%d", int64(e.CacheTTL.Seconds()))
			if e.Validator != nil {
				p.cache = "private" + p.cache[len("public"):]
			}
		}
		return p, nil
	})
	if err != nil || v == nil {
		return nil, err
	}
	return v.(*luaProxy), nil
}

// outputOf maps the config's output encoding.
func outputOf(o string) Output {
	switch o {
	case config.OutputJSONCollection:
		return OutputJSONCollection
	case config.OutputString:
		return OutputString
	case config.OutputNoOp:
		return OutputNoOp
	case config.OutputXML:
		return OutputXML
	case config.OutputYAML:
		return OutputYAML
	case config.OutputNegotiate:
		return OutputNegotiate
	}
	return OutputJSON
}

// luaProxyStage is e's lua-proxy pre stage; nil without pre or skip_next.
func (c *compiler) luaProxyStage(e *config.Endpoint) (stage.Endpoint, error) {
	p, err := c.luaProxyFor(e)
	if err != nil || p == nil || !p.script.HasPre() && !p.skipNext {
		return nil, err
	}
	return (*luaProxyPre)(p), nil
}

// luaProxyFinish is e's lua-proxy post stage; nil without post (or with
// skip_next, where the pre stage runs post itself).
func (c *compiler) luaProxyFinish(e *config.Endpoint) (stage.Finish, error) {
	p, err := c.luaProxyFor(e)
	if err != nil || p == nil || !p.script.HasPost() || p.skipNext {
		return nil, err
	}
	return p, nil
}

// luaProxyPre runs the lua-proxy pre script.
type luaProxyPre luaProxy

// Run implements stage.Endpoint: headers the script sets reach every
// backend (Forward), a query it sets replaces the whole query of every
// backend call, a body replaces the body, a param replaces the matched
// one. With skip_next it also runs post and answers.
func (s *luaProxyPre) Run(ctx context.Context, x *stage.Exchange) *stage.Reply {
	p := (*luaProxy)(s)
	sess, err := p.script.Begin(x.Log)
	if err != nil {
		return luaFailure(x.Log, p.name, "modifier/lua-proxy", err, false)
	}
	req := exchangeRequest(x)
	req.Allow = p.allow.Allows
	if err := sess.Pre(ctx, &req); err != nil {
		sess.End()
		return luaFailure(x.Log, p.name, "modifier/lua-proxy", err, false)
	}
	for _, h := range req.HeaderSets {
		if x.Forward == nil {
			x.Forward = make(http.Header, len(req.HeaderSets))
		}
		x.Forward.Set(h.Name, h.Value)
	}
	if req.Changed&lua.ChangedQuery != 0 {
		x.RawQuery = req.Query
	}
	if req.Changed&lua.ChangedBody != 0 {
		x.Body = req.Body
		if len(x.Body) == 0 {
			x.Body = nil
		}
	}
	applyParams(x, req.ParamSets)
	switch {
	case p.skipNext:
		defer sess.End()
		obj := lua.NewObject(nil)
		resp := &lua.Response{Complete: true, Status: http.StatusOK, Header: x.Respond, Data: obj}
		if err := sess.Post(ctx, &req, resp); err != nil {
			return luaFailure(x.Log, p.name, "modifier/lua-proxy", err, false)
		}
		applyRespond(x, resp.HeaderSets)
		return p.render(x, obj, true)
	case p.script.HasPost():
		p.keep(x, sess)
	default:
		sess.End()
	}
	return nil
}

// keep holds sess for x's post.
func (p *luaProxy) keep(x *stage.Exchange, sess *lua.Session) {
	key := weak.Make(x)
	p.sessions.Store(key, sess)
	runtime.AddCleanup(x, func(k weak.Pointer[stage.Exchange]) { p.sessions.Delete(k) }, key)
}

// take returns the session pre kept for x, or a new one.
func (p *luaProxy) take(x *stage.Exchange) (*lua.Session, error) {
	if v, ok := p.sessions.LoadAndDelete(weak.Make(x)); ok {
		return v.(*lua.Session), nil
	}
	return p.script.Begin(x.Log)
}

// Finish implements stage.Finish: post edits the merged data. Values it
// changes replace the members' values; when it adds or removes keys, the
// stage answers with the whole encoded document itself.
func (p *luaProxy) Finish(ctx context.Context, x *stage.Exchange, d *stage.Document) *stage.Reply {
	sess, err := p.take(x)
	if err != nil {
		return luaFailure(x.Log, p.name, "modifier/lua-proxy", err, false)
	}
	defer sess.End()
	members := make([]lua.Member, len(d.Members))
	for i, m := range d.Members {
		members[i] = lua.Member{Name: m.Name, Value: m.Value}
	}
	obj := lua.NewObject(members)
	resp := &lua.Response{Complete: d.Complete, Header: x.Respond, Data: obj}
	if d.HasData {
		resp.Status = http.StatusOK
	}
	req := exchangeRequest(x)
	req.Allow = p.allow.Allows
	if err := sess.Post(ctx, &req, resp); err != nil {
		return luaFailure(x.Log, p.name, "modifier/lua-proxy", err, false)
	}
	applyRespond(x, resp.HeaderSets)
	if obj.KeysChanged() {
		return p.render(x, obj, d.Complete)
	}
	out, err := obj.Members()
	if err != nil {
		return luaFailure(x.Log, p.name, "modifier/lua-proxy", err, false)
	}
	for i := range out {
		d.Members[i].Value = out[i].Value
	}
	return nil
}

// applyRespond sets the response headers a post script set.
func applyRespond(x *stage.Exchange, sets []lua.Param) {
	for _, h := range sets {
		if x.Respond == nil {
			x.Respond = make(http.Header, len(sets))
		}
		x.Respond.Set(h.Name, h.Value)
	}
}

// render answers with obj encoded as the endpoint's output encoding
// (json, json-collection or string), with the headers the executor would
// set: 200 even without backend data, as static data does.
func (p *luaProxy) render(x *stage.Exchange, obj *lua.Object, complete bool) *stage.Reply {
	members, err := obj.Members()
	if err != nil {
		return luaFailure(x.Log, p.name, "modifier/lua-proxy", err, false)
	}
	h := make(http.Header, 3)
	var body []byte
	switch p.output {
	case OutputJSON:
		h.Set("Content-Type", "application/json; charset=utf-8")
		body, err = obj.MarshalJSON()
	case OutputJSONCollection:
		h.Set("Content-Type", "application/json; charset=utf-8")
		body = []byte("[]")
		for _, m := range members {
			if m.Name == "collection" && len(m.Value) > 0 && m.Value[0] == '[' {
				body = m.Value
			}
		}
	case OutputString:
		h.Set("Content-Type", "text/plain; charset=utf-8")
		body = []byte{}
		for _, m := range members {
			if m.Name == "content" {
				if v, derr := lua.DecodeJSON(m.Value); derr == nil {
					if s, ok := v.(string); ok {
						body = []byte(s)
					}
				}
			}
		}
	default:
		err = errors.New("a post script that adds or removes keys is not supported with this output_encoding")
	}
	if err != nil {
		return luaFailure(x.Log, p.name, "modifier/lua-proxy", err, false)
	}
	if complete {
		h.Set(headerCompleted, "true")
		if p.cache != "" {
			h.Set("Cache-Control", p.cache)
		}
	} else {
		h.Set(headerCompleted, "false")
	}
	return &stage.Reply{Status: http.StatusOK, Header: h, Body: body}
}

// luaBackendStage is b's lua-backend stage; nil without pre and post.
func (c *compiler) luaBackendStage(e *config.Endpoint, b *config.Backend) (stage.Backend, error) {
	l := b.LuaBackend
	if l == nil || l.Pre == "" && l.Post == "" {
		return nil, nil
	}
	s, err := compileLua(l, lua.Backend)
	if err != nil {
		return nil, err
	}
	lb := &luaBackend{script: s, name: e.Method + " " + e.Path}
	if s.HasPre() && s.HasPost() {
		return &luaBackendShared{luaBackend: lb}, nil
	}
	return lb, nil
}

// luaBackend runs a lua-backend script around each call of one backend.
type luaBackend struct {
	script *lua.Script
	name   string
}

// luaBackendShared is a luaBackend with both pre and post: the call's Lua
// state is kept from Before to ModifyResponse, and given back in After.
type luaBackendShared struct {
	*luaBackend
	sessions sync.Map // *stage.Call → *lua.Session
}

// errLuaBackend prefixes the failures of lua-backend scripts.
var errLuaBackend = errors.New("modifier/lua-backend")

func (s *luaBackend) fail(c *stage.Call, err error) error {
	var ce *lua.CustomError
	if errors.As(err, &ce) {
		return fmt.Errorf("%w: custom_error: %s", errLuaBackend, ce.Message)
	}
	if c.Exchange != nil && c.Exchange.Log != nil {
		c.Exchange.Log.Error("Lua script failed", "namespace", "modifier/lua-backend", "endpoint", s.name,
			"backend", c.Backend, "error", err.Error())
	}
	return fmt.Errorf("%w: %w", errLuaBackend, err)
}

func logOf(c *stage.Call) *slog.Logger {
	if c.Exchange != nil {
		return c.Exchange.Log
	}
	return nil
}

// luaCallRequest is the request a backend script sees.
func luaCallRequest(c *stage.Call) lua.Request {
	req := lua.Request{Method: c.Method, Body: c.Body, Header: c.Header}
	if c.URL != nil {
		req.Path, req.Query, req.URL = c.URL.EscapedPath(), c.URL.RawQuery, c.URL.String()
	}
	if c.Exchange != nil {
		for _, p := range c.Exchange.Params {
			req.Params = append(req.Params, lua.Param{Name: p.Name, Value: p.Value})
		}
	}
	return req
}

// pre runs pre on c and applies what it set.
func (s *luaBackend) pre(ctx context.Context, c *stage.Call, sess *lua.Session) error {
	req := luaCallRequest(c)
	if err := sess.Pre(ctx, &req); err != nil {
		return s.fail(c, err)
	}
	if req.Changed&lua.ChangedURL != 0 {
		u, err := url.Parse(req.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%w: request:url(%q) is not an absolute http or https URL", errLuaBackend, req.URL)
		}
		c.URL = u
	}
	if req.Changed&lua.ChangedQuery != 0 && c.URL != nil {
		u := *c.URL
		u.RawQuery = req.Query
		c.URL = &u
	}
	if req.Changed&lua.ChangedMethod != 0 {
		c.Method = req.Method
	}
	if req.Changed&lua.ChangedBody != 0 {
		c.Body = req.Body
		if len(c.Body) == 0 {
			c.Body = nil
		}
	}
	for _, h := range req.HeaderSets {
		c.SetHeader(h.Name, h.Value)
	}
	return nil
}

// post runs post on a response and returns the response to use.
func (s *luaBackend) post(ctx context.Context, c *stage.Call, sess *lua.Session, status int, header http.Header, body []byte) (int, http.Header, []byte, error) {
	resp := &lua.Response{Complete: status >= 200 && status <= 299, Status: status, Header: header, Body: body}
	req := luaCallRequest(c)
	if err := sess.Post(ctx, &req, resp); err != nil {
		return status, header, body, s.fail(c, err)
	}
	for _, h := range resp.HeaderSets {
		if header == nil {
			header = make(http.Header, len(resp.HeaderSets))
		}
		header.Set(h.Name, h.Value)
	}
	if resp.DataUsed && resp.Data != nil {
		nb, err := resp.Data.MarshalJSON()
		if err != nil {
			return status, header, body, s.fail(c, err)
		}
		body = nb
	}
	return status, header, body, nil
}

// Before implements stage.Backend: pre runs on the call as it will be
// sent.
func (s *luaBackend) Before(ctx context.Context, c *stage.Call) (*stage.Answer, error) {
	if !s.script.HasPre() {
		return nil, nil
	}
	sess, err := s.script.Begin(logOf(c))
	if err != nil {
		return nil, s.fail(c, err)
	}
	defer sess.End()
	return nil, s.pre(ctx, c, sess)
}

// ModifyResponse implements stage.ResponseModifier: post runs on the
// backend's response before it is checked and decoded.
func (s *luaBackend) ModifyResponse(c *stage.Call, status int, header http.Header, body []byte) (int, http.Header, []byte, error) {
	if !s.script.HasPost() {
		return status, header, body, nil
	}
	sess, err := s.script.Begin(logOf(c))
	if err != nil {
		return status, header, body, s.fail(c, err)
	}
	defer sess.End()
	return s.post(context.Background(), c, sess, status, header, body)
}

// Before implements stage.Backend, keeping the state for post.
func (s *luaBackendShared) Before(ctx context.Context, c *stage.Call) (*stage.Answer, error) {
	sess, err := s.script.Begin(logOf(c))
	if err != nil {
		return nil, s.fail(c, err)
	}
	if err := s.pre(ctx, c, sess); err != nil {
		sess.End()
		return nil, err
	}
	s.sessions.Store(c, sess)
	return nil, nil
}

// ModifyResponse implements stage.ResponseModifier with pre's state.
func (s *luaBackendShared) ModifyResponse(c *stage.Call, status int, header http.Header, body []byte) (int, http.Header, []byte, error) {
	v, ok := s.sessions.Load(c)
	if !ok {
		return status, header, body, fmt.Errorf("%w: no Lua state for this call", errLuaBackend)
	}
	return s.post(context.Background(), c, v.(*lua.Session), status, header, body)
}

// After implements stage.Observer: the call is over, its state goes back.
func (s *luaBackendShared) After(c *stage.Call, status int, header http.Header, body []byte, err error) {
	if v, ok := s.sessions.LoadAndDelete(c); ok {
		v.(*lua.Session).End()
	}
}
