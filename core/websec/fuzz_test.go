package websec

import (
	"regexp"
	"strings"
	"testing"
)

// FuzzOriginMatch checks the origin matcher against a regular-expression
// model of the rules: exact entries compare ASCII case-insensitively, a
// pattern's "*" stands for one or more of [A-Za-z0-9.-], and matching is
// anchored at both ends. It must never panic.
func FuzzOriginMatch(f *testing.F) {
	f.Add("https://*.example.com", "https://a.example.com")
	f.Add("https://*.example.com", "https://.example.com")
	f.Add("https://app.example.com", "HTTPS://APP.EXAMPLE.COM")
	f.Add("http://*", "http://x")
	f.Add("https://*:8443", "https://a.b:8443")
	f.Add("null", "null")
	f.Add("https://a*b.test", "https://a\u212ab.test")
	f.Fuzz(func(t *testing.T, entry, origin string) {
		m, err := NewOriginMatcher([]string{entry})
		if err != nil {
			return
		}
		got := m.Match(origin)
		var model *regexp.Regexp
		if entry == "*" {
			if !got {
				t.Fatalf("* refused %q", origin)
			}
			return
		}
		before, after, wild := strings.Cut(entry, "*")
		expr := "^" + foldQuote(before)
		if wild {
			expr += "[A-Za-z0-9.-]+" + foldQuote(after)
		}
		model = regexp.MustCompile(expr + "$")
		if want := model.MatchString(origin); got != want {
			t.Fatalf("entry %q origin %q: Match = %v, model = %v", entry, origin, got, want)
		}
		if got && wild && len(origin) < len(entry) {
			t.Fatalf("entry %q matched the shorter %q: * must stand for at least one character", entry, origin)
		}
	})
}

// foldQuote quotes s for a regexp, matching ASCII letters in either case
// and nothing else loosely.
func foldQuote(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z':
			b.WriteString("[" + string(c) + string(c-'a'+'A') + "]")
		case 'A' <= c && c <= 'Z':
			b.WriteString("[" + string(c) + string(c-'A'+'a') + "]")
		default:
			b.WriteString(regexp.QuoteMeta(string([]byte{c})))
		}
	}
	return b.String()
}
