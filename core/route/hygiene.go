package route

import (
	"strings"
	"unicode/utf8"

	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// Messages of BadPath results (§4.2 request path hygiene).
const (
	msgNoLeadingSlash = `path must start with "/"`
	msgEmptySegment   = "path has an empty segment (//)"
	msgDotSegment     = `path has a "." or ".." segment`
	msgBadEncoding    = "path has invalid percent-encoding"
	msgBadUTF8        = "path is not valid UTF-8 after percent-decoding"
)

// checkPath applies the request path hygiene rules to an escaped request
// path. It returns "" when the path is clean, else the BadPath message.
func checkPath(p string) string {
	if p == "" || p[0] != '/' {
		return msgNoLeadingSlash
	}
	rest := p[1:]
	for {
		seg, next, more := strings.Cut(rest, "/")
		if msg := checkSegment(seg, !more); msg != "" {
			return msg
		}
		if !more {
			return ""
		}
		rest = next
	}
}

// checkSegment checks one raw request segment.
func checkSegment(seg string, last bool) string {
	if seg == "" {
		if last {
			return ""
		}
		return msgEmptySegment
	}
	if strings.IndexByte(seg, '%') < 0 {
		if seg == "." || seg == ".." {
			return msgDotSegment
		}
		if !utf8.ValidString(seg) {
			return msgBadUTF8
		}
		return ""
	}
	var buf [128]byte
	b, ok := appendUnescape(buf[:0], seg)
	if !ok {
		return msgBadEncoding
	}
	if string(b) == "." || string(b) == ".." {
		return msgDotSegment
	}
	if !utf8.Valid(b) {
		return msgBadUTF8
	}
	return ""
}

// paramRule names the §6.3 rule a decoded path param breaks.
type paramRule uint8

const (
	ruleOK paramRule = iota
	ruleTooLong
	ruleDot
	ruleSlash
	ruleQueryOrFragment
	ruleBackslash
	ruleControl
	rulePercent
)

// describe is the rule's part of the BadParam message.
func (r paramRule) describe() string {
	switch r {
	case ruleTooLong:
		return "is longer than 1024 bytes after decoding"
	case ruleDot:
		return `is a dot-segment ("." or "..")`
	case ruleSlash:
		return "contains an encoded slash (/)"
	case ruleQueryOrFragment:
		return `contains "?" or "#"`
	case ruleBackslash:
		return `contains a backslash (\)`
	case ruleControl:
		return "contains a control character"
	case rulePercent:
		return `contains "%" after decoding (double encoding)`
	}
	return "is valid"
}

// checkParam applies §6.3 to a decoded param value. relaxed is
// router.disable_path_decoding, which allows "/", "?", "#" and "%". The
// first offending byte decides the rule.
func checkParam(v string, relaxed bool) paramRule {
	if len(v) > MaxParamBytes {
		return ruleTooLong
	}
	if v == "." || v == ".." {
		return ruleDot
	}
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c < 0x20 || c == 0x7f:
			return ruleControl
		case c == '\\':
			return ruleBackslash
		case relaxed:
		case c == '/':
			return ruleSlash
		case c == '?' || c == '#':
			return ruleQueryOrFragment
		case c == '%':
			return rulePercent
		}
	}
	return ruleOK
}

// unescape percent-decodes s ("+" stays "+"). ok is false on a malformed
// escape. s is returned as is when it holds no "%".
func unescape(s string) (string, bool) {
	if strings.IndexByte(s, '%') < 0 {
		return s, true
	}
	b, ok := appendUnescape(make([]byte, 0, len(s)), s)
	if !ok {
		return "", false
	}
	return string(b), true
}

// appendUnescape appends the percent-decoding of s to dst.
func appendUnescape(dst []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			dst = append(dst, c)
			continue
		}
		if i+2 >= len(s) || !httpsyntax.IsHex(s[i+1]) || !httpsyntax.IsHex(s[i+2]) {
			return dst, false
		}
		dst = append(dst, httpsyntax.Unhex(s[i+1])<<4|httpsyntax.Unhex(s[i+2]))
		i += 2
	}
	return dst, true
}

// appendLocation appends s to dst for use in a Location header: bytes that
// are not printable ASCII, the backslash, and "#" (plus "?" in the path part)
// are percent-encoded, so the reference can never change meaning or carry
// header-breaking bytes.
func appendLocation(dst []byte, s string, query bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '\\' || c == '#' || (!query && c == '?') {
			dst = append(dst, '%', httpsyntax.UpperHex[c>>4], httpsyntax.UpperHex[c&15])
			continue
		}
		dst = append(dst, c)
	}
	return dst
}
