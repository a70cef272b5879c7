package config

import (
	"strconv"
	"strings"
	"time"
)

// integrationTimeout is the API Gateway REST integration timeout; endpoint
// timeouts at or above it get a lint warning (§15).
const integrationTimeout = 29 * time.Second

// endpoints decodes the root "endpoints" array and checks the route table
// for exact duplicates.
func (l *loader) endpoints(c *Config, st *serviceState, v *node) {
	if v.kind != kindArray {
		l.wrongType(v, "$", "endpoints", "an array of endpoint objects", "")
		return
	}
	n := len(v.elems)
	if n > MaxEndpoints {
		l.errNode(v, "$.endpoints", "too many endpoints ("+itoa(n)+"); the limit is "+itoa(MaxEndpoints), "")
		n = MaxEndpoints
	}
	c.Endpoints = make([]*Endpoint, 0, n)
	routes := make(map[string]*Endpoint, n)
	inherited := false // some endpoint inherits the service timeout
	for i := 0; i < n; i++ {
		e, ok, ownTimeout := l.endpoint(c, st, &v.elems[i], i)
		if e == nil {
			continue
		}
		c.Endpoints = append(c.Endpoints, e)
		inherited = inherited || !ownTimeout
		if !ok {
			continue
		}
		key := routeKey(e.Method, e.Path)
		if first, dup := routes[key]; dup {
			l.errAt(e.Pos, keyPath(e.JSONPath, "endpoint"),
				"duplicate route "+e.Method+" "+e.Path+"; same route as "+first.Method+" "+first.Path+
					" at "+first.JSONPath+" (line "+itoa(first.Pos.Line)+")",
				"declare each method and path once; placeholder names do not make routes different")
			continue
		}
		routes[key] = e
	}
	if inherited && c.Timeout >= integrationTimeout && st.timeoutNode != nil {
		l.warnTimeout(st.timeoutNode, "$.timeout", c.Timeout)
	}
}

func (l *loader) warnTimeout(v *node, path string, d time.Duration) {
	l.warnAt(v.pos, path, "timeout "+d.String()+" is at or above the 29s API Gateway integration timeout",
		"on Lambda the function init fails unless TRIBUTARY_INTEGRATION_TIMEOUT declares a raised quota")
}

// endpointNodes are the endpoint values that later checks point at.
type endpointNodes struct {
	backend      *node
	inputHeaders *node
	concurrent   *node // concurrent_calls, when above 1
}

// endpoint decodes one endpoint object. ok reports a valid route template
// and method (so the route can take part in duplicate detection); own
// reports an explicit timeout.
func (l *loader) endpoint(c *Config, st *serviceState, v *node, idx int) (e *Endpoint, ok, own bool) {
	path := indexPath("$.endpoints", idx)
	if v.kind != kindObject {
		l.errAt(v.pos, path, "expected an endpoint object, got "+v.kind.String(), "")
		return nil, false, false
	}
	e = &Endpoint{
		JSONPath:            path,
		Pos:                 v.pos,
		Method:              "GET",
		Timeout:             c.Timeout,
		CacheTTL:            c.CacheTTL,
		ConcurrentCalls:     1,
		OutputEncoding:      c.OutputEncoding,
		MaxRequestBodyBytes: c.MaxRequestBodyBytes,
	}
	var nodes endpointNodes
	var tpl *node
	methodOK := true
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "endpoint":
			tpl = mv
			e.Pos = mv.pos
		case "method":
			if s, good := l.str(mv, path, m.key); good {
				e.Method, methodOK = l.endpointMethod(mv, at{path, m.key}, s)
			} else {
				methodOK = false
			}
		case "backend":
			nodes.backend = mv
		case "timeout":
			if d, good := l.positiveTimeout(mv, path, m.key,
				"0 does not disable the timeout; remove the key to inherit the service timeout"); good {
				e.Timeout = d
				own = true
				if d >= integrationTimeout {
					l.warnTimeout(mv, keyPath(path, m.key), d)
				}
			}
		case "cache_ttl":
			if d, good := l.duration(mv, path, m.key); good && d > 0 {
				e.CacheTTL = d // "0s" falls back to the service value
			}
		case "concurrent_calls":
			if l.concurrentCalls(e, mv, path, m.key) {
				nodes.concurrent = mv
			}
		case "input_headers":
			nodes.inputHeaders = mv
			if list, good := l.strList(mv, path, m.key); good && l.headerNames(mv, path, m.key, list, true) {
				e.InputHeaders = list
				l.warnStarHeaders(mv, keyPath(path, m.key), list)
			}
		case "input_query_strings":
			if list, good := l.strList(mv, path, m.key); good && l.queryKeys(mv, path, m.key, list) {
				e.InputQueryStrings = list
			}
		case "output_encoding":
			if s, good := l.outputEncoding(mv, path, m.key); good {
				e.OutputEncoding = s
			}
		case "extra_config":
			l.endpointExtra(e, mv, path)
		default:
			l.unknownKey(objEndpoint, path, m)
		}
	}
	l.checkValidator(e)
	if tpl == nil {
		l.errAt(v.pos, path, `missing required key "endpoint"`, `add the route, e.g. "endpoint": "/users/{id}"`)
	} else {
		ok = l.endpointPath(c, e, tpl, at{path, "endpoint"}) && methodOK
	}
	tplOK := tpl != nil && e.Path != ""
	if nodes.backend == nil {
		l.errAt(v.pos, path, `missing required key "backend"`, "an endpoint needs at least one backend")
	} else {
		l.endpointBackends(c, st, e, &nodes, tplOK)
		l.concurrentAndShadow(e, &nodes)
		l.proxyRules(e, &nodes)
	}
	e.proxyAt = nil
	if nodes.inputHeaders != nil && len(e.InputHeaders) > 0 {
		l.warnContentType(e, nodes.inputHeaders, at{path, "input_headers"})
	}
	return e, ok, own
}

