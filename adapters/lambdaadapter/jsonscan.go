package lambdaadapter

import (
	"unicode/utf16"
	"unicode/utf8"
)

// maxJSONDepth bounds nesting, as encoding/json does, so recursion can
// never exhaust the stack.
const maxJSONDepth = 10000

// kind is the type of the next JSON value.
type kind uint8

const (
	kindInvalid kind = iota
	kindString
	kindNumber
	kindObject
	kindArray
	kindBool
	kindNull
)

// scanner reads a JSON document from memory, strictly and without
// reflection. Object keys are handed out as slices of the input (copied
// only when they hold escapes), so skipping costs no allocation. After a
// syntax error err is set and every method returns false.
type scanner struct {
	b     []byte
	i     int
	depth int
	err   bool
}

// validJSON reports whether b is exactly one JSON value (json.Valid's
// answer).
func validJSON(b []byte) bool {
	s := &scanner{b: b}
	return s.skip() && s.atEnd()
}

func (s *scanner) fail() bool {
	s.err = true
	return false
}

func (s *scanner) skipSpace() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte without consuming it, 0 at the end.
func (s *scanner) peek() byte {
	s.skipSpace()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// kind reports the type of the next value.
func (s *scanner) kind() kind {
	switch c := s.peek(); {
	case c == '"':
		return kindString
	case c == '{':
		return kindObject
	case c == '[':
		return kindArray
	case c == 't' || c == 'f':
		return kindBool
	case c == 'n':
		return kindNull
	case c == '-' || '0' <= c && c <= '9':
		return kindNumber
	}
	return kindInvalid
}

// atEnd reports whether only white space is left.
func (s *scanner) atEnd() bool {
	s.skipSpace()
	return !s.err && s.i == len(s.b)
}

func (s *scanner) enter() bool {
	s.depth++
	if s.depth > maxJSONDepth {
		return s.fail()
	}
	return true
}

// object reads an object, calling fn with each key (valid only during the
// call); fn must consume the value and returns false to stop.
func (s *scanner) object(fn func(key []byte) bool) bool {
	if s.err || s.peek() != '{' || !s.enter() {
		return s.fail()
	}
	s.i++
	if s.peek() == '}' {
		s.i++
		s.depth--
		return true
	}
	for {
		if s.peek() != '"' {
			return s.fail()
		}
		key, ok := s.scanString(true)
		if !ok {
			return false
		}
		if s.peek() != ':' {
			return s.fail()
		}
		s.i++
		if !fn(key) || s.err {
			return false
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			s.depth--
			return true
		default:
			return s.fail()
		}
	}
}

// array reads an array, calling fn for each element; fn must consume it and
// returns false to stop.
func (s *scanner) array(fn func() bool) bool {
	if s.err || s.peek() != '[' || !s.enter() {
		return s.fail()
	}
	s.i++
	if s.peek() == ']' {
		s.i++
		s.depth--
		return true
	}
	for {
		if !fn() || s.err {
			return false
		}
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			s.depth--
			return true
		default:
			return s.fail()
		}
	}
}

// str reads a string value.
func (s *scanner) str() (string, bool) {
	b, ok := s.scanString(true)
	return string(b), ok
}

// boolean reads true or false.
func (s *scanner) boolean() (bool, bool) {
	switch s.peek() {
	case 't':
		return true, s.literal("true")
	case 'f':
		return false, s.literal("false")
	}
	return false, s.fail()
}

func (s *scanner) literal(w string) bool {
	if len(s.b)-s.i < len(w) || string(s.b[s.i:s.i+len(w)]) != w {
		return s.fail()
	}
	s.i += len(w)
	return true
}

