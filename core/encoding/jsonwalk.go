package encoding

import (
	"errors"
	"unicode/utf16"
	"unicode/utf8"
)

// errBadJSON reports JSON text that the encoders cannot walk. Values held by
// a shape.Object are always valid, so this only guards against a broken
// stage.
var errBadJSON = errors.New("invalid JSON value")

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index after the closing quote of the string literal
// starting at b[i] == '"'.
func stringEnd(b []byte, i int) (int, error) {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1, nil
		}
	}
	return 0, errBadJSON
}

// valueEnd returns the index after the JSON value starting at b[i].
func valueEnd(b []byte, i int) (int, error) {
	i = skipWS(b, i)
	if i >= len(b) {
		return 0, errBadJSON
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				e, err := stringEnd(b, i)
				if err != nil {
					return 0, err
				}
				i = e - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, nil
				}
			}
		}
		return 0, errBadJSON
	}
	j := i
	for j < len(b) {
		c := b[j]
		if c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			break
		}
		j++
	}
	if j == i {
		return 0, errBadJSON
	}
	return j, nil
}

// trim drops surrounding whitespace from a JSON value.
func trim(v []byte) []byte {
	i := skipWS(v, 0)
	j := len(v)
	for j > i && (v[j-1] == ' ' || v[j-1] == '\t' || v[j-1] == '\n' || v[j-1] == '\r') {
		j--
	}
	return v[i:j]
}

// eachMember calls fn for every member of the object v (keys as literals).
func eachMember(v []byte, fn func(key, val []byte) error) error {
	v = trim(v)
	if len(v) < 2 || v[0] != '{' {
		return errBadJSON
	}
	i := skipWS(v, 1)
	if i < len(v) && v[i] == '}' {
		return nil
	}
	for i < len(v) {
		i = skipWS(v, i)
		if i >= len(v) || v[i] != '"' {
			return errBadJSON
		}
		ke, err := stringEnd(v, i)
		if err != nil {
			return err
		}
		key := v[i:ke]
		i = skipWS(v, ke)
		if i >= len(v) || v[i] != ':' {
			return errBadJSON
		}
		vs := skipWS(v, i+1)
		ve, err := valueEnd(v, vs)
		if err != nil {
			return err
		}
		if err := fn(key, v[vs:ve]); err != nil {
			return err
		}
		i = skipWS(v, ve)
		if i >= len(v) {
			return errBadJSON
		}
		if v[i] == '}' {
			return nil
		}
		if v[i] != ',' {
			return errBadJSON
		}
		i++
	}
	return errBadJSON
}

// eachItem calls fn for every element of the array v.
func eachItem(v []byte, fn func(item []byte) error) error {
	v = trim(v)
	if len(v) < 2 || v[0] != '[' {
		return errBadJSON
	}
	i := skipWS(v, 1)
	if i < len(v) && v[i] == ']' {
		return nil
	}
	for i < len(v) {
		vs := skipWS(v, i)
		ve, err := valueEnd(v, vs)
		if err != nil {
			return err
		}
		if err := fn(v[vs:ve]); err != nil {
			return err
		}
		i = skipWS(v, ve)
		if i >= len(v) {
			return errBadJSON
		}
		if v[i] == ']' {
			return nil
		}
		if v[i] != ',' {
			return errBadJSON
		}
		i++
	}
	return errBadJSON
}

// isEmpty reports an empty object or array.
func isEmpty(v []byte) bool {
	v = trim(v)
	return len(v) >= 2 && skipWS(v, 1) == len(v)-1
}

// unquote decodes a JSON string literal. Invalid UTF-8 and lone surrogates
// become U+FFFD.
func unquote(lit []byte) (string, error) {
	if len(lit) < 2 || lit[0] != '"' || lit[len(lit)-1] != '"' {
		return "", errBadJSON
	}
	s := lit[1 : len(lit)-1]
	plain := true
	for _, c := range s {
		if c == '\\' || c >= utf8.RuneSelf {
			plain = false
			break
		}
	}
	if plain {
		return string(s), nil
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRune(s[i:])
			out = utf8.AppendRune(out, r) // RuneError for invalid bytes
			i += n
			continue
		}
		if c != '\\' {
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(s) {
			return "", errBadJSON
		}
		switch s[i+1] {
		case '"', '\\', '/':
			out = append(out, s[i+1])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(s, i+2)
			if !ok {
				return "", errBadJSON
			}
			i += 6
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4(s, i+2); ok && i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						out = utf8.AppendRune(out, d)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
			continue
		default:
			return "", errBadJSON
		}
		i += 2
	}
	return string(out), nil
}

func hex4(s []byte, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range s[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
