package lambdaadapter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// DirectEndpoint is the endpoint a per-endpoint function serves to direct
// invocations (TRIBUTARY_ENDPOINT, lambda.md §4.1).
type DirectEndpoint struct {
	// Method is the endpoint's method as written in the config, e.g. "GET".
	Method string
	// Template is the endpoint's path template as written in the config,
	// e.g. "/frontpage/{id_user}".
	Template string
}

// ParseEndpoint parses a TRIBUTARY_ENDPOINT value: a method, one space and
// a path template, e.g. "GET /frontpage/{id_user}". The template must
// start with "/", and each placeholder must be a whole segment {name} with
// name in [A-Za-z0-9_-]+, used once. Whether the endpoint exists in the
// config is for the caller to check.
func ParseEndpoint(s string) (DirectEndpoint, error) {
	method, tmpl, ok := strings.Cut(strings.TrimSpace(s), " ")
	if !ok {
		return DirectEndpoint{}, fmt.Errorf("endpoint %q: want \"METHOD /path/template\"", s)
	}
	ep := DirectEndpoint{Method: method, Template: tmpl}
	if _, err := compileDirect(ep); err != nil {
		return DirectEndpoint{}, fmt.Errorf("endpoint %q: %w", s, err)
	}
	return ep, nil
}

// directRoute is a compiled DirectEndpoint.
type directRoute struct {
	method string
	segs   []tmplSeg
	params int // number of placeholders
}

// tmplSeg is one template segment: a literal, or a placeholder's name.
type tmplSeg struct {
	text  string
	param bool
}

// compileDirect validates and compiles ep.
func compileDirect(ep DirectEndpoint) (*directRoute, error) {
	if !httpsyntax.IsToken(ep.Method) {
		return nil, fmt.Errorf("invalid method %q", ep.Method)
	}
	t := ep.Template
	if t == "" || t[0] != '/' {
		return nil, errors.New("the path template must start with /")
	}
	d := &directRoute{method: ep.Method}
	names := make(map[string]bool)
	parts := strings.Split(t[1:], "/")
	for i, s := range parts {
		if s == "" && i != len(parts)-1 {
			return nil, errors.New("the path template has an empty segment")
		}
		if s == "." || s == ".." {
			return nil, errors.New("the path template has a dot-segment")
		}
		for j := 0; j < len(s); j++ {
			if c := s[j]; c <= ' ' || c == 0x7f || c == '?' || c == '#' || c == '*' || c == '\\' {
				return nil, fmt.Errorf("the path template has a forbidden character %q", c)
			}
		}
		if !strings.ContainsAny(s, "{}") {
			d.segs = append(d.segs, tmplSeg{text: s})
			continue
		}
		name, ok := strings.CutPrefix(s, "{")
		if name, ok = strings.CutSuffix(name, "}"); !ok || !validParamName(name) {
			return nil, fmt.Errorf("segment %q: a placeholder must be a whole segment {name} with name in [A-Za-z0-9_-]+", s)
		}
		if names[name] {
			return nil, fmt.Errorf("placeholder {%s} appears twice", name)
		}
		names[name] = true
		d.segs = append(d.segs, tmplSeg{text: name, param: true})
		d.params++
	}
	return d, nil
}

func validParamName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// directPayload is a decoded direct-invocation payload.
type directPayload struct {
	params  []kv
	query   []kv
	headers []kv
	body    []byte
	hasBody bool
}

// serveDirect serves a direct invocation (lambda.md §4.1): build the
// request from the payload, serve it, and map the outcome to the
// function's result or its error result.
func (a *Adapter) serveDirect(ctx context.Context, event []byte) (io.Reader, error) {
	if a.direct == nil && a.directErr == nil {
		return nil, invokeError(errInvalidEvent("this function does not accept direct-invocation payloads; send an API Gateway, Function URL or ALB event"))
	}
	if a.directErr != nil {
		return nil, invokeError(&httpError{http.StatusInternalServerError, "internal_error", "the function's direct endpoint is invalid"})
	}
	pl, e := a.parseDirect(event)
	if e != nil {
		return nil, invokeError(e)
	}
	in, e := a.buildDirect(pl)
	if e != nil {
		return nil, invokeError(e)
	}
	return a.directResult(a.run(newRequest(ctx, in)))
}

