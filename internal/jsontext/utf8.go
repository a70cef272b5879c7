package jsontext

// ValidRuneLen returns the length (2, 3 or 4) of the valid UTF-8 sequence
// that starts at s[i], a byte >= 0x80, or 0 when the bytes there are not
// valid UTF-8: a stray continuation byte, an overlong form, a surrogate, a
// value above U+10FFFF or a sequence cut short by the end of s. It accepts
// exactly what utf8.DecodeRune accepts, without decoding the rune. s[i]
// must exist.
func ValidRuneLen[T ~string | ~[]byte](s T, i int) int {
	n := len(s) - i
	c := s[i]
	switch {
	case c < 0xC2:
		return 0
	case c < 0xE0:
		if n >= 2 && s[i+1]&0xC0 == 0x80 {
			return 2
		}
	case c < 0xF0:
		if n < 3 {
			return 0
		}
		lo, hi := byte(0x80), byte(0xBF)
		switch c {
		case 0xE0:
			lo = 0xA0
		case 0xED:
			hi = 0x9F
		}
		if c1 := s[i+1]; c1 >= lo && c1 <= hi && s[i+2]&0xC0 == 0x80 {
			return 3
		}
	case c < 0xF5:
		if n < 4 {
			return 0
		}
		lo, hi := byte(0x80), byte(0xBF)
		switch c {
		case 0xF0:
			lo = 0x90
		case 0xF4:
			hi = 0x8F
		}
		if c1 := s[i+1]; c1 >= lo && c1 <= hi && s[i+2]&0xC0 == 0x80 && s[i+3]&0xC0 == 0x80 {
			return 4
		}
	}
	return 0
}
