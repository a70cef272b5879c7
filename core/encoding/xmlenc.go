package encoding

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tributary-gw/tributary/core/shape"
)

// RootElement is the root element of every XML output document.
const RootElement = "doc"

// AppendXML appends o as the body of output encoding xml: one <doc> root
// element, no declaration, no whitespace, object keys sorted at every
// level; an array repeats its key once per element; numbers, booleans and
// strings become text (XML-escaped), null and "" an empty element; members
// named "-name" with a scalar value become attributes of their parent and
// "#text" its text. Names that are not valid XML names have each invalid
// character replaced by "_" so that a key can never inject markup.
func AppendXML(dst []byte, o shape.Object) ([]byte, error) {
	obj := make([]xmember, 0, len(o.Members))
	for _, m := range o.Members {
		obj = append(obj, xmember{name: m.Name, value: m.Value})
	}
	return appendXMLObject(dst, RootElement, obj, 0)
}

type xmember struct {
	name  string
	value []byte
}

func appendXMLObject(dst []byte, name string, members []xmember, depth int) ([]byte, error) {
	if depth > shape.MaxDepth+1 {
		return dst, errBadJSON
	}
	slices.SortStableFunc(members, func(a, b xmember) int { return strings.Compare(a.name, b.name) })
	tag := xmlName(name)
	dst = append(dst, '<')
	dst = append(dst, tag...)
	var text []byte
	hasText, hasKids := false, false
	for _, m := range members {
		v := trim(m.value)
		switch {
		case len(m.name) > 1 && m.name[0] == '-' && isScalar(v):
			dst = append(dst, ' ')
			dst = append(dst, xmlName(m.name[1:])...)
			dst = append(dst, '=', '"')
			var err error
			if dst, err = appendScalarText(dst, v); err != nil {
				return dst, err
			}
			dst = append(dst, '"')
		case m.name == "#text" && isScalar(v):
			text, hasText = v, true
		default:
			hasKids = true
		}
	}
	if !hasText && !hasKids {
		return append(dst, '/', '>'), nil
	}
	dst = append(dst, '>')
	var err error
	if hasText {
		if dst, err = appendScalarText(dst, text); err != nil {
			return dst, err
		}
	}
	for _, m := range members {
		v := trim(m.value)
		if (len(m.name) > 1 && m.name[0] == '-' || m.name == "#text") && isScalar(v) {
			continue
		}
		if dst, err = appendXMLValue(dst, m.name, v, depth+1); err != nil {
			return dst, err
		}
	}
	dst = append(dst, '<', '/')
	dst = append(dst, tag...)
	return append(dst, '>'), nil
}

func appendXMLValue(dst []byte, name string, v []byte, depth int) ([]byte, error) {
	if len(v) == 0 {
		return dst, errBadJSON
	}
	switch v[0] {
	case '{':
		var members []xmember
		err := eachMember(v, func(k, val []byte) error {
			s, err := unquote(k)
			members = append(members, xmember{name: s, value: val})
			return err
		})
		if err != nil {
			return dst, err
		}
		return appendXMLObject(dst, name, members, depth)
	case '[':
		if depth > shape.MaxDepth+1 {
			return dst, errBadJSON
		}
		if isEmpty(v) {
			return appendEmpty(dst, name), nil
		}
		return dst, eachItem(v, func(item []byte) error {
			var err error
			dst, err = appendXMLValue(dst, name, item, depth+1)
			return err
		})
	}
	if v[0] == 'n' || (v[0] == '"' && len(v) == 2) {
		return appendEmpty(dst, name), nil
	}
	tag := xmlName(name)
	dst = append(dst, '<')
	dst = append(dst, tag...)
	dst = append(dst, '>')
	dst, err := appendScalarText(dst, v)
	if err != nil {
		return dst, err
	}
	dst = append(dst, '<', '/')
	dst = append(dst, tag...)
	return append(dst, '>'), nil
}

func appendEmpty(dst []byte, name string) []byte {
	dst = append(dst, '<')
	dst = append(dst, xmlName(name)...)
	return append(dst, '/', '>')
}

func isScalar(v []byte) bool { return len(v) > 0 && v[0] != '{' && v[0] != '[' }

// appendScalarText appends a JSON scalar as escaped XML text: a string's
// decoded content, null as nothing, numbers and booleans as written.
func appendScalarText(dst []byte, v []byte) ([]byte, error) {
	switch {
	case v[0] == '"':
		s, err := unquote(v)
		if err != nil {
			return dst, err
		}
		return appendXMLEscaped(dst, s), nil
	case v[0] == 'n':
		return dst, nil
	}
	return appendXMLEscaped(dst, string(v)), nil
}

// appendXMLEscaped escapes the five markup characters and replaces
// characters XML 1.0 cannot carry with U+FFFD.
func appendXMLEscaped(dst []byte, s string) []byte {
	for _, r := range s {
		switch r {
		case '&':
			dst = append(dst, "&amp;"...)
		case '<':
			dst = append(dst, "&lt;"...)
		case '>':
			dst = append(dst, "&gt;"...)
		case '"':
			dst = append(dst, "&quot;"...)
		case '\'':
			dst = append(dst, "&apos;"...)
		case '\t', '\n':
			dst = append(dst, byte(r))
		case '\r':
			dst = append(dst, "&#xD;"...)
		default:
			if r < 0x20 || (r >= 0xD800 && r <= 0xDFFF) || r == 0xFFFE || r == 0xFFFF {
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst
}

// xmlName returns name with every character that may not appear in an XML
// name (at its position) replaced by "_"; "" becomes "_".
func xmlName(name string) string {
	ok := name != ""
	for i, r := range name {
		if !nameRune(r, i == 0) {
			ok = false
			break
		}
	}
	if ok {
		return name
	}
	if name == "" {
		return "_"
	}
	var b strings.Builder
	for i, r := range name {
		if nameRune(r, i == 0) {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

func nameRune(r rune, first bool) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '_', r == ':':
		return true
	case r >= '0' && r <= '9', r == '-', r == '.':
		return !first
	case r == 0xB7:
		return !first
	case r < 0xC0, r == 0xD7, r == 0xF7, r == utf8.RuneError:
		return false
	case r >= 0x300 && r <= 0x36F, r >= 0x203F && r <= 0x2040:
		return !first
	case r >= 0x2000 && r <= 0x200B, r >= 0x200E && r <= 0x206F, r >= 0x2190 && r <= 0x2BFF,
		r >= 0x2FF0 && r <= 0x3000, r >= 0xD800 && r <= 0xF8FF, r >= 0xFDD0 && r <= 0xFDEF, r >= 0xFFFE:
		return r >= 0x10000 && r <= 0xEFFFF
	}
	return true
}
