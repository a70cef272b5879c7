// Package urltpl compiles backend url_pattern templates and renders backend
// URLs from them (krakend-compat.md §6.4), and parses and filters client
// query strings (§7.2).
//
// Rendering is a single left-to-right pass over parts split at compile
// time: substituted text is never scanned again, so a value such as
// "{other}" stays literal. Every value is escaped for its context, as one
// path segment or one query value, and the URL is assembled from parts
// (scheme, host, path, raw path, raw query), never by concatenating and
// re-parsing. All types are immutable after construction and safe for
// concurrent use.
package urltpl

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// Errors returned by this package, matched with errors.Is. Each is wrapped
// with the details of the failure.
var (
	// ErrPattern reports a url_pattern that cannot be compiled.
	ErrPattern = errors.New("invalid url_pattern")
	// ErrHost reports a host that is not "scheme://host[:port]".
	ErrHost = errors.New("invalid backend host")
	// ErrValue reports a placeholder with no usable value: missing, or
	// rendering an empty or dot path segment.
	ErrValue = errors.New("unusable placeholder value")
	// ErrInvariant reports a rendered URL that breaks a §6.4 step 6 check.
	ErrInvariant = errors.New("backend URL invariant broken")
)

// part is one piece of a compiled template: literal text or a placeholder.
type part struct {
	text string // literal text, already valid URL syntax; "" for a placeholder
	name string // placeholder name; "" for literal text
}

// Template is a compiled url_pattern. Build it with [Compile].
type Template struct {
	pattern  string
	path     []part
	query    []part // nil when the pattern has no "?"
	names    []string
	slashes  int    // "/" count of the path, i.e. its segment count
	trailing bool   // the path ends with "/": an empty last segment is intended
	multi    string // path placeholder holding a catch-all value (WithCatchAll); "" for none

	pathLits    int  // bytes of literal path text
	pathLitsDec int  // bytes of literal path text once percent-decoded
	pathPct     bool // literal path text holds a "%" escape
	queryLits   int  // bytes of literal query text
}

// Compile parses a url_pattern: a path starting with "/", optionally
// followed by "?" and a literal query. Placeholders {name} may appear
// anywhere in the path, also inside a segment ("/users/{id}.json"), and
// anywhere in a query value ("?user={id}"), never in a query key. A name is
// one or more of A-Z a-z 0-9 "_" "-" "." ":" (so {resp0_user.id} and
// {JWT.sub} are names). Literal text must already be valid URL syntax:
// unreserved characters, sub-delimiters, ":", "@", "/" (and "?" in the
// query) and well-formed "%XX" escapes; "#", ";" in the query, whitespace,
// control characters and other bytes are refused, as are empty segments
// (except a trailing "/") and "." or ".." segments.
func Compile(pattern string) (*Template, error) {
	t := &Template{pattern: pattern}
	rawPath, rawQuery, hasQuery := strings.Cut(pattern, "?")
	if rawPath == "" || rawPath[0] != '/' {
		return nil, fmt.Errorf("%w %q: the path must start with \"/\"", ErrPattern, pattern)
	}
	var err error
	if t.path, err = t.parseParts(rawPath, false); err != nil {
		return nil, fmt.Errorf("%w %q: %w", ErrPattern, pattern, err)
	}
	if err := t.checkPathShape(rawPath); err != nil {
		return nil, fmt.Errorf("%w %q: %w", ErrPattern, pattern, err)
	}
	if hasQuery {
		if t.query, err = t.parseQuery(rawQuery); err != nil {
			return nil, fmt.Errorf("%w %q: %w", ErrPattern, pattern, err)
		}
	}
	for _, p := range t.path {
		t.pathLits += len(p.text)
		if p.text != "" {
			dec := unescape(p.text)
			t.pathLitsDec += len(dec)
			t.pathPct = t.pathPct || len(dec) != len(p.text)
		}
	}
	for _, p := range t.query {
		t.queryLits += len(p.text)
	}
	return t, nil
}

// Names returns the placeholder names in order of first appearance, each
// once (path first, then query). The slice is a copy.
func (t *Template) Names() []string {
	if t == nil {
		return nil
	}
	return append([]string(nil), t.names...)
}

