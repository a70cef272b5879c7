package shape

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// The oracle of this file is the scanner the fast one replaced: one method
// per token, no fused transitions, no branch tables. The fast scanner must
// give exactly its results, errors included (reason and offset), and alias
// the body exactly when it did.

// refScanner is the previous scanner, kept as the reference.
type refScanner struct {
	src   []byte
	start int
	out   []byte
	run   int
	dirty bool
	depth int
	obj   [MaxDepth + 1]bool
}

func (s *refScanner) begin(src, dst []byte) int {
	s.src = src
	i := skipSpace(src, 0)
	s.start = i
	s.run = i
	if dst != nil {
		s.out = dst
		s.dirty = true
	}
	return i
}

func (s *refScanner) pos(i int) int { return len(s.out) + i - s.run }

func (s *refScanner) flush(i int) {
	if !s.dirty {
		s.out = make([]byte, 0, len(s.src)-s.run+64)
		s.dirty = true
	}
	s.out = append(s.out, s.src[s.run:i]...)
}

func (s *refScanner) finish(i int) []byte {
	if s.dirty {
		return append(s.out, s.src[s.run:i]...)
	}
	return s.src[s.start:i:i]
}

func (s *refScanner) ws(i int) int {
	j := skipSpace(s.src, i)
	if j != i {
		s.flush(i)
		s.run = j
	}
	return j
}

func (s *refScanner) end(i int) error {
	if j := skipSpace(s.src, i); j < len(s.src) {
		return syntaxError(j, "trailing data after the JSON value")
	}
	return nil
}

func (s *refScanner) value(i int) (int, error) {
	src := s.src
	base := s.depth
	var err error
	for {
		if i >= len(src) {
			return i, eofError(i)
		}
		switch c := src[i]; c {
		case '{', '[':
			if s.depth == MaxDepth {
				return i, depthError(i)
			}
			s.depth++
			s.obj[s.depth] = c == '{'
			i = s.ws(i + 1)
			if i < len(src) && src[i] == c+2 {
				i++
				s.depth--
				break
			}
			if c == '{' {
				if i, err = s.key(i); err != nil {
					return i, err
				}
			}
			continue
		case '"':
			if i, err = s.str(i); err != nil {
				return i, err
			}
		case 't':
			if i, err = literal(src, i, "true"); err != nil {
				return i, err
			}
		case 'f':
			if i, err = literal(src, i, "false"); err != nil {
				return i, err
			}
		case 'n':
			if i, err = literal(src, i, "null"); err != nil {
				return i, err
			}
		default:
			if i, err = number(src, i); err != nil {
				return i, err
			}
		}
		for {
			if s.depth == base {
				return i, nil
			}
			i = s.ws(i)
			if i >= len(src) {
				return i, eofError(i)
			}
			c := src[i]
			inObj := s.obj[s.depth]
			if c == ',' {
				i = s.ws(i + 1)
				if inObj {
					if i, err = s.key(i); err != nil {
						return i, err
					}
				}
				break
			}
			if (inObj && c == '}') || (!inObj && c == ']') {
				i++
				s.depth--
				continue
			}
			if inObj {
				return i, charError(i, c, "after object key:value pair")
			}
			return i, charError(i, c, "after array element")
		}
	}
}

func (s *refScanner) key(i int) (int, error) {
	src := s.src
	if i >= len(src) {
		return i, eofError(i)
	}
	if src[i] != '"' {
		return i, charError(i, src[i], "looking for beginning of object key string")
	}
	i, err := s.str(i)
	if err != nil {
		return i, err
	}
	i = s.ws(i)
	if i >= len(src) {
		return i, eofError(i)
	}
	if src[i] != ':' {
		return i, charError(i, src[i], "after object key")
	}
	return s.ws(i + 1), nil
}

