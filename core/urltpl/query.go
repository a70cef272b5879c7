package urltpl

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// Client query limits (security.md §3).
const (
	// MaxQueryBytes is the longest raw query ParseQuery accepts.
	MaxQueryBytes = 8 << 10
	// MaxQueryParams is the largest number of parameters ParseQuery accepts.
	MaxQueryParams = 256
)

// ErrInvalidQuery reports a client query refused by [ParseQuery]; the
// caller answers 400 invalid_query with the error text, which never echoes
// more than one escape sequence of the query.
var ErrInvalidQuery = errors.New("invalid query")

// Query is a parsed, validated client query (§7.2). Keys are
// case-sensitive. The zero value is an empty query. A Query is immutable.
type Query struct {
	pairs []queryPair // decoded, sorted by key (byte-wise), values in client order
}

type queryPair struct{ key, value string }

// ParseQuery parses a raw (still encoded) client query string, without the
// "?". It refuses an unescaped ";", a malformed "%" escape, a raw control
// character, more than MaxQueryParams parameters and more than
// MaxQueryBytes bytes, with an error wrapping ErrInvalidQuery. "+" decodes
// to a space; empty "&&" pieces are skipped; a key without "=" has the
// empty value.
func ParseQuery(raw string) (Query, error) {
	if len(raw) > MaxQueryBytes {
		return Query{}, fmt.Errorf("%w: longer than %d bytes", ErrInvalidQuery, MaxQueryBytes)
	}
	if raw == "" {
		return Query{}, nil
	}
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c == ';':
			return Query{}, fmt.Errorf(`%w: unescaped ";" (use "&" between parameters, "%%3B" inside values)`, ErrInvalidQuery)
		case c < 0x20 || c == 0x7f:
			return Query{}, fmt.Errorf("%w: control character %#x", ErrInvalidQuery, c)
		case c == '%':
			if i+2 >= len(raw) || !httpsyntax.IsHex(raw[i+1]) || !httpsyntax.IsHex(raw[i+2]) {
				return Query{}, fmt.Errorf("%w: malformed escape %q", ErrInvalidQuery, raw[i:min(i+3, len(raw))])
			}
		}
	}
	n := strings.Count(raw, "&") + 1
	pairs := make([]queryPair, 0, min(n, MaxQueryParams))
	for rest := raw; rest != ""; {
		var piece string
		piece, rest, _ = strings.Cut(rest, "&")
		if piece == "" {
			continue
		}
		if len(pairs) == MaxQueryParams {
			return Query{}, fmt.Errorf("%w: more than %d parameters", ErrInvalidQuery, MaxQueryParams)
		}
		k, v, _ := strings.Cut(piece, "=")
		pairs = append(pairs, queryPair{key: formUnescape(k), value: formUnescape(v)})
	}
	slices.SortStableFunc(pairs, func(a, b queryPair) int { return strings.Compare(a.key, b.key) })
	return Query{pairs: pairs}, nil
}

// Len returns the number of parameters (a repeated key counts each time).
func (q Query) Len() int { return len(q.pairs) }

// Filter returns the parameters whose key is in allow, re-encoded as a raw
// query: keys sorted byte-wise, each key's values in client order, keys and
// values form-encoded. A nil or empty allow, or [""], keeps nothing; an
// allow list holding "*" keeps everything; otherwise keys match exactly
// (case-sensitive), and the empty key is kept only by "*".
func (q Query) Filter(allow []string) string {
	if len(q.pairs) == 0 || len(allow) == 0 {
		return ""
	}
	all := slices.Contains(allow, "*")
	keep := func(key string) bool { return all || key != "" && slices.Contains(allow, key) }
	n := 0
	for _, p := range q.pairs {
		if keep(p.key) {
			n += queryEscapedLen(p.key) + queryEscapedLen(p.value) + 2
		}
	}
	if n == 0 {
		return ""
	}
	var b strings.Builder
	b.Grow(n - 1)
	for _, p := range q.pairs {
		if !keep(p.key) {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		writeQueryEscaped(&b, p.key)
		b.WriteByte('=')
		writeQueryEscaped(&b, p.value)
	}
	return b.String()
}

// formUnescape decodes a validated query component: "%XX" escapes and "+"
// as a space. s is returned as is when it needs no decoding.
func formUnescape(s string) string {
	if strings.IndexByte(s, '+') < 0 {
		return unescape(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b.WriteByte(' ')
		case '%':
			b.WriteByte(httpsyntax.Unhex(s[i+1])<<4 | httpsyntax.Unhex(s[i+2]))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
