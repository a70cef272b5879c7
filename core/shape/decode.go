package shape

import (
	"bytes"
	"encoding/binary"
	"strings"
)

// valSpan locates a member's value, obj[vs:ve], in a compact object. The key
// literal runs from the end of the previous member (or the '{') to vs-1,
// where the ':' is.
type valSpan struct{ vs, ve int }

// spanBuf is how many members are tracked before the heap is needed.
const spanBuf = 64

// Expect is the JSON value DecodeJSON requires at the top of a body.
type Expect uint8

const (
	// ExpectObject requires one JSON object: the default.
	ExpectObject Expect = iota
	// ExpectCollection requires one JSON array (is_collection), returned
	// as {"collection": [...]}.
	ExpectCollection
)

// DecodeJSON decodes a backend body with encoding json (krakend-compat.md
// §10). The body must be one JSON object, or one JSON array with
// ExpectCollection, which gives {"collection": [...]}. An empty or whitespace-only body
// and null give {}. Other types fail with ErrType, bad syntax with ErrSyntax,
// nesting deeper than MaxDepth with ErrTooDeep, always as a *DecodeError; a
// body whose first byte shows the wrong container type fails with ErrType
// without being scanned further. Values alias body when it needed no change.
func DecodeJSON(body []byte, want Expect) (Object, error) {
	isCollection := want == ExpectCollection
	i := skipSpace(body, 0)
	if i == len(body) {
		return Object{}, nil
	}
	c := body[i]
	switch {
	case c == '{' && !isCollection:
		return decodeObject(body)
	case c == '[' && isCollection:
		v, err := decodeValue(body)
		if err != nil {
			return Object{}, err
		}
		return wrap("collection", v), nil
	case c == '{', c == '[':
	default:
		// A scalar: still report bad syntax as such.
		v, err := decodeValue(body)
		if err != nil {
			return Object{}, err
		}
		if v[0] == 'n' {
			return Object{}, nil
		}
	}
	kind := "object"
	if isCollection {
		kind = "array"
	}
	return Object{}, typeError(kind, kindOf(body[i]))
}

// DecodeSafeJSON decodes a body with encoding safejson (krakend-compat.md
// §10): an object is returned as is, an array becomes {"collection": [...]},
// a scalar or null becomes {"content": v}, and an empty or whitespace-only
// body gives {}. Errors are as for DecodeJSON.
func DecodeSafeJSON(body []byte) (Object, error) {
	i := skipSpace(body, 0)
	if i == len(body) {
		return Object{}, nil
	}
	if body[i] == '{' {
		return decodeObject(body)
	}
	v, err := decodeValue(body)
	if err != nil {
		return Object{}, err
	}
	if v[0] == '[' {
		return wrap("collection", v), nil
	}
	return wrap("content", v), nil
}

// DecodeString decodes a body with encoding string (krakend-compat.md §10):
// {"content": "<body as a JSON string>"}, with invalid UTF-8 replaced by
// U+FFFD. An empty body gives {}.
func DecodeString(body []byte) Object {
	if len(body) == 0 {
		return Object{}
	}
	return wrap("content", appendQuoted(make([]byte, 0, len(body)+2), body))
}

// Compact validates src as one JSON value (nesting at most MaxDepth, only
// whitespace around it) and appends its compact form to dst: insignificant
// whitespace removed, invalid UTF-8 in strings replaced by U+FFFD, escapes and
// number literals kept as written. On error dst is returned unchanged with a
// *DecodeError.
func Compact(dst, src []byte) ([]byte, error) {
	if dst == nil {
		dst = make([]byte, 0, len(src))
	}
	n := len(dst)
	var s scanner
	i, err := s.value(s.begin(src, dst))
	if err == nil {
		err = s.end(i)
	}
	if err != nil {
		return dst[:n], err
	}
	return s.finish(i), nil
}

// wrap returns the one-member object {name: v}.
func wrap(name string, v []byte) Object {
	return Object{Members: []Member{{Name: name, Value: v}}}
}

