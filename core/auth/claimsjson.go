package auth

import (
	"encoding/json"
	"unicode/utf8"
)

// maxFastDepth is the deepest nesting the fast claims decoder reads; a
// deeper document takes the general decoder.
const maxFastDepth = 32

// decodeClaimsFast decodes a payload like decodeClaims, to the same
// values (objects as map[string]any, arrays as []any, numbers as
// json.Number with their exact digits), without reflection. It reads the
// common shape only: strings without escapes and in valid UTF-8, at most
// maxFastDepth levels, nothing but whitespace after the object. Anything
// else, valid or not, goes to decodeClaims, which decides.
func decodeClaimsFast(b []byte) (map[string]any, error) {
	d := claimsDecoder{b: b}
	d.space()
	if d.p >= len(d.b) || d.b[d.p] != '{' {
		return decodeClaims(b)
	}
	m, ok := d.object(0)
	if ok {
		d.space()
		ok = d.p == len(d.b)
	}
	if !ok {
		return decodeClaims(b)
	}
	return m, nil
}

// claimsDecoder is the state of decodeClaimsFast: the document and the
// read position.
type claimsDecoder struct {
	b []byte
	p int
}

func (d *claimsDecoder) space() {
	for d.p < len(d.b) {
		switch d.b[d.p] {
		case ' ', '\t', '\n', '\r':
			d.p++
		default:
			return
		}
	}
}

// value reads any JSON value at the read position (whitespace skipped).
func (d *claimsDecoder) value(depth int) (any, bool) {
	d.space()
	if d.p >= len(d.b) {
		return nil, false
	}
	switch c := d.b[d.p]; {
	case c == '{':
		m, ok := d.object(depth + 1)
		return m, ok
	case c == '[':
		return d.array(depth + 1)
	case c == '"':
		s, ok := d.str()
		return s, ok
	case c == '-' || '0' <= c && c <= '9':
		return d.number()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	}
	return nil, false
}

// object reads an object; the read position is at its '{'.
func (d *claimsDecoder) object(depth int) (map[string]any, bool) {
	if depth > maxFastDepth {
		return nil, false
	}
	d.p++
	m := make(map[string]any)
	d.space()
	if d.p < len(d.b) && d.b[d.p] == '}' {
		d.p++
		return m, true
	}
	for {
		d.space()
		if d.p >= len(d.b) || d.b[d.p] != '"' {
			return nil, false
		}
		k, ok := d.str()
		if !ok {
			return nil, false
		}
		d.space()
		if d.p >= len(d.b) || d.b[d.p] != ':' {
			return nil, false
		}
		d.p++
		v, ok := d.value(depth)
		if !ok {
			return nil, false
		}
		m[k] = v
		d.space()
		if d.p >= len(d.b) {
			return nil, false
		}
		switch d.b[d.p] {
		case ',':
			d.p++
		case '}':
			d.p++
			return m, true
		default:
			return nil, false
		}
	}
}

// array reads an array; the read position is at its '['.
func (d *claimsDecoder) array(depth int) (any, bool) {
	if depth > maxFastDepth {
		return nil, false
	}
	d.p++
	a := make([]any, 0, 4)
	d.space()
	if d.p < len(d.b) && d.b[d.p] == ']' {
		d.p++
		return a, true
	}
	for {
		v, ok := d.value(depth)
		if !ok {
			return nil, false
		}
		a = append(a, v)
		d.space()
		if d.p >= len(d.b) {
			return nil, false
		}
		switch d.b[d.p] {
		case ',':
			d.p++
		case ']':
			d.p++
			return a, true
		default:
			return nil, false
		}
	}
}

// str reads a string without escapes whose bytes are valid UTF-8 with no
// control character; the read position is at its opening quote.
func (d *claimsDecoder) str() (string, bool) {
	start := d.p + 1
	ascii := true
	for q := start; q < len(d.b); q++ {
		switch c := d.b[q]; {
		case c == '"':
			s := d.b[start:q]
			if !ascii && !utf8.Valid(s) {
				return "", false
			}
			d.p = q + 1
			return string(s), true
		case c == '\\' || c < 0x20:
			return "", false
		case c >= 0x80:
			ascii = false
		}
	}
	return "", false
}

// number reads a number in JSON's grammar and keeps its text.
func (d *claimsDecoder) number() (any, bool) {
	b, start := d.b, d.p
	p := start
	if p < len(b) && b[p] == '-' {
		p++
	}
	switch {
	case p < len(b) && b[p] == '0':
		p++
	case p < len(b) && '1' <= b[p] && b[p] <= '9':
		for p < len(b) && '0' <= b[p] && b[p] <= '9' {
			p++
		}
	default:
		return nil, false
	}
	if p < len(b) && b[p] == '.' {
		p++
		q := p
		for p < len(b) && '0' <= b[p] && b[p] <= '9' {
			p++
		}
		if p == q {
			return nil, false
		}
	}
	if p < len(b) && (b[p] == 'e' || b[p] == 'E') {
		p++
		if p < len(b) && (b[p] == '+' || b[p] == '-') {
			p++
		}
		q := p
		for p < len(b) && '0' <= b[p] && b[p] <= '9' {
			p++
		}
		if p == q {
			return nil, false
		}
	}
	d.p = p
	return json.Number(b[start:p]), true
}

// literal reads true, false or null.
func (d *claimsDecoder) literal(word string) bool {
	if len(d.b)-d.p < len(word) || string(d.b[d.p:d.p+len(word)]) != word {
		return false
	}
	d.p += len(word)
	return true
}
