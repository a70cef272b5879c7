package shape

import (
	"bytes"
	"unicode/utf8"
)

// The helpers in this file walk compact JSON that has already been validated.
// They never panic on other input: they stop at the end of the slice instead,
// and callers treat a short result as "nothing there".

// skipString returns the offset just past the string literal whose opening
// quote is at b[i], or len(b) when it is not terminated.
func skipString(b []byte, i int) int {
	open := i
	i++
	for i < len(b) {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return len(b)
		}
		i += j
		n := 0
		for k := i - 1; k > open && b[k] == '\\'; k-- {
			n++
		}
		i++
		if n%2 == 0 {
			return i
		}
	}
	return len(b)
}

// skipValue returns the offset just past the value that starts at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return len(b)
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return len(b)
	}
	for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' {
		i++
	}
	return i
}

// members iterates over the members of a compact object.
type members struct {
	b []byte
	i int
}

// newMembers starts iterating over obj, which must start with '{'.
func newMembers(obj []byte) members { return members{b: obj, i: 1} }

// next returns the next member's key literal and value, or ok == false at the
// end of the object.
func (it *members) next() (key, val []byte, ok bool) {
	sp, ok := it.nextSpan()
	if !ok {
		return nil, nil, false
	}
	return it.b[sp.ks:sp.ke:sp.ke], it.b[sp.vs:sp.ve:sp.ve], true
}

// span locates one member in a compact object: key literal obj[ks:ke],
// value obj[vs:ve].
type span struct{ ks, ke, vs, ve int }

// nextSpan is next returning offsets into the object instead of slices.
func (it *members) nextSpan() (sp span, ok bool) {
	b, i := it.b, it.i
	if i >= len(b) || b[i] != '"' {
		return sp, false
	}
	ke := skipString(b, i)
	if ke >= len(b) || b[ke] != ':' {
		return sp, false
	}
	vs := ke + 1
	ve := skipValue(b, vs)
	if ve == vs {
		return sp, false
	}
	sp = span{ks: i, ke: ke, vs: vs, ve: ve}
	if ve < len(b) && b[ve] == ',' {
		ve++
	}
	it.i = ve
	return sp, true
}

// isObject reports whether the compact value v is an object.
func isObject(v []byte) bool { return len(v) >= 2 && v[0] == '{' }

// keyName returns the decoded text of the key literal lit. When the literal
// has no escapes it is a sub-slice of lit; otherwise it is decoded into
// scratch.
func keyName(lit, scratch []byte) []byte {
	if len(lit) < 2 {
		return nil
	}
	content := lit[1 : len(lit)-1]
	if !hasBackslash(content) {
		return content
	}
	return appendUnescaped(scratch[:0], content)
}

// lookup returns the value of the member called name in the compact object
// obj; with duplicate keys the last one wins.
func lookup(obj []byte, name string) ([]byte, bool) {
	var scratch [64]byte
	var found []byte
	it := newMembers(obj)
	for {
		k, v, ok := it.next()
		if !ok {
			return found, found != nil
		}
		if string(keyName(k, scratch[:])) == name {
			found = v
		}
	}
}

// appendUnescaped appends the text of the JSON string content s (the bytes
// between the quotes) to dst. A \u escape of an unpaired surrogate becomes
// U+FFFD, as with encoding/json.
func appendUnescaped(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			j := i + 1
			for j < len(s) && s[j] != '\\' {
				j++
			}
			dst = append(dst, s[i:j]...)
			i = j
			continue
		}
		if i+1 >= len(s) {
			return dst
		}
		switch s[i+1] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := hex4(s, i+2)
			if r < 0 {
				return dst
			}
			i += 6
			if r >= 0xD800 && r < 0xDC00 {
				// A high surrogate needs a low one right after it.
				if i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
					if lo := hex4(s, i+2); lo >= 0xDC00 && lo < 0xE000 {
						r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
						i += 6
					}
				}
			}
			if r >= 0xD800 && r < 0xE000 {
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, rune(r))
			continue
		default: // '"', '\\', '/'
			dst = append(dst, s[i+1])
		}
		i += 2
	}
	return dst
}

// hex4 decodes the four hexadecimal digits at s[i:i+4], or returns -1.
func hex4(s []byte, i int) int {
	if i+4 > len(s) {
		return -1
	}
	r := 0
	for _, c := range s[i : i+4] {
		v := hexVal(c)
		if v < 0 {
			return -1
		}
		r = r<<4 | v
	}
	return r
}
