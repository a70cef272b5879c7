package samlocal

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// segKind orders path segments by specificity: API Gateway prefers a
// literal segment to a {param}, and a {param} to a greedy {proxy+}.
type segKind uint8

const (
	segLiteral segKind = iota
	segParam
	segGreedy
)

type segment struct {
	kind segKind
	text string // the literal, or the parameter name
}

// Route is one event of one function, as start-api serves it.
type Route struct {
	// Function is the function the route invokes.
	Function *Function
	// Event is the template event the route comes from.
	Event *Event

	segs []segment
	key  string // the API Gateway route key
}

// Key returns the API Gateway route key: "GET /users/{id}", "ANY
// /{proxy+}", or "$default" for an HTTP API's default route.
func (r *Route) Key() string { return r.key }

// Param is one path parameter of a matched route, percent-decoded.
type Param struct {
	// Name is the parameter's name in the route path ("proxy" for
	// {proxy+}).
	Name string
	// Value is the decoded value; a greedy parameter spans segments and
	// keeps their slashes.
	Value string
}

// Router matches requests to routes the way API Gateway does: a literal
// segment beats a {param}, which beats a greedy {proxy+}, compared segment
// by segment from the left; a route for the request's own method beats
// ANY; "/" matches only a route whose path is "/"; an HTTP API $default
// route matches whatever no other route matches.
type Router struct {
	routes  []*Route // in precedence order
	httpAPI bool
}

// NewRouter compiles the Api and HttpApi events of t. Two events on the
// same method and path (parameter names aside) are an error, as API
// Gateway refuses them.
func NewRouter(t *Template) (*Router, error) {
	rt := &Router{}
	seen := map[string]*Route{}
	for _, fn := range t.Functions {
		for _, ev := range fn.Events {
			r := &Route{Function: fn, Event: ev}
			if ev.IsDefaultRoute() {
				r.key = "$default"
			} else {
				r.key = ev.Method + " " + ev.Path
				segs, err := parsePath(ev.Path)
				if err != nil {
					return nil, fmt.Errorf("%s event %s: %w", fn.LogicalID, ev.Name, err)
				}
				r.segs = segs
			}
			shape := r.shape()
			if prev := seen[shape]; prev != nil {
				return nil, fmt.Errorf("route %s of %s (event %s) repeats route %s of %s (event %s)",
					r.key, fn.LogicalID, ev.Name, prev.key, prev.Function.LogicalID, prev.Event.Name)
			}
			seen[shape] = r
			rt.routes = append(rt.routes, r)
			rt.httpAPI = rt.httpAPI || ev.Type == EventHTTP
		}
	}
	sort.SliceStable(rt.routes, func(i, j int) bool { return before(rt.routes[i], rt.routes[j]) })
	return rt, nil
}

// shape identifies routes that API Gateway would see as the same: method,
// literals and segment kinds, without parameter names.
func (r *Route) shape() string {
	if r.Event.IsDefaultRoute() {
		return "$default"
	}
	var b strings.Builder
	b.WriteString(r.Event.Method)
	b.WriteByte(' ')
	for _, s := range r.segs {
		b.WriteByte('/')
		switch s.kind {
		case segLiteral:
			b.WriteString(s.text)
		case segParam:
			b.WriteString("{}")
		case segGreedy:
			b.WriteString("{+}")
		}
	}
	return b.String()
}

// before reports whether a takes precedence over b.
func before(a, b *Route) bool {
	if ad, bd := a.Event.IsDefaultRoute(), b.Event.IsDefaultRoute(); ad != bd {
		return bd
	}
	for i := 0; i < len(a.segs) && i < len(b.segs); i++ {
		if a.segs[i].kind != b.segs[i].kind {
			return a.segs[i].kind < b.segs[i].kind
		}
	}
	if len(a.segs) != len(b.segs) {
		return len(a.segs) > len(b.segs)
	}
	return a.Event.Method != "ANY" && b.Event.Method == "ANY"
}