// kindOf names the JSON type that starts with c, for error messages.
func kindOf(c byte) string {
	switch c {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// decodeValue validates body as one JSON value and returns its compact form.
func decodeValue(body []byte) ([]byte, error) {
	var s scanner
	i, err := s.value(s.begin(body, nil))
	if err == nil {
		err = s.end(i)
	}
	if err != nil {
		return nil, err
	}
	return s.finish(i), nil
}

// decodeObject validates body, whose first non-space byte is '{', and splits
// the top-level members in the same pass.
func decodeObject(body []byte) (Object, error) {
	var s scanner
	i := s.begin(body, nil)
	src := s.src
	i = s.ws(i + 1)
	if i < len(src) && src[i] == '}' {
		if err := s.end(i + 1); err != nil {
			return Object{}, err
		}
		return Object{}, nil
	}
	// Where each member ends in the output is all that needs recording: in
	// compact JSON the next member's key follows the comma and its value
	// follows the key.
	var buf [spanBuf]valSpan
	spans := buf[:0]
	s.depth, s.base, s.kind = 1, 0, kindMembers
	s.obj[1] = kindMembers
	var err error
	for {
		if i, err = s.scan(i, true); err != nil {
			return Object{}, err
		}
		if len(spans)+s.nmarks >= cap(spans) {
			spans = growSpans(spans, s.nmarks+1, i-s.start, len(src)-s.start)
		}
		for _, ve := range s.marks[:s.nmarks] {
			spans = append(spans, valSpan{ve: ve})
		}
		s.nmarks = 0
		if s.depth == 0 {
			break
		}
		spans = append(spans, valSpan{ve: s.pos(i)}) // i is at a ','
		i = s.ws(i + 1)
	}
	if err := s.end(i); err != nil {
		return Object{}, err
	}
	obj := s.finish(i)
	spans = append(spans, valSpan{ve: len(obj) - 1})
	ks := 1 // past '{'
	for k := range spans {
		spans[k].vs = closeQuote(obj, ks) + 2 // past the key and ':'
		ks = spans[k].ve + 1                  // past ','
	}
	o, _ := buildObject(obj, spans)
	return o, nil
}

// closeQuote returns the offset of the quote that closes the string literal
// opening at b[i], in valid JSON, or len(b) if there is none.
func closeQuote(b []byte, i int) int {
	i++
	for i < len(b) {
		for i <= len(b)-8 {
			if m := plainString(binary.LittleEndian.Uint64(b[i:])); m != 0 {
				i += firstByte(m)
				break
			}
			i += 8
		}
		if i >= len(b) {
			break
		}
		switch b[i] {
		case '"':
			return i
		case '\\':
			i += 2
		default:
			i++
		}
	}
	return len(b)
}

// growSpans returns spans with room for at least more members. It guesses
// their number from the share of the body scanned so far (done of total
// bytes), so that a body of alike members needs one or two allocations rather
// than a doubling series; it grows at least twice and at most eight times.
func growSpans(spans []valSpan, more, done, total int) []valSpan {
	n := len(spans)
	f := 8.0
	if done > 0 {
		f = min(float64(total)/float64(done)*1.05, f)
	}
	want := max(2*n, int(float64(n)*f)) + more
	return append(make([]valSpan, 0, want), spans...)
}

// buildObject turns a compact object into an Object with decoded names (one
// allocation for all of them) and resolved duplicates, and reports whether
// there were duplicates. spans locates each member's value in obj;
// buildObject overwrites it.
func buildObject(obj []byte, spans []valSpan) (Object, bool) {
	if len(spans) == 0 {
		return Object{}, false
	}
	ms := make([]Member, len(spans))
	total := 0
	ks := 1 // past '{'
	for k, sp := range spans {
		ke := sp.vs - 1 // the ':'
		ms[k].Key = obj[ks:ke:ke]
		ms[k].Value = obj[sp.vs:sp.ve:sp.ve]
		total += ke - ks - 2
		ks = sp.ve + 1 // past ','
	}
	var names strings.Builder
	names.Grow(total)
	var scratch [64]byte
	for k := range ms {
		content := ms[k].Key[1 : len(ms[k].Key)-1]
		if !hasBackslash(content) {
			names.Write(content)
		} else {
			names.Write(appendUnescaped(scratch[:0], content))
		}
		spans[k].ve = names.Len() // now the end of the name in names
	}
	all := names.String()
	off := 0
	for k := range ms {
		end := spans[k].ve
		ms[k].Name = all[off:end]
		off = end
	}
	ms, dup := dedup(ms)
	return Object{Members: ms}, dup
}

// hasBackslash reports whether b holds a '\\'. Keys are short, where a
// plain loop beats a call to bytes.IndexByte.
func hasBackslash(b []byte) bool {
	if len(b) > 32 {
		return bytes.IndexByte(b, '\\') >= 0
	}
	for _, c := range b {
		if c == '\\' {
			return true
		}
	}
	return false
}
