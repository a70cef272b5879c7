package shape

import (
	"encoding/binary"
	"math/bits"

	"github.com/tributary-gw/tributary/internal/jsontext"
)

// MaxDepth is the deepest nesting of arrays and objects a decoder accepts
// (security.md §3). The outermost container is at depth 1.
const MaxDepth = 256

// scanner validates one JSON text and produces its compact form in a single
// pass, without recursion.
//
// The compact output is out followed by src[run:i], where i is the read
// offset that the methods pass around. While no edit has been
// needed (dirty is false) out is empty and nothing is copied: the output is a
// sub-slice of src. The first edit (dropping whitespace inside the value or
// replacing an invalid UTF-8 byte) allocates out and copies the pending run.
type scanner struct {
	src   []byte
	start int    // offset in src where the value began
	out   []byte // output written so far, once dirty
	run   int    // start in src of the bytes not yet copied to out
	dirty bool   // out holds the output prefix
	depth int    // containers currently open
	base  int    // depth at which scan returns
	kind  uint8  // kind of the container open at depth, see kindArray
	masks masks  // for the string loops of scan
	// marks[:nmarks] are where members of the object of decodeObject end in
	// the output, recorded by scan for decodeObject to collect.
	marks  [16]int
	nmarks int
	// obj[d] is the kind of the container open at depth d.
	obj [MaxDepth + 1]uint8
}

// Kinds of open containers.
const (
	kindArray   = iota // an array
	kindObject         // an object
	kindMembers        // the object of decodeObject, whose members are recorded
)

// Bit masks for the eight-bytes-at-a-time string scan.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// plainString returns a non-zero mask when one of the eight bytes packed in x
// (little-endian) needs attention inside a JSON string: a control character,
// '"', '\\' or a byte >= 0x80. The lowest set bit marks the first such byte;
// bits above it may be spurious (subtraction borrows only propagate upwards).
func plainString(x uint64) uint64 {
	return ((x - 0x20*ones) | ((x ^ '"'*ones) - ones) | ((x ^ '\\'*ones) - ones) | x) & highs
}

// begin prepares s to scan src and returns the offset where the value
// starts. With a nil dst the output aliases src when no edit is needed;
// otherwise the output is appended to dst.
func (s *scanner) begin(src, dst []byte) int {
	s.src = src
	s.masks = stringMasks()
	i := skipSpace(src, 0)
	s.start = i
	s.run = i
	if dst != nil {
		s.out = dst
		s.dirty = true
	}
	return i
}

// skipSpace returns the offset of the first non-whitespace byte of b at or
// after i.
func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// pos is the offset in the output that corresponds to offset i of src.
func (s *scanner) pos(i int) int { return len(s.out) + i - s.run }

// flush copies the pending verbatim run, up to offset i, to the output.
func (s *scanner) flush(i int) {
	if !s.dirty {
		s.out = make([]byte, 0, len(s.src)-s.run+64)
		s.dirty = true
	}
	s.out = append(s.out, s.src[s.run:i]...)
}

// finish returns the compact output, which ends at offset i.
func (s *scanner) finish(i int) []byte {
	if s.dirty {
		return append(s.out, s.src[s.run:i]...)
	}
	return s.src[s.start:i:i]
}

// ws drops insignificant whitespace inside the value at offset i and returns
// the offset of the next byte.
func (s *scanner) ws(i int) int {
	if i < len(s.src) && s.src[i] <= ' ' {
		return s.dropSpace(i)
	}
	return i
}

// dropSpace is the out-of-line part of ws; keeping it out of line lets ws
// inline into the scanning loop.
//
//go:noinline
func (s *scanner) dropSpace(i int) int {
	j := skipSpace(s.src, i)
	if j != i {
		s.flush(i)
		s.run = j
	}
	return j
}

// end checks that only whitespace follows the value that ends at offset i.
func (s *scanner) end(i int) error {
	if j := skipSpace(s.src, i); j < len(s.src) {
		return syntaxError(j, "trailing data after the JSON value")
	}
	return nil
}

// value scans one JSON value starting at offset i and returns the offset
// just past it, once every container it opened is closed again.
func (s *scanner) value(i int) (int, error) {
	if i < len(s.src) && (s.src[i] == '{' || s.src[i] == '[') {
		s.base = s.depth
		return s.scan(i, false)
	}
	return s.scalar(i)
}

// scalar scans a value at offset i that does not start a container (or is
// not valid at all) and returns the offset past it.
func (s *scanner) scalar(i int) (int, error) {
	src := s.src
	if i >= len(src) {
		return i, eofError(i)
	}
	switch src[i] {
	case '"':
		return s.strFrom(i + 1)
	case 't':
		return literal(src, i, "true")
	case 'f':
		return literal(src, i, "false")
	case 'n':
		return literal(src, i, "null")
	}
	return number(src, i)
}