// endpointMethod upper-cases and checks an endpoint method.
func (l *loader) endpointMethod(v *node, loc at, s string) (string, bool) {
	up := strings.ToUpper(s)
	switch up {
	case "GET", "POST", "PUT", "PATCH", "DELETE":
		if up != s {
			l.warnAt(v.pos, loc.String(), "method "+quoteJSON(s)+" upper-cased to "+quoteJSON(up), "write it in upper case")
		}
		return up, true
	}
	l.errNode(v, loc.String(), "unsupported endpoint method "+quoteJSON(s),
		"use GET, POST, PUT, PATCH or DELETE; declare one endpoint object per method")
	return "GET", false
}

// endpointPath decodes and checks the route template (§4.2).
func (l *loader) endpointPath(c *Config, e *Endpoint, v *node, loc at) bool {
	s, ok := l.str(v, e.JSONPath, "endpoint")
	if !ok {
		return false
	}
	if s == "" {
		l.errNode(v, loc.String(), "empty endpoint path", `routes start with "/", e.g. "/users/{id}"`)
		return false
	}
	if !strings.HasPrefix(s, "/") {
		l.warnAt(v.pos, loc.String(), `missing leading "/" added to endpoint `+quoteJSON(s), `write "/`+s+`"`)
		s = "/" + s
	}
	parsed, reason := catchAllTemplate(s, c.CatchAllRoutes)
	var params []string
	if reason == "" {
		params, reason = parseTemplate(parsed)
	}
	if reason != "" {
		hint := ""
		if !c.CatchAllRoutes && strings.Contains(s, "...}") {
			hint = `a catch-all segment {name...} needs "extra_config": {"tributary": {"catch_all_routes": true}} at service level`
		}
		l.errNode(v, loc.String(), "invalid endpoint "+quoteJSON(s)+": "+reason, hint)
		return false
	}
	if r := reservedPath(s, c.Router.HealthPath); r != "" {
		hint := `paths under "/__" are reserved for built-in endpoints`
		if r == c.Router.HealthPath && r != DefaultHealthPath {
			hint = "it is the router.health_path"
		}
		l.errNode(v, loc.String(), "endpoint "+quoteJSON(s)+" is reserved (built-in "+r+")", hint)
		return false
	}
	e.Path, e.Params = s, params
	return true
}

// concurrentCalls decodes concurrent_calls, 1–10 (§12.4 [H10]); it
// reports a value above 1, whose methods concurrentAndShadow checks once
// the backends are decoded.
func (l *loader) concurrentCalls(e *Endpoint, v *node, base, key string) bool {
	n, ok := l.integer(v, base, key)
	if !ok {
		return false
	}
	if n < 1 || n > MaxConcurrentCalls {
		l.errNode(v, keyPath(base, key), "value "+strconv.FormatInt(n, 10)+" out of range; must be 1–10", "")
		return false
	}
	e.ConcurrentCalls = int(n)
	return n > 1
}

// MaxConcurrentCalls is the largest concurrent_calls value (§12.4 [H10]).
const MaxConcurrentCalls = 10

