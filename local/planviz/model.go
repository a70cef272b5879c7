// Package planviz draws the plan of a loaded gateway config: for each
// endpoint, the stages the engine runs in the order it runs them, the
// backends with their shaping rules and their own stages, sequential
// chains, static data, shadow backends, the merge, the post-merge
// flatmap_filter and the response-side stages.
//
// [Build] turns a [config.Config] into a [Graph], a plain model with one
// [Endpoint] per endpoint. [Render] writes it as a Mermaid flowchart, a
// Graphviz DOT digraph or a self-contained SVG image laid out here, with no
// external tool. Config strings are untrusted: every renderer escapes them
// for its format, and node identifiers are generated, never taken from the
// config.
package planviz

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/celcheck"
	"github.com/tributary-gw/tributary/core/urltpl"
)

// Category groups stages by what they do; the renderers colour by it.
type Category string

// Stage categories.
const (
	// CatSecurity is browser and client filtering: CORS, security
	// headers, the bot detector.
	CatSecurity Category = "security"
	// CatAuth is token validation, revocation, signing and backend
	// credentials.
	CatAuth Category = "auth"
	// CatTraffic is rate limits, the circuit breaker and the HTTP cache.
	CatTraffic Category = "traffic"
	// CatValidation is CEL expressions and JSON Schema.
	CatValidation Category = "validation"
	// CatScript is Lua scripts and martian modifiers.
	CatScript Category = "script"
	// CatOther is anything else (the Lambda function-name check).
	CatOther Category = "other"
)

// Stage is one stage of the plan: a namespace the engine runs at a fixed
// point of the request.
type Stage struct {
	// Name is the namespace ("security/cors", "qos/circuit-breaker").
	Name string
	// Category groups the stage for colouring.
	Category Category
	// Details are short facts from the config, one per line.
	Details []string
}

// Graph is the drawable plan of a config.
type Graph struct {
	// Source is the config file name.
	Source string
	// Name is the config's "name" ("" when unset).
	Name string
	// Endpoints are the endpoints in file order.
	Endpoints []*Endpoint
}

// Endpoint is the drawable plan of one endpoint.
type Endpoint struct {
	// Method and Path identify the route.
	Method, Path string
	// Details are the endpoint's own settings worth showing (timeout,
	// input headers and query strings, concurrent calls, body cap).
	Details []string
	// Service are the service-level stages, run before routing.
	Service []Stage
	// Stages are the endpoint stages, run after the route matched and
	// the request was checked, before any backend.
	Stages []Stage
	// Backends are the backends taking part in the merge, in
	// declaration order.
	Backends []*Backend
	// Shadows are the shadow backends (each gets a copy of the request;
	// the answer is discarded).
	Shadows []*Backend
	// Sequential reports that Backends run one after another, later ones
	// reading earlier answers.
	Sequential bool
	// DeepMerge reports tributary.merge "deep".
	DeepMerge bool
	// NoOp reports output_encoding "no-op": the single backend's response
	// is passed through, not merged.
	NoOp bool
	// Static is the proxy.static strategy and a preview of its data; ""
	// strategy when there is none.
	StaticStrategy, StaticData string
	// Flatmap are the post-merge flatmap_filter operations, one line each
	// ("move a → b").
	Flatmap []string
	// Finish are the stages run on the merged result before encoding.
	Finish []Stage
	// Output is the output encoding.
	Output string
	// CacheControl is the Cache-Control value of complete responses, or ""
	// when cache_ttl is off.
	CacheControl string
}

// ID returns "METHOD /path".
func (e *Endpoint) ID() string { return e.Method + " " + e.Path }

// Backend is the drawable plan of one backend.
type Backend struct {
	// Index is the position in the endpoint's "backend" list.
	Index int
	// Method is the upstream method.
	Method string
	// URLPattern is the url_pattern.
	URLPattern string
	// Hosts are the hosts, or the function for a Lambda backend.
	Hosts []string
	// Kind is "http", "lambda" or "graphql".
	Kind string
	// Details are encoding and transport settings, one per line.
	Details []string
	// Shaping are the response shaping rules in the order they apply
	// (target, allow or deny, mapping or flatmap, group), one per line.
	Shaping []string
	// Stages run around each call of this backend, in order.
	Stages []Stage
	// Resp are the {resp<N>_<path>} placeholders the url_pattern reads
	// from earlier backends of a sequential endpoint.
	Resp []string
	// Shadow marks a shadow backend.
	Shadow bool
}

