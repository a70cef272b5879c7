package urltpl

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

// fuzzPatterns are the templates FuzzBuildBackendURL renders. Literal text
// holds no "%" so expected segments can be derived from the parts.
var fuzzPatterns = []string{
	"/v1/users/{a}/profile?src=gw",
	"/{a}",
	"/x/{a}/{b}/{c}",
	"/files/{a}.{b}?v={c}",
	"/q?x={a}&y=pre-{b}-post&z={c}",
	"/a/{a}{b}/b/",
	"/s;v=1/{a},{b}/{c}?flag",
}

const fuzzHost = "https://backend.internal:8443"

func FuzzBuildBackendURL(f *testing.F) {
	for _, s := range []struct{ a, b, c string }{
		{"1", "2", "3"}, {"a b", "é", "%"}, {"{b}", "{{.Secret}}", "..;"}, {"/", "?#", "\\"},
		{".", "..", ""}, {"\r\n", "\x00", "\xff"}, {"a,b", "+", "&x=1"}, {"{a}", "{c}", "{b}"},
	} {
		for i := range fuzzPatterns {
			f.Add(s.a, s.b, s.c, uint8(i))
		}
	}
	f.Fuzz(func(t *testing.T, a, b, c string, idx uint8) {
		pattern := fuzzPatterns[int(idx)%len(fuzzPatterns)]
		tpl, err := Compile(pattern)
		if err != nil {
			t.Fatal(err)
		}
		vals := map[string]string{"a": a, "b": b, "c": c}
		u, err := tpl.Build(fuzzHost, values(vals), "fw=1")
		if err != nil {
			// Only unusable values (empty or dot segments) may fail: a 400-class error.
			if !errors.Is(err, ErrValue) {
				t.Fatalf("unexpected error %v", err)
			}
			if exp := expectedSegments(tpl, vals); !hasEmptyOrDot(exp, tpl.trailing) {
				t.Fatalf("error %v but segments %q are usable", err, exp)
			}
			return
		}
		if u.Scheme != "https" || u.Host != "backend.internal:8443" || u.User != nil || u.Fragment != "" {
			t.Fatalf("URL %s does not keep the configured host", u)
		}
		esc := u.EscapedPath()
		if strings.ContainsAny(esc, "?#") || esc != u.RawPath {
			t.Fatalf("path %q (raw %q) holds ? or # or was re-escaped", esc, u.RawPath)
		}
		if strings.Count(esc, "/") != strings.Count(strings.SplitN(pattern, "?", 2)[0], "/") {
			t.Fatalf("path %q lost the template's segment count", esc)
		}
		exp := expectedSegments(tpl, vals)
		got := strings.Split(esc[1:], "/")
		if len(got) != len(exp) {
			t.Fatalf("segments %q, want %q", got, exp)
		}
		for i, s := range got {
			dec, err := url.PathUnescape(s)
			if err != nil || dec != exp[i] {
				t.Fatalf("segment %d %q decodes to %q (%v), want %q", i, s, dec, err, exp[i])
			}
		}
		checkQueryValues(t, pattern, u.RawQuery, vals)
		back, err := url.Parse(u.String())
		if err != nil || back.String() != u.String() || back.Host != u.Host || back.Path != u.Path ||
			back.RawQuery != u.RawQuery || back.EscapedPath() != esc {
			t.Fatalf("round trip of %s gives %v (%v)", u, back, err)
		}
	})
}

// expectedSegments renders the decoded path of tpl from its parts.
func expectedSegments(tpl *Template, vals map[string]string) []string {
	var b strings.Builder
	segs := []string{}
	for _, p := range tpl.path {
		if p.name != "" {
			b.WriteString(vals[p.name])
			continue
		}
		pieces := strings.Split(p.text, "/")
		for i, piece := range pieces {
			if i > 0 {
				segs = append(segs, b.String())
				b.Reset()
			}
			b.WriteString(piece)
		}
	}
	segs = append(segs, b.String())
	return segs[1:] // the path starts with "/"
}

func hasEmptyOrDot(segs []string, trailing bool) bool {
	for i, s := range segs {
		if s == "" && !(trailing && i == len(segs)-1) || s == "." || s == ".." {
			return true
		}
	}
	return false
}

// checkQueryValues checks that each query placeholder arrives as exactly
// its value, and the forwarded query last.
func checkQueryValues(t *testing.T, pattern, rawQuery string, vals map[string]string) {
	t.Helper()
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		t.Fatalf("query %q: %v", rawQuery, err)
	}
	if !strings.HasSuffix(rawQuery, "fw=1") || q.Get("fw") != "1" {
		t.Fatalf("query %q lost the forwarded query", rawQuery)
	}
	switch pattern {
	case "/files/{a}.{b}?v={c}":
		if q.Get("v") != vals["c"] || len(q) != 2 {
			t.Fatalf("query %q: v=%q, want %q", rawQuery, q.Get("v"), vals["c"])
		}
	case "/q?x={a}&y=pre-{b}-post&z={c}":
		if q.Get("x") != vals["a"] || q.Get("y") != "pre-"+vals["b"]+"-post" || q.Get("z") != vals["c"] || len(q) != 4 {
			t.Fatalf("query %q does not hold the values %q", rawQuery, vals)
		}
	}
}

func FuzzPlaceholderSinglePass(f *testing.F) {
	for _, v := range []string{"{other}", "{{.Secret}}", "{b}", "{a}", "}{", "{{", "%7Bb%7D", "{JWT.sub}", "{resp0_x}", "x"} {
		f.Add(v)
	}
	tpl, err := Compile("/a/{a}/b/{b}/c?q={a}&r={b}")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, value string) {
		const sentinel = "SENTINEL"
		var asked []string
		lookup := func(name string) (string, bool) {
			asked = append(asked, name)
			switch name {
			case "a":
				return value, true
			case "b":
				return sentinel, true
			}
			return "", false
		}
		u, err := tpl.Build(fuzzHost, lookup, "")
		if strings.Join(asked, ",") != "a,b,a,b" {
			t.Fatalf("lookup asked for %q: only the template's placeholders, once each", asked)
		}
		if err != nil {
			if !errors.Is(err, ErrValue) || value != "" && value != "." && value != ".." {
				t.Fatalf("value %q: %v", value, err)
			}
			return
		}
		path := escapePath(value)
		query := url.QueryEscape(value)
		want := fuzzHost + "/a/" + path + "/b/" + sentinel + "/c?q=" + query + "&r=" + sentinel
		if got := u.String(); got != want {
			t.Fatalf("URL %s\n want %s", got, want)
		}
		// No placeholder syntax survives unescaped, and the other value
		// appears only where the template puts it.
		if strings.ContainsAny(u.String(), "{}") {
			t.Fatalf("URL %s holds a raw brace", u)
		}
		if n := strings.Count(u.String(), sentinel); n != 2+2*strings.Count(value, sentinel) {
			t.Fatalf("URL %s holds %d copies of the other value", u, n)
		}
	})
}

// escapePath is the independent reference for path escaping.
func escapePath(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(hex2(c)))
		}
	}
	return b.String()
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&15]})
}
