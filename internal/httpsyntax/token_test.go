package httpsyntax

import (
	"net/http"
	"strings"
	"testing"
)

// TestIsTokenByte checks IsTokenByte against the definition of tchar in
// RFC 9110 §5.6.2.
func TestIsTokenByte(t *testing.T) {
	for c := range 256 {
		b := byte(c)
		want := 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' ||
			b < 0x80 && strings.IndexByte("!#$%&'*+-.^_`|~", b) >= 0
		if got := IsTokenByte(b); got != want {
			t.Errorf("IsTokenByte(%#x) = %v, want %v", b, got, want)
		}
	}
}

func TestIsToken(t *testing.T) {
	for s, want := range map[string]bool{
		"": false, "GET": true, "X-Custom_Header": true, "!#$%&'*+-.^_`|~09azAZ": true,
		"a b": false, "a:b": false, "a\x00": false, "é": false, "a\x7f": false, "(x)": false,
	} {
		if got := IsToken(s); got != want {
			t.Errorf("IsToken(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestIsFieldValue checks every byte alone and inside a value, and agrees
// with what net/http's header writer lets through.
func TestIsFieldValue(t *testing.T) {
	for c := range 256 {
		b := byte(c)
		want := b >= 0x20 && b != 0x7f || b == '\t'
		for _, v := range []string{string([]byte{b}), "ab" + string([]byte{b}) + "cd"} {
			if got := IsFieldValue(v); got != want {
				t.Errorf("IsFieldValue(%q) = %v, want %v", v, got, want)
			}
		}
	}
	if !IsFieldValue("") {
		t.Error(`IsFieldValue("") = false`)
	}
	// net/http replaces CR and LF when it writes a header; a value that
	// IsFieldValue accepts needs no replacing.
	for _, v := range []string{"plain", "tab\tinside", "obs-text \xff\x80", " spaces "} {
		var b strings.Builder
		if err := (http.Header{"X": {v}}).Write(&b); err != nil || b.String() != "X: "+strings.TrimSpace(v)+"\r\n" {
			t.Errorf("net/http writes %q as %q, %v", v, b.String(), err)
		}
	}
}