// parseDirect decodes the payload: keys params, query, headers and body
// only; anything else is 400 bad_request.
func (a *Adapter) parseDirect(event []byte) (*directPayload, *httpError) {
	sc := &scanner{b: event}
	pl := &directPayload{}
	var bad string
	fail := func(msg string) bool {
		if bad == "" {
			bad = msg
		}
		return false
	}
	ok := sc.object(func(key []byte) bool {
		switch string(key) {
		case "params":
			return readDirectMap(sc, "params", &pl.params, false, false, fail)
		case "query":
			return readDirectMap(sc, "query", &pl.query, true, false, fail)
		case "headers":
			return readDirectMap(sc, "headers", &pl.headers, true, true, fail)
		case "body":
			var ok bool
			pl.body, ok = sc.raw()
			pl.hasBody = true
			return ok
		}
		return fail("unknown key " + strconv.Quote(truncate(string(key), 64)) + "; a direct payload has only params, query, headers and body")
	}) && sc.atEnd()
	if bad != "" {
		return nil, errBadRequest(bad)
	}
	if !ok {
		return nil, errBadRequest("the payload is not valid JSON")
	}
	return pl, nil
}

// readDirectMap reads an object (or null) whose values are strings or,
// when lists is set, strings or arrays of strings. canon canonicalizes
// keys as header names.
func readDirectMap(sc *scanner, what string, dst *[]kv, lists, canon bool, fail func(string) bool) bool {
	switch sc.kind() {
	case kindNull:
		return sc.skip()
	case kindObject:
	default:
		return fail(what + " must be an object")
	}
	want := " values must be strings"
	if lists {
		want = " values must be strings or arrays of strings"
	}
	return sc.object(func(key []byte) bool {
		k := keyString(key, canon)
		switch sc.kind() {
		case kindString:
			v, ok := sc.str()
			*dst = append(*dst, kv{k, v})
			return ok
		case kindArray:
			if !lists {
				return fail(what + want)
			}
			return sc.array(func() bool {
				if sc.kind() != kindString {
					return fail(what + want)
				}
				v, ok := sc.str()
				*dst = append(*dst, kv{k, v})
				return ok
			})
		}
		return fail(what + want)
	})
}

// buildDirect turns a payload into a request: the endpoint's method; the
// template with each param escaped as one segment; the query with keys
// sorted; the headers validated like any other trigger's; the body's raw
// JSON bytes, as application/json unless the headers say otherwise. There
// is no host and no client address.
func (a *Adapter) buildDirect(pl *directPayload) (*inbound, *httpError) {
	d := a.direct
	if len(pl.params) != d.params {
		return nil, errBadRequest(fmt.Sprintf("params must name exactly the template's %d placeholder(s)", d.params))
	}
	values := make(map[string]string, len(pl.params))
	for _, p := range pl.params {
		if _, dup := values[p.k]; dup {
			return nil, errBadRequest("param " + strconv.Quote(truncate(p.k, 64)) + " is given twice")
		}
		if p.v == "" {
			return nil, errBadRequest("param " + strconv.Quote(truncate(p.k, 64)) + " is empty")
		}
		values[p.k] = p.v
	}
	path := make([]byte, 0, 64)
	for _, s := range d.segs {
		path = append(path, '/')
		if !s.param {
			path = appendPathEscape(path, s.text)
			continue
		}
		v, ok := values[s.text]
		if !ok {
			return nil, errBadRequest("params has no value for {" + s.text + "}")
		}
		path = appendPathEscape(path, v)
	}
	u, err := url.ParseRequestURI(string(path))
	if err != nil {
		return nil, errInvalidPath("the params do not form a valid path")
	}
	u.RawQuery = sortedQuery(pl.query, true)
	hb := newHeaderBuilder(len(pl.headers)+1, a.maxHeaderBytes)
	for _, f := range pl.headers {
		if !hb.add(f.k, f.v) {
			return nil, hb.err
		}
	}
	delete(hb.h, "Host")
	if pl.hasBody {
		if _, ok := hb.h["Content-Type"]; !ok {
			hb.h["Content-Type"] = []string{"application/json"}
		}
	}
	return &inbound{method: d.method, url: u, header: hb.h, body: pl.body}, nil
}

