package route

import (
	"fmt"
	"math/bits"
	"strings"
)

// Kind is the outcome of a [Table.Lookup]. The zero value is NotFound.
type Kind uint8

const (
	// NotFound: no template matches the path under any method (or 405s are
	// disabled). The caller answers 404.
	NotFound Kind = iota
	// Found: Result.Route and Result.Params are set.
	Found
	// MethodNotAllowed: the path matches only under other methods, listed
	// in Result.Allow. The caller answers 405 with an Allow header.
	MethodNotAllowed
	// Redirect: the path with its final "/" toggled matches the same
	// method. The caller answers Result.Status with Result.Location.
	Redirect
	// BadPath: the request path breaks the hygiene rules (§4.2); 400
	// invalid_path with Result.Message.
	BadPath
	// BadParam: a path param breaks a §6.3 rule; 400 invalid_path with
	// Result.Message. Result.Route is the matched route.
	BadParam
)

// String returns the kind's name.
func (k Kind) String() string {
	switch k {
	case NotFound:
		return "NotFound"
	case Found:
		return "Found"
	case MethodNotAllowed:
		return "MethodNotAllowed"
	case Redirect:
		return "Redirect"
	case BadPath:
		return "BadPath"
	case BadParam:
		return "BadParam"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Param is one matched path param.
type Param struct {
	// Name is the placeholder name from the template.
	Name string
	// Value is the percent-decoded request segment.
	Value string
}

// Result is the outcome of one [Table.Lookup].
type Result struct {
	// Kind says which of the other fields are set.
	Kind Kind
	// Route is the matched route id for Found and BadParam, else -1.
	Route int
	// Params is the caller's slice with the matched params appended in
	// template order (Found). For every other kind it is the caller's slice
	// unchanged in length, ready for reuse.
	Params []Param
	// Allow lists the methods that route the path, sorted and joined with
	// ", " (MethodNotAllowed only).
	Allow string
	// Location is the path-only redirect target, plus "?" and the raw query
	// when the query is non-empty (Redirect only). It never starts with "//"
	// and never contains "\".
	Location string
	// Status is 301 for GET and 307 for every other method (Redirect only).
	Status int
	// Message explains a BadPath or BadParam result, naming the param and
	// the rule it breaks.
	Message string
}

// Lookup matches one request. rawPath is the escaped request path exactly as
// received (r.URL.EscapedPath()); rawQuery is only used to build a redirect
// Location. params is a caller-owned slice reused across calls: on the Found
// path with plain params (no "%") and enough capacity, Lookup allocates
// nothing.
//
// The order of decisions is: request path hygiene (BadPath); a template
// matching under method (Found, then the param rules: BadParam); the same
// path with its final "/" toggled matching under method (Redirect, unless
// disabled); the path matching under other methods (MethodNotAllowed, unless
// disabled); else NotFound.
func (t *Table) Lookup(method, rawPath, rawQuery string, params []Param) Result {
	base := len(params)
	if msg := checkPath(rawPath); msg != "" {
		return Result{Kind: BadPath, Route: -1, Params: params, Message: msg}
	}
	if t == nil || t.root == nil {
		return Result{Kind: NotFound, Route: -1, Params: params}
	}
	if mi, ok := t.methodIx[method]; ok {
		if id, ps := t.walk(t.root, rawPath[1:], false, mi, params, 0); id >= 0 {
			return t.found(id, ps, base)
		}
		if t.croot != nil {
			if id, ps := t.walkRest(t.croot, rawPath[1:], mi, params, 0); id >= 0 {
				return t.found(id, ps, base)
			}
		}
		if !t.opts.DisableRedirectTrailingSlash {
			if r, ok := t.redirect(method, mi, rawPath, rawQuery, params); ok {
				return r
			}
		}
	}
	if !t.opts.DisableMethodNotAllowed {
		if allow := t.Allowed(rawPath); allow != "" {
			return Result{Kind: MethodNotAllowed, Route: -1, Params: params[:base], Allow: allow}
		}
	}
	return Result{Kind: NotFound, Route: -1, Params: params[:base]}
}

// found names and decodes the params params[base:] of route id and applies
// the §6.3 rules to them.
func (t *Table) found(id int, params []Param, base int) Result {
	ps := params[base:]
	names := t.routes[id].names
	for i := range ps {
		ps[i].Name = names[i]
		if t.routes[id].multi && i == len(ps)-1 {
			v, rule := decodeRest(ps[i].Value)
			if rule != ruleOK {
				msg := fmt.Sprintf("path param %q %s", names[i], rule.describe())
				return Result{Kind: BadParam, Route: id, Params: params[:base], Message: msg}
			}
			ps[i].Value = v
			continue
		}
		if v, ok := unescape(ps[i].Value); ok {
			ps[i].Value = v
		}
		if rule := checkParam(ps[i].Value, t.opts.DisablePathDecoding); rule != ruleOK {
			msg := fmt.Sprintf("path param %q %s", names[i], rule.describe())
			return Result{Kind: BadParam, Route: id, Params: params[:base], Message: msg}
		}
	}
	return Result{Kind: Found, Route: id, Params: params}
}

// redirect tries the path with its final "/" toggled under method index mi.
func (t *Table) redirect(method string, mi int, rawPath, rawQuery string, params []Param) (Result, bool) {
	base := len(params)
	var (
		id     = -1
		target string
	)
	switch {
	case rawPath == "/":
		return Result{}, false
	case strings.HasSuffix(rawPath, "/"):
		target = rawPath[:len(rawPath)-1]
		id, _ = t.walk(t.root, target[1:], false, mi, params, 0)
		if id < 0 && t.croot != nil {
			id, _ = t.walkRest(t.croot, target[1:], mi, params, 0)
		}
	default:
		id, _ = t.walk(t.root, rawPath[1:], true, mi, params, 0)
	}
	if id < 0 {
		return Result{}, false
	}
	// The redirect is decided at the routing stage (krakend-compat §8 stage
	// 5); the params of the target are validated when it is requested
	// (stage 6), so a bad param there is a 400 on the follow-up request.
	loc := make([]byte, 0, len(rawPath)+len(rawQuery)+2)
	if target != "" {
		loc = appendLocation(loc, target, false)
	} else {
		loc = appendLocation(loc, rawPath, false)
		loc = append(loc, '/')
	}
	if rawQuery != "" {
		loc = append(loc, '?')
		loc = appendLocation(loc, rawQuery, true)
	}
	if len(loc) == 0 || loc[0] != '/' || (len(loc) > 1 && loc[1] == '/') {
		return Result{}, false // cannot happen after checkPath; never emit a network-path reference
	}
	status := 307
	if method == "GET" {
		status = 301
	}
	return Result{Kind: Redirect, Route: -1, Params: params[:base], Location: string(loc), Status: status}, true
}

// Allowed returns the sorted methods, joined with ", ", whose templates
// match rawPath; "" when none does or the path fails the hygiene rules. It
// serves OPTIONS (router.auto_options) and Allow headers.
func (t *Table) Allowed(rawPath string) string {
	if t == nil || t.root == nil || checkPath(rawPath) != "" {
		return ""
	}
	mask := t.collect(t.root, rawPath[1:], false, 0, 0)
	if t.croot != nil {
		mask = t.collectRest(t.croot, rawPath[1:], mask, 0)
	}
	if mask == 0 {
		return ""
	}
	var b strings.Builder
	for mask != 0 {
		i := bits.TrailingZeros64(mask)
		mask &^= 1 << i
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(t.methods[i])
	}
	return b.String()
}

// next splits the first segment off rest, the part of a path after a "/".
// addSlash asks for one extra empty segment after the last real one (the
// path with a "/" appended). more reports whether another segment follows.
func next(rest string, addSlash bool) (seg, tail string, more, tailAddSlash bool) {
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		return rest[:i], rest[i+1:], true, addSlash
	}
	return rest, "", addSlash, false
}

// litKey returns the decoded form of a segment for literal lookups. The
// path already passed checkPath, so the decoding cannot fail.
func litKey(seg string) string {
	v, _ := unescape(seg)
	return v
}

// walk finds the most specific route under method index mi for the path
// segments in rest (see next), literal children first, backtracking into
// the placeholder child. Raw param values are appended to params. It
// returns the route id, or -1 and params cut back to their length on entry.
// The depth guard is redundant with the trie depth (≤ MaxSegments) but keeps
// the recursion bounded by construction.
func (t *Table) walk(n *node, rest string, addSlash bool, mi int, params []Param, depth int) (int, []Param) {
	seg, tail, more, tailAdd := next(rest, addSlash)
	if depth > MaxSegments {
		return -1, params
	}
	var c *node
	if n.lits != nil {
		c = n.lits[litKey(seg)]
	}
	if c != nil {
		if !more {
			if c.routes != nil && c.routes[mi] >= 0 {
				return c.routes[mi], params
			}
		} else if id, ps := t.walk(c, tail, tailAdd, mi, params, depth+1); id >= 0 {
			return id, ps
		}
	}
	if c := n.param; c != nil && seg != "" {
		base := len(params)
		params = append(params, Param{Value: seg})
		if !more {
			if c.routes != nil && c.routes[mi] >= 0 {
				return c.routes[mi], params
			}
		} else if id, ps := t.walk(c, tail, tailAdd, mi, params, depth+1); id >= 0 {
			return id, ps
		}
		params = params[:base]
	}
	return -1, params
}

// collect returns the bit set (by method index) of every method with a
// template matching the path segments in rest.
func (t *Table) collect(n *node, rest string, addSlash bool, mask uint64, depth int) uint64 {
	seg, tail, more, tailAdd := next(rest, addSlash)
	if depth > MaxSegments {
		return mask
	}
	var children [2]*node
	if n.lits != nil {
		children[0] = n.lits[litKey(seg)]
	}
	if seg != "" {
		children[1] = n.param
	}
	for _, c := range children {
		switch {
		case c == nil:
		case more:
			mask = t.collect(c, tail, tailAdd, mask, depth+1)
		default:
			for i, id := range c.routes {
				if id >= 0 {
					mask |= 1 << i
				}
			}
		}
	}
	return mask
}

// restOK reports whether rest, the raw remainder of a path, can be taken by
// a catch-all: one or more segments, none empty. The path already passed
// checkPath, so only a final empty segment (a trailing "/") can occur.
func restOK(rest string) bool {
	return rest != "" && rest[len(rest)-1] != '/'
}

// walkRest finds a catch-all route under method index mi for the path
// segments in rest, in the trie of the catch-all routes' leading segments:
// literal child first, then the placeholder child, then a catch-all ending
// at n itself. The raw remainder becomes the last param.
func (t *Table) walkRest(n *node, rest string, mi int, params []Param, depth int) (int, []Param) {
	if depth > MaxSegments {
		return -1, params
	}
	if seg, tail, more := strings.Cut(rest, "/"); more {
		if n.lits != nil {
			if c := n.lits[litKey(seg)]; c != nil {
				if id, ps := t.walkRest(c, tail, mi, params, depth+1); id >= 0 {
					return id, ps
				}
			}
		}
		if c := n.param; c != nil && seg != "" {
			base := len(params)
			if id, ps := t.walkRest(c, tail, mi, append(params, Param{Value: seg}), depth+1); id >= 0 {
				return id, ps
			}
			params = params[:base]
		}
	}
	if n.rest != nil && n.rest[mi] >= 0 && restOK(rest) {
		return n.rest[mi], append(params, Param{Value: rest})
	}
	return -1, params
}

// collectRest adds to mask the methods of every catch-all route matching
// the path segments in rest.
func (t *Table) collectRest(n *node, rest string, mask uint64, depth int) uint64 {
	if depth > MaxSegments {
		return mask
	}
	if seg, tail, more := strings.Cut(rest, "/"); more {
		if n.lits != nil {
			if c := n.lits[litKey(seg)]; c != nil {
				mask = t.collectRest(c, tail, mask, depth+1)
			}
		}
		if c := n.param; c != nil && seg != "" {
			mask = t.collectRest(c, tail, mask, depth+1)
		}
	}
	if n.rest != nil && restOK(rest) {
		for i, id := range n.rest {
			if id >= 0 {
				mask |= 1 << i
			}
		}
	}
	return mask
}

// decodeRest decodes a catch-all's raw remainder segment by segment,
// checking each decoded segment with the strict param rules, and returns
// the decoded segments joined with "/".
func decodeRest(raw string) (string, paramRule) {
	pct := strings.IndexByte(raw, '%') >= 0
	var b []byte
	if pct {
		b = make([]byte, 0, len(raw))
	}
	rest := raw
	for {
		seg, tail, more := strings.Cut(rest, "/")
		v, ok := unescape(seg)
		if !ok {
			return "", rulePercent // cannot happen after checkPath
		}
		if rule := checkParam(v, false); rule != ruleOK {
			return "", rule
		}
		if pct {
			b = append(b, v...)
			if more {
				b = append(b, '/')
			}
		}
		if !more {
			break
		}
		rest = tail
	}
	if !pct {
		return raw, ruleOK
	}
	return string(b), ruleOK
}
