package route

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// segment is one parsed template segment.
type segment struct {
	param bool
	name  string // placeholder name when param
	lit   string // decoded literal text when !param ("" only for a trailing slash)
	multi bool   // a catch-all {name...}: one or more remaining segments
}

// parseTemplate splits a path template into segments and checks the rules
// of §4.2. Literal segments are percent-decoded (like ServeMux patterns), so
// they compare directly with decoded request segments.
func parseTemplate(tpl string) ([]segment, error) { return parseTemplateOpt(tpl, false) }

// parseTemplateOpt is parseTemplate; catchAll allows a final {name...}
// segment.
func parseTemplateOpt(tpl string, catchAll bool) ([]segment, error) {
	if tpl == "" || tpl[0] != '/' {
		return nil, errors.New(`template must start with "/"`)
	}
	if !utf8.ValidString(tpl) {
		return nil, errors.New("template is not valid UTF-8")
	}
	n := strings.Count(tpl, "/")
	if n > MaxSegments {
		return nil, fmt.Errorf("template has more than %d segments", MaxSegments)
	}
	segs := make([]segment, 0, n)
	seen := make(map[string]bool)
	rest := tpl[1:]
	for {
		raw, next, more := strings.Cut(rest, "/")
		s, err := parseSegment(raw, !more)
		if err != nil {
			return nil, err
		}
		if s.multi && (!catchAll || more) {
			if !catchAll {
				return nil, fmt.Errorf("invalid placeholder %q: catch-all placeholders are not enabled", raw)
			}
			return nil, fmt.Errorf("catch-all placeholder %q must be the last segment", raw)
		}
		if s.param {
			if seen[s.name] {
				return nil, fmt.Errorf("placeholder {%s} appears twice", s.name)
			}
			seen[s.name] = true
		}
		segs = append(segs, s)
		if !more {
			return segs, nil
		}
		rest = next
	}
}

// parseSegment parses one raw template segment.
func parseSegment(raw string, last bool) (segment, error) {
	switch {
	case raw == "" && !last:
		return segment{}, errors.New("template has an empty segment (//)")
	case raw == "." || raw == "..":
		return segment{}, errors.New("template has a dot-segment")
	}
	if strings.HasPrefix(raw, "{") && strings.HasSuffix(raw, "}") {
		name := raw[1 : len(raw)-1]
		if n, ok := strings.CutSuffix(name, "..."); ok && validName(n) {
			return segment{param: true, multi: true, name: n}, nil
		}
		if !validName(name) {
			return segment{}, fmt.Errorf("invalid placeholder %q: the name must match [A-Za-z0-9_-]+", raw)
		}
		return segment{param: true, name: name}, nil
	}
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c == '{' || c == '}':
			return segment{}, fmt.Errorf("segment %q: a placeholder must be a whole segment", raw)
		case c <= ' ' || c == 0x7f:
			return segment{}, fmt.Errorf("segment %q holds whitespace or a control character", raw)
		case c == '?' || c == '#' || c == '\\' || c == '*':
			return segment{}, fmt.Errorf("segment %q holds a forbidden character %q", raw, c)
		}
	}
	lit, ok := unescape(raw)
	if !ok {
		return segment{}, fmt.Errorf("segment %q has invalid percent-encoding", raw)
	}
	if lit == "." || lit == ".." {
		return segment{}, errors.New("template has a dot-segment")
	}
	if !utf8.ValidString(lit) {
		return segment{}, fmt.Errorf("segment %q is not valid UTF-8 after decoding", raw)
	}
	return segment{lit: lit}, nil
}

// validName reports whether name matches [A-Za-z0-9_-]+.
func validName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
