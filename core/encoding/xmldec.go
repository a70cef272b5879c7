package encoding

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tributary-gw/tributary/core/shape"
)

// MaxXMLDepth is the deepest element nesting the XML decoders accept.
const MaxXMLDepth = shape.MaxDepth

// indexFrom is the number of keys from which a name index replaces the
// linear scan, so that hostile documents with thousands of distinct names
// stay linear.
const indexFrom = 16

// Errors wrapped by the XML decoders; test with errors.Is.
var (
	// ErrXMLSyntax reports a body that is not well-formed XML, including
	// references to entities the document defines itself (never expanded).
	ErrXMLSyntax = errors.New("invalid XML")
	// ErrXMLTooDeep reports nesting beyond MaxXMLDepth elements, or a
	// result deeper than shape.MaxDepth.
	ErrXMLTooDeep = errors.New("XML nesting too deep")
	// ErrFeed reports a document that is neither RSS nor Atom.
	ErrFeed = errors.New("not an RSS or Atom feed")
	// ErrXMLTooLarge reports a feed with more than MaxFeedElements
	// elements.
	ErrXMLTooLarge = errors.New("XML document too large")
)

// xnode is one element of a parsed document.
type xnode struct {
	name  string
	attrs []xattr
	kids  []xkid
	text  []byte
	aidx  map[string]int // attribute index by name, once there are many
	kidx  map[string]int // kid index by name, once there are many
}

type xattr struct{ name, value string }

// xkid groups the child elements that share a name, in document order; kids
// are ordered by first appearance.
type xkid struct {
	name  string
	nodes []*xnode
}

func (n *xnode) setAttr(name, value string) {
	if n.aidx != nil {
		if i, ok := n.aidx[name]; ok {
			n.attrs[i].value = value
			return
		}
	} else {
		for i := range n.attrs {
			if n.attrs[i].name == name {
				n.attrs[i].value = value
				return
			}
		}
	}
	n.attrs = append(n.attrs, xattr{name, value})
	if n.aidx != nil {
		n.aidx[name] = len(n.attrs) - 1
	} else if len(n.attrs) >= indexFrom {
		n.aidx = make(map[string]int, 2*indexFrom)
		for i, a := range n.attrs {
			n.aidx[a.name] = i
		}
	}
}

func (n *xnode) addKid(c *xnode) {
	if n.kidx != nil {
		if i, ok := n.kidx[c.name]; ok {
			n.kids[i].nodes = append(n.kids[i].nodes, c)
			return
		}
	} else {
		for i := range n.kids {
			if n.kids[i].name == c.name {
				n.kids[i].nodes = append(n.kids[i].nodes, c)
				return
			}
		}
	}
	n.kids = append(n.kids, xkid{name: c.name, nodes: []*xnode{c}})
	if n.kidx != nil {
		n.kidx[c.name] = len(n.kids) - 1
	} else if len(n.kids) >= indexFrom {
		n.kidx = make(map[string]int, 2*indexFrom)
		for i, k := range n.kids {
			n.kidx[k.name] = i
		}
	}
}

// kid returns the first child element called name, or nil.
func (n *xnode) kid(name string) *xnode {
	for i := range n.kids {
		if n.kids[i].name == name {
			return n.kids[i].nodes[0]
		}
	}
	return nil
}

// all returns the child elements called name.
func (n *xnode) all(name string) []*xnode {
	for i := range n.kids {
		if n.kids[i].name == name {
			return n.kids[i].nodes
		}
	}
	return nil
}

// attr returns the value of the attribute called name.
func (n *xnode) attr(name string) string {
	for _, a := range n.attrs {
		if a.name == name {
			return a.value
		}
	}
	return ""
}

// textValue is the element's text with surrounding whitespace removed.
func (n *xnode) textValue() string {
	if n == nil {
		return ""
	}
	return strings.TrimSpace(string(n.text))
}

// attrName is the key of an attribute: its local name, or "xmlns:p" for a
// namespace declaration.
func attrName(a xml.Attr) string {
	if a.Name.Space == "xmlns" {
		return "xmlns:" + a.Name.Local
	}
	return a.Name.Local
}

// MaxFeedElements is the largest number of elements a feed may hold: the
// feed reader builds a tree, so its memory is bounded by this count.
const MaxFeedElements = 1 << 17

// parseTree parses body into its root element. It returns nil, nil for a
// body that is empty or only whitespace.
func parseTree(body []byte) (*xnode, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	// No CharsetReader: documents declaring another charset than UTF-8
	// are refused. No Entity map: only the five predefined entities and
	// character references are known.
	var stack []*xnode
	var names []xml.Name // open elements as written, to match end tags
	var root *xnode
	count := 0
	for {
		// RawToken skips namespace translation and copying; end tags are
		// matched here instead.
		tok, err := d.RawToken()
		if err != nil {
			if err == io.EOF {
				err = errors.New("unexpected end of document")
			}
			return nil, fmt.Errorf("%w: %v", ErrXMLSyntax, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= MaxXMLDepth {
				return nil, fmt.Errorf("%w: more than %d levels", ErrXMLTooDeep, MaxXMLDepth)
			}
			if count++; count > MaxFeedElements {
				return nil, fmt.Errorf("%w: more than %d elements", ErrXMLTooLarge, MaxFeedElements)
			}
			n := &xnode{name: t.Name.Local}
			for _, a := range t.Attr {
				n.setAttr(attrName(a), a.Value)
			}
			if len(stack) > 0 {
				stack[len(stack)-1].addKid(n)
			} else {
				root = n
			}
			stack = append(stack, n)
			names = append(names, t.Name)
		case xml.EndElement:
			if len(names) == 0 || names[len(names)-1] != t.Name {
				return nil, fmt.Errorf("%w: unexpected end element </%s>", ErrXMLSyntax, t.Name.Local)
			}
			stack, names = stack[:len(stack)-1], names[:len(names)-1]
			if len(stack) == 0 {
				// The document ends with its root element; what follows
				// is not read.
				return root, nil
			}
		case xml.CharData:
			if len(stack) == 0 {
				if len(bytes.TrimSpace(t)) > 0 {
					return nil, fmt.Errorf("%w: text outside the root element", ErrXMLSyntax)
				}
				continue
			}
			top := stack[len(stack)-1]
			top.text = append(top.text, t...)
		}
	}
}
