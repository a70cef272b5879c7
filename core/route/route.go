// Package route is Tributary's request matcher: one compiled table of
// (method, path template) routes, matched with Go 1.22 ServeMux precedence
// (a template that matches a strict subset of another's paths wins) and the
// request-path hygiene and path-param rules of krakend-compat.md §4.2, §4.3
// and §6.3.
//
// The same Table serves every transport, so a request routes identically
// behind net/http and behind every Lambda trigger. It is built once by [New]
// and is safe for concurrent use by any number of goroutines.
//
// Templates are split into segments on "/". A literal segment matches a
// request segment whose percent-decoded text is equal; a placeholder {name}
// matches exactly one non-empty segment. A request path is split on "/"
// before it is decoded, so an encoded slash (%2F) stays inside one segment
// and is then refused by the param rules.
package route

import (
	"fmt"
	"slices"

	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// Route is one entry of the table given to [New]. Its index in the slice is
// its route id, reported back in [Result.Route] and [Conflict].
type Route struct {
	// Method is the exact, case-sensitive request method ("GET", "POST", ...).
	// No other method is ever routed to the entry: HEAD and OPTIONS do not
	// match GET routes.
	Method string
	// Template is the path template: a leading "/", segments separated by
	// "/", whole-segment placeholders {name} with name in [A-Za-z0-9_-]+.
	// "/users/" (trailing slash) and "/users" are different templates.
	// With Options.CatchAll, the last segment may be a catch-all
	// {name...}.
	Template string
}

// Conflict reports a route that cannot be part of the table: two routes
// whose templates are the same shape, or overlap without either being more
// specific, or one invalid route (then A == B).
type Conflict struct {
	// A is the smaller route id involved.
	A int
	// B is the larger route id involved; it equals A for an invalid route.
	B int
	// Message describes the problem and names both routes, e.g.
	// "GET /a/{x}/b and GET /a/c/{y} overlap and neither is more specific".
	Message string
}

// Options tunes the behaviour of a [Table]. The zero value is KrakenD's
// default behaviour: strict param decoding, trailing-slash redirects and 405
// answers all on.
type Options struct {
	// DisablePathDecoding mirrors router.disable_path_decoding (§6.3): path
	// params may then hold an encoded slash, "?", "#" or a leftover "%"
	// after decoding. Dot-segments, backslashes, control characters and
	// invalid encodings are still refused. Default false.
	DisablePathDecoding bool
	// DisableRedirectTrailingSlash mirrors
	// router.disable_redirect_trailing_slash: no 301/307 is issued when the
	// path with its final "/" toggled would match. Default false.
	DisableRedirectTrailingSlash bool
	// DisableMethodNotAllowed mirrors router.disable_handle_method_not_allowed:
	// a path routed only under other methods answers NotFound instead of
	// MethodNotAllowed. Default false.
	DisableMethodNotAllowed bool
	// CatchAll allows a final catch-all segment {name...} in templates
	// (service option tributary.catch_all_routes). Such a template is tried
	// only when no other template matches the path under the method: its
	// literal and placeholder segments match as usual, and the catch-all
	// takes the one or more remaining non-empty segments. Each captured
	// segment is decoded and checked on its own with the strict param rules
	// (DisablePathDecoding does not relax them); the param value is the
	// decoded segments joined with "/". When false, {name...} is an invalid
	// template. Default false.
	CatchAll bool
}

// MaxSegments is the largest number of segments a template may have. It
// bounds the depth of the matcher's recursion.
const MaxSegments = 256

// MaxMethods is the largest number of distinct methods one table can hold.
const MaxMethods = 64

// MaxParamBytes is the largest decoded path-param value accepted (§3).
const MaxParamBytes = 1024

// Table is a compiled, immutable route table. The zero value and a nil
// *Table route nothing.
type Table struct {
	opts     Options
	root     *node
	croot    *node          // trie of the catch-all routes' leading segments; nil when none
	methods  []string       // distinct methods of the valid routes, sorted
	methodIx map[string]int // method -> index in methods
	routes   []compiled     // by route id
}

// compiled is one route after parsing.
type compiled struct {
	method string
	mi     int // index in Table.methods; -1 when the route is invalid
	segs   []segment
	names  []string // placeholder names in template order
	multi  bool     // the last segment is a catch-all {name...}
}

// node is one trie node. Children are keyed by decoded literal segment.
type node struct {
	lits   map[string]*node
	param  *node
	routes []int // route id by method index, -1 for none; nil when no route ends here
	rest   []int // catch-all route id by method index (croot trie only); nil when none
}

// New compiles routes into a Table. Every problem is reported as a
// [Conflict], sorted by (A, B): invalid templates or methods, and two
// routes with the same method and the same shape (templates differing only
// in placeholder names, or identical). No other pair conflicts (§4.3):
// overlapping templates of different shapes, such as /api/images/{file_id}
// and /api/{user_name}/publications, are resolved per request by
// precedence (see [Table.Lookup]). Routes with different methods never
// conflict.
//
// The returned table is always usable: an invalid route is left out, and of
// two same-shape routes the one declared first is kept. Callers treat any
// conflict as a load error.
func New(routes []Route, opts Options) (*Table, []Conflict) {
	t := &Table{
		opts:     opts,
		root:     &node{},
		methodIx: make(map[string]int),
		routes:   make([]compiled, len(routes)),
	}
	var conflicts []Conflict
	invalid := func(i int, format string, args ...any) {
		r := routes[i]
		msg := fmt.Sprintf("invalid route %s %s: ", r.Method, r.Template) + fmt.Sprintf(format, args...)
		conflicts = append(conflicts, Conflict{A: i, B: i, Message: msg})
	}

	for i, r := range routes {
		c := &t.routes[i]
		c.method, c.mi = r.Method, -1
		if !httpsyntax.IsToken(r.Method) {
			invalid(i, "method must be a non-empty token")
			continue
		}
		segs, err := parseTemplateOpt(r.Template, opts.CatchAll)
		if err != nil {
			invalid(i, "%v", err)
			continue
		}
		c.segs = segs
		for _, s := range segs {
			if s.param {
				c.names = append(c.names, s.name)
			}
			c.multi = s.multi
		}
		if _, ok := t.methodIx[r.Method]; !ok {
			t.methodIx[r.Method] = -1 // index assigned once all are known
		}
	}

	t.methods = make([]string, 0, len(t.methodIx))
	for m := range t.methodIx {
		t.methods = append(t.methods, m)
	}
	slices.Sort(t.methods)
	if len(t.methods) > MaxMethods {
		for _, m := range t.methods[MaxMethods:] {
			delete(t.methodIx, m)
		}
		t.methods = t.methods[:MaxMethods]
	}
	for i, m := range t.methods {
		t.methodIx[m] = i
	}

	for i := range t.routes {
		c := &t.routes[i]
		if c.segs == nil {
			continue
		}
		mi, ok := t.methodIx[c.method]
		if !ok {
			invalid(i, "more than %d distinct methods", MaxMethods)
			c.segs, c.names = nil, nil
			continue
		}
		c.mi = mi
		if prev := t.insert(i); prev >= 0 {
			conflicts = append(conflicts, Conflict{A: prev, B: i, Message: sameShapeMessage(routes[prev], routes[i])})
			c.mi = -1
		}
	}

	slices.SortStableFunc(conflicts, func(a, b Conflict) int {
		if a.A != b.A {
			return a.A - b.A
		}
		return a.B - b.B
	})
	return t, conflicts
}

// insert adds route id to the trie. It returns the id of a route already
// ending at the same node under the same method, or -1.
func (t *Table) insert(id int) int {
	c := &t.routes[id]
	n := t.root
	segs := c.segs
	if c.multi {
		if t.croot == nil {
			t.croot = &node{}
		}
		n, segs = t.croot, segs[:len(segs)-1]
	}
	for _, s := range segs {
		if s.param {
			if n.param == nil {
				n.param = &node{}
			}
			n = n.param
			continue
		}
		if n.lits == nil {
			n.lits = make(map[string]*node)
		}
		child := n.lits[s.lit]
		if child == nil {
			child = &node{}
			n.lits[s.lit] = child
		}
		n = child
	}
	ids := &n.routes
	if c.multi {
		ids = &n.rest
	}
	if *ids == nil {
		*ids = make([]int, len(t.methods))
		for i := range *ids {
			(*ids)[i] = -1
		}
	}
	if prev := (*ids)[c.mi]; prev >= 0 {
		return prev
	}
	(*ids)[c.mi] = id
	return -1
}

func sameShapeMessage(a, b Route) string {
	if a.Template == b.Template {
		return fmt.Sprintf("%s %s is declared twice", a.Method, a.Template)
	}
	return fmt.Sprintf("%s %s and %s %s are the same route: they differ only in placeholder names", a.Method, a.Template, b.Method, b.Template)
}
