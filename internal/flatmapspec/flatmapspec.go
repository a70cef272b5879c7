// Package flatmapspec holds the load-time rules of flatmap_filter
// operations (move, del, append): their argument counts and the shape a
// move's destination may take relative to its source. The configuration
// loader reports violations as diagnostics and the shaping engine applies
// the same rules again when it compiles the operations, so both agree. It
// imports only the standard library and package dotpath.
package flatmapspec

import (
	"errors"
	"strconv"

	"github.com/tributary-gw/tributary/internal/dotpath"
)

// Kind is an operation type.
type Kind uint8

// The operation types.
const (
	// Move moves every match of a source path to a destination path.
	Move Kind = iota + 1
	// Del deletes every match of each path.
	Del
	// Append appends the source array to the destination array.
	Append
)

// ParseKind returns the Kind named by s ("move", "del", "append").
func ParseKind(s string) (Kind, bool) {
	switch s {
	case "move":
		return Move, true
	case "del":
		return Del, true
	case "append":
		return Append, true
	}
	return 0, false
}

// Star is the wildcard segment: every key of an object or every element
// of an array.
const Star = "*"

// Seg is one path segment.
type Seg struct {
	// Name is the segment as written ("*" for the wildcard).
	Name string
	// Star marks the wildcard.
	Star bool
	// Index is the array index a decimal segment names, or -1.
	Index int
}

// MaxSegments bounds the segments of one path.
const MaxSegments = 256

// ErrTooDeep is returned for a path of more than MaxSegments segments.
var ErrTooDeep = errors.New("too many segments in path")

// Split splits p into segments with the rules of package dotpath.
func Split(p string) ([]Seg, error) {
	names, err := dotpath.Split(p)
	if err != nil {
		return nil, err
	}
	if len(names) > MaxSegments {
		return nil, ErrTooDeep
	}
	segs := make([]Seg, len(names))
	for i, n := range names {
		segs[i] = Seg{Name: n, Star: n == Star, Index: index(n)}
	}
	return segs, nil
}

// index returns the array index named by a decimal segment, or -1.
func index(s string) int {
	if s == "" || len(s) > 9 {
		return -1
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return -1
		}
	}
	n, _ := strconv.Atoi(s)
	return n
}

func stars(p []Seg) int {
	n := 0
	for _, s := range p {
		if s.Star {
			n++
		}
	}
	return n
}

// Check validates one operation: the argument count and paths, and for a
// move the destination's shape (see the package documentation of the
// loader's users). It returns "" when the operation is valid, else the
// problem and a hint.
func Check(k Kind, args []string) (problem, hint string) {
	switch k {
	case Move, Append:
		if len(args) != 2 {
			return "needs exactly 2 args (source and destination), got " + strconv.Itoa(len(args)), ""
		}
	case Del:
		if len(args) == 0 {
			return "needs at least 1 path in args", ""
		}
	default:
		return "unknown operation type", `use "move", "del" or "append"`
	}
	paths := make([][]Seg, len(args))
	for i, a := range args {
		p, err := Split(a)
		if err != nil {
			return "path " + strconv.Quote(a) + ": " + err.Error(), ""
		}
		paths[i] = p
	}
	switch k {
	case Append:
		if stars(paths[0]) > 0 || stars(paths[1]) > 0 {
			return "append does not take wildcards", "name both arrays with literal paths"
		}
	case Move:
		return checkMove(paths[0], paths[1])
	}
	return "", ""
}

// checkMove applies the destination rules of a move.
func checkMove(src, dst []Seg) (problem, hint string) {
	if stars(dst) > stars(src) {
		return "the destination has more wildcards than the source", ""
	}
	if dst[len(dst)-1].Star {
		return "the destination must end with a key, not a wildcard", ""
	}
	p := src[:len(src)-1]
	if len(dst) >= len(src) {
		for i, s := range p {
			if dst[i].Name != s.Name {
				return "the destination must start with the source's parent path", "a move renames or embeds a value under its own parent; use several ops to move it elsewhere"
			}
		}
		for _, s := range dst[len(p) : len(dst)-1] {
			if s.Star {
				return "the destination's segments after the source's parent path must be keys", ""
			}
		}
		return "", ""
	}
	for i, s := range dst[:len(dst)-1] {
		if s.Name != src[i].Name {
			return "a shorter destination must follow the source path segment by segment before its last key", ""
		}
	}
	return "", ""
}