func (s *refScanner) str(i int) (int, error) {
	src := s.src
	i++
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

// refCompact is Compact on the reference scanner.
func refCompact(dst, src []byte) ([]byte, error) {
	if dst == nil {
		dst = make([]byte, 0, len(src))
	}
	n := len(dst)
	var s refScanner
	i, err := s.value(s.begin(src, dst))
	if err == nil {
		err = s.end(i)
	}
	if err != nil {
		return dst[:n], err
	}
	return s.finish(i), nil
}

// refDecodeValue is decodeValue on the reference scanner.
func refDecodeValue(body []byte) ([]byte, error) {
	var s refScanner
	i, err := s.value(s.begin(body, nil))
	if err == nil {
		err = s.end(i)
	}
	if err != nil {
		return nil, err
	}
	return s.finish(i), nil
}

// refDecodeObject is decodeObject on the reference scanner.
func refDecodeObject(body []byte) (Object, error) {
	var s refScanner
	i := s.begin(body, nil)
	var spans []valSpan
	src := s.src
	s.depth = 1
	s.obj[1] = true
	i = s.ws(i + 1)
	if i < len(src) && src[i] == '}' {
		i++
	} else {
		var err error
		for {
			if i >= len(src) {
				return Object{}, eofError(i)
			}
			if src[i] != '"' {
				return Object{}, charError(i, src[i], "looking for beginning of object key string")
			}
			if i, err = s.key(i); err != nil {
				return Object{}, err
			}
			vs := s.pos(i)
			if i, err = s.value(i); err != nil {
				return Object{}, err
			}
			spans = append(spans, valSpan{vs, s.pos(i)})
			i = s.ws(i)
			if i >= len(src) {
				return Object{}, eofError(i)
			}
			if src[i] == ',' {
				i = s.ws(i + 1)
				continue
			}
			if src[i] == '}' {
				i++
				break
			}
			return Object{}, charError(i, src[i], "after object key:value pair")
		}
	}
	s.depth = 0
	if err := s.end(i); err != nil {
		return Object{}, err
	}
	o, _ := buildObject(s.finish(i), spans)
	return o, nil
}

// sameError reports whether two decoder errors are the same.
func sameError(a, b error) bool {
	if a == nil || b == nil {
		return a == b
	}
	var da, db *DecodeError
	return errors.As(a, &da) && errors.As(b, &db) && *da == *db
}

// aliases reports whether out points into body.
func aliases(out, body []byte) bool {
	if len(out) == 0 {
		return false
	}
	for off := 0; ; {
		k := bytes.Index(body[off:], out)
		if k < 0 {
			return false
		}
		if &body[off+k] == &out[0] {
			return true
		}
		off += k + 1
	}
}

// checkAgainstReference decodes body with the scanner and with the reference
// scanner, in every way the package does, and fails on any difference.
func checkAgainstReference(t *testing.T, body []byte) {
	t.Helper()
	orig := bytes.Clone(body)
	got, err := Compact(nil, body)
	want, werr := refCompact(nil, body)
	if !sameError(err, werr) || !bytes.Equal(got, want) {
		t.Fatalf("Compact(%q) = %q, %v; the reference gives %q, %v", body, got, err, want, werr)
	}
	got, err = Compact([]byte("prefix"), body)
	want, werr = refCompact([]byte("prefix"), body)
	if !sameError(err, werr) || !bytes.Equal(got, want) {
		t.Fatalf("Compact(prefix, %q) = %q, %v; the reference gives %q, %v", body, got, err, want, werr)
	}
	got, err = decodeValue(body)
	want, werr = refDecodeValue(body)
	if !sameError(err, werr) || !bytes.Equal(got, want) || aliases(got, body) != aliases(want, body) {
		t.Fatalf("decodeValue(%q) = %q, %v; the reference gives %q, %v", body, got, err, want, werr)
	}
	if i := skipSpace(body, 0); i < len(body) && body[i] == '{' {
		o, err := decodeObject(body)
		w, werr := refDecodeObject(body)
		if !sameError(err, werr) || len(o.Members) != len(w.Members) {
			t.Fatalf("decodeObject(%q) = %d members, %v; the reference gives %d, %v",
				body, len(o.Members), err, len(w.Members), werr)
		}
		for k, m := range o.Members {
			r := w.Members[k]
			if m.Name != r.Name || !bytes.Equal(m.Key, r.Key) || !bytes.Equal(m.Value, r.Value) ||
				aliases(m.Value, body) != aliases(r.Value, body) {
				t.Fatalf("decodeObject(%q) member %d = %q %s %s; the reference gives %q %s %s",
					body, k, m.Name, m.Key, m.Value, r.Name, r.Key, r.Value)
			}
		}
	}
	if !bytes.Equal(body, orig) {
		t.Fatalf("the body %q was modified", orig)
	}
}

// specialBytes are the bytes the string scan must stop at, and a few it
// must not.
var specialBytes = []string{
	`"`, `\`, `\n`, `\"`, `\\`, `\u00e9`, `\ud83d\ude00`, `\x`, `\u12`, "\x00", "\x1f", "\t", " ", "~", "\x7f",
	"\x80", "\xbf", "\xc3", "\xc3\xa9", "\xe2\x82", "\xe2\x82\xac", "\xed\xa0\x80", "\xf0\x9f\x98",
	"\xf0\x9f\x98\x80", "\xf4\x90\x80\x80", "\xff",
}

// TestScanStringBytePositions puts each special byte sequence at every offset
// 0 to 17 of a key and of a value, behind prefixes of every length modulo
// eight, so that it lands at each place of an eight-byte word, at word ends
// and split across words, in objects and arrays.
func TestScanStringBytePositions(t *testing.T) {
	for _, sp := range specialBytes {
		for pos := range 18 {
			text := strings.Repeat("a", pos) + sp + strings.Repeat("b", 17-pos)
			for pad := range 8 {
				p := strings.Repeat("x", pad)
				for _, doc := range []string{
					`{"` + p + `":"` + text + `","k":1}`,
					`{"` + text + `":"` + p + `","k":1}`,
					`{"` + p + `":["` + text + `","` + text + `"],"` + text + `":0}`,
					`["` + p + `","` + text + `"]`,
					`[` + p + `"` + text + `"]`,
					`{"a":{"` + text + `":[1,"` + text + `"]}}`,
					`{"` + text + `"  :  "` + text + `" , "x":{}}`,
				} {
					checkAgainstReference(t, []byte(doc))
					checkAgainstReference(t, []byte(doc[:len(doc)-1]))
					checkAgainstReference(t, []byte(doc[:len(doc)/2]))
				}
			}
		}
	}
}

// TestScanNumbersAndLiterals checks the number and keyword fast paths,
// cut at every length so that each check meets the end of the body.
func TestScanNumbersAndLiterals(t *testing.T) {
	values := []string{
		"0", "-0", "7", "-7", "10", "123456789012345678901234567890", "0.5", "-0.25", "1.0", "51.5237",
		"-0.1585", "1000.99", "1e5", "1E+5", "1.5e-3", "2.", "2.e1", "-", "-a", "01", "00", "-01", "1.a", ".5",
		"1e", "1e+", "+1", "0x10", "1_0", "true", "false", "null", "tru", "fals", "nul", "trUe", "nulL",
		"falsey", "nullx", "truee",
	}
	for _, v := range values {
		for _, doc := range []string{
			`[` + v + `]`, `[` + v + `,` + v + `]`, `{"a":` + v + `}`, `{"a":` + v + `,"b":` + v + `}`,
			`{"a":[` + v + `],"b":{"c":` + v + `}}`, `[` + v + ` ,` + v + ` ]`, `{"a": ` + v + ` , "b":1}`,
			`{"padding to reach sixteen bytes":` + v + `,"z":"` + strings.Repeat("q", 20) + `"}`,
		} {
			for n := 0; n <= len(doc); n++ {
				checkAgainstReference(t, []byte(doc[:n]))
			}
		}
	}
}

// TestScanTransitions cuts documents built from the sequences the scanner
// fuses (":", ",", ",", {", [") at every length and whitespace variant.
func TestScanTransitions(t *testing.T) {
	docs := []string{
		`{"a":"b","c":"d","e":["f","g"],"h":{"i":"j"},"k":[{"l":"m"}],"n":[],"o":{},"p":[[]],"q":[{}]}`,
		`[{"a":1},{"b":[2,3]},"c",["d"],{},[],true,false,null,-1.5e3]`,
		`{"a":{"b":{"c":{"d":"e"}}},"f":"g"}`,
		"{\"a\"\t:\n\"b\"\r,\n\"c\" : [ \"d\" , { \"e\" : 1 } ] }",
		`{"a":"b"}x`, `{"a":"b"} `, `{"a":"b",}`, `{"a":"b""c":1}`, `{"a""b"}`, `{"a":"b":"c"}`, `{"a"}`,
		`["a""b"]`, `["a",]`, `[,"a"]`, `{,"a":1}`, `{"a":1,,"b":2}`, `["a"}`, `{"a":"b"]`, `[{"a":"b"]]`,
		`{"":""}`, `{"":"","":""}`, `[""]`, `["",""]`, `{"a":"","b":""}`, `{"a":1,"a":2,"b":3,"a":4}`,
		`{"\u0061":1,"a":2}`, `{"a\"b":"c\\","d":"\/"}`, `["\"","\\",","]`, `{"\"":",",":":"\""}`,
	}
	for _, doc := range docs {
		for n := 0; n <= len(doc); n++ {
			checkAgainstReference(t, []byte(doc[:n]))
		}
	}
}

// TestScanManyMembers checks the member marks of decodeObject, which are
// collected sixteen at a time, around and well past that size, with
// whitespace, duplicates and errors on the way.
func TestScanManyMembers(t *testing.T) {
	for _, n := range []int{1, 2, 15, 16, 17, 31, 32, 33, 63, 64, 65, 200, 1000} {
		var b strings.Builder
		b.WriteString("{")
		for k := range n {
			if k > 0 {
				b.WriteString(",")
			}
			switch k % 4 {
			case 0:
				b.WriteString(`"k` + strconv.Itoa(k) + `":` + strconv.Itoa(k))
			case 1:
				b.WriteString(` "k` + strconv.Itoa(k) + `" : {"x":[` + strconv.Itoa(k) + `]} `)
			case 2:
				b.WriteString(`"k` + strconv.Itoa(k%7) + `":"v` + strconv.Itoa(k) + "\xff\"")
			default:
				b.WriteString(`"k` + strconv.Itoa(k) + `":[]`)
			}
		}
		b.WriteString("}")
		doc := b.String()
		checkAgainstReference(t, []byte(doc))
		checkAgainstReference(t, []byte(doc[:len(doc)-1]))
		checkAgainstReference(t, []byte(doc+"x"))
		checkAgainstReference(t, []byte(strings.ReplaceAll(doc, ",", " , ")))
		checkAgainstReference(t, []byte(strings.Replace(doc, ",", ",,", n/2+1)))
	}
}

// TestScanRandomEdits applies random edits to typical documents and checks
// each result against the reference.
func TestScanRandomEdits(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	docs := []string{benchUser(1), benchCollection()[:2000] + "]", string(indent(benchUser(22))),
		`{"a":[1,2.5e-3,-0,true,false,null,"x\"y\\z\u00e9"],"b":{"c":{}},"d":[[],[{}]]}`}
	alphabet := []byte("{}[]\":,\\ \n\t0123456789-+.eEtrufalsn\x00\x1f\x80\xc3\xa9\xff\xe2\xed\xf0u")
	for range 20000 {
		b := []byte(docs[rng.IntN(len(docs))])
		for range 1 + rng.IntN(3) {
			k := rng.IntN(len(b))
			switch rng.IntN(3) {
			case 0:
				b[k] = alphabet[rng.IntN(len(alphabet))]
			case 1:
				b = append(b[:k], b[k+1:]...)
			default:
				b = append(b[:k], append([]byte{alphabet[rng.IntN(len(alphabet))]}, b[k:]...)...)
			}
		}
		if rng.IntN(4) == 0 {
			b = b[:rng.IntN(len(b)+1)]
		}
		checkAgainstReference(t, b)
	}
}

// FuzzScanMatchesReference compares the scanner with the reference scanner on
// any input.
func FuzzScanMatchesReference(f *testing.F) {
	for _, s := range []string{
		``, ` `, `{}`, `[]`, `{"a":"b","c":[1,2.5,-3e1,true,false,null],"d":{"e":{}}}`, `["a","b",{"c":"d"}]`,
		"{\"\xff\":\"\xc3\x28\",\"k\":\"\\u00e9\"}", " {\n \"a\" : [1, 2.5e-3, \"x\"] }\n", `{"a":1,"a":2}`,
		`{"a":01}`, `[1,]`, `{"a":"b",}`, benchUser(3), nest(256, false, `"x"`), nest(257, true, "0"),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkAgainstReference(t, body)
	})
}