// concurrentAndShadow applies the rules that concurrent_calls and shadow
// backends impose on the whole endpoint (§12.4, §17.17): identical copies
// are only sent for GET, HEAD and OPTIONS, at least one backend is not a
// shadow, and a shadow cannot sit under a no-op passthrough.
func (l *loader) concurrentAndShadow(e *Endpoint, nodes *endpointNodes) {
	if v := nodes.concurrent; v != nil {
		for _, b := range e.Backends {
			switch b.Method {
			case "GET", "HEAD", "OPTIONS":
				continue
			}
			l.errNode(v, keyPath(e.JSONPath, "concurrent_calls"), "concurrent_calls "+itoa(e.ConcurrentCalls)+
				" needs every backend method to be GET, HEAD or OPTIONS; "+b.JSONPath+" uses "+b.Method,
				"identical copies of a request that is not idempotent are never sent; set concurrent_calls to 1")
			break
		}
	}
	shadows := 0
	for _, b := range e.Backends {
		if b.Shadow {
			shadows++
		}
	}
	if shadows == 0 {
		return
	}
	at := keyPath(e.JSONPath, "backend")
	switch {
	case e.OutputEncoding == OutputNoOp:
		l.errNode(nodes.backend, at, `a shadow backend cannot serve an output_encoding "no-op" endpoint`,
			"the passthrough needs a backend whose response reaches the client")
	case shadows == len(e.Backends):
		l.errNode(nodes.backend, at, "every backend is a shadow, so no backend answers the client",
			`keep at least one backend without "shadow": true`)
	}
}

// queryKeys checks a list of query keys: non-empty strings, or "*".
func (l *loader) queryKeys(v *node, base, key string, list []string) bool {
	ok := true
	for i, q := range list {
		if q == "" {
			l.errAt(v.elems[i].pos, keyIndexPath(base, key, i), "empty query key", "")
			ok = false
		}
	}
	return ok
}

func (l *loader) warnStarHeaders(v *node, path string, list []string) {
	for _, h := range list {
		if h == "*" {
			l.warnAt(v.pos, path, `input_headers ["*"] forwards every client header, Cookie and Authorization included`,
				"list the headers the backends need")
			return
		}
	}
}

// warnContentType implements the [T11] lint: a body-carrying endpoint that
// lists headers but not Content-Type does not forward it.
func (l *loader) warnContentType(e *Endpoint, v *node, loc at) {
	switch e.Method {
	case "POST", "PUT", "PATCH":
	default:
		return
	}
	for _, h := range e.InputHeaders {
		if h == "*" || strings.EqualFold(h, "Content-Type") {
			return
		}
	}
	l.warnAt(v.pos, loc.String(), "Content-Type is not forwarded to the backends of this "+e.Method+" endpoint",
		`add "Content-Type" to input_headers`)
}

// endpointExtra decodes the endpoint extra_config.
func (l *loader) endpointExtra(e *Endpoint, v *node, path string) {
	if !l.object(v, path, "extra_config") {
		return
	}
	base := keyPath(path, "extra_config")
	for _, m := range l.namespaces(scopeEndpoint, base, v) {
		switch m.name {
		case "proxy":
			l.proxyEndpoint(e, &m.val, base, m.key)
		case "tributary":
			l.tributaryEndpoint(e, &m.val, base, m.key)
		case "auth/validator":
			l.validator(e, &m.val, base, m.key)
		case "auth/signer":
			l.signer(e, &m.val, base, m.key)
		case "qos/ratelimit/router":
			l.routerRateLimit(e, &m.val, base, m.key)
		case "security/bot-detector":
			e.BotDetector = l.botDetector(&m.val, base, m.key)
		case "validation/json-schema":
			l.jsonSchema(e, &m.val, base, m.key)
		case "validation/cel":
			e.CEL = l.celChecks(&m.val, base, m.key, false)
		case "modifier/lua-endpoint", "modifier/lua-proxy":
			if lua := l.lua(m.name, &m.val, base, m.key); m.name == "modifier/lua-proxy" {
				e.LuaProxy = lua
			} else {
				e.LuaEndpoint = lua
			}
		}
	}
}

// proxyEndpoint decodes the endpoint "proxy" namespace (§17.1); the rules
// that need the backends are applied by proxyRules.
func (l *loader) proxyEndpoint(e *Endpoint, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	at := &proxyNodes{path: path}
	e.proxyAt = at
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "sequential":
			if on, ok := l.boolean(mv, path, m.key); ok {
				e.Sequential, at.sequential = on, mv
			}
		case "sequential_propagated_params":
			if list, ok := l.strList(mv, path, m.key); ok {
				e.SequentialPropagatedParams, at.propagated = list, mv
			}
		case "static":
			e.Static = l.proxyStatic(mv, path, m.key)
			at.static = mv
		case "flatmap_filter":
			e.Flatmap = l.flatmapFilter(mv, path, m.key)
			at.flatmap = mv
		case "force_sandboxed_request":
			l.boolean(mv, path, m.key) // accepted: every backend gets its own request
		default:
			l.unknownKey(objProxyEndpoint, path, m)
		}
	}
}

