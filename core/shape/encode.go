package shape

import (
	"slices"

	"github.com/tributary-gw/tributary/internal/jsontext"
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

// appendQuoted is AppendString for text held as a string or as bytes. The
// replacement for invalid UTF-8 and U+2028/U+2029 are written as raw UTF-8,
// not as \u escapes; DEL is written as it is.
func appendQuoted[T ~string | ~[]byte](dst []byte, s T) []byte {
	return jsontext.AppendString(dst, s, jsontext.RawReplacement|jsontext.RawLineSeparators)
}