// maxList is how many items of a list a detail line shows.
const maxList = 4

// Build returns the drawable plan of cfg: per endpoint, the same stages,
// in the same order and under the same conditions, as the compiled plan.
func Build(cfg *config.Config) *Graph {
	g := &Graph{Source: cfg.Source, Name: cfg.Name}
	service := serviceStages(cfg)
	for _, e := range cfg.Endpoints {
		g.Endpoints = append(g.Endpoints, buildEndpoint(cfg, e, service))
	}
	return g
}

// Select returns the graph of the endpoints sel names: each entry is a
// path ("/users/{id}", every method; the leading "/" may be left out) or
// "METHOD /path". An entry that
// names no endpoint is an error listing the valid ones. No entry selects
// every endpoint.
func (g *Graph) Select(sel []string) (*Graph, error) {
	if len(sel) == 0 {
		return g, nil
	}
	out := &Graph{Source: g.Source, Name: g.Name}
	picked := map[*Endpoint]bool{}
	for _, s := range sel {
		s = strings.TrimSpace(s)
		method, path, hasMethod := strings.Cut(s, " ")
		if !hasMethod {
			path = s
		} else {
			method, path = strings.ToUpper(method), strings.TrimSpace(path)
		}
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		found := false
		for _, e := range g.Endpoints {
			if e.Path != path || hasMethod && e.Method != method {
				continue
			}
			found = true
			if !picked[e] {
				picked[e] = true
				out.Endpoints = append(out.Endpoints, e)
			}
		}
		if !found {
			return nil, &UnknownEndpointError{Name: s, Valid: g.endpointIDs()}
		}
	}
	return out, nil
}

func (g *Graph) endpointIDs() []string {
	ids := make([]string, len(g.Endpoints))
	for i, e := range g.Endpoints {
		ids[i] = e.ID()
	}
	return ids
}

// UnknownEndpointError is returned by Select for an entry that names no
// endpoint.
type UnknownEndpointError struct {
	// Name is the entry as given.
	Name string
	// Valid are the endpoints of the graph, as "METHOD /path".
	Valid []string
}

// Error names the entry and lists the valid endpoints, one a line.
func (e *UnknownEndpointError) Error() string {
	if len(e.Valid) == 0 {
		return fmt.Sprintf("no endpoint %q: the config declares no endpoints", e.Name)
	}
	return fmt.Sprintf("no endpoint %q; the config declares:\n  %s", e.Name, strings.Join(e.Valid, "\n  "))
}

// serviceStages mirrors the plan's service stages: security/cors,
// security/http, the revocation admin path, the service bot detector.
func serviceStages(cfg *config.Config) []Stage {
	var out []Stage
	if c := cfg.CORS; c != nil {
		d := []string{"origins: " + list(c.AllowOrigins, "*")}
		if len(c.AllowMethods) > 0 {
			d = append(d, "methods: "+list(c.AllowMethods, ""))
		}
		if c.AllowCredentials {
			d = append(d, "credentials allowed")
		}
		out = append(out, Stage{Name: "security/cors", Category: CatSecurity, Details: d})
	}
	if h := cfg.HTTPSecure; h != nil {
		var d []string
		if len(h.AllowedHosts) > 0 {
			d = append(d, "allowed hosts: "+list(h.AllowedHosts, ""))
		}
		if h.SSLRedirect {
			d = append(d, "HTTPS redirect")
		}
		if h.STSSeconds > 0 {
			d = append(d, "HSTS "+strconv.FormatInt(h.STSSeconds, 10)+"s")
		}
		if h.ContentSecurityPolicy != "" {
			d = append(d, "CSP: "+h.ContentSecurityPolicy)
		}
		if len(d) == 0 {
			d = append(d, "security headers")
		}
		out = append(out, Stage{Name: "security/http", Category: CatSecurity, Details: d})
	}
	if r := cfg.Revoker; r != nil && r.Admin != nil {
		out = append(out, Stage{Name: "auth/revoker admin", Category: CatAuth, Details: []string{"POST " + r.Admin.Path}})
	}
	if b := cfg.BotDetector; b != nil {
		out = append(out, botStage(b))
	}
	return out
}

