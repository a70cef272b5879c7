package samlocal

import (
	"strconv"

	"github.com/tributary-gw/tributary/internal/jsontext"
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
// valid UTF-8 become \ufffd, so the output is always valid JSON; '<', '>'
// and '&' are written as they are; U+2028 and U+2029 are escaped as
// encoding/json does; control characters other than \n \r \t are written
// as \u00XX.
func appendJSONString(dst []byte, s string) []byte {
	return jsontext.AppendString(dst, s, jsontext.HexBackspaceFormFeed)
}
