package urltpl

import (
	"strings"

	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// keepInPath reports whether a value byte is written as is in a path
// segment: the unreserved set only. A client's "," is escaped like any
// other reserved byte (krakend-compat §6.4 step 3 keeps literal only the
// commas that join array values, which no client param is).
func keepInPath(c byte) bool { return httpsyntax.IsUnreserved(c) }

// pathEscapedLen is the length of s once path-escaped.
func pathEscapedLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if !keepInPath(s[i]) {
			n += 2
		}
	}
	return n
}

// queryEscapedLen is the length of s once form-encoded.
func queryEscapedLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if c := s[i]; !httpsyntax.IsUnreserved(c) && c != ' ' {
			n += 2
		}
	}
	return n
}

// writePathEscaped writes s escaped as (part of) one path segment.
func writePathEscaped(b *strings.Builder, s string) {
	run := 0 // start of the pending run of bytes kept as is
	for i := 0; i < len(s); i++ {
		if c := s[i]; !keepInPath(c) {
			b.WriteString(s[run:i])
			b.WriteByte('%')
			b.WriteByte(httpsyntax.UpperHex[c>>4])
			b.WriteByte(httpsyntax.UpperHex[c&15])
			run = i + 1
		}
	}
	b.WriteString(s[run:])
}

// writeQueryEscaped writes s form-encoded as one query key or value.
func writeQueryEscaped(b *strings.Builder, s string) {
	run := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if httpsyntax.IsUnreserved(c) {
			continue
		}
		b.WriteString(s[run:i])
		if c == ' ' {
			b.WriteByte('+')
		} else {
			b.WriteByte('%')
			b.WriteByte(httpsyntax.UpperHex[c>>4])
			b.WriteByte(httpsyntax.UpperHex[c&15])
		}
		run = i + 1
	}
	b.WriteString(s[run:])
}

// decodesTo reports whether the escaped text esc percent-decodes (with "+"
// as a space when form is set) to exactly v, without allocating.
func decodesTo(esc, v string, form bool) bool {
	j := 0
	for i := 0; i < len(esc); i++ {
		c := esc[i]
		switch {
		case c == '%':
			if i+2 >= len(esc) || !httpsyntax.IsHex(esc[i+1]) || !httpsyntax.IsHex(esc[i+2]) {
				return false
			}
			c = httpsyntax.Unhex(esc[i+1])<<4 | httpsyntax.Unhex(esc[i+2])
			i += 2
		case c == '+' && form:
			c = ' '
		}
		if j >= len(v) || v[j] != c {
			return false
		}
		j++
	}
	return j == len(v)
}

// unescape percent-decodes s, which must be valid ("+" stays "+"). s is
// returned as is when it holds no "%".
func unescape(s string) string {
	var buf []byte
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && httpsyntax.IsHex(s[i+1]) && httpsyntax.IsHex(s[i+2]) {
			if buf == nil {
				buf = append(make([]byte, 0, len(s)), s[:i]...)
			}
			buf = append(buf, httpsyntax.Unhex(s[i+1])<<4|httpsyntax.Unhex(s[i+2]))
			i += 2
			continue
		}
		if buf != nil {
			buf = append(buf, s[i])
		}
	}
	if buf == nil {
		return s
	}
	return string(buf)
}
