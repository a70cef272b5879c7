package shape

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestAppendObject(t *testing.T) {
	tests := []struct {
		name string
		o    Object
		want string
	}{
		{"zero", Object{}, `{}`},
		{"keys as sent", Object{Members: []Member{{Name: "é", Key: []byte(`"\u00e9"`), Value: []byte(`1`)}}}, `{"\u00e9":1}`},
		{"synthesised keys quoted", Object{Members: []Member{{Name: "a\"<b>", Value: []byte(`[]`)}, {Name: "", Value: []byte(`2`)}}}, `{"a\"<b>":[],"":2}`},
		{"empty value written as null", Object{Members: []Member{{Name: "x"}}}, `{"x":null}`},
	}
	for _, tt := range tests {
		dst := []byte("pre")
		if got := string(AppendObject(dst, tt.o)); got != "pre"+tt.want {
			t.Errorf("%s: got %s, want pre%s", tt.name, got, tt.want)
		}
	}
}

func TestAppendCollection(t *testing.T) {
	tests := []struct {
		body string
		want string
	}{
		{`{"collection":[1,{"a":2}]}`, `[1,{"a":2}]`},
		{`{"collection":[]}`, `[]`},
		{`{"collection":{"a":1}}`, `[]`},
		{`{"collection":"x"}`, `[]`},
		{`{"other":[1]}`, `[]`},
		{`{}`, `[]`},
	}
	for _, tt := range tests {
		if got := string(AppendCollection(nil, mustDecode(t, tt.body))); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.body, got, tt.want)
		}
	}
}

func TestStringContent(t *testing.T) {
	tests := []struct {
		body string
		want string
	}{
		{`{"content":"plain"}`, "plain"},
		{`{"content":"a\nb\u00e9\"\\\/"}`, "a\nbé\"\\/"},
		{`{"content":"\ud83c\udf89"}`, "🎉"},
		{`{"content":5}`, ""},
		{`{"content":null}`, ""},
		{`{"content":{"a":"b"}}`, ""},
		{`{"x":"y"}`, ""},
		{`{}`, ""},
	}
	for _, tt := range tests {
		got := StringContent(mustDecode(t, tt.body))
		if got == nil || string(got) != tt.want {
			t.Errorf("%s: got %q, want %q", tt.body, got, tt.want)
		}
	}
}

func TestAppendString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `""`},
		{"plain ascii text that is longer than eight bytes", `"plain ascii text that is longer than eight bytes"`},
		{`quote " and backslash \`, `"quote \" and backslash \\"`},
		{"\b\f\n\r\t", `"\b\f\n\r\t"`},
		{"\x00\x01\x1f\x7f", `"\u0000\u0001\u001f` + "\x7f\""},
		{"<script>&amp;</script>", `"<script>&amp;</script>"`},
		{"héllo 世界 🎉 \u2028", "\"héllo 世界 🎉 \u2028\""},
		{"bad \xff byte", "\"bad \uFFFD byte\""},
		{"truncated \xe4\xb8", "\"truncated \uFFFD\uFFFD\""},
		{"surrogate \xed\xa0\x80!", "\"surrogate \uFFFD\uFFFD\uFFFD!\""},
		{"overlong \xc0\xaf", "\"overlong \uFFFD\uFFFD\""},
		{"\xf4\x90\x80\x80", "\"\uFFFD\uFFFD\uFFFD\uFFFD\""},
	}
	for _, tt := range tests {
		got := AppendString([]byte("pre"), tt.in)
		if string(got) != "pre"+tt.want {
			t.Errorf("%q: got %s, want %s", tt.in, got[3:], tt.want)
			continue
		}
		// encoding/json reads back the same text, invalid bytes replaced.
		var back string
		if err := json.Unmarshal(got[3:], &back); err != nil || back != validUTF8(tt.in) {
			t.Errorf("%q: read back %q, %v", tt.in, back, err)
		}
	}
}

// TestRuneLen checks runeLen against utf8.DecodeRune on every one- to
// three-byte sequence and on a sweep of four-byte ones.
func TestRuneLen(t *testing.T) {
	check := func(b []byte) {
		r, size := utf8.DecodeRune(b)
		want := size
		if r == utf8.RuneError && size == 1 {
			want = 0
		}
		if got := runeLen(b, 0); got != want {
			t.Fatalf("runeLen(% x) = %d, want %d", b, got, want)
		}
		if got := runeLen(string(b), 0); got != want {
			t.Fatalf("runeLen(string % x) = %d, want %d", b, got, want)
		}
	}
	for a := 0x80; a < 0x100; a++ {
		check([]byte{byte(a)})
		for b := 0; b < 0x100; b++ {
			check([]byte{byte(a), byte(b)})
			if a >= 0xE0 {
				for c := 0; c < 0x100; c += 3 {
					check([]byte{byte(a), byte(b), byte(c)})
					if a >= 0xF0 {
						check([]byte{byte(a), byte(b), byte(c), 0x80 | byte(c&0x3F)})
						check([]byte{byte(a), byte(b), byte(c), byte(c)})
					}
				}
			}
		}
	}
}

// TestEncodeMatchesEncodingJSON: for valid UTF-8 text without control
// characters or U+2028/U+2029, AppendString agrees with encoding/json with
// HTML escaping off.
func TestEncodeMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"abc", `a"b\c`, "<&>", "é世🎉", "tab\tnl\n"} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if got := string(AppendString(nil, s)); got+"\n" != want.String() {
			t.Errorf("%q: got %s, want %s", s, got, want.String())
		}
	}
}

// validUTF8 replaces each byte of s that is not part of valid UTF-8 with
// U+FFFD, the way encoding/json reads strings.
func validUTF8(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(r)
		i += n
	}
	return b.String()
}
