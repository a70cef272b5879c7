package shape

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/tributary-gw/tributary/internal/dotpath"
)

// ErrInvalidSpec is wrapped by every error Compile returns.
var ErrInvalidSpec = errors.New("invalid shaping rules")

// SpecConfig is one backend's shaping rules, as written in the config
// (krakend-compat.md §11.1–§11.5).
type SpecConfig struct {
	// Target is a dot path through objects whose object value replaces the
	// document; "" means no target.
	Target string
	// TargetArrays, a Tributary extension that is off by default, lets the
	// target select an array: it then becomes {"collection": [...]}, the
	// shape is_collection gives, instead of {}.
	TargetArrays bool
	// Allow lists dot paths to keep; everything else is dropped. When it is
	// non-empty Deny is ignored.
	Allow []string
	// Deny lists dot paths whose final key is deleted.
	Deny []string
	// Mapping renames top-level keys, all at once.
	Mapping []Rename
	// Group, when not "", wraps the result as {"<Group>": result}.
	Group string
}

// Rename is one mapping entry.
type Rename struct {
	// From is the top-level key to rename, matched exactly (dots included).
	From string
	// To is the new key; it must be non-empty and contain no '.'.
	To string
}

// Spec is a compiled SpecConfig. It is immutable and safe for concurrent use.
// A nil *Spec is the identity.
type Spec struct {
	target  []string // nil: no target
	arrays  bool     // a target array becomes {"collection": [...]}
	allow   *node    // nil: no allow rule
	deny    *node    // nil: no deny rule (or allow is set)
	renames []Rename // in config order
	sources *node    // From names; kids unused
	targets *node    // To names, parallel to renames
	group   string
}

// node is one level of an allow or deny tree.
type node struct {
	names []string       // child names in config order
	kids  []*node        // the subtree of each child; nil marks a path end
	index map[string]int // name → child, only when there are many children
}

// indexFrom is the child count from which a node keeps a map index.
const indexFrom = 8

// find returns the child called name, or -1.
func (n *node) find(name string) int {
	if n.index != nil {
		if k, ok := n.index[name]; ok {
			return k
		}
		return -1
	}
	for k, s := range n.names {
		if s == name {
			return k
		}
	}
	return -1
}

// findBytes is find for a name held in bytes; it does not allocate.
func (n *node) findBytes(name []byte) int {
	if n.index != nil {
		if k, ok := n.index[string(name)]; ok {
			return k
		}
		return -1
	}
	for k, s := range n.names {
		if s == string(name) {
			return k
		}
	}
	return -1
}

// findKey is find for a JSON key literal.
func (n *node) findKey(lit []byte) int {
	var scratch [64]byte
	return n.findBytes(keyName(lit, scratch[:]))
}

// add appends a child and returns its index.
func (n *node) add(name string, kid *node) int {
	n.names = append(n.names, name)
	n.kids = append(n.kids, kid)
	k := len(n.names) - 1
	if n.index != nil {
		n.index[name] = k
	} else if len(n.names) >= indexFrom {
		n.index = make(map[string]int, len(n.names))
		for i, s := range n.names {
			n.index[s] = i
		}
	}
	return k
}

// splitPath splits a dot path with the rules of package dotpath, which the
// configuration loader applies too, and rejects one deeper than a decoded
// document can be.
func splitPath(kind, p string) ([]string, error) {
	segs, err := dotpath.Split(p)
	switch err {
	case nil:
	case dotpath.ErrNotUTF8:
		return nil, fmt.Errorf("%s %q: not valid UTF-8: %w", kind, p, ErrInvalidSpec)
	default: // ErrEmpty, ErrEmptySegment
		return nil, fmt.Errorf("%s %q: empty path segment: %w", kind, p, ErrInvalidSpec)
	}
	if len(segs) > MaxDepth {
		return nil, fmt.Errorf("%s %q: more than %d segments: %w", kind, p, MaxDepth, ErrInvalidSpec)
	}
	return segs, nil
}

