package httpsyntax

import (
	"net/url"
	"strconv"
	"testing"
)

func TestHex(t *testing.T) {
	for c := range 256 {
		b := byte(c)
		v, err := strconv.ParseUint(string([]byte{b}), 16, 8)
		if got := IsHex(b); got != (err == nil) {
			t.Errorf("IsHex(%q) = %v", b, got)
		}
		if err == nil && Unhex(b) != byte(v) {
			t.Errorf("Unhex(%q) = %d, want %d", b, Unhex(b), v)
		}
	}
	for i := range 16 {
		if Unhex(UpperHex[i]) != byte(i) {
			t.Errorf("UpperHex[%d] = %q", i, UpperHex[i])
		}
	}
}

// TestIsUnreserved: the unreserved bytes are those url.QueryEscape keeps.
func TestIsUnreserved(t *testing.T) {
	for c := range 256 {
		s := string([]byte{byte(c)})
		kept := url.QueryEscape(s) == s
		if got := IsUnreserved(byte(c)); got != kept {
			t.Errorf("IsUnreserved(%q) = %v, want %v", s, got, kept)
		}
	}
}