// Routes returns the routes in precedence order.
func (rt *Router) Routes() []*Route { return rt.routes }

// HTTPAPI reports whether any route belongs to an HTTP API; unmatched
// requests then get the HTTP API's 404 instead of the REST API's 403.
func (rt *Router) HTTPAPI() bool { return rt.httpAPI }

// Match returns the route for method and escapedPath (the request path as
// sent, percent-encoding kept) and its decoded parameters, or nil.
func (rt *Router) Match(method, escapedPath string) (*Route, []Param) {
	if escapedPath == "" {
		escapedPath = "/"
	}
	if escapedPath[0] != '/' {
		return nil, nil
	}
	var segs []string
	if escapedPath != "/" {
		segs = strings.Split(escapedPath[1:], "/")
	}
	for _, r := range rt.routes {
		if r.Event.Method != "ANY" && r.Event.Method != method {
			continue
		}
		if r.Event.IsDefaultRoute() {
			return r, nil
		}
		if params, ok := r.match(segs); ok {
			return r, params
		}
	}
	return nil, nil
}

// match matches the request's escaped segments against the route.
func (r *Route) match(segs []string) ([]Param, bool) {
	n := len(r.segs)
	if n == 0 || r.segs[n-1].kind != segGreedy {
		if len(segs) != n {
			return nil, false
		}
	} else if len(segs) < n || (len(segs) == n && segs[n-1] == "") {
		// A greedy parameter needs at least one character.
		return nil, false
	}
	params := 0
	for i, s := range r.segs {
		switch s.kind {
		case segLiteral:
			if segs[i] != s.text && unescape(segs[i]) != s.text {
				return nil, false
			}
		case segParam:
			if segs[i] == "" {
				return nil, false
			}
			params++
		case segGreedy:
			params++
		}
	}
	if params == 0 {
		return nil, true
	}
	out := make([]Param, 0, params)
	for i, s := range r.segs {
		switch s.kind {
		case segParam:
			out = append(out, Param{Name: s.text, Value: unescape(segs[i])})
		case segGreedy:
			out = append(out, Param{Name: s.text, Value: unescape(strings.Join(segs[i:], "/"))})
		}
	}
	return out, true
}

// unescape percent-decodes a path segment; a malformed escape leaves it as
// it is.
func unescape(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// validPath checks an event Path: "/" or "/seg/…", where a segment is a
// literal, "{name}", or a final "{name+}".
func validPath(p string) error {
	_, err := parsePath(p)
	return err
}

func parsePath(p string) ([]segment, error) {
	if p == "" || p[0] != '/' {
		return nil, errors.New("must start with /")
	}
	if p == "/" {
		return nil, nil
	}
	parts := strings.Split(p[1:], "/")
	segs := make([]segment, 0, len(parts))
	names := map[string]bool{}
	for i, part := range parts {
		switch {
		case part == "":
			return nil, errors.New("empty path segment")
		case strings.HasPrefix(part, "{") && strings.HasSuffix(part, "}"):
			name, greedy := strings.CutSuffix(part[1:len(part)-1], "+")
			if !paramName(name) {
				return nil, fmt.Errorf("parameter %q: want {name} or {name+} with letters, digits, _ . or -", part)
			}
			if names[name] {
				return nil, fmt.Errorf("parameter {%s} appears twice", name)
			}
			names[name] = true
			kind := segParam
			if greedy {
				if i != len(parts)-1 {
					return nil, fmt.Errorf("greedy parameter %q must be the last segment", part)
				}
				kind = segGreedy
			}
			segs = append(segs, segment{kind: kind, text: name})
		case strings.ContainsAny(part, "{}?#"):
			return nil, fmt.Errorf("segment %q: a parameter must be a whole segment", part)
		default:
			segs = append(segs, segment{kind: segLiteral, text: part})
		}
	}
	return segs, nil
}

func paramName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}
