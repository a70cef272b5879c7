package config

import (
	"strconv"
	"strings"

	"github.com/tributary-gw/tributary/internal/jsontext"
)

// JSON paths in diagnostics use "$" for the root, ".key" for identifier
// keys, `["key"]` for any other key and "[i]" for array elements.

// KeyPath returns the JSON path base extended by the object key key, as
// the loader's diagnostics write it: ".key" for an identifier, else
// `["key"]`. Tools that report on config files (tributary migrate) use it
// so their paths read like the loader's.
func KeyPath(base, key string) string { return keyPath(base, key) }

// keyPath returns base extended by one object key.
func keyPath(base, key string) string {
	var scratch [96]byte
	return joinPath(base, appendKey(scratch[:0], key))
}

// indexPath returns base extended by one array index.
func indexPath(base string, i int) string {
	var scratch [24]byte
	return joinPath(base, appendIndex(scratch[:0], i))
}

// keyIndexPath returns base.key[i].
func keyIndexPath(base, key string, i int) string {
	var scratch [96]byte
	return joinPath(base, appendIndex(appendKey(scratch[:0], key), i))
}

// joinPath concatenates base and the rendered segments with one allocation.
func joinPath(base string, segs []byte) string {
	var b strings.Builder
	b.Grow(len(base) + len(segs))
	b.WriteString(base)
	b.Write(segs)
	return b.String()
}

func appendKey(b []byte, key string) []byte {
	if isIdent(key) {
		b = append(b, '.')
		return append(b, key...)
	}
	b = append(b, '[')
	b = appendQuoted(b, key)
	return append(b, ']')
}

func appendIndex(b []byte, i int) []byte {
	b = append(b, '[')
	b = strconv.AppendInt(b, int64(i), 10)
	return append(b, ']')
}

// isIdent reports whether key can be written as ".key" in a path.
func isIdent(key string) bool {
	if key == "" {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// quoteJSON returns s as a JSON string literal.
func quoteJSON(s string) string {
	return string(appendQuoted(make([]byte, 0, len(s)+2), s))
}

// appendQuoted appends s as a JSON string literal: quotes, backslashes and
// control characters are escaped, DEL included (\n \r \t, else \u00XX);
// other characters are copied as they are (no HTML escaping, U+2028 and
// U+2029 unescaped). Invalid UTF-8 becomes a raw U+FFFD.
func appendQuoted(b []byte, s string) []byte {
	return jsontext.AppendString(b, s,
		jsontext.RawReplacement|jsontext.RawLineSeparators|jsontext.HexBackspaceFormFeed|jsontext.EscapeDelete)
}

// appendCompact appends n as compact JSON. Object members keep their file
// order; strings are re-escaped and numbers keep their literal. The parser
// bounds the tree's depth; depth guards the recursion all the same.
func appendCompact(b []byte, n *node, depth int) []byte {
	if depth > maxNesting {
		return append(b, "null"...)
	}
	switch n.kind {
	case kindNull:
		return append(b, "null"...)
	case kindBool:
		if n.truth {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case kindNumber:
		return append(b, n.text...)
	case kindString:
		return appendQuoted(b, n.text)
	case kindObject:
		b = append(b, '{')
		for i := range n.members {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendQuoted(b, n.members[i].key)
			b = append(b, ':')
			b = appendCompact(b, &n.members[i].val, depth+1)
		}
		return append(b, '}')
	default:
		b = append(b, '[')
		for i := range n.elems {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendCompact(b, &n.elems[i], depth+1)
		}
		return append(b, ']')
	}
}
