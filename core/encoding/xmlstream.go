package encoding

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/tributary-gw/tributary/core/shape"
)

// DecodeXML decodes a backend body with encoding xml: the root element is
// the only key of the result; attributes become "-name" members, the text
// of an element that also has attributes or children becomes "#text",
// repeated child elements become arrays, every value is a string and an
// empty element is "". With collection the result is {"collection": {...}}.
// An empty or whitespace-only body gives {}.
//
// The JSON is produced while the document streams: when an element ends,
// its keys and text are written once to one buffer and its value is a list
// of ranges of that buffer that links its children's lists without copying
// them; the result is joined once at the end. Time and memory are linear in
// the size of the document, whatever its shape.
func DecodeXML(body []byte, collection bool) (shape.Object, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return shape.Object{}, nil
	}
	var s xstream
	root, value, err := s.run(body)
	if err != nil {
		return shape.Object{}, err
	}
	if collection {
		if s.rootDepth+2 > shape.MaxDepth {
			return shape.Object{}, fmt.Errorf("%w: the result would nest more than %d levels", ErrXMLTooDeep, shape.MaxDepth)
		}
		buf := make([]byte, 0, len(value)+len(root)+4)
		buf = append(buf, '{')
		buf = shape.AppendString(buf, root)
		buf = append(buf, ':')
		buf = append(buf, value...)
		buf = append(buf, '}')
		return shape.Object{Members: []shape.Member{{Name: "collection", Value: buf}}}, nil
	}
	return shape.Object{Members: []shape.Member{{Name: root, Value: value}}}, nil
}

// xframe is an open element.
type xframe struct {
	name      xml.Name
	attrStart int    // its attributes are attrs[attrStart:]
	kidStart  int    // its finished children are kids[kidStart:]
	text      []byte // its text so far (the buffer is reused)
}

// xvalue is a finished child: its name and the span of its JSON value in
// the arena; depth is the JSON nesting of the value (0 for a string).
type xvalue struct {
	name  string
	list  xlist
	depth int32
}

type xstream struct {
	frames    []xframe
	attrs     []xattr
	kids      []xvalue
	arena     []byte
	rootDepth int
	segs      []xseg
	firsts    []int32 // scratch of group
	next      []int32 // scratch of group
}

func (s *xstream) run(body []byte) (string, []byte, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := d.RawToken()
		if err != nil {
			if err == io.EOF {
				err = errors.New("unexpected end of document")
			}
			return "", nil, fmt.Errorf("%w: %v", ErrXMLSyntax, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(s.frames) >= MaxXMLDepth {
				return "", nil, fmt.Errorf("%w: more than %d levels", ErrXMLTooDeep, MaxXMLDepth)
			}
			s.open(t)
		case xml.EndElement:
			n := len(s.frames)
			if n == 0 || s.frames[n-1].name != t.Name {
				return "", nil, fmt.Errorf("%w: unexpected end element </%s>", ErrXMLSyntax, t.Name.Local)
			}
			if err := s.close(); err != nil {
				return "", nil, err
			}
			if n == 1 {
				// The document ends with its root element; what follows
				// is not read.
				root := s.kids[0]
				s.rootDepth = int(root.depth)
				return root.name, s.bytes(root.list), nil
			}
		case xml.CharData:
			n := len(s.frames)
			if n == 0 {
				if len(bytes.TrimSpace(t)) > 0 {
					return "", nil, fmt.Errorf("%w: text outside the root element", ErrXMLSyntax)
				}
				continue
			}
			s.frames[n-1].text = append(s.frames[n-1].text, t...)
		}
	}
}

func (s *xstream) open(t xml.StartElement) {
	n := len(s.frames)
	if n < cap(s.frames) {
		s.frames = s.frames[:n+1]
	} else {
		s.frames = append(s.frames, xframe{})
	}
	f := &s.frames[n]
	f.name = t.Name
	f.attrStart, f.kidStart = len(s.attrs), len(s.kids)
	f.text = f.text[:0]
	var index map[string]int
	for _, a := range t.Attr {
		name := attrName(a)
		own := s.attrs[f.attrStart:]
		i := -1
		if index != nil {
			if j, ok := index[name]; ok {
				i = j
			}
		} else {
			for j := range own {
				if own[j].name == name {
					i = j
					break
				}
			}
		}
		if i >= 0 {
			own[i].value = a.Value // the last one wins
			continue
		}
		s.attrs = append(s.attrs, xattr{name, a.Value})
		if index != nil {
			index[name] = len(own)
		} else if len(own)+1 >= indexFrom {
			index = make(map[string]int, 2*indexFrom)
			for j, x := range s.attrs[f.attrStart:] {
				index[x.name] = j
			}
		}
	}
}