// skip consumes any value, validating it.
func (s *scanner) skip() bool {
	switch s.kind() {
	case kindString:
		_, ok := s.scanString(false)
		return ok
	case kindNumber:
		return s.number()
	case kindObject:
		return s.object(func([]byte) bool { return s.skip() })
	case kindArray:
		return s.array(s.skip)
	case kindBool:
		_, ok := s.boolean()
		return ok
	case kindNull:
		return s.literal("null")
	}
	return s.fail()
}

// raw consumes a value and returns its bytes, a slice of the input.
func (s *scanner) raw() ([]byte, bool) {
	s.skipSpace()
	start := s.i
	if !s.skip() {
		return nil, false
	}
	return s.b[start:s.i], true
}

// number consumes a number of the JSON grammar.
func (s *scanner) number() bool {
	b, i := s.b, s.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	default:
		return s.fail()
	}
	if i < len(b) && b[i] == '.' {
		i++
		j := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		if i == j {
			return s.fail()
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		if i == j {
			return s.fail()
		}
	}
	s.i = i
	return true
}

// scanString consumes a string. With want set it returns the decoded
// bytes: a slice of the input when there is no escape, else a copy.
// Invalid UTF-8 is kept as is; a lone surrogate escape becomes U+FFFD, as
// in encoding/json.
func (s *scanner) scanString(want bool) ([]byte, bool) {
	if s.peek() != '"' {
		return nil, s.fail()
	}
	s.i++
	start := s.i
	for s.i < len(s.b) {
		switch c := s.b[s.i]; {
		case c == '"':
			out := s.b[start:s.i]
			s.i++
			return out, true
		case c == '\\':
			return s.scanEscaped(start, want)
		case c < 0x20:
			return nil, s.fail()
		}
		s.i++
	}
	return nil, s.fail()
}

// scanEscaped finishes a string holding escapes; s.i is at the first
// backslash.
func (s *scanner) scanEscaped(start int, want bool) ([]byte, bool) {
	var out []byte
	if want {
		out = make([]byte, 0, s.i-start+16)
		out = append(out, s.b[start:s.i]...)
	}
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return out, true
		case c < 0x20:
			return nil, s.fail()
		case c != '\\':
			if want {
				out = append(out, c)
			}
			s.i++
			continue
		}
		if s.i+1 >= len(s.b) {
			return nil, s.fail()
		}
		e := s.b[s.i+1]
		s.i += 2
		var r byte
		switch e {
		case '"', '\\', '/':
			r = e
		case 'b':
			r = '\b'
		case 'f':
			r = '\f'
		case 'n':
			r = '\n'
		case 'r':
			r = '\r'
		case 't':
			r = '\t'
		case 'u':
			u, ok := s.hex4()
			if !ok {
				return nil, false
			}
			if utf16.IsSurrogate(u) {
				u = s.surrogatePair(u)
			}
			if want {
				out = utf8.AppendRune(out, u)
			}
			continue
		default:
			return nil, s.fail()
		}
		if want {
			out = append(out, r)
		}
	}
	return nil, s.fail()
}

// hex4 reads the four hex digits of a \u escape.
func (s *scanner) hex4() (rune, bool) {
	if len(s.b)-s.i < 4 {
		return 0, s.fail()
	}
	var r rune
	for _, c := range s.b[s.i : s.i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, s.fail()
		}
		r = r<<4 | rune(c)
	}
	s.i += 4
	return r, true
}

// surrogatePair completes a surrogate escape: with a following escape that
// pairs with hi it consumes it and returns the pair's rune, otherwise
// U+FFFD, leaving the next escape alone (encoding/json's behaviour).
func (s *scanner) surrogatePair(hi rune) rune {
	if len(s.b)-s.i < 6 || s.b[s.i] != '\\' || s.b[s.i+1] != 'u' {
		return utf8.RuneError
	}
	save := s.i
	s.i += 2
	lo, ok := s.hex4()
	if ok {
		if r := utf16.DecodeRune(hi, lo); r != utf8.RuneError {
			return r
		}
	}
	s.i, s.err = save, false
	return utf8.RuneError
}
