package config

import (
	"strings"
	"unicode"
)

// parseTemplate checks an endpoint path template (§4.2) that already starts
// with "/". It returns the placeholder names in order, or the first problem
// found (reason, with an optional hint).
func parseTemplate(s string) (params []string, reason string) {
	if r := forbiddenPathChar(s); r != "" {
		return nil, r
	}
	if n := strings.Count(s, "{"); n > 0 {
		params = make([]string, 0, n)
	}
	rest := s[1:]
	for idx := 0; ; idx++ {
		seg, tail, more := strings.Cut(rest, "/")
		switch {
		case seg == "" && more:
			return nil, `empty segment ("//")`
		case seg == "." || seg == "..":
			return nil, "dot segment " + quoteJSON(seg)
		case strings.ContainsAny(seg, "{}"):
			name, r := placeholderSegment(seg)
			if r != "" {
				return nil, r
			}
			for _, p := range params {
				if p == name {
					return nil, "placeholder {" + name + "} appears twice"
				}
			}
			params = append(params, name)
		}
		if !more {
			return params, ""
		}
		rest = tail
	}
}

// placeholderSegment checks a segment holding braces: it must be exactly
// {name} with name in [A-Za-z0-9_-]+.
func placeholderSegment(seg string) (string, string) {
	if seg == "{}" {
		return "", "empty placeholder {}"
	}
	open, closing := strings.Count(seg, "{"), strings.Count(seg, "}")
	if open != closing || strings.Index(seg, "}") < strings.Index(seg, "{") {
		return "", "unbalanced braces in segment " + quoteJSON(seg)
	}
	if open != 1 || seg[0] != '{' || seg[len(seg)-1] != '}' {
		return "", "placeholder must be a whole segment, not part of " + quoteJSON(seg) +
			" (that needs disable_rest, which is not supported yet)"
	}
	name := seg[1 : len(seg)-1]
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return "", "invalid placeholder name " + quoteJSON(name) + " (use letters, digits, _ and -)"
		}
	}
	return name, ""
}

// forbiddenPathChar returns a problem for the first character a route
// template may not hold, or "".
func forbiddenPathChar(s string) string {
	for _, r := range s {
		switch {
		case r == '?':
			return "'?' is not allowed (the query is not part of the route)"
		case r == '#':
			return "'#' is not allowed"
		case r == '\\':
			return "'\\' is not allowed"
		case r == '*':
			return "'*' is not allowed (wildcard routes are not supported)"
		case r < 0x20 || r == 0x7f:
			return "control character " + hexRune(r) + " is not allowed"
		case unicode.IsSpace(r):
			return "whitespace is not allowed"
		}
	}
	return ""
}

// scanPlaceholders calls visit with the name of each placeholder of a
// url_pattern (§6.1), left to right. Placeholders may sit anywhere in the
// path and in query values; a placeholder in a query key, an empty one or
// unbalanced braces is a problem, returned (after the placeholders before
// it were visited).
func scanPlaceholders(s string, visit func(name string)) string {
	inQuery, inKey := false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '?':
			if !inQuery {
				inQuery, inKey = true, true
			}
		case '&':
			if inQuery {
				inKey = true
			}
		case '=':
			if inQuery {
				inKey = false
			}
		case '}':
			return "unbalanced '}'"
		case '{':
			j := strings.IndexAny(s[i+1:], "{}")
			if j < 0 || s[i+1+j] == '{' {
				return "unbalanced '{'"
			}
			name := s[i+1 : i+1+j]
			if name == "" {
				return "empty placeholder {}"
			}
			if inQuery && inKey {
				return "placeholder {" + name + "} in a query key; placeholders are allowed only in query values"
			}
			visit(name)
			i += j + 1
		}
	}
	return ""
}

// urlPatternChar returns a problem for a character a url_pattern may not
// hold, or "".
func urlPatternChar(s string) string {
	for _, r := range s {
		switch {
		case r == '#':
			return "'#' is not allowed (a fragment is never sent)"
		case r < 0x20 || r == 0x7f:
			return "control character " + hexRune(r) + " is not allowed"
		case unicode.IsSpace(r):
			return "whitespace is not allowed"
		}
	}
	return ""
}

// reservedPath returns the reserved prefix that template p falls under,
// or "" (§4.2: built-in paths and everything below them).
func reservedPath(p, healthPath string) string {
	for _, r := range [...]string{DefaultHealthPath, "/__debug", "/__echo", "/__catchall", "/__stats", healthPath} {
		if r == "" {
			continue
		}
		if p == r || strings.HasPrefix(p, strings.TrimSuffix(r, "/")+"/") {
			return r
		}
	}
	return ""
}

// routeKey normalises a template for duplicate detection: every
// placeholder segment becomes "{}".
func routeKey(method, tpl string) string {
	var b strings.Builder
	b.Grow(len(method) + 1 + len(tpl))
	b.WriteString(method)
	b.WriteByte(' ')
	for i, seg := range strings.Split(tpl, "/") {
		if i > 0 {
			b.WriteByte('/')
		}
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "...}") {
			b.WriteString("{...}")
		} else if strings.HasPrefix(seg, "{") {
			b.WriteString("{}")
		} else {
			b.WriteString(seg)
		}
	}
	return b.String()
}

// catchAllTemplate returns template s with a final catch-all segment
// {name...} rewritten to {name}, ready for parseTemplate, when enabled
// (tributary.catch_all_routes). A catch-all anywhere but in the last
// segment is a problem; when disabled, s is returned unchanged and the
// segment fails parseTemplate's name rule.
func catchAllTemplate(s string, enabled bool) (string, string) {
	if !enabled {
		return s, ""
	}
	rest := s[1:]
	for {
		seg, tail, more := strings.Cut(rest, "/")
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "...}") && len(seg) > len("{...}") {
			if more {
				return s, "catch-all placeholder " + seg + " must be the last segment"
			}
			return s[:len(s)-len("...}")] + "}", ""
		}
		if !more {
			return s, ""
		}
		rest = tail
	}
}