// close finishes the innermost open element: its value replaces its
// children's values in the arena and it becomes a child of its parent.
func (s *xstream) close() error {
	f := &s.frames[len(s.frames)-1]
	attrs, kids := s.attrs[f.attrStart:], s.kids[f.kidStart:]
	text := bytes.TrimSpace(f.text)
	var depth int32
	l := xlist{-1, -1}
	from := len(s.arena)
	if len(attrs) == 0 && len(kids) == 0 {
		s.arena = appendStringBytes(s.arena, text)
	} else {
		s.arena = append(s.arena, '{')
		first := true
		sep := func() {
			if !first {
				s.arena = append(s.arena, ',')
			}
			first = false
		}
		for _, a := range attrs {
			sep()
			// "-" goes right after the opening quote.
			at := len(s.arena)
			s.arena = shape.AppendString(s.arena, a.name)
			s.arena = append(s.arena, 0)
			copy(s.arena[at+2:], s.arena[at+1:len(s.arena)-1])
			s.arena[at+1] = '-'
			s.arena = append(s.arena, ':')
			s.arena = shape.AppendString(s.arena, a.value)
		}
		if len(text) > 0 {
			sep()
			s.arena = append(s.arena, `"#text":`...)
			s.arena = appendStringBytes(s.arena, text)
		}
		for _, g := range s.group(kids) {
			sep()
			k := kids[g]
			s.arena = shape.AppendString(s.arena, k.name)
			s.arena = append(s.arena, ':')
			if s.next[g] < 0 {
				s.addLit(&l, from)
				s.link(&l, k.list)
				from = len(s.arena)
				depth = max(depth, k.depth)
				continue
			}
			s.arena = append(s.arena, '[')
			for j := g; j >= 0; j = s.next[j] {
				if j != g {
					s.arena = append(s.arena, ',')
				}
				c := kids[j]
				s.addLit(&l, from)
				s.link(&l, c.list)
				from = len(s.arena)
				depth = max(depth, c.depth+1)
			}
			s.arena = append(s.arena, ']')
		}
		s.arena = append(s.arena, '}')
		depth++
		// The outer {"root": …} object adds one level.
		if depth+1 > shape.MaxDepth {
			return fmt.Errorf("%w: the result would nest more than %d levels", ErrXMLTooDeep, shape.MaxDepth)
		}
	}
	s.addLit(&l, from)
	s.attrs = s.attrs[:f.attrStart]
	s.kids = s.kids[:f.kidStart]
	if len(s.kids) == cap(s.kids) {
		// Double: large slices otherwise grow by a quarter, which leaves
		// several times their size as garbage on element-heavy bodies.
		s.kids = slices.Grow(s.kids, len(s.kids)+8)
	}
	s.kids = append(s.kids, xvalue{name: f.name.Local, list: l, depth: depth})
	s.frames = s.frames[:len(s.frames)-1]
	return nil
}

// xlist is a value as a linked list of arena ranges (segs indexes, -1 for
// none): joining values never copies their bytes.
type xlist struct{ head, tail int32 }

// xseg is the range arena[start:end] followed by segs[next].
type xseg struct{ start, end, next int32 }

// addLit appends arena[from:] to l, extending l's last range when it ends
// at from.
func (s *xstream) addLit(l *xlist, from int) {
	to := len(s.arena)
	if from == to {
		return
	}
	if l.tail >= 0 && s.segs[l.tail].end == int32(from) {
		s.segs[l.tail].end = int32(to)
		return
	}
	if len(s.segs) == cap(s.segs) {
		s.segs = slices.Grow(s.segs, len(s.segs)+8) // double, as for kids
	}
	s.segs = append(s.segs, xseg{int32(from), int32(to), -1})
	s.link(l, xlist{int32(len(s.segs) - 1), int32(len(s.segs) - 1)})
}

// link appends the list c to l.
func (s *xstream) link(l *xlist, c xlist) {
	if c.head < 0 {
		return
	}
	if l.head < 0 {
		*l = c
		return
	}
	s.segs[l.tail].next = c.head
	l.tail = c.tail
}

// bytes joins the ranges of l.
func (s *xstream) bytes(l xlist) []byte {
	n := 0
	for i := l.head; i >= 0; i = s.segs[i].next {
		n += int(s.segs[i].end - s.segs[i].start)
	}
	out := make([]byte, 0, n)
	for i := l.head; i >= 0; i = s.segs[i].next {
		out = append(out, s.arena[s.segs[i].start:s.segs[i].end]...)
	}
	return out
}

// group links the kids that share a name: it returns the index of the
// first kid of each name, in order of first appearance, and sets s.next[i]
// to the index of the next kid named like kids[i] (-1 for the last).
func (s *xstream) group(kids []xvalue) []int32 {
	s.firsts = s.firsts[:0]
	if cap(s.next) < len(kids) {
		s.next = make([]int32, len(kids), 2*len(kids))
	}
	s.next = s.next[:len(kids)] // every entry is set below
	if len(kids) < indexFrom {
		for i, k := range kids {
			s.next[i] = -1
			found := false
			for _, f := range s.firsts {
				if kids[f].name == k.name {
					j := f
					for s.next[j] >= 0 {
						j = s.next[j]
					}
					s.next[j] = int32(i)
					found = true
					break
				}
			}
			if !found {
				s.firsts = append(s.firsts, int32(i))
			}
		}
		return s.firsts
	}
	last := make(map[string]int32, 2*indexFrom)
	for i, k := range kids {
		s.next[i] = -1
		if j, ok := last[k.name]; ok {
			s.next[j] = int32(i)
		} else {
			s.firsts = append(s.firsts, int32(i))
		}
		last[k.name] = int32(i)
	}
	return s.firsts
}

// appendStringBytes appends text as a JSON string.
func appendStringBytes(dst, text []byte) []byte {
	return shape.AppendString(dst, string(text))
}
