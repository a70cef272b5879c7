package httpsyntax

// UpperHex are the hexadecimal digits that percent-encoding writes (RFC 3986
// §2.1 recommends upper case).
const UpperHex = "0123456789ABCDEF"

// IsHex reports whether c is a hexadecimal digit, in either case.
func IsHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// Unhex returns the value of the hexadecimal digit c. For a byte that is
// not one (IsHex is false) the result is meaningless.
func Unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// IsUnreserved reports whether c is in the RFC 3986 unreserved set (§2.3):
// an ASCII letter or digit or one of -._~. Those are the bytes that
// percent-encoding never changes.
func IsUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}
