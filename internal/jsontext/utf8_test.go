package jsontext

import (
	"testing"
	"unicode/utf8"
)

// TestValidRuneLen encodes every rune from U+0080 and checks the length of
// it and of each of its prefixes (truncated sequences), for string and
// []byte; then the forms utf8.DecodeRune refuses: surrogates, overlong
// forms, values above U+10FFFF and stray bytes.
func TestValidRuneLen(t *testing.T) {
	check := func(b []byte, want int) {
		if got := ValidRuneLen(b, 0); got != want {
			t.Fatalf("ValidRuneLen(% x) = %d, want %d", b, got, want)
		}
		if got := ValidRuneLen(string(b), 0); got != want {
			t.Fatalf("ValidRuneLen(string % x) = %d, want %d", b, got, want)
		}
	}
	var buf [utf8.UTFMax]byte
	for r := rune(0x80); r <= utf8.MaxRune; r++ {
		if 0xD800 <= r && r <= 0xDFFF {
			// CESU-style encodings of surrogates are not UTF-8.
			check([]byte{0xE0 | byte(r>>12), 0x80 | byte(r>>6)&0x3F, 0x80 | byte(r)&0x3F}, 0)
			continue
		}
		b := utf8.AppendRune(buf[:0], r)
		check(b, len(b))
		check(append(b, 0x80, 'x'), len(b)) // what follows does not matter
		for n := 1; n < len(b); n++ {
			check(b[:n], 0)
		}
	}
	for _, b := range [][]byte{
		{0x80}, {0xBF}, {0xC0, 0x80}, {0xC1, 0xBF}, {0xE0, 0x80, 0x80}, {0xE0, 0x9F, 0xBF},
		{0xF0, 0x80, 0x80, 0x80}, {0xF0, 0x8F, 0xBF, 0xBF}, {0xF4, 0x90, 0x80, 0x80},
		{0xF5, 0x80, 0x80, 0x80}, {0xFF}, {0xC2, 'a'}, {0xE2, 0x82, 'a'},
	} {
		check(b, 0)
	}
	if got := ValidRuneLen("ab€", 2); got != 3 {
		t.Fatalf("ValidRuneLen at an offset = %d, want 3", got)
	}
}
