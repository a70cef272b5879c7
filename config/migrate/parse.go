package migrate

import "encoding/json"

// node is one JSON value with the byte range it occupies in the input.
type node struct {
	// kind is '{', '[', '"' or '0' (numbers, true, false, null).
	kind       byte
	start, end int
	members    []member // objects
	elems      []*node  // arrays
	str        string   // strings, decoded
}

// member is one object member; kstart:kend is the key's literal, quotes
// included.
type member struct {
	key          string
	kstart, kend int
	val          *node
}

// parser reads a JSON text already known to be valid (json.Valid), so it
// checks nothing and only records where each value and key is.
type parser struct {
	src []byte
	i   int
}

func (p *parser) space() {
	for p.i < len(p.src) {
		switch p.src[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) value() *node {
	p.space()
	n := &node{start: p.i}
	switch p.src[p.i] {
	case '{':
		n.kind = '{'
		p.i++
		p.space()
		for p.src[p.i] != '}' {
			ks := p.i
			key := p.string()
			mb := member{key: key, kstart: ks, kend: p.i}
			p.space()
			p.i++ // ':'
			mb.val = p.value()
			n.members = append(n.members, mb)
			p.space()
			if p.src[p.i] == ',' {
				p.i++
				p.space()
			}
		}
		p.i++
	case '[':
		n.kind = '['
		p.i++
		p.space()
		for p.src[p.i] != ']' {
			n.elems = append(n.elems, p.value())
			p.space()
			if p.src[p.i] == ',' {
				p.i++
				p.space()
			}
		}
		p.i++
	case '"':
		n.kind = '"'
		n.str = p.string()
	default:
		n.kind = '0'
		for p.i < len(p.src) {
			c := p.src[p.i]
			if c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r' {
				break
			}
			p.i++
		}
	}
	n.end = p.i
	return n
}

// string reads a string literal and returns its decoded value.
func (p *parser) string() string {
	start := p.i
	p.i++
	escaped := false
	for p.src[p.i] != '"' {
		if p.src[p.i] == '\\' {
			escaped = true
			p.i++
		}
		p.i++
	}
	p.i++
	if !escaped {
		return string(p.src[start+1 : p.i-1])
	}
	var s string
	_ = json.Unmarshal(p.src[start:p.i], &s) // valid by construction
	return s
}
