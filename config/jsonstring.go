package config

import (
	"strings"
	"unicode/utf8"
)

// str parses a string at the cursor and returns its decoded value. Strings
// without escapes are returned as substrings of the source (no copy).
func (p *parser) str() string {
	start := p.pos()
	p.i++ // opening quote
	s := p.src
	begin := p.i
	// Fast path: no escapes.
	for p.i < len(s) {
		c := s[p.i]
		switch {
		case c == '"':
			p.i++
			return s[begin : p.i-1]
		case c == '\\':
			return p.strSlow(start, begin)
		case c < 0x20:
			p.failControl()
			return ""
		case c < 0x80:
			p.i++
		default:
			if !p.rune() {
				return ""
			}
		}
	}
	p.fail(start, "unterminated string", "")
	return ""
}

// rune consumes one multi-byte UTF-8 sequence, failing on invalid bytes.
func (p *parser) rune() bool {
	r, size := utf8.DecodeRuneInString(p.src[p.i:])
	if r == utf8.RuneError && size <= 1 {
		p.fail(p.pos(), "invalid UTF-8 in string", "the config must be UTF-8")
		return false
	}
	p.i += size
	return true
}

func (p *parser) failControl() {
	c := rune(p.src[p.i])
	hint := ""
	switch c {
	case '\n':
		hint = `escape it as \n`
	case '\t':
		hint = `escape it as \t`
	case '\r':
		hint = `escape it as \r`
	}
	if c == '\n' || c == '\r' {
		p.fail(p.pos(), "unterminated string (raw line break inside it)", hint)
		return
	}
	p.fail(p.pos(), "control character "+hexRune(c)+" in string", hint)
}

func (p *parser) strSlow(start Position, begin int) string {
	s := p.src
	var b strings.Builder
	b.WriteString(s[begin:p.i])
	for p.i < len(s) {
		c := s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String()
		case c == '\\':
			if !p.escape(&b) {
				return ""
			}
		case c < 0x20:
			p.failControl()
			return ""
		case c < 0x80:
			b.WriteByte(c)
			p.i++
		default:
			j := p.i
			if !p.rune() {
				return ""
			}
			b.WriteString(s[j:p.i])
		}
	}
	p.fail(start, "unterminated string", "")
	return ""
}

// escape decodes one backslash escape at the cursor into b.
func (p *parser) escape(b *strings.Builder) bool {
	at := p.pos()
	s := p.src
	if p.i+1 >= len(s) {
		p.fail(at, "unterminated string", "")
		return false
	}
	switch c := s[p.i+1]; c {
	case '"', '\\', '/':
		b.WriteByte(c)
	case 'b':
		b.WriteByte('\b')
	case 'f':
		b.WriteByte('\f')
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 't':
		b.WriteByte('\t')
	case 'u':
		r, ok := hex4(s, p.i+2)
		if !ok {
			p.fail(at, `invalid \u escape; expected four hex digits`, "")
			return false
		}
		p.i += 6
		if r >= 0xd800 && r < 0xdc00 {
			lo, ok := rune(0), false
			if p.i+1 < len(s) && s[p.i] == '\\' && s[p.i+1] == 'u' {
				lo, ok = hex4(s, p.i+2)
			}
			if !ok || lo < 0xdc00 || lo > 0xdfff {
				p.fail(at, `invalid \u escape: unpaired surrogate`, "")
				return false
			}
			p.i += 6
			r = 0x10000 + (r-0xd800)<<10 + (lo - 0xdc00)
		} else if r >= 0xdc00 && r <= 0xdfff {
			p.fail(at, `invalid \u escape: unpaired surrogate`, "")
			return false
		}
		b.WriteRune(r)
		return true
	default:
		p.i++
		p.fail(at, "invalid escape '\\"+p.describeEscaped()+"' in string", "")
		return false
	}
	p.i += 2
	return true
}

func (p *parser) describeEscaped() string {
	if p.i >= len(p.src) {
		return ""
	}
	r, size := utf8.DecodeRuneInString(p.src[p.i:])
	if r == utf8.RuneError && size <= 1 || r < 0x20 {
		return hexRune(rune(p.src[p.i]))
	}
	return string(r)
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return r, true
}
