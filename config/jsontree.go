package config

import (
	"iter"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file holds the config's own JSON reader. It builds a tree of nodes,
// each carrying the 1-based line and byte column of its first byte, so that
// every later diagnostic can point at the exact place in the file. It is
// strict: duplicate keys are reported at every level, strings must be valid
// UTF-8, nesting is bounded, and the first syntax error stops the parse.

// maxNesting is the deepest container nesting a config may use (security.md §3).
const maxNesting = 128

// kind is the JSON type of a node.
type kind uint8

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindObject
	kindArray
)

// String names the kind the way diagnostics do ("got number").
func (k kind) String() string {
	switch k {
	case kindNull:
		return "null"
	case kindBool:
		return "boolean"
	case kindNumber:
		return "number"
	case kindString:
		return "string"
	case kindObject:
		return "object"
	default:
		return "array"
	}
}

// node is one JSON value.
type node struct {
	// kind is the value's JSON type.
	kind kind
	// truth is the value of a boolean.
	truth bool
	// pos is the position of the value's first byte.
	pos Position
	// text is the decoded string, or a number's literal.
	text string
	// members are an object's members, in file order, duplicates removed.
	members []member
	// elems are an array's elements, in order.
	elems []node
}

// member is one object member.
// schemaMembers yields the members of a schema-defined object, skipping
// comment keys (`^[@$_#]`, §2.1). Free-form maps iterate v.members instead,
// where such keys are data.
func (v *node) schemaMembers() iter.Seq[*member] {
	return func(yield func(*member) bool) {
		for i := range v.members {
			m := &v.members[i]
			if isCommentKey(m.key) {
				continue
			}
			if !yield(m) {
				return
			}
		}
	}
}

type member struct {
	// key is the decoded key.
	key string
	// pos is the position of the key's opening quote.
	pos Position
	// val is the member's value.
	val node
}

// syntaxError is the first syntax error of a parse.
type syntaxError struct {
	pos     Position
	path    string
	problem string
	hint    string
}

// pathSeg is one step of the parser's current JSON path.
type pathSeg struct {
	key   string
	index int // -1 for an object key
}

// parser reads one JSON document.
type parser struct {
	src       string
	i         int
	line      int
	lineStart int
	depth     int
	stack     []pathSeg
	// mstack and estack are scratch stacks for the members and elements of
	// the containers being parsed; each container copies its own out once,
	// at its exact size, when it closes.
	mstack []member
	estack []node
	// dups collects duplicate-key diagnostics (parsing continues past them).
	dups []Diagnostic
	err  *syntaxError
}

// parseDocument parses src into a node tree. It returns the syntax error,
// if any, and the duplicate-key problems found on the way.
func parseDocument(src string) (node, []Diagnostic, *syntaxError) {
	p := parser{src: src, line: 1}
	if err := checkEncoding(src); err != nil {
		return node{}, nil, err
	}
	if strings.HasPrefix(src, "\xef\xbb\xbf") {
		p.i = 3 // UTF-8 BOM: skipped; columns still count its bytes
	}
	p.skipSpace()
	if p.i >= len(p.src) {
		return node{}, nil, &syntaxError{pos: p.pos(), path: "$", problem: "empty config file",
			hint: `the config must be a JSON object such as {"version": 3}`}
	}
	root := p.value()
	if p.err != nil {
		return node{}, nil, p.err
	}
	p.skipSpace()
	if p.i < len(p.src) {
		return node{}, nil, &syntaxError{pos: p.pos(), path: "$",
			problem: "unexpected " + p.describe() + " after the top-level value",
			hint:    "a config holds exactly one JSON object"}
	}
	return root, p.dups, nil
}

// checkEncoding refuses UTF-16 and UTF-32 input, with or without a BOM.
func checkEncoding(src string) *syntaxError {
	utf16 := strings.HasPrefix(src, "\xfe\xff") || strings.HasPrefix(src, "\xff\xfe") ||
		strings.HasPrefix(src, "\x00\x00\xfe\xff")
	if !utf16 && len(src) >= 2 && (src[0] == 0 || src[1] == 0) {
		utf16 = true // ASCII text in UTF-16/32 has a NUL in its first two bytes
	}
	if utf16 {
		return &syntaxError{pos: Position{Line: 1, Col: 1}, path: "$",
			problem: "the file is UTF-16 or UTF-32 encoded", hint: "save it as UTF-8"}
	}
	return nil
}

func (p *parser) pos() Position {
	return Position{Line: p.line, Col: p.i - p.lineStart + 1}
}

