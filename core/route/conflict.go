package route

import "fmt"

// overlapConflicts reports every pair of same-method routes whose templates
// overlap (some path matches both) while neither matches a strict subset of
// the other's paths (§4.3).
//
// It walks the trie against itself: a pair of nodes is visited when some
// request path reaches both, so the work follows the overlaps that exist
// rather than the square of the table size.
func (t *Table) overlapConflicts(routes []Route) []Conflict {
	var out []Conflict
	t.overlapPairs(t.root, t.root, 0, func(i, j int) {
		a, b := &t.routes[i], &t.routes[j]
		if subset(a.segs, b.segs) || subset(b.segs, a.segs) {
			return
		}
		out = append(out, Conflict{A: i, B: j, Message: fmt.Sprintf(
			"%s %s and %s %s overlap and neither is more specific",
			routes[i].Method, routes[i].Template, routes[j].Method, routes[j].Template)})
	})
	return out
}

// overlapPairs visits every pair of trie nodes (a, b) reached by a common
// request path, and calls report(i, j), i < j, for each pair of routes
// with the same method ending at a and b. A literal segment overlaps the
// same literal and a placeholder, except that the empty trailing segment
// never matches a placeholder; two placeholders overlap. The recursion
// depth is bounded by the trie depth (≤ MaxSegments).
func (t *Table) overlapPairs(a, b *node, depth int, report func(i, j int)) {
	if depth > MaxSegments || !sharesLength(a, b) {
		return
	}
	if a.routes != nil && b.routes != nil {
		for mi := range a.routes {
			if i, j := a.routes[mi], b.routes[mi]; i >= 0 && j >= 0 && i < j {
				report(i, j)
			}
		}
	}
	small, large := a.lits, b.lits
	if len(small) > len(large) {
		small, large = large, small
	}
	for lit, c := range small {
		if d := large[lit]; d != nil {
			if len(a.lits) <= len(b.lits) {
				t.overlapPairs(c, d, depth+1, report)
			} else {
				t.overlapPairs(d, c, depth+1, report)
			}
		}
	}
	if b.param != nil {
		for lit, c := range a.lits {
			if lit != "" {
				t.overlapPairs(c, b.param, depth+1, report)
			}
		}
	}
	if a.param != nil {
		for lit, d := range b.lits {
			if lit != "" {
				t.overlapPairs(a.param, d, depth+1, report)
			}
		}
		if b.param != nil {
			t.overlapPairs(a.param, b.param, depth+1, report)
		}
	}
}

// sharesLength reports whether some template ends the same number of
// segments below a and below b; only then can paths through them overlap.
func sharesLength(a, b *node) bool {
	for k := range a.below {
		if a.below[k]&b.below[k] != 0 {
			return true
		}
	}
	return false
}

// subset reports whether every path matched by template a is also matched
// by template b, given that they have the same number of segments and
// overlap: wherever b has a literal, a has the same literal.
func subset(a, b []segment) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k].param && (a[k].param || a[k].lit != b[k].lit) {
			return false
		}
	}
	return true
}