// key scans an object key at offset i and the colon after it, and returns
// the offset of the value.
func (s *scanner) key(i int) (int, error) {
	src := s.src
	if i >= len(src) {
		return i, eofError(i)
	}
	if src[i] != '"' {
		return i, charError(i, src[i], "looking for beginning of object key string")
	}
	i, err := s.strFrom(i + 1)
	if err != nil {
		return i, err
	}
	return s.colon(i)
}

// colon scans the colon that follows an object key ending at offset i, with
// the whitespace around it, and returns the offset of the value.
func (s *scanner) colon(i int) (int, error) {
	src := s.src
	i = s.ws(i)
	if i >= len(src) {
		return i, eofError(i)
	}
	if src[i] != ':' {
		return i, charError(i, src[i], "after object key")
	}
	return s.ws(i + 1), nil
}

// strFrom scans the rest of a string literal from offset i, just past its
// opening quote or inside it, and returns the offset past its closing quote.
// Escapes are checked and kept; each byte that is not part of valid UTF-8 is
// replaced by U+FFFD.
func (s *scanner) strFrom(i int) (int, error) {
	src := s.src
	for {
		for i+8 <= len(src) {
			if m := plainString(binary.LittleEndian.Uint64(src[i:])); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		if i >= len(src) {
			return i, eofError(i)
		}
		switch c := src[i]; {
		case c == '"':
			return i + 1, nil
		case c == '\\':
			n, err := escapeLen(src, i)
			if err != nil {
				return i, err
			}
			i += n
		case c < 0x20:
			return i, charError(i, c, "in string literal")
		case c < 0x80:
			i++
		default:
			if n := runeLen(src, i); n > 0 {
				i += n
				continue
			}
			s.flush(i)
			s.out = append(s.out, "\uFFFD"...)
			i++
			s.run = i
		}
	}
}

// escapeLen checks the escape sequence at src[i] == '\\' and returns its
// length.
func escapeLen(src []byte, i int) (int, error) {
	if i+1 >= len(src) {
		return 0, eofError(len(src))
	}
	switch src[i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2, nil
	case 'u':
		for k := i + 2; k < i+6; k++ {
			if k >= len(src) {
				return 0, eofError(len(src))
			}
			if hexVal(src[k]) < 0 {
				return 0, charError(k, src[k], "in \\u hexadecimal character escape")
			}
		}
		return 6, nil
	}
	return 0, charError(i+1, src[i+1], "in string escape code")
}

// hexVal returns the value of the hexadecimal digit c, or -1.
func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// literal scans the keyword lit (true, false or null) at src[i] and returns
// the offset past it.
func literal(src []byte, i int, lit string) (int, error) {
	if len(src)-i >= len(lit) && string(src[i:i+len(lit)]) == lit {
		return i + len(lit), nil
	}
	for k := 0; k < len(lit); k++ {
		j := i + k
		if j >= len(src) {
			return j, eofError(j)
		}
		if src[j] != lit[k] {
			return j, charError(j, src[j], "in literal "+lit+" (expecting "+quoteByte(lit[k])+")")
		}
	}
	return i + len(lit), nil
}

// number scans a number at src[i] and returns the offset past it:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func number(src []byte, i int) (int, error) {
	if src[i] == '-' {
		i++
		if i >= len(src) {
			return i, eofError(i)
		}
		if !isDigit(src[i]) {
			return i, charError(i, src[i], "in numeric literal")
		}
	} else if !isDigit(src[i]) {
		return i, charError(i, src[i], "looking for beginning of value")
	}
	if src[i] == '0' {
		i++
	} else {
		i = digits(src, i)
	}
	if i < len(src) && src[i] == '.' {
		i++
		if i >= len(src) {
			return i, eofError(i)
		}
		if !isDigit(src[i]) {
			return i, charError(i, src[i], "after decimal point in numeric literal")
		}
		i = digits(src, i)
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		i++
		if i < len(src) && (src[i] == '+' || src[i] == '-') {
			i++
		}
		if i >= len(src) {
			return i, eofError(i)
		}
		if !isDigit(src[i]) {
			return i, charError(i, src[i], "in exponent of numeric literal")
		}
		i = digits(src, i)
	}
	return i, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// digits returns the offset of the first non-digit at or after i.
func digits(b []byte, i int) int {
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	return i
}

// runeLen returns the length of the valid UTF-8 sequence at s[i] (a byte >=
// 0x80), or 0 when the bytes there are not valid UTF-8: jsontext.ValidRuneLen.
func runeLen[T ~string | ~[]byte](s T, i int) int { return jsontext.ValidRuneLen(s, i) }
