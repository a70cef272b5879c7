package httpsyntax

// The bytes of an RFC 9110 token (§5.6.2), the tchars, are the visible
// ASCII characters but the delimiters: DQUOTE and (),/:;<=>?@[\]{}.
// tcharLo has bit c set for each tchar c below 64, tcharHi bit c-64 for
// each one from 64.
const (
	tcharLo uint64 = 1<<'!' | 1<<'#' | 1<<'$' | 1<<'%' | 1<<'&' | 1<<'\'' | 1<<'*' | 1<<'+' | 1<<'-' | 1<<'.' |
		(1<<10-1)<<'0'
	tcharHi uint64 = (1<<26-1)<<('A'-64) | 1<<('^'-64) | 1<<('_'-64) | 1<<('`'-64) |
		(1<<26-1)<<('a'-64) | 1<<('|'-64) | 1<<('~'-64)
)

// IsTokenByte reports whether c is an RFC 9110 tchar (§5.6.2): an ASCII
// letter or digit or one of !#$%&'*+-.^_`|~.
func IsTokenByte(c byte) bool {
	if c < 64 {
		return tcharLo>>c&1 != 0
	}
	return c < 128 && tcharHi>>(c-64)&1 != 0
}

// IsToken reports whether s is a non-empty RFC 9110 token (§5.6.2), the
// syntax of methods and header field names.
func IsToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !IsTokenByte(s[i]) {
			return false
		}
	}
	return true
}

// IsFieldValue reports whether v is a header field value that net/http
// accepts: no control character but horizontal tab (so no NUL, CR or LF)
// and no DEL. Bytes from 0x80 (obs-text) are accepted; leading and
// trailing white space is not looked at.
func IsFieldValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