// Compile validates c and compiles it once, at start-up: dot paths are split
// and the allow and deny trees built. It fails, wrapping ErrInvalidSpec, on
// text that is not valid UTF-8 (it could never match a decoded key), an empty
// path segment, overlapping or repeated allow entries ("a" with "a.b"),
// a mapping target that is empty or contains '.', a source listed twice, and
// two sources mapped to one target.
func Compile(c SpecConfig) (*Spec, error) {
	if !utf8.ValidString(c.Group) {
		return nil, fmt.Errorf("group %q: not valid UTF-8: %w", c.Group, ErrInvalidSpec)
	}
	s := &Spec{group: c.Group}
	if c.Target != "" {
		segs, err := splitPath("target", c.Target)
		if err != nil {
			return nil, err
		}
		s.target = segs
		s.arrays = c.TargetArrays
	}
	if len(c.Allow) > 0 {
		t, err := buildTree("allow", c.Allow, true)
		if err != nil {
			return nil, err
		}
		s.allow = t
	} else if len(c.Deny) > 0 {
		t, err := buildTree("deny", c.Deny, false)
		if err != nil {
			return nil, err
		}
		s.deny = t
	}
	if len(c.Mapping) > 0 {
		s.sources, s.targets = &node{}, &node{}
		for _, r := range c.Mapping {
			switch {
			case !utf8.ValidString(r.From) || !utf8.ValidString(r.To):
				return nil, fmt.Errorf("mapping %q: %q: not valid UTF-8: %w", r.From, r.To, ErrInvalidSpec)
			case r.To == "":
				return nil, fmt.Errorf("mapping %q: empty target name: %w", r.From, ErrInvalidSpec)
			case strings.Contains(r.To, "."):
				return nil, fmt.Errorf("mapping %q: target %q contains '.'; mapping renames top-level keys only: %w", r.From, r.To, ErrInvalidSpec)
			case s.sources.find(r.From) >= 0:
				return nil, fmt.Errorf("mapping %q: listed twice: %w", r.From, ErrInvalidSpec)
			case s.targets.find(r.To) >= 0:
				return nil, fmt.Errorf("mapping %q: target %q already used by %q: %w",
					r.From, r.To, s.renames[s.targets.find(r.To)].From, ErrInvalidSpec)
			}
			s.renames = append(s.renames, r)
			s.sources.add(r.From, nil)
			s.targets.add(r.To, nil)
		}
	}
	return s, nil
}

// buildTree builds the tree of the dot paths ps. In an allow tree (strict) a
// path that is a prefix of, or equal to, another one is an error. In a deny
// tree the shorter path wins, since deleting a key deletes what is under it.
func buildTree(kind string, ps []string, strict bool) (*node, error) {
	root := &node{}
	for _, p := range ps {
		segs, err := splitPath(kind, p)
		if err != nil {
			return nil, err
		}
		n := root
	segments:
		for d, seg := range segs {
			last := d == len(segs)-1
			k := n.find(seg)
			switch {
			case k < 0 && last:
				n.add(seg, nil)
			case k < 0:
				nn := &node{}
				n.add(seg, nn)
				n = nn
			case n.kids[k] == nil: // an existing path ends here
				if strict {
					return nil, fmt.Errorf("%s entries overlap at %q; keep one: %w", kind, p, ErrInvalidSpec)
				}
				break segments
			case last: // an existing longer path runs through here
				if strict {
					return nil, fmt.Errorf("%s entries overlap at %q; keep one: %w", kind, p, ErrInvalidSpec)
				}
				n.kids[k] = nil
			default:
				n = n.kids[k]
			}
		}
	}
	return root, nil
}

// IsIdentity reports whether Apply returns its input unchanged.
func (s *Spec) IsIdentity() bool {
	return s == nil || (s.target == nil && s.allow == nil && s.deny == nil && len(s.renames) == 0 && s.group == "")
}