// tributaryEndpoint decodes the endpoint "tributary" namespace (§17.16).
func (l *loader) tributaryEndpoint(e *Endpoint, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	for m := range v.schemaMembers() {
		switch m.key {
		case "max_request_body_bytes":
			if n, ok := l.limitInt(&m.val, path, m.key, 1<<62); ok {
				e.MaxRequestBodyBytes = n
			}
		case "jwt_cache", "jwt_authorizer_claims":
			l.validatorTributary(e, &m.val, path, m.key)
		case "merge":
			l.mergeMode(e, &m.val, path, m.key)
		default:
			l.unknownKey(objTributaryEndpoint, path, m)
		}
	}
}

// endpointBackends decodes the backend array and applies the rules that
// span backends: no-op (§13), return_error_code lint (§14.3) and duplicate
// groups (§11.5).
func (l *loader) endpointBackends(c *Config, st *serviceState, e *Endpoint, nodes *endpointNodes, tplOK bool) {
	v := nodes.backend
	if v.kind != kindArray {
		l.wrongType(v, e.JSONPath, "backend", "an array of backend objects", "")
		return
	}
	n := len(v.elems)
	switch {
	case n == 0:
		l.errNode(v, keyPath(e.JSONPath, "backend"), "no backends", "an endpoint needs at least one backend")
		return
	case n > MaxBackendsPerEndpoint:
		l.errNode(v, keyPath(e.JSONPath, "backend"), "too many backends ("+itoa(n)+"); the limit is "+itoa(MaxBackendsPerEndpoint), "")
		n = MaxBackendsPerEndpoint
	}
	noop := e.OutputEncoding == OutputNoOp
	if noop && n > 1 {
		l.errNode(v, keyPath(e.JSONPath, "backend"), `output_encoding "no-op" needs exactly one backend, got `+itoa(n),
			"split the endpoint, or use another output_encoding")
	}
	e.Backends = make([]*Backend, 0, n)
	notes := make([]backendNodes, 0, n)
	for i := 0; i < n; i++ {
		b, bn := l.backend(c, st, e, tplOK, &v.elems[i], i)
		if b == nil {
			continue
		}
		e.Backends = append(e.Backends, b)
		notes = append(notes, bn)
	}
	for i, b := range e.Backends {
		bn := &notes[i]
		// Encoding and output mismatches load, and behave as KrakenD does
		// (§2.2 rule 5, §10, §13).
		switch {
		case noop:
			if bn.encoding != nil && bn.encoding.kind == kindString && b.Encoding != EncodingNoOp {
				l.warnAt(bn.encoding.pos, keyPath(b.JSONPath, "encoding"), "encoding "+quoteJSON(bn.encoding.text)+
					` is ignored under output_encoding "no-op", as KrakenD does`, "remove it")
			}
			b.Encoding = EncodingNoOp
			l.ignoreShaping(b, bn)
		case b.Encoding == EncodingNoOp:
			l.warnAt(bn.encoding.pos, keyPath(b.JSONPath, "encoding"), `encoding "no-op" under output_encoding `+
				quoteJSON(e.OutputEncoding)+": the backend's response is discarded, as KrakenD does",
				`set "output_encoding": "no-op" on the endpoint for a passthrough, or remove the encoding`)
			l.ignoreShaping(b, bn)
		}
		if bn.returnErrorCode != nil && b.ReturnErrorCode && !b.Shadow && servingBackends(e) > 1 {
			l.warnAt(bn.returnErrorCode.pos, bn.returnErrorCodeAt.String(),
				"return_error_code has no effect on an endpoint with several backends", "they answer 502/504")
		}
		if b.Group != "" {
			for j := 0; j < i; j++ {
				if e.Backends[j].Group == b.Group {
					l.warnAt(bn.group.pos, keyPath(b.JSONPath, "group"), "group "+quoteJSON(b.Group)+
						" is also used by backend "+strconv.Itoa(j)+"; this backend's data replaces it",
						"use distinct group names")
					break
				}
			}
		}
	}
}

// servingBackends counts e's backends whose answers the client gets:
// every backend but the shadows.
func servingBackends(e *Endpoint) int {
	n := 0
	for _, b := range e.Backends {
		if !b.Shadow {
			n++
		}
	}
	return n
}