// botStage draws a security/bot-detector (service or endpoint scope).
func botStage(b *config.BotDetector) Stage {
	d := []string{fmt.Sprintf("%d allow, %d deny, %d patterns", len(b.Allow), len(b.Deny), len(b.Patterns))}
	if b.EmptyUserAgentIsBot {
		d = append(d, "empty User-Agent is a bot")
	}
	return Stage{Name: "security/bot-detector", Category: CatSecurity, Details: d}
}

// buildEndpoint draws e, with the service stages every endpoint runs.
func buildEndpoint(cfg *config.Config, e *config.Endpoint, service []Stage) *Endpoint {
	ep := &Endpoint{
		Method:  e.Method,
		Path:    e.Path,
		Service: service,
		Output:  e.OutputEncoding,
		NoOp:    e.OutputEncoding == config.OutputNoOp,
	}
	ep.Details = append(ep.Details, "timeout "+dur(e.Timeout))
	if len(e.InputHeaders) > 0 {
		ep.Details = append(ep.Details, "headers: "+list(e.InputHeaders, ""))
	}
	if len(e.InputQueryStrings) > 0 {
		ep.Details = append(ep.Details, "query: "+list(e.InputQueryStrings, ""))
	}
	if e.ConcurrentCalls > 1 {
		ep.Details = append(ep.Details, "concurrent_calls "+strconv.Itoa(e.ConcurrentCalls))
	}
	if e.CacheTTL > 0 && !ep.NoOp {
		vis := "public"
		if e.Validator != nil {
			vis = "private"
		}
		ep.CacheControl = vis + ", max-age=" + strconv.FormatInt(int64(e.CacheTTL/time.Second), 10)
	}

	ep.Stages = endpointStages(cfg, e)
	regular := 0
	for i, b := range e.Backends {
		if !b.Shadow {
			regular++
		}
		bb := buildBackend(i, e, b)
		if b.Shadow {
			ep.Shadows = append(ep.Shadows, bb)
		} else {
			ep.Backends = append(ep.Backends, bb)
		}
	}
	ep.Sequential = e.Sequential && regular > 1
	ep.DeepMerge = e.DeepMerge && regular > 1
	if !ep.Sequential {
		for _, b := range ep.Backends {
			b.Resp = nil
		}
	}
	if s := e.Static; s != nil {
		ep.StaticStrategy = s.Strategy
		if ep.StaticStrategy == "" {
			ep.StaticStrategy = "always"
		}
		ep.StaticData = string(s.Data)
	}
	ep.Flatmap = flatmapLines(e.Flatmap)
	ep.Finish = finishStages(e)
	return ep
}

