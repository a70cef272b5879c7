package shape

import (
	"encoding/binary"
	"math/bits"
)

// scan validates the containers open above depth s.base and returns the
// offset just past the one that closes last. At offset i a value starts, or
// with atKey an object key; the whitespace before it has been dropped. In the
// object of decodeObject (kind kindMembers) scan records in s.marks where each
// member ends in the output, before its comma, and returns early, with i at a
// comma, when s.marks is full.
//
// It is a state machine over a few labels: val (a value starts at i), more (a
// value has just ended at i), key (an object key starts at i), str and
// keyBody (inside a string value or a key). Each state has an inline fast
// path for compact, plain input. Anything else (whitespace, escapes, bytes >=
// 0x80, exponents, bad syntax) goes to the out-of-line helpers of scan.go,
// entered at the offset and in the state where the step-by-step scanner would
// have been, so the fast paths change the speed and nothing else
// (scanref_test.go checks exactly that against the previous scanner).
//
// What makes it fast, measured one by one:
//   - Where a string ends is found by a predicted jump (firstByte) rather
//     than by arithmetic on the bytes, so the next token is read before this
//     one is fully checked.
//   - The byte sequences that usually follow a key or a string value in
//     compact JSON (":" ": "," ,") are checked in one comparison and lead
//     straight to the next string, and a number starting with 1-9 is tried
//     before the switch.
//   - Only src and the offsets live in registers. The container stack stays
//     in s and src is reloaded after every call: the compiler saves registers
//     where a value is defined rather than around the calls, so anything live
//     across the rare calls would be saved on the fast paths too.
//   - src has its capacity cut to its length (text) and eight-byte loads are
//     guarded by j <= len(src)-8, which leaves them without bounds checks;
//     the masks of plainString are read from s rather than rebuilt as 64-bit
//     immediates on every iteration.
func (s *scanner) scan(i int, atKey bool) (int, error) {
	src := s.text()
	var (
		c   byte
		j   int
		m   uint64
		w   uint64
		err error
	)
	if atKey {
		goto key
	}

val: // a value starts at i, inside a container
	if uint(i) >= uint(len(src)) {
		return i, eofError(i)
	}
	c = src[i]
	if c-'1' < 9 { // the most common number, checked before the switch
		j = i + 1
		goto intDigits
	}
	switch c {
	case '"':
		j = i + 1
		goto str
	case '{', '[':
		if s.depth == MaxDepth {
			return i, depthError(i)
		}
		s.depth++
		s.kind = kindArray
		if c == '{' {
			s.kind = kindObject
		}
		s.obj[s.depth] = s.kind
		i++
		if uint(i) < uint(len(src)) && src[i] == '"' {
			j = i + 1
			if c == '{' {
				goto keyBody
			}
			goto str
		}
		if uint(i) < uint(len(src)) && src[i] <= ' ' {
			i = s.dropSpace(i)
			src = s.text()
		}
		if uint(i) < uint(len(src)) && src[i] == c+2 { // '}' and ']' are '{'+2 and '['+2
			i++
			goto pop
		}
		if c == '{' {
			goto key
		}
		goto val
	case 't':
		if i+4 <= len(src) && binary.LittleEndian.Uint32(src[i:i+4]) == trueWord {
			i += 4
			goto more
		}
		if i, err = literal(src, i, "true"); err != nil {
			return i, err
		}
		src = s.text()
		goto more
	case 'f':
		if i+5 <= len(src) && binary.LittleEndian.Uint32(src[i+1:i+5]) == alseWord {
			i += 5
			goto more
		}
		if i, err = literal(src, i, "false"); err != nil {
			return i, err
		}
		src = s.text()
		goto more
	case 'n':
		if i+4 <= len(src) && binary.LittleEndian.Uint32(src[i:i+4]) == nullWord {
			i += 4
			goto more
		}
		if i, err = literal(src, i, "null"); err != nil {
			return i, err
		}
		src = s.text()
		goto more
	}
	// A number, or bad syntax that number reports. The fast path takes
	// -?(0|[1-9][0-9]*)(\.[0-9]+)? and leaves the rest to number.
	j = i
	if c == '-' {
		j++
	}
	if uint(j) < uint(len(src)) && src[j]-'1' < 9 {
		j++
	} else if uint(j) < uint(len(src)) && src[j] == '0' {
		j++
		goto fraction
	} else {
		goto slowNumber
	}
intDigits: // j is past the first digit, a non-zero one, of a number
	for uint(j) < uint(len(src)) && src[j]-'0' < 10 {
		j++
	}
fraction: // j is past the integer part of a number
	if uint(j) < uint(len(src)) && src[j] == '.' {
		j++
		if uint(j) >= uint(len(src)) || src[j]-'0' >= 10 {
			goto slowNumber
		}
		for uint(j) < uint(len(src)) && src[j]-'0' < 10 {
			j++
		}
	}
	if uint(j) < uint(len(src)) && src[j]|0x20 == 'e' {
		goto slowNumber
	}
	i = j
	goto more
slowNumber:
	if i, err = number(src, i); err != nil {
		return i, err
	}
	src = s.text()
	goto more

str: // j is inside a string value, past its opening quote
	for j <= len(src)-8 {
		if m = s.masks.plain(binary.LittleEndian.Uint64(src[j:])); m != 0 {
			j += firstByte(m)
			goto strEnd
		}
		j += 8
	}
	goto strTail
strEnd: // src[j] is the first byte of the string value that needs a look
	if j <= len(src)-8 {
		// The common ways on from a string value in compact JSON, checked
		// together: "," then a key or another string in the same container,
		// or just the closing quote.
		w = binary.LittleEndian.Uint64(src[j:])
		if uint32(w)&0xFFFFFF == quoteCommaQuote {
			if s.kind == kindObject {
				j += 3
				goto keyBody
			}
			if s.kind == kindArray {
				j += 3
				goto str
			}
		}
		if byte(w) == '"' {
			i = j + 1
			goto more
		}
	}
strTail:
	if uint(j) < uint(len(src)) && src[j] == '"' {
		i = j + 1
		goto more
	}
	if i, err = s.strFrom(j); err != nil {
		return i, err
	}
	src = s.text()

more: // a value has ended at i, inside a container
	if i <= len(src)-2 && binary.LittleEndian.Uint16(src[i:]) == commaQuote && s.kind == kindObject {
		j = i + 2
		goto keyBody
	}
	if uint(i) >= uint(len(src)) {
		return i, eofError(i)
	}
	c = src[i]
	if c <= ' ' {
		i = s.dropSpace(i)
		src = s.text()
		if uint(i) >= uint(len(src)) {
			return i, eofError(i)
		}
		c = src[i]
	}
	if c == ',' {
		if s.kind == kindMembers {
			if s.nmarks == len(s.marks) {
				return i, nil
			}
			s.marks[s.nmarks] = s.pos(i)
			s.nmarks++
		}
		i++
		if uint(i) < uint(len(src)) && src[i] <= ' ' {
			i = s.dropSpace(i)
			src = s.text()
		}
		if s.kind != kindArray {
			goto key
		}
		goto val
	}
	if s.kind != kindArray {
		if c != '}' {
			return i, charError(i, c, "after object key:value pair")
		}
	} else if c != ']' {
		return i, charError(i, c, "after array element")
	}
	i++
pop: // the container that ended at i-1 is closed
	s.depth--
	if s.depth == s.base {
		return i, nil
	}
	s.kind = s.obj[s.depth]
	goto more

key: // an object key should start at i
	if uint(i) >= uint(len(src)) || src[i] != '"' {
		return s.key(i) // reports the error
	}
	j = i + 1
keyBody: // j is inside a key, past its opening quote
	for j <= len(src)-8 {
		if m = s.masks.plain(binary.LittleEndian.Uint64(src[j:])); m != 0 {
			j += firstByte(m)
			goto keyEnd
		}
		j += 8
	}
	goto keyTail
keyEnd: // src[j] is the first byte of the key that needs a look
	if j <= len(src)-8 {
		// The common ways on from a key in compact JSON, checked together:
		// ":" then a string value, or ": then another value.
		w = binary.LittleEndian.Uint64(src[j:])
		if uint32(w)&0xFFFFFF == quoteColonQuote {
			j += 3
			goto str
		}
		if uint16(w) == quoteColon && byte(w>>16) > ' ' {
			i = j + 2
			goto val
		}
	}
keyTail:
	if uint(j) < uint(len(src)) && src[j] == '"' {
		i = j + 1
	} else {
		if i, err = s.strFrom(j); err != nil {
			return i, err
		}
		src = s.text()
	}
	if uint(i) < uint(len(src)) && src[i] == ':' {
		i++
		if uint(i) < uint(len(src)) && src[i] <= ' ' {
			i = s.dropSpace(i)
			src = s.text()
		}
		goto val
	}
	if i, err = s.colon(i); err != nil {
		return i, err
	}
	src = s.text()
	goto val
}