// path renders the parser's current location as a JSON path.
func (p *parser) path() string {
	b := make([]byte, 0, 64)
	b = append(b, '$')
	for _, s := range p.stack {
		if s.index >= 0 {
			b = appendIndex(b, s.index)
		} else {
			b = appendKey(b, s.key)
		}
	}
	return string(b)
}

func (p *parser) fail(pos Position, problem, hint string) {
	if p.err == nil {
		p.err = &syntaxError{pos: pos, path: p.path(), problem: problem, hint: hint}
	}
}

// describe names the byte (or rune) at the cursor for a syntax error.
func (p *parser) describe() string {
	if p.i >= len(p.src) {
		return "end of file"
	}
	c := p.src[p.i]
	switch {
	case c >= 0x20 && c < 0x7f:
		return "character " + strconv.QuoteRune(rune(c))
	case c < 0x80:
		return "control character " + hexRune(rune(c))
	}
	r, size := utf8.DecodeRuneInString(p.src[p.i:])
	if r == utf8.RuneError && size <= 1 {
		return "invalid UTF-8 byte 0x" + strconv.FormatUint(uint64(c), 16)
	}
	return "character " + hexRune(r)
}

func hexRune(r rune) string {
	s := strings.ToUpper(strconv.FormatInt(int64(r), 16))
	for len(s) < 4 {
		s = "0" + s
	}
	return "U+" + s
}

func (p *parser) skipSpace() {
	for p.i < len(p.src) {
		switch p.src[p.i] {
		case ' ', '\t', '\r':
			p.i++
		case '\n':
			p.i++
			p.line++
			p.lineStart = p.i
		default:
			return
		}
	}
}

// value parses the value at the cursor (whitespace already skipped).
func (p *parser) value() node {
	if p.i >= len(p.src) {
		p.fail(p.pos(), "unexpected end of file; expected a value", "")
		return node{}
	}
	switch c := p.src[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		pos := p.pos()
		s := p.str()
		return node{kind: kindString, pos: pos, text: s}
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return p.literal("true", node{kind: kindBool, truth: true})
	case c == 'f':
		return p.literal("false", node{kind: kindBool})
	case c == 'n':
		return p.literal("null", node{kind: kindNull})
	case c == '/':
		p.fail(p.pos(), "unexpected character '/'; JSON has no comments", `use a "@comment" key instead`)
	case c == '\'':
		p.fail(p.pos(), "unexpected character '\\''; JSON strings use double quotes", "")
	default:
		p.fail(p.pos(), "unexpected "+p.describe()+"; expected a value", "")
	}
	return node{}
}

