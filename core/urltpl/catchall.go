package urltpl

import (
	"strings"

	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// WithCatchAll returns a copy of t in which the path placeholder {name}
// holds a catch-all value: several segments joined with "/". Each segment
// of its value is escaped on its own and the "/" separators are kept, so
// the rendered path gains one segment per separator; empty, "." and ".."
// segments are still refused by the path invariants. In the query, the
// value stays one escaped query value like any other. An empty name, or a
// name the path does not use, returns t itself.
func (t *Template) WithCatchAll(name string) *Template {
	if t == nil || name == "" {
		return t
	}
	for _, p := range t.path {
		if p.name == name {
			c := *t
			c.multi = name
			return &c
		}
	}
	return t
}

// multiEscapedLen is pathEscapedLen for a catch-all value: "/" stays.
func multiEscapedLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '/' && !keepInPath(c) {
			n += 2
		}
	}
	return n
}

// writeMultiEscaped is writePathEscaped for a catch-all value: each
// segment is escaped and the "/" separators are written as is.
func writeMultiEscaped(b *strings.Builder, s string) {
	run := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '/' && !keepInPath(c) {
			b.WriteString(s[run:i])
			b.WriteByte('%')
			b.WriteByte(httpsyntax.UpperHex[c>>4])
			b.WriteByte(httpsyntax.UpperHex[c&15])
			run = i + 1
		}
	}
	b.WriteString(s[run:])
}