// appendPathEscape escapes s as one path segment: every byte outside the
// RFC 3986 unreserved set is percent-encoded, so '/', '?', '#', '%', ';'
// and the rest can never change the path's shape.
func appendPathEscape(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; httpsyntax.IsUnreserved(c) {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', httpsyntax.UpperHex[c>>4], httpsyntax.UpperHex[c&0xf])
		}
	}
	return dst
}

// directResult maps a response to the function result (lambda.md §4.1):
// a 2xx JSON body as is; another 2xx UTF-8 body as a JSON string; a
// status ≥ 300, a non-UTF-8 body or an oversize result as an error result.
func (a *Adapter) directResult(res result) (io.Reader, error) {
	if res.over {
		return nil, invokeError(errTooLarge())
	}
	if res.status >= 300 {
		return nil, invokeError(a.directError(res))
	}
	if !utf8.Valid(res.body) {
		return nil, invokeError(&httpError{http.StatusBadGateway, "bad_gateway", "the response body is not valid UTF-8, so it cannot be a direct-invocation result"})
	}
	var out []byte
	if ct := res.header["Content-Type"]; len(ct) > 0 && isJSONType(ct[0]) && len(res.body) > 0 && validJSON(res.body) {
		out = res.body
	} else {
		out = appendJSONString(make([]byte, 0, len(res.body)+len(res.body)/8+2), res.body)
	}
	if len(out) > maxResponseBytes {
		return nil, invokeError(errTooLarge())
	}
	return newReply(out), nil
}

// directError builds the error result of a status ≥ 300: the code and
// message of a gateway JSON error body when there is one, else
// http_<status> and the status text.
func (a *Adapter) directError(res result) *httpError {
	e := &httpError{status: res.status, code: "http_" + strconv.Itoa(res.status), msg: http.StatusText(res.status)}
	if e.msg == "" {
		e.msg = "status " + strconv.Itoa(res.status)
	}
	if ct := res.header["Content-Type"]; len(ct) == 0 || !isJSONType(ct[0]) || len(res.body) == 0 {
		return e
	}
	var code, msg string
	sc := &scanner{b: res.body}
	if sc.kind() != kindObject {
		return e
	}
	ok := sc.object(func(key []byte) bool {
		switch {
		case string(key) == "error" && sc.kind() == kindString:
			var ok bool
			code, ok = sc.str()
			return ok
		case string(key) == "message" && sc.kind() == kindString:
			var ok bool
			msg, ok = sc.str()
			return ok
		}
		return sc.skip()
	})
	if !ok || !validCode(code) {
		return e
	}
	e.code = code
	if msg != "" {
		e.msg = truncate(msg, 1024)
	}
	return e
}

// validCode reports whether s looks like a §14.4 error code.
func validCode(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// isJSONType reports whether a Content-Type is application/json or
// application/*+json.
func isJSONType(ct string) bool {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = strings.TrimSpace(ct)
	typ, sub, ok := strings.Cut(ct, "/")
	return ok && strings.EqualFold(typ, "application") && (strings.EqualFold(sub, "json") || hasSuffixFold(sub, "+json"))
}
