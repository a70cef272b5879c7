package shape

import (
	"math/bits"
	"slices"
)

// AppendObject appends o as a compact JSON object to dst (output encoding
// json, krakend-compat.md §13): members in order, keys as sent, values
// verbatim, no trailing newline. The zero Object encodes as {}.
func AppendObject(dst []byte, o Object) []byte {
	dst = slices.Grow(dst, encodedLen(o))
	dst = append(dst, '{')
	for i := range o.Members {
		m := &o.Members[i]
		if i > 0 {
			dst = append(dst, ',')
		}
		if m.Key != nil {
			dst = append(dst, m.Key...)
		} else {
			dst = AppendString(dst, m.Name)
		}
		dst = append(dst, ':')
		if len(m.Value) == 0 {
			dst = append(dst, "null"...)
		} else {
			dst = append(dst, m.Value...)
		}
	}
	return append(dst, '}')
}

// encodedLen is the size of AppendObject's output when every key needs no
// escaping, which is the common case.
func encodedLen(o Object) int {
	n := 2
	for i := range o.Members {
		m := &o.Members[i]
		n += len(m.Value) + 2
		if m.Key != nil {
			n += len(m.Key)
		} else {
			n += len(m.Name) + 2
		}
	}
	return n
}

// AppendCollection appends the body of output encoding json-collection to
// dst: the value of o's "collection" member when it is an array, else [].
func AppendCollection(dst []byte, o Object) []byte {
	if v, ok := o.Get("collection"); ok && len(v) > 0 && v[0] == '[' {
		return append(dst, v...)
	}
	return append(dst, "[]"...)
}

// StringContent returns the body of output encoding string: the decoded text
// of o's "content" member when it is a JSON string, else an empty body.
func StringContent(o Object) []byte {
	v, ok := o.Get("content")
	if !ok || len(v) < 2 || v[0] != '"' {
		return []byte{}
	}
	content := v[1 : len(v)-1]
	return appendUnescaped(make([]byte, 0, len(content)), content)
}

// AppendString appends s to dst as a JSON string literal: '"' and '\\'
// escaped, control characters escaped (\b \f \n \r \t or \u00XX), invalid
// UTF-8 replaced by U+FFFD, and no HTML escaping.
func AppendString(dst []byte, s string) []byte { return appendQuoted(dst, s) }

// appendQuoted is AppendString for text held as a string or as bytes.
func appendQuoted[T ~string | ~[]byte](dst []byte, s T) []byte {
	dst = slices.Grow(dst, len(s)+2)
	dst = append(dst, '"')
	run := 0 // start of the bytes not yet copied
	for i := 0; i < len(s); {
		for i+8 <= len(s) {
			x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
				uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
			if m := plainString(x); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c >= 0x20 && c < 0x80 && c != '"' && c != '\\' {
			i++
			continue
		}
		if c >= 0x80 {
			if n := runeLen(s, i); n > 0 {
				i += n
				continue
			}
		}
		dst = append(dst, s[run:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			if c < 0x20 {
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			} else {
				dst = append(dst, "\uFFFD"...)
			}
		}
		i++
		run = i
	}
	dst = append(dst, s[run:]...)
	return append(dst, '"')
}

// hexDigits are the lower-case hexadecimal digits.
const hexDigits = "0123456789abcdef"
