package samlocal

import (
	"strconv"
	"unicode/utf8"
)

// jsonWriter appends JSON to a byte slice. It writes commas itself: call
// key before each member of an object and item before each element of an
// array; open and close track nesting.
type jsonWriter struct {
	b     []byte
	first bool // the next member or element is the first of its container
}

func (w *jsonWriter) open(c byte) {
	w.b = append(w.b, c)
	w.first = true
}

func (w *jsonWriter) close(c byte) {
	w.b = append(w.b, c)
	w.first = false
}

// key writes the separator and "k":.
func (w *jsonWriter) key(k string) {
	w.item()
	w.b = appendJSONString(w.b, k)
	w.b = append(w.b, ':')
}

// item writes the separator before an array element or object member.
func (w *jsonWriter) item() {
	if !w.first {
		w.b = append(w.b, ',')
	}
	w.first = false
}

func (w *jsonWriter) str(s string)    { w.b = appendJSONString(w.b, s) }
func (w *jsonWriter) null()           { w.b = append(w.b, "null"...) }
func (w *jsonWriter) integer(n int64) { w.b = strconv.AppendInt(w.b, n, 10) }
func (w *jsonWriter) boolean(v bool)  { w.b = strconv.AppendBool(w.b, v) }

// strField writes "k":"v".
func (w *jsonWriter) strField(k, v string) {
	w.key(k)
	w.str(v)
}

// strings writes an array of strings.
func (w *jsonWriter) strings(vs []string) {
	w.open('[')
	for _, v := range vs {
		w.item()
		w.str(v)
	}
	w.close(']')
}

// appendJSONString appends s as a JSON string literal. Bytes that are not
// valid UTF-8 become U+FFFD, so the output is always valid JSON; '<', '>'
// and '&' are written as they are.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	last := 0 // s[last:i] is pending, to be copied as it is
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				dst = append(dst, s[last:i]...)
				dst = append(dst, `\ufffd`...)
			case r == '\u2028' || r == '\u2029':
				// Valid JSON, but not valid JavaScript: escape as encoding/json does.
				dst = append(dst, s[last:i]...)
				dst = append(dst, `\u202`...)
				dst = append(dst, hex[r&0xf])
			default:
				i += size
				continue
			}
			i += size
			last = i
			continue
		}
		dst = append(dst, s[last:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		last = i
	}
	dst = append(dst, s[last:]...)
	return append(dst, '"')
}