func (p *parser) literal(word string, n node) node {
	n.pos = p.pos()
	if !strings.HasPrefix(p.src[p.i:], word) {
		p.fail(n.pos, "invalid literal; expected "+word, "")
		return node{}
	}
	p.i += len(word)
	if p.i < len(p.src) && isWordByte(p.src[p.i]) {
		p.fail(n.pos, "invalid literal; expected "+word, "")
		return node{}
	}
	return n
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// enter and leave bound the nesting depth.
func (p *parser) enter(pos Position) bool {
	p.depth++
	if p.depth > maxNesting {
		p.fail(pos, "nesting deeper than "+strconv.Itoa(maxNesting)+" levels", "flatten the config")
		return false
	}
	return true
}

func (p *parser) object() node {
	n := node{kind: kindObject, pos: p.pos()}
	if !p.enter(n.pos) {
		return node{}
	}
	defer func() { p.depth-- }()
	p.i++ // '{'
	p.skipSpace()
	if p.i < len(p.src) && p.src[p.i] == '}' {
		p.i++
		return n
	}
	var seen map[string]Position
	start := len(p.mstack)
	for {
		if p.i >= len(p.src) {
			p.fail(p.pos(), "unexpected end of file inside an object", "")
			return node{}
		}
		if p.src[p.i] != '"' {
			hint := ""
			switch c := p.src[p.i]; {
			case isWordByte(c) || c == '\'':
				hint = "object keys need double quotes"
			case c == '/':
				hint = `JSON has no comments; use a "@comment" key instead`
			}
			p.fail(p.pos(), "unexpected "+p.describe()+"; expected a string key", hint)
			return node{}
		}
		m := member{pos: p.pos()}
		m.key = p.str()
		if p.err != nil {
			return node{}
		}
		p.skipSpace()
		if p.i >= len(p.src) || p.src[p.i] != ':' {
			p.fail(p.pos(), "unexpected "+p.describe()+"; expected ':' after the key", "")
			return node{}
		}
		p.i++
		p.skipSpace()
		p.stack = append(p.stack, pathSeg{key: m.key, index: -1})
		m.val = p.value()
		if p.err != nil {
			return node{}
		}
		first, dup := p.lookupKey(p.mstack[start:], &seen, m.key)
		if dup {
			p.dups = append(p.dups, Diagnostic{Pos: m.pos, Path: p.path(),
				Problem: "duplicate key " + quoteJSON(m.key),
				Hint:    "first defined at " + strconv.Itoa(first.Line) + ":" + strconv.Itoa(first.Col)})
		} else {
			p.mstack = append(p.mstack, m)
			if seen != nil {
				seen[m.key] = m.pos
			}
		}
		p.stack = p.stack[:len(p.stack)-1]
		p.skipSpace()
		if p.i >= len(p.src) {
			p.fail(p.pos(), "unexpected end of file inside an object; expected ',' or '}'", "")
			return node{}
		}
		switch p.src[p.i] {
		case '}':
			p.i++
			n.members = append([]member(nil), p.mstack[start:]...)
			p.mstack = p.mstack[:start]
			return n
		case ',':
			comma := p.pos()
			p.i++
			p.skipSpace()
			if p.i < len(p.src) && p.src[p.i] == '}' {
				p.fail(comma, "trailing comma before '}'", "JSON does not allow trailing commas; remove it")
				return node{}
			}
		default:
			hint := ""
			if p.src[p.i] == '"' {
				hint = "missing ',' between members?"
			}
			p.fail(p.pos(), "unexpected "+p.describe()+"; expected ',' or '}'", hint)
			return node{}
		}
	}
}

// lookupKey reports whether key is already among members, and where. Small
// objects are scanned; larger ones get an index built once.
func (p *parser) lookupKey(members []member, seen *map[string]Position, key string) (Position, bool) {
	const scanLimit = 16
	if *seen == nil {
		for i := range members {
			if members[i].key == key {
				return members[i].pos, true
			}
		}
		if len(members) >= scanLimit {
			*seen = make(map[string]Position, 2*scanLimit)
			for i := range members {
				(*seen)[members[i].key] = members[i].pos
			}
		}
		return Position{}, false
	}
	pos, ok := (*seen)[key]
	return pos, ok
}

func (p *parser) array() node {
	n := node{kind: kindArray, pos: p.pos()}
	if !p.enter(n.pos) {
		return node{}
	}
	defer func() { p.depth-- }()
	p.i++ // '['
	p.skipSpace()
	if p.i < len(p.src) && p.src[p.i] == ']' {
		p.i++
		return n
	}
	p.stack = append(p.stack, pathSeg{index: 0})
	start := len(p.estack)
	for {
		p.stack[len(p.stack)-1].index = len(p.estack) - start
		v := p.value()
		if p.err != nil {
			return node{}
		}
		p.estack = append(p.estack, v)
		p.skipSpace()
		if p.i >= len(p.src) {
			p.fail(p.pos(), "unexpected end of file inside an array; expected ',' or ']'", "")
			return node{}
		}
		switch p.src[p.i] {
		case ']':
			p.i++
			p.stack = p.stack[:len(p.stack)-1]
			n.elems = append([]node(nil), p.estack[start:]...)
			p.estack = p.estack[:start]
			return n
		case ',':
			comma := p.pos()
			p.i++
			p.skipSpace()
			if p.i < len(p.src) && p.src[p.i] == ']' {
				p.stack = p.stack[:len(p.stack)-1]
				p.fail(comma, "trailing comma before ']'", "JSON does not allow trailing commas; remove it")
				return node{}
			}
		default:
			p.fail(p.pos(), "unexpected "+p.describe()+"; expected ',' or ']'", "")
			return node{}
		}
	}
}

func (p *parser) number() node {
	n := node{kind: kindNumber, pos: p.pos()}
	start := p.i
	s := p.src
	i := p.i
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - j
	}
	bad := false
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case digits() == 0:
		bad = true
	}
	if !bad && i < len(s) && s[i] == '.' {
		i++
		bad = digits() == 0
	}
	if !bad && i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		bad = digits() == 0
	}
	if !bad && i < len(s) && (isWordByte(s[i]) || s[i] == '.') {
		bad = true // "01", "1.2.3", "12abc"
		for i < len(s) && (isWordByte(s[i]) || s[i] == '.') {
			i++
		}
	}
	if bad {
		end := i
		if end > start+40 {
			end = start + 40
		}
		p.fail(n.pos, "invalid number "+quoteJSON(s[start:end]), "")
		return node{}
	}
	p.i = i
	n.text = s[start:i]
	return n
}