// text returns src with its capacity cut to its length, which tells the
// compiler that a load inside the length stays inside the capacity.
func (s *scanner) text() []byte { return s.src[:len(s.src):len(s.src)] }

// masks holds the constants of plainString, for the fast paths of scan.
// Read from memory, they make the string loops half as long as with 64-bit
// immediates, which the compiler would otherwise load on every iteration.
type masks struct{ below20, quotes, minus1, backslashes, highs uint64 }

// stringMasks returns the masks of plainString.
func stringMasks() masks {
	return masks{1<<64 - 0x20*ones, '"' * ones, 1<<64 - ones, '\\' * ones, highs}
}

// plain is plainString with the masks held in k.
func (k *masks) plain(x uint64) uint64 {
	return ((x + k.below20) | ((x ^ k.quotes) + k.minus1) | ((x ^ k.backslashes) + k.minus1) | x) & k.highs
}

// The keywords as little-endian words, for the literal fast paths, and the
// byte sequences that most often end keys and string values.
const (
	commaQuote      = ',' | '"'<<8
	quoteColon      = '"' | ':'<<8
	quoteColonQuote = '"' | ':'<<8 | '"'<<16
	quoteCommaQuote = '"' | ','<<8 | '"'<<16

	trueWord = 't' | 'r'<<8 | 'u'<<16 | 'e'<<24
	alseWord = 'a' | 'l'<<8 | 's'<<16 | 'e'<<24
	nullWord = 'n' | 'u'<<8 | 'l'<<16 | 'l'<<24
)

// firstByte returns the index of the lowest byte of m, a non-zero mask from
// plainString, that has its high bit set.
//
// Its eight cases compile to a jump table, where a bit scan alone would
// compute: an offset built from its result then depends on a predicted jump
// rather than on the data, so on typical JSON, where keys and values keep
// their lengths from one record to the next, the processor runs ahead into
// the next token instead of waiting for this one.
func firstByte(m uint64) int {
	switch bits.TrailingZeros64(m) >> 3 {
	case 0:
		return 0
	case 1:
		return 1
	case 2:
		return 2
	case 3:
		return 3
	case 4:
		return 4
	case 5:
		return 5
	case 6:
		return 6
	case 7:
		return 7
	}
	return 8
}
