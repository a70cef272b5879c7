package lambdaadapter

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// encodeResponse marshals res in the reply format of trigger t. A reply
// over the 6 000 000-byte cap, envelope and base64 included, becomes 502
// bad_gateway in the same format (lambda.md R7).
func encodeResponse(t trigger, albMulti bool, res result) []byte {
	if !res.over {
		if out := encodeEnvelope(t, albMulti, res); len(out) <= maxResponseBytes {
			return out
		}
	}
	return encodeEnvelope(t, albMulti, errorResult(errTooLarge()))
}

// encodeEnvelope writes the reply JSON:
//
//	REST v1:        {"statusCode","multiValueHeaders","body","isBase64Encoded"}
//	v2, URL:        {"statusCode","headers","cookies","body","isBase64Encoded"}
//	ALB:            {"statusCode","statusDescription","headers"|"multiValueHeaders","body","isBase64Encoded"}
//
// Repeated headers follow R6: arrays for REST and multi-value ALB; joined
// with ", " otherwise, Set-Cookie going to cookies[] on v2 and URL, and a
// single-value ALB keeping only the first Set-Cookie.
func encodeEnvelope(t trigger, albMulti bool, res result) []byte {
	binary := isBinary(res.header, res.body)
	n := 256 + len(res.body)
	if binary {
		n = 256 + base64.StdEncoding.EncodedLen(len(res.body))
	}
	for k, vs := range res.header {
		for _, v := range vs {
			n += len(k) + len(v) + 8
		}
	}
	b := make([]byte, 0, n)
	b = append(b, `{"statusCode":`...)
	b = strconv.AppendInt(b, int64(res.status), 10)
	keys := sortedKeys(res.header)
	switch {
	case t == trigREST:
		b = append(b, `,"multiValueHeaders":`...)
		b = appendMultiHeaders(b, res.header, keys)
	case t == trigALB:
		b = append(b, `,"statusDescription":`...)
		b = appendJSONString(b, statusDescription(res.status))
		if albMulti {
			b = append(b, `,"multiValueHeaders":`...)
			b = appendMultiHeaders(b, res.header, keys)
		} else {
			b = append(b, `,"headers":`...)
			b = appendSingleHeaders(b, res.header, keys, false)
		}
	default: // v2, Function URL
		b = append(b, `,"headers":`...)
		b = appendSingleHeaders(b, res.header, keys, true)
		if cookies := res.header["Set-Cookie"]; len(cookies) > 0 {
			b = append(b, `,"cookies":[`...)
			for i, c := range cookies {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendJSONString(b, c)
			}
			b = append(b, ']')
		}
	}
	b = append(b, `,"body":`...)
	if binary {
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, res.body)
		b = append(b, '"')
	} else {
		b = appendJSONString(b, res.body)
	}
	if binary {
		b = append(b, `,"isBase64Encoded":true}`...)
	} else {
		b = append(b, `,"isBase64Encoded":false}`...)
	}
	return b
}

// sortedKeys returns h's keys that have values, sorted, for a
// deterministic reply.
func sortedKeys(h http.Header) []string {
	keys := make([]string, 0, len(h))
	for k, vs := range h {
		if len(vs) > 0 {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// appendMultiHeaders writes {"Name":["v1","v2"],…}.
func appendMultiHeaders(b []byte, h http.Header, keys []string) []byte {
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':', '[')
		for j, v := range h[k] {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, v)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// appendSingleHeaders writes {"Name":"v1, v2",…}. Set-Cookie is left out
// when it goes to cookies[] (v2, URL), and otherwise keeps its first value
// only: cookies cannot be joined with commas.
func appendSingleHeaders(b []byte, h http.Header, keys []string, cookiesApart bool) []byte {
	b = append(b, '{')
	first := true
	for _, k := range keys {
		vs := h[k]
		if k == "Set-Cookie" {
			if cookiesApart {
				continue
			}
			vs = vs[:1]
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSONString(b, k)
		b = append(b, ':')
		if len(vs) == 1 {
			b = appendJSONString(b, vs[0])
		} else {
			b = appendJSONString(b, strings.Join(vs, ", "))
		}
	}
	return append(b, '}')
}

// statusDescription is the ALB status line text, e.g. "200 OK".
func statusDescription(status int) string {
	s := strconv.Itoa(status)
	if text := http.StatusText(status); text != "" {
		s += " " + text
	}
	return s
}

// isBinary decides base64 for a reply body (lambda.md R5): yes when
// Content-Encoding is set (other than identity), when the Content-Type is
// not textual, or when the body is not valid UTF-8.
func isBinary(h http.Header, body []byte) bool {
	if len(body) == 0 {
		return false
	}
	if ce := h["Content-Encoding"]; len(ce) > 0 {
		for _, v := range ce {
			if v = strings.TrimSpace(v); v != "" && !strings.EqualFold(v, "identity") {
				return true
			}
		}
	}
	if ct := h["Content-Type"]; len(ct) > 0 && ct[0] != "" && !isTextual(ct[0]) {
		return true
	}
	return !utf8.Valid(body)
}

// isTextual reports whether a Content-Type is text: text/*,
// application/json, application/*+json, application/xml,
// application/*+xml, application/javascript or
// application/x-www-form-urlencoded, parameters ignored.
func isTextual(ct string) bool {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = strings.TrimSpace(ct)
	typ, sub, ok := strings.Cut(ct, "/")
	if !ok {
		return false
	}
	if strings.EqualFold(typ, "text") {
		return sub != ""
	}
	if !strings.EqualFold(typ, "application") {
		return false
	}
	switch strings.ToLower(sub) {
	case "json", "xml", "javascript", "x-www-form-urlencoded":
		return true
	}
	return hasSuffixFold(sub, "+json") || hasSuffixFold(sub, "+xml")
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) > len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}