// endpointStages mirrors the plan's endpoint stages, in its order.
func endpointStages(cfg *config.Config, e *config.Endpoint) []Stage {
	var out []Stage
	if e.BotDetector != nil {
		out = append(out, botStage(e.BotDetector))
	}
	var fnParams []string
	lambda := false
	for _, b := range e.Backends {
		if b.Lambda != nil {
			lambda = true
			if b.Lambda.FunctionParam != "" {
				fnParams = append(fnParams, "{"+b.Lambda.FunctionParam+"}")
			}
		}
	}
	if lambda {
		d := []string{"function name check"}
		if len(fnParams) > 0 {
			d = []string{"function names from " + list(fnParams, "")}
		}
		out = append(out, Stage{Name: "backend/lambda", Category: CatOther, Details: d})
	}
	if v := e.Validator; v != nil {
		d := []string{"alg " + v.Alg}
		if v.JWKURL != "" {
			d = append(d, "JWK "+v.JWKURL)
		} else if v.JWKLocalPath != "" {
			d = append(d, "JWK file "+v.JWKLocalPath)
		}
		if v.Issuer != "" {
			d = append(d, "issuer "+v.Issuer)
		}
		if len(v.Audience) > 0 {
			d = append(d, "audience "+list(v.Audience, ""))
		}
		if len(v.Roles) > 0 {
			d = append(d, "roles "+list(v.Roles, ""))
		}
		out = append(out, Stage{Name: "auth/validator", Category: CatAuth, Details: d})
	}
	jwt, req, _ := celPhases(e.CEL)
	if len(jwt) > 0 {
		out = append(out, Stage{Name: "validation/cel (JWT)", Category: CatValidation, Details: jwt})
	}
	if e.Validator != nil && cfg.Revoker != nil && len(cfg.Revoker.TokenKeys) > 0 {
		out = append(out, Stage{Name: "auth/revoker", Category: CatAuth, Details: []string{"claims " + list(cfg.Revoker.TokenKeys, "")}})
	}
	if l := cfg.LuaEndpoint; l != nil && l.Pre != "" {
		out = append(out, luaStage("modifier/lua-endpoint (service)", l, "pre"))
	}
	if l := e.LuaEndpoint; l != nil && l.Pre != "" {
		out = append(out, luaStage("modifier/lua-endpoint", l, "pre"))
	}
	if rl := e.RateLimit; rl != nil {
		var d []string
		if rl.MaxRate > 0 {
			d = append(d, "endpoint "+rate(rl.MaxRate, rl.Every))
		}
		if rl.ClientMaxRate > 0 {
			by := rl.Strategy
			if rl.Key != "" {
				by += " " + rl.Key
			}
			d = append(d, "per client "+rate(rl.ClientMaxRate, rl.Every)+" by "+by)
		}
		out = append(out, Stage{Name: "qos/ratelimit/router", Category: CatTraffic, Details: d})
	}
	if e.JSONSchema != nil {
		out = append(out, Stage{Name: "validation/json-schema", Category: CatValidation, Details: []string{"request body"}})
	}
	if len(req) > 0 {
		out = append(out, Stage{Name: "validation/cel (request)", Category: CatValidation, Details: req})
	}
	if l := luaProxy(e); l != nil && (hasCode(l.Pre) || l.SkipNext) {
		d := "pre"
		if l.SkipNext {
			d = "pre, skip_next (answers itself)"
		}
		out = append(out, luaStage("modifier/lua-proxy", l, d))
	}
	return out
}

// hasCode reports whether a Lua pre or post part is compiled into a
// function (blank text is not).
func hasCode(s string) bool { return strings.TrimSpace(s) != "" }

// luaProxy returns e's lua-proxy when it has anything to run.
func luaProxy(e *config.Endpoint) *config.Lua {
	l := e.LuaProxy
	if l == nil || l.Pre == "" && l.Post == "" && !l.SkipNext {
		return nil
	}
	return l
}

// finishStages mirrors the plan's response-side stages: lua-proxy post,
// the CEL response expressions, then auth/signer.
func finishStages(e *config.Endpoint) []Stage {
	var out []Stage
	if l := luaProxy(e); l != nil && hasCode(l.Post) && !l.SkipNext {
		out = append(out, luaStage("modifier/lua-proxy", l, "post"))
	}
	if _, _, resp := celPhases(e.CEL); len(resp) > 0 {
		out = append(out, Stage{Name: "validation/cel (response)", Category: CatValidation, Details: resp})
	}
	if s := e.Signer; s != nil {
		d := []string{"alg " + s.Alg}
		if s.Full {
			d = append(d, "whole response")
		} else if len(s.KeysToSign) > 0 {
			d = append(d, "keys "+list(s.KeysToSign, ""))
		}
		out = append(out, Stage{Name: "auth/signer", Category: CatAuth, Details: d})
	}
	return out
}

