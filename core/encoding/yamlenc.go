package encoding

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tributary-gw/tributary/core/shape"
)

// yamlIndent is the indentation of a nested block.
const yamlIndent = 4

// AppendYAML appends o as a YAML document: block style, four-space
// indentation, keys in the object's order, number literals as sent; strings
// are plain when that cannot be read back as anything else, double-quoted
// otherwise. An empty object is "{}". The document ends with a newline.
func AppendYAML(dst []byte, o shape.Object) ([]byte, error) {
	if len(o.Members) == 0 {
		return append(dst, "{}\n"...), nil
	}
	var err error
	for i, m := range o.Members {
		if i > 0 {
			dst = append(dst, '\n')
		}
		if dst, err = appendYAMLEntry(dst, m.Name, trim(m.Value), 0, 1); err != nil {
			return dst, err
		}
	}
	return append(dst, '\n'), nil
}

// appendYAMLEntry appends "key: value" at the current position; ind is
// the column of the key, so nested blocks start at ind+yamlIndent.
func appendYAMLEntry(dst []byte, key string, v []byte, ind, depth int) ([]byte, error) {
	dst = appendYAMLString(dst, key)
	dst = append(dst, ':')
	if len(v) > 0 && (v[0] == '{' || v[0] == '[') && !isEmpty(v) {
		dst = append(dst, '\n')
		dst = appendSpaces(dst, ind+yamlIndent)
		return appendYAMLBlock(dst, v, ind+yamlIndent, depth+1)
	}
	dst = append(dst, ' ')
	return appendYAMLScalar(dst, v)
}

// appendYAMLBlock appends a non-empty object or array whose first line
// starts at the current position, every other line at column ind.
func appendYAMLBlock(dst []byte, v []byte, ind, depth int) ([]byte, error) {
	if depth > shape.MaxDepth+1 {
		return dst, errBadJSON
	}
	n := 0
	var err error
	if v[0] == '{' {
		err = eachMember(v, func(k, val []byte) error {
			if n > 0 {
				dst = append(dst, '\n')
				dst = appendSpaces(dst, ind)
			}
			n++
			key, err := unquote(k)
			if err != nil {
				return err
			}
			dst, err = appendYAMLEntry(dst, key, val, ind, depth)
			return err
		})
		return dst, err
	}
	err = eachItem(v, func(item []byte) error {
		if n > 0 {
			dst = append(dst, '\n')
			dst = appendSpaces(dst, ind)
		}
		n++
		dst = append(dst, '-', ' ')
		var err error
		if (item[0] == '{' || item[0] == '[') && !isEmpty(item) {
			dst, err = appendYAMLBlock(dst, item, ind+2, depth+1)
		} else {
			dst, err = appendYAMLScalar(dst, item)
		}
		return err
	})
	return dst, err
}

func appendSpaces(dst []byte, n int) []byte {
	for ; n > 0; n-- {
		dst = append(dst, ' ')
	}
	return dst
}

// appendYAMLScalar appends a JSON scalar, or an empty object or array.
func appendYAMLScalar(dst []byte, v []byte) ([]byte, error) {
	if len(v) == 0 {
		return dst, errBadJSON
	}
	switch v[0] {
	case '{':
		return append(dst, '{', '}'), nil
	case '[':
		return append(dst, '[', ']'), nil
	case '"':
		s, err := unquote(v)
		if err != nil {
			return dst, err
		}
		return appendYAMLString(dst, s), nil
	}
	// null, true, false and numbers: JSON literals are plain YAML scalars
	// that read back as the same type.
	return append(dst, v...), nil
}

// appendYAMLString appends s plain when that is safe, else double-quoted.
func appendYAMLString(dst []byte, s string) []byte {
	if plainSafe(s) {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			dst = append(dst, '\\', byte(r))
		case r == '\n':
			dst = append(dst, '\\', 'n')
		case r == '\t':
			dst = append(dst, '\\', 't')
		case r == '\r':
			dst = append(dst, '\\', 'r')
		case r < 0x20 || r == 0x7F || (r >= 0x80 && r < 0xA0):
			dst = append(dst, '\\', 'x')
			dst = appendHex(dst, uint32(r), 2)
		case r == 0x2028 || r == 0x2029 || r == 0xFEFF || (r >= 0xD800 && r <= 0xDFFF) || r == 0xFFFE || r == 0xFFFF:
			dst = append(dst, '\\', 'u')
			dst = appendHex(dst, uint32(r), 4)
		default:
			dst = utf8.AppendRune(dst, r)
		}
	}
	return append(dst, '"')
}

func appendHex(dst []byte, v uint32, width int) []byte {
	s := strconv.FormatUint(uint64(v), 16)
	for i := len(s); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, strings.ToUpper(s)...)
}

// yamlReserved reports plain words (lower-cased) that YAML 1.1 or 1.2
// readers give another type than string.
func yamlReserved(s string) bool {
	switch s {
	case "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~":
		return true
	}
	return false
}

// plainSafe reports a string that reads back as the same string when
// written plain: it starts with a letter, holds only letters, digits,
// spaces and _ . / - (no space at the end), and is not a reserved word.
func plainSafe(s string) bool {
	if s == "" || len(s) > 200 {
		return false
	}
	c := s[0]
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') || s[len(s)-1] == ' ' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ' ' || c == '_' || c == '.' || c == '/' || c == '-') {
			return false
		}
	}
	return !yamlReserved(strings.ToLower(s))
}
