package jsontext

import (
	"bytes"
	"encoding/json"
	"math/bits"
	"strings"
	"testing"
	"unicode/utf8"
)

// trickyStrings are inputs on every path of AppendString: each escape,
// each kind of invalid UTF-8, the characters that encoders disagree on, and
// all of them at every offset of the eight-byte window.
func trickyStrings() []string {
	out := []string{
		"", "a", "plain ascii text longer than eight bytes",
		`quote " backslash \ slash /`, `\u2028 written out`, `\\u2028`,
		"<script>&amp;</script>", "\b\f\n\r\t", "\x00\x01\x1f\x7f",
		"é 世界 🎉", "\u2028\u2029", "a\u2028b\u2029c", "\u2027\u202a\u2128",
		"\ufffd literal replacement", "\xef\xbf\xbd",
		"bad \xff\xfe byte", "truncated \xe4\xb8", "\xe2\x80", "\xe2",
		"surrogate \xed\xa0\x80!", "overlong \xc0\xaf \xe0\x80\xaf \xf0\x80\x80\xaf",
		"\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\x80\xbf", "\U0010FFFF\U00010000",
	}
	for c := range 256 {
		out = append(out, string([]byte{byte(c)}))
	}
	for _, mid := range []string{"\x00", "\"", "\\", "\x7f", "\x80", "é", "\u2028", "\xe2\x80\xa8"[:2], "🎉", "\b", "<"} {
		for pos := range 17 {
			out = append(out, strings.Repeat("a", pos)+mid+strings.Repeat("z", 19-pos))
		}
	}
	return out
}

// allOptions are the sixteen combinations of Options.
func allOptions() []Options {
	var out []Options
	for o := range Options(16) {
		out = append(out, o)
	}
	return out
}

// encodingJSON is what encoding/json's Encoder writes for s, newline cut.
func encodingJSON(t testing.TB, s string, escapeHTML bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// reference is AppendString written the slow, obvious way: one rune at a
// time, every choice of Options spelt out.
func reference(s string, o Options) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == utf8.RuneError && n == 1 && o&RawReplacement != 0:
			b.WriteRune(utf8.RuneError)
		case r == utf8.RuneError && n == 1:
			b.WriteString(`\ufffd`)
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b' && o&HexBackspaceFormFeed == 0:
			b.WriteString(`\b`)
		case r == '\f' && o&HexBackspaceFormFeed == 0:
			b.WriteString(`\f`)
		case r < 0x20 || r == 0x7f && o&EscapeDelete != 0:
			b.WriteString(`\u00`)
			b.WriteByte(hexDigits[r>>4])
			b.WriteByte(hexDigits[r&0xF])
		case (r == '\u2028' || r == '\u2029') && o&RawLineSeparators == 0:
			b.WriteString(`\u202`)
			b.WriteByte(hexDigits[r&0xF])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// checkOne checks AppendString on s against encoding/json and reference.
func checkOne(t testing.TB, s string) {
	t.Helper()
	// The zero Options is encoding/json without HTML escaping, and with
	// it where s holds no '<', '>' or '&'.
	want := encodingJSON(t, s, false)
	if got := string(AppendString(nil, s, 0)); got != want {
		t.Fatalf("AppendString(%q) = %s, encoding/json writes %s", s, got, want)
	}
	if !strings.ContainsAny(s, "<>&") {
		if html := encodingJSON(t, s, true); html != want {
			t.Fatalf("%q: encoding/json with HTML escaping writes %s", s, html)
		}
	}
	if ref := reference(s, 0); ref != want {
		t.Fatalf("reference(%q) = %s, encoding/json writes %s", s, ref, want)
	}
	back := string([]rune(s)) // each invalid byte as one U+FFFD, as encoding/json reads it
	for _, o := range allOptions() {
		want := reference(s, o)
		got := AppendString([]byte("pre"), s, o)
		if string(got[3:]) != want || string(got[:3]) != "pre" {
			t.Fatalf("AppendString(%q, %#x) = %s, want %s", s, o, got[3:], want)
		}
		if gotB := AppendString([]byte("pre"), []byte(s), o); !bytes.Equal(gotB, got) {
			t.Fatalf("AppendString(%q, %#x): []byte gives %s, string gives %s", s, o, gotB[3:], got[3:])
		}
		if !utf8.Valid(got) {
			t.Fatalf("AppendString(%q, %#x) = %q is not UTF-8", s, o, got[3:])
		}
		var dec string
		if err := json.Unmarshal(got[3:], &dec); err != nil {
			t.Fatalf("AppendString(%q, %#x) = %s is not JSON: %v", s, o, got[3:], err)
		}
		if dec != back {
			t.Fatalf("AppendString(%q, %#x) reads back as %q", s, o, dec)
		}
	}
}

func TestAppendString(t *testing.T) {
	for _, s := range trickyStrings() {
		checkOne(t, s)
	}
}

// TestAppendStringExamples pins the bytes of each option on one input.
func TestAppendStringExamples(t *testing.T) {
	const in = "a\"\\\b\f\x01\x7f\u2028<&>\xff"
	for _, tc := range []struct {
		o    Options
		want string
	}{
		{0, `"a\"\\\b\f\u0001` + "\x7f" + `\u2028<&>\ufffd"`},
		{RawReplacement, `"a\"\\\b\f\u0001` + "\x7f" + `\u2028<&>` + "\uFFFD\""},
		{RawLineSeparators, `"a\"\\\b\f\u0001` + "\x7f\u2028" + `<&>\ufffd"`},
		{HexBackspaceFormFeed, `"a\"\\\u0008\u000c\u0001` + "\x7f" + `\u2028<&>\ufffd"`},
		{EscapeDelete, `"a\"\\\b\f\u0001\u007f\u2028<&>\ufffd"`},
	} {
		if got := string(AppendString(nil, in, tc.o)); got != tc.want {
			t.Errorf("%#x: got %s, want %s", tc.o, got, tc.want)
		}
	}
}

func TestAppendStringAllocations(t *testing.T) {
	s := strings.Repeat("text with \"escapes\"\n, é and \xff ", 8)
	dst := make([]byte, 0, 4*len(s))
	for _, o := range allOptions() {
		if n := testing.AllocsPerRun(100, func() { dst = AppendString(dst[:0], s, o) }); n != 0 {
			t.Errorf("%#x: %v allocations, want 0", o, n)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = AppendString(nil, "plain", 0) }); n > 1 {
		t.Errorf("into a nil slice: %v allocations, want at most 1", n)
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range trickyStrings() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkOne(t, s)
	})
}

// TestSpecial checks the eight-byte mask on every pair of byte values at
// every pair of positions: its lowest mark is the first byte that needs a
// look, and there is a mark whenever one does.
func TestSpecial(t *testing.T) {
	needs := func(c byte) bool { return c < 0x20 || c == '"' || c == '\\' || c >= 0x7f }
	for a := range 256 {
		for b := range 256 {
			for p := range 8 {
				for q := p + 1; q < 8; q++ {
					w := [8]byte{'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a'}
					w[p], w[q] = byte(a), byte(b)
					var x uint64
					first := 8
					for k := 7; k >= 0; k-- {
						x = x<<8 | uint64(w[k])
						if needs(w[k]) {
							first = k
						}
					}
					m := special(x)
					got := 8
					if m != 0 {
						got = bits.TrailingZeros64(m) >> 3
					}
					if got != first {
						t.Fatalf("% x: first marked byte %d, want %d", w, got, first)
					}
				}
			}
		}
	}
}
