package config

import (
	"strconv"
	"strings"
	"time"
)

// Typed accessors. Each takes the value node and the location of the key
// that holds it (the enclosing object's path and the key); the path string
// is only built when there is something to report.

// at locates a value as its enclosing object's path plus its key. The full
// path is only built when a diagnostic needs it.
type at struct {
	base string
	key  string
}

// String returns the JSON path of the value.
func (a at) String() string { return keyPath(a.base, a.key) }

// isCommentKey reports whether key is a comment key (^[@$_#]), skipped on
// schema-defined objects.
func isCommentKey(key string) bool {
	if key == "" {
		return false
	}
	switch key[0] {
	case '@', '$', '_', '#':
		return true
	}
	return false
}

// wrongType reports a type mismatch.
func (l *loader) wrongType(n *node, base, key, want, hint string) {
	l.errNode(n, keyPath(base, key), "expected "+want+", got "+n.kind.String(), hint)
}

func (l *loader) str(n *node, base, key string) (string, bool) {
	if n.kind != kindString {
		l.wrongType(n, base, key, "a string", "")
		return "", false
	}
	return n.text, true
}

func (l *loader) boolean(n *node, base, key string) (bool, bool) {
	if n.kind != kindBool {
		hint := ""
		if n.kind == kindString && (n.text == "true" || n.text == "false") {
			hint = "booleans are not strings; remove the quotes"
		}
		l.wrongType(n, base, key, "true or false", hint)
		return false, false
	}
	return n.truth, true
}

// integer decodes an integer literal; fractions and exponents are refused.
// As KrakenD's loader does (§2.2 rule 4), a string holding a base-10
// integer and the booleans true/false (1/0) are converted, with a warning.
func (l *loader) integer(n *node, base, key string) (int64, bool) {
	switch n.kind {
	case kindNumber:
	case kindBool:
		v := int64(0)
		if n.truth {
			v = 1
		}
		l.warnConverted(n, base, key, strconv.FormatBool(n.truth), v)
		return v, true
	case kindString:
		if isDecimalInteger(n.text) {
			v, err := strconv.ParseInt(n.text, 10, 64)
			if err != nil {
				l.errNode(n, keyPath(base, key), "integer "+quoteJSON(n.text)+" out of range", "")
				return 0, false
			}
			l.warnConverted(n, base, key, n.text, v)
			return v, true
		}
		fallthrough
	default:
		hint := ""
		if n.kind == kindString && isJSONNumber(n.text) {
			hint = "numbers are not strings; remove the quotes"
		}
		l.wrongType(n, base, key, "an integer", hint)
		return 0, false
	}
	v, err := strconv.ParseInt(n.text, 10, 64)
	if err != nil {
		if strings.ContainsAny(n.text, ".eE") {
			l.errNode(n, keyPath(base, key), "expected an integer, got "+n.text, "")
		} else {
			l.errNode(n, keyPath(base, key), "integer "+n.text+" out of range", "")
		}
		return 0, false
	}
	return v, true
}

// warnConverted records a rule 4 conversion of the value written as text.
func (l *loader) warnConverted(n *node, base, key, text string, v int64) {
	l.warnAt(n.pos, keyPath(base, key), "converted "+quoteJSON(text)+" to "+strconv.FormatInt(v, 10)+", as KrakenD does",
		"write the number without quotes")
}

// isDecimalInteger reports whether s is an optionally signed run of ASCII
// digits: the strings rule 4 converts.
func isDecimalInteger(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// intRange decodes an integer within [lo, hi].
func (l *loader) intRange(n *node, base, key string, lo, hi int64) (int64, bool) {
	v, ok := l.integer(n, base, key)
	if !ok {
		return 0, false
	}
	if v < lo || v > hi {
		l.errNode(n, keyPath(base, key), "value "+strconv.FormatInt(v, 10)+" out of range; must be "+
			strconv.FormatInt(lo, 10)+"–"+strconv.FormatInt(hi, 10), "")
		return 0, false
	}
	return v, true
}

// limitInt decodes a positive size limit. An explicit 0 is refused with the
// hardening hint: it would remove a safety limit.
func (l *loader) limitInt(n *node, base, key string, hi int64) (int64, bool) {
	v, ok := l.integer(n, base, key)
	if !ok {
		return 0, false
	}
	switch {
	case v == 0:
		l.errNode(n, keyPath(base, key), "0 would remove a safety limit", "omit the key for the default")
		return 0, false
	case v < 0:
		l.errNode(n, keyPath(base, key), "value "+strconv.FormatInt(v, 10)+" must be positive", "")
		return 0, false
	case v > hi:
		l.errNode(n, keyPath(base, key), "value "+strconv.FormatInt(v, 10)+" out of range; must be at most "+strconv.FormatInt(hi, 10), "")
		return 0, false
	}
	return v, true
}

// duration decodes a non-negative Go duration string.
func (l *loader) duration(n *node, base, key string) (time.Duration, bool) {
	if n.kind != kindString {
		hint := ""
		if n.kind == kindNumber {
			hint = `a bare number has no unit; write e.g. "500ms" or "3s"`
		}
		l.errNode(n, keyPath(base, key), `expected a duration string like "3s", got `+n.kind.String(), hint)
		return 0, false
	}
	d, err := time.ParseDuration(n.text)
	if err != nil {
		l.errNode(n, keyPath(base, key), "invalid duration "+quoteJSON(n.text),
			`use Go duration syntax, e.g. "1500ms", "2s" or "1m"`)
		return 0, false
	}
	if d < 0 {
		l.errNode(n, keyPath(base, key), "duration "+quoteJSON(n.text)+" must not be negative", "")
		return 0, false
	}
	return d, true
}

// limitDuration decodes a positive duration that bounds something [H1]; an
// explicit zero is refused because it would remove the limit.
func (l *loader) limitDuration(n *node, base, key string) (time.Duration, bool) {
	d, ok := l.duration(n, base, key)
	if ok && d == 0 {
		l.errNode(n, keyPath(base, key), "0 would remove a safety limit", "omit the key for the default")
		return 0, false
	}
	return d, ok
}

// strList decodes an array of strings. Elements that are not strings are
// reported one by one, and then the list is nil, so that callers can always
// index n.elems with the positions of the returned list.
func (l *loader) strList(n *node, base, key string) ([]string, bool) {
	if n.kind != kindArray {
		hint := ""
		if n.kind == kindString {
			hint = "wrap it in brackets: [" + quoteJSON(n.text) + "]"
		}
		l.wrongType(n, base, key, "an array of strings", hint)
		return nil, false
	}
	if len(n.elems) == 0 {
		return nil, true
	}
	out := make([]string, 0, len(n.elems))
	ok := true
	for i := range n.elems {
		e := &n.elems[i]
		if e.kind != kindString {
			l.errAt(e.pos, keyIndexPath(base, key, i), "expected a string, got "+e.kind.String(), "")
			ok = false
			continue
		}
		out = append(out, e.text)
	}
	if !ok {
		return nil, false
	}
	return out, true
}

// object checks that n is an object.
func (l *loader) object(n *node, base, key string) bool {
	if n.kind != kindObject {
		l.wrongType(n, base, key, "an object", "")
		return false
	}
	return true
}

// itoa is strconv.Itoa, short for diagnostics.
func itoa(i int) string { return strconv.Itoa(i) }