// luaStage draws a Lua namespace by its parts and source file names
// (never its code).
func luaStage(name string, l *config.Lua, what string) Stage {
	d := []string{what}
	var files []string
	for _, s := range l.Sources {
		files = append(files, s.Name)
	}
	if len(files) > 0 {
		d = append(d, "sources: "+list(files, ""))
	}
	return Stage{Name: name, Category: CatScript, Details: d}
}

// celPhases splits CEL expressions by the phase they run in, as the plan
// does.
func celPhases(checks []config.CELCheck) (jwt, req, resp []string) {
	for _, c := range checks {
		p := celcheck.PhasesOf(c.Expr)
		if p&celcheck.PhaseJWT != 0 {
			jwt = append(jwt, c.Expr)
		}
		if p&celcheck.PhaseRequest != 0 {
			req = append(req, c.Expr)
		}
		if p&celcheck.PhaseResponse != 0 {
			resp = append(resp, c.Expr)
		}
	}
	return jwt, req, resp
}

// buildBackend draws backend i of e.
func buildBackend(i int, e *config.Endpoint, b *config.Backend) *Backend {
	bb := &Backend{Index: i, Method: b.Method, URLPattern: b.URLPattern, Hosts: b.Host, Kind: "http", Shadow: b.Shadow}
	switch {
	case b.Lambda != nil:
		bb.Kind = "lambda"
		fn := b.Lambda.FunctionName
		if b.Lambda.FunctionParam != "" {
			fn = "{" + b.Lambda.FunctionParam + "}"
		}
		bb.Hosts = []string{"λ " + fn}
		if b.Lambda.Region != "" {
			bb.Details = append(bb.Details, "region "+b.Lambda.Region)
		}
	case b.GraphQL != nil:
		bb.Kind = "graphql"
		d := "graphql " + b.GraphQL.Type
		if b.GraphQL.OperationName != "" {
			d += " " + b.GraphQL.OperationName
		}
		bb.Details = append(bb.Details, d)
	}
	if b.Encoding != config.EncodingJSON {
		bb.Details = append(bb.Details, "encoding "+b.Encoding)
	}
	if b.IsCollection {
		bb.Details = append(bb.Details, "is_collection (a top-level array)")
	}
	if b.Timeout > 0 {
		bb.Details = append(bb.Details, "timeout "+dur(b.Timeout))
	}
	if b.Shadow && b.ShadowTimeout > 0 {
		bb.Details = append(bb.Details, "shadow_timeout "+dur(b.ShadowTimeout))
	}
	if b.FollowRedirects {
		bb.Details = append(bb.Details, "follows up to "+strconv.Itoa(b.MaxRedirects)+" redirects")
	}
	if b.ReturnErrorCode {
		bb.Details = append(bb.Details, "return_error_code")
	}
	if b.ReturnErrorDetails != "" {
		bb.Details = append(bb.Details, "errors as error_"+b.ReturnErrorDetails)
	}

	if b.Target != "" {
		bb.Shaping = append(bb.Shaping, "target: "+b.Target)
	}
	if len(b.Flatmap) > 0 {
		for _, l := range flatmapLines(b.Flatmap) {
			bb.Shaping = append(bb.Shaping, "flatmap "+l)
		}
	} else {
		switch {
		case len(b.Allow) > 0:
			bb.Shaping = append(bb.Shaping, "allow: "+list(b.Allow, ""))
		case len(b.Deny) > 0:
			bb.Shaping = append(bb.Shaping, "deny: "+list(b.Deny, ""))
		}
		if len(b.Mapping) > 0 {
			var m []string
			for _, r := range b.Mapping {
				m = append(m, r.From+"→"+r.To)
			}
			bb.Shaping = append(bb.Shaping, "mapping: "+list(m, ""))
		}
	}
	if b.Group != "" {
		bb.Shaping = append(bb.Shaping, "group: "+b.Group)
	}
	bb.Stages = backendStages(b)
	if e.Sequential {
		if tpl, err := urltpl.Compile(b.URLPattern); err == nil {
			for _, name := range tpl.Names() {
				if _, path, ok := config.ParseRespName(name); ok && path != nil && !contains(e.Params, name) {
					bb.Resp = append(bb.Resp, "{"+name+"}")
				}
			}
		}
	}
	return bb
}

