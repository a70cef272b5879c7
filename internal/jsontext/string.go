// Package jsontext holds the rules of JSON text that every layer writes
// alike: how a string literal is quoted and escaped, and which bytes are
// valid UTF-8 inside one. It imports only the standard library.
package jsontext

import (
	"math/bits"
	"slices"
)

// Options selects how AppendString writes the few characters that JSON
// lets an encoder write in more than one way; combine them with |. Every
// choice decodes to the same string: only the bytes differ.
//
// The zero Options writes exactly what encoding/json's Encoder writes with
// SetEscapeHTML(false): '"' and '\\' escaped; \b \f \n \r \t for those
// control characters and \u00XX for the other ones below U+0020; each byte
// of invalid UTF-8 replaced by the escape \ufffd; U+2028 and U+2029 as
// \u2028 and \u2029; everything else, DEL and '<' '>' '&' included, as it
// is. HTML characters are never escaped.
type Options uint8

// The Options, each a departure from the zero Options.
const (
	// RawReplacement writes the U+FFFD that replaces each byte of invalid
	// UTF-8 as its three UTF-8 bytes (EF BF BD) rather than as the six-byte
	// escape \ufffd.
	RawReplacement Options = 1 << iota
	// RawLineSeparators writes U+2028 and U+2029 as they are rather than as
	// \u2028 and \u2029 (which encoding/json writes so that its output is
	// valid JavaScript too).
	RawLineSeparators
	// HexBackspaceFormFeed writes U+0008 and U+000C as \u0008 and \u000c,
	// as encoding/json did before Go 1.22, rather than as \b and \f.
	HexBackspaceFormFeed
	// EscapeDelete writes U+007F (DEL) as \u007f rather than as it is.
	EscapeDelete
)

// AppendString appends s to dst as a JSON string literal, quotes included,
// escaped as o says (see Options; the zero Options is encoding/json's
// output without HTML escaping), and returns the extended slice. The
// output is always valid JSON and valid UTF-8, whatever s holds.
//
// It grows dst once for the common case that nothing needs escaping, reads
// eight bytes at a time while none does, and allocates nothing else.
func AppendString[T ~string | ~[]byte](dst []byte, s T, o Options) []byte {
	dst = slices.Grow(dst, len(s)+2)
	dst = append(dst, '"')
	run := 0 // start of the bytes not yet copied
	for i := 0; i < len(s); {
		for i+8 <= len(s) {
			w := s[i : i+8] // one bounds check for the eight loads
			x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
				uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
			if m := special(x); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			i++ // a spurious mark, or the tail of s
			continue
		}
		if c >= 0x80 {
			if c == 0xE2 && o&RawLineSeparators == 0 && i+2 < len(s) && s[i+1] == 0x80 && s[i+2]&^1 == 0xA8 {
				// U+2028 or U+2029.
				dst = append(dst, s[run:i]...)
				dst = append(dst, '\\', 'u', '2', '0', '2', '8'+s[i+2]&1)
				i += 3
				run = i
				continue
			}
			if n := ValidRuneLen(s, i); n > 0 {
				i += n
				continue
			}
			dst = append(dst, s[run:i]...)
			if o&RawReplacement != 0 {
				dst = append(dst, "\uFFFD"...)
			} else {
				dst = append(dst, `\ufffd`...)
			}
			i++
			run = i
			continue
		}
		if c == 0x7f && o&EscapeDelete == 0 {
			i++
			continue
		}
		dst = append(dst, s[run:i]...)
		dst = appendEscape(dst, c, o)
		i++
		run = i
	}
	dst = append(dst, s[run:]...)
	return append(dst, '"')
}

// appendEscape appends the escape of c, an ASCII byte that AppendString
// does not write as it is.
func appendEscape(dst []byte, c byte, o Options) []byte {
	switch c {
	case '"', '\\':
		return append(dst, '\\', c)
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	case '\b':
		if o&HexBackspaceFormFeed == 0 {
			return append(dst, '\\', 'b')
		}
	case '\f':
		if o&HexBackspaceFormFeed == 0 {
			return append(dst, '\\', 'f')
		}
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
}

// hexDigits are the lower-case hexadecimal digits, as encoding/json writes
// them in \u escapes.
const hexDigits = "0123456789abcdef"

// Bit masks for the eight-bytes-at-a-time scan.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// special returns a non-zero mask when one of the eight bytes packed in x
// (little-endian) may need escaping: a control character, '"', '\\', DEL
// or a byte >= 0x80. The lowest set bit marks the first such byte; bits
// above it may be spurious (borrows and carries only propagate upwards).
//
// x - 0x20 marks the bytes below 0x20 and from 0xA0; x + 1 marks those
// from 0x7F to 0xFE; the two XOR terms mark '"' and '\\'. A carry out of
// 0xFF only reaches the bytes above it, and 0xFF is marked by x - 0x20.
func special(x uint64) uint64 {
	return ((x - 0x20*ones) | ((x ^ '"'*ones) - ones) | ((x ^ '\\'*ones) - ones) | (x + ones)) & highs
}