// String returns the pattern the template was compiled from.
func (t *Template) String() string {
	if t == nil {
		return ""
	}
	return t.pattern
}

// parseParts splits text into literal and placeholder parts and records
// the names. query selects the literal syntax allowed.
func (t *Template) parseParts(text string, query bool) ([]part, error) {
	var parts []part
	for text != "" {
		open := strings.IndexByte(text, '{')
		lit := text
		if open >= 0 {
			lit = text[:open]
		}
		if lit != "" {
			if err := checkLiteral(lit, query); err != nil {
				return nil, err
			}
			parts = append(parts, part{text: lit})
		}
		if open < 0 {
			break
		}
		end := strings.IndexByte(text[open:], '}')
		if end < 0 {
			return nil, errors.New(`unbalanced "{"`)
		}
		name := text[open+1 : open+end]
		if !validName(name) {
			return nil, fmt.Errorf("invalid placeholder {%s}: the name must be one or more of A-Z a-z 0-9 _ - . :", name)
		}
		parts = append(parts, part{name: name})
		if !slices.Contains(t.names, name) {
			t.names = append(t.names, name)
		}
		text = text[open+end+1:]
	}
	return parts, nil
}

// checkPathShape counts the segments and refuses empty (but a trailing) and
// dot segments in the literal structure of the path.
func (t *Template) checkPathShape(rawPath string) error {
	t.slashes = strings.Count(rawPath, "/")
	t.trailing = strings.HasSuffix(rawPath, "/")
	segs := strings.Split(rawPath[1:], "/")
	for i, s := range segs {
		switch {
		case s == "" && i != len(segs)-1:
			return errors.New("the path has an empty segment (//)")
		case s == "." || s == ".." || unescape(s) == "." || unescape(s) == "..":
			return errors.New(`the path has a "." or ".." segment`)
		}
	}
	return nil
}

// parseQuery compiles the literal query: "&"-separated key[=value] pairs,
// placeholders only after the "=".
func (t *Template) parseQuery(rawQuery string) ([]part, error) {
	if rawQuery == "" {
		return nil, nil
	}
	var parts []part
	for i, pair := range strings.Split(rawQuery, "&") {
		key, value, hasValue := strings.Cut(pair, "=")
		switch {
		case key == "":
			return nil, errors.New("the query has an empty parameter or key")
		case strings.ContainsAny(key, "{}"):
			return nil, fmt.Errorf("query key %q: placeholders are allowed only in query values", key)
		}
		if err := checkLiteral(key, true); err != nil {
			return nil, err
		}
		head := key
		if i > 0 {
			head = "&" + key
		}
		if hasValue {
			head += "="
		}
		parts = appendLiteral(parts, head)
		vparts, err := t.parseParts(value, true)
		if err != nil {
			return nil, err
		}
		for _, p := range vparts {
			if p.name == "" {
				parts = appendLiteral(parts, p.text)
			} else {
				parts = append(parts, p)
			}
		}
	}
	return parts, nil
}

// appendLiteral appends text to parts, merging it into a trailing literal.
func appendLiteral(parts []part, text string) []part {
	if n := len(parts); n > 0 && parts[n-1].name == "" {
		parts[n-1].text += text
		return parts
	}
	return append(parts, part{text: text})
}

// checkLiteral refuses literal text that is not valid URL syntax for its
// context.
func checkLiteral(s string, query bool) error {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case httpsyntax.IsUnreserved(c) || c == '/' || c == ':' || c == '@':
		case strings.IndexByte("!$&'()*+,=", c) >= 0:
		case c == ';' && !query:
		case c == '?' && query:
		case c == '%':
			if i+2 >= len(s) || !httpsyntax.IsHex(s[i+1]) || !httpsyntax.IsHex(s[i+2]) {
				return fmt.Errorf("invalid percent-escape in %q", s)
			}
			i += 2
		case c == '}':
			return errors.New(`unbalanced "}"`)
		default:
			return fmt.Errorf("character %q is not allowed in %q", c, s)
		}
	}
	return nil
}

// validName reports whether name is a non-empty run of A-Z a-z 0-9 _ - . :
func validName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !isAlnum(c) && c != '_' && c != '-' && c != '.' && c != ':' {
			return false
		}
	}
	return true
}