// backendStages mirrors the plan's backend stages, in its order.
func backendStages(b *config.Backend) []Stage {
	var out []Stage
	_, req, resp := celPhases(b.CEL)
	if len(req) > 0 {
		out = append(out, Stage{Name: "validation/cel (request)", Category: CatValidation, Details: req})
	}
	if c := b.HTTPCache; c != nil {
		d := "private store"
		if c.Shared {
			d = "shared store"
		}
		out = append(out, Stage{Name: "qos/http-cache", Category: CatTraffic, Details: []string{d}})
	}
	if r := b.RateLimit; r != nil {
		out = append(out, Stage{Name: "qos/ratelimit/proxy", Category: CatTraffic, Details: []string{rate(r.MaxRate, r.Every) + ", burst " + strconv.FormatInt(r.Capacity, 10)}})
	}
	if c := b.CircuitBreaker; c != nil {
		d := []string{fmt.Sprintf("opens after %d errors in %s", c.MaxErrors, dur(c.Interval)), "retries after " + dur(c.Timeout)}
		if c.Name != "" {
			d = append(d, "name "+c.Name)
		}
		out = append(out, Stage{Name: "qos/circuit-breaker", Category: CatTraffic, Details: d})
	}
	if c := b.ClientCredentials; c != nil && !c.IsDisabled {
		d := []string{"token " + c.TokenURL}
		if len(c.Scopes) > 0 {
			d = append(d, "scopes "+list(c.Scopes, ""))
		}
		out = append(out, Stage{Name: "auth/client-credentials", Category: CatAuth, Details: d})
	}
	if m := b.Martian; m != nil {
		out = append(out, Stage{Name: "modifier/martian", Category: CatScript, Details: martianLines(m, 0, nil)})
	}
	if l := b.LuaBackend; l != nil && (l.Pre != "" || l.Post != "") {
		var parts []string
		if hasCode(l.Pre) {
			parts = append(parts, "pre")
		}
		if hasCode(l.Post) {
			parts = append(parts, "post")
		}
		out = append(out, luaStage("modifier/lua-backend", l, strings.Join(parts, " + ")))
	}
	if len(resp) > 0 {
		out = append(out, Stage{Name: "validation/cel (response)", Category: CatValidation, Details: resp})
	}
	return out
}

// martianLines lists a martian modifier tree, one modifier a line.
func martianLines(m *config.Martian, depth int, out []string) []string {
	if m == nil || len(out) >= maxList+1 {
		return out
	}
	line := strings.Repeat("  ", depth) + m.Type
	switch {
	case m.Name != "":
		line += " " + m.Name
	case m.From != "":
		line += " " + m.From + "→" + m.To
	}
	out = append(out, line)
	for _, c := range m.Modifiers {
		out = martianLines(c, depth+1, out)
	}
	return out
}

// flatmapLines lists flatmap_filter operations, one a line ("move a → b").
func flatmapLines(ops []config.FlatmapOp) []string {
	var out []string
	for _, op := range ops {
		out = append(out, op.Type+" "+strings.Join(op.Args, " → "))
	}
	return out
}

// list joins items, keeping the first maxList and counting the rest;
// empty gives def.
func list(items []string, def string) string {
	if len(items) == 0 {
		return def
	}
	if len(items) > maxList {
		return strings.Join(items[:maxList], ", ") + fmt.Sprintf(" +%d more", len(items)-maxList)
	}
	return strings.Join(items, ", ")
}

// rate prints r per every ("10/s", "5/2m").
func rate(r float64, every time.Duration) string {
	per := dur(every)
	switch every {
	case 0, time.Second:
		per = "s"
	case time.Minute:
		per = "min"
	case time.Hour:
		per = "h"
	}
	return strconv.FormatFloat(r, 'f', -1, 64) + "/" + per
}

// dur prints d compactly ("1.5s", "1m0s" → "1m").
func dur(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
