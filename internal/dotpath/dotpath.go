// Package dotpath holds the rules of dot paths, the key paths that a
// backend's target, allow and deny name (krakend-compat.md §11): one or
// more object keys joined by '.', none of them empty, in valid UTF-8 (a
// path is matched against decoded JSON keys, which always are). There is no
// escaping, so a key that holds a '.' cannot be named. The configuration
// loader checks paths with these rules and the shaping engine splits them
// with them. It imports only the standard library.
package dotpath

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// Sep separates the keys of a dot path.
const Sep = '.'

// The problems Check reports.
var (
	// ErrEmpty is the empty path.
	ErrEmpty = errors.New("empty dot path")
	// ErrNotUTF8 is a path that is not valid UTF-8.
	ErrNotUTF8 = errors.New("dot path is not valid UTF-8")
	// ErrEmptySegment is a path with an empty key: a leading or trailing
	// '.', or two in a row.
	ErrEmptySegment = errors.New("empty segment in dot path")
)

// Check returns nil when p is a dot path, else the first of ErrEmpty,
// ErrNotUTF8 and ErrEmptySegment that applies, unwrapped.
func Check(p string) error {
	switch {
	case p == "":
		return ErrEmpty
	case !utf8.ValidString(p):
		return ErrNotUTF8
	case p[0] == Sep || p[len(p)-1] == Sep || strings.Contains(p, ".."):
		return ErrEmptySegment
	}
	return nil
}

// Split returns the keys of the dot path p, in order, or the error of
// Check when p is not one.
func Split(p string) ([]string, error) {
	if err := Check(p); err != nil {
		return nil, err
	}
	return strings.Split(p, string(Sep)), nil
}
