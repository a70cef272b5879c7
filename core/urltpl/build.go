package urltpl

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// maxStackValues is how many placeholder values Build keeps without
// allocating.
const maxStackValues = 8

// Build renders one backend URL in a single left-to-right pass; substituted
// text is never scanned again.
//
// host is "scheme://host[:port]", optionally with one trailing "/" (already
// validated by the config loader; anything else is an ErrHost). lookup
// returns a placeholder's value; a missing value is an ErrValue. Path values
// are escaped as part of one segment: every byte outside the RFC 3986
// unreserved set (A-Z a-z 0-9 - . _ ~) is percent-encoded, except "," so
// joined arrays stay literal. A value that leaves a segment empty (except an
// intended trailing "/") or equal to "." or ".." is an ErrValue. Query
// values are form-encoded (space → "+"). forwardedQuery, already encoded
// (see [Query.Filter]), is appended after the literal query with "&".
//
// The URL is assembled from parts: Scheme, Host, Path (decoded), RawPath
// (escaped, always set) and RawQuery. The §6.4 step 6 invariants are then
// checked (host, segment count, no "?" or "#" in the path, each value
// decoding back to itself); a broken one is an ErrInvariant.
func (t *Template) Build(host string, lookup func(name string) (string, bool), forwardedQuery string) (*url.URL, error) {
	if t == nil || t.slashes == 0 {
		return nil, fmt.Errorf("%w: the template was not built by Compile", ErrPattern)
	}
	scheme, hostport, err := splitHost(host)
	if err != nil {
		return nil, err
	}
	if err := checkForwardedQuery(forwardedQuery); err != nil {
		return nil, err
	}

	// Look every value up once and size the output exactly.
	var stack [maxStackValues]string
	vals := stack[:0]
	if n := len(t.path) + len(t.query); n > maxStackValues {
		vals = make([]string, 0, n)
	}
	rawPathLen, pathLen, pct := t.pathLits, t.pathLitsDec, t.pathPct
	slashes := t.slashes
	for _, p := range t.path {
		if p.name == "" {
			continue
		}
		v, ok := lookup(p.name)
		if !ok {
			return nil, fmt.Errorf("%w: placeholder {%s} has no value", ErrValue, p.name)
		}
		vals = append(vals, v)
		e := pathEscapedLen(v)
		if p.name == t.multi {
			e = multiEscapedLen(v)
			slashes += strings.Count(v, "/")
		}
		rawPathLen += e
		pathLen += len(v)
		pct = pct || e != len(v)
	}
	rawQueryLen := t.queryLits
	for _, p := range t.query {
		if p.name == "" {
			continue
		}
		v, ok := lookup(p.name)
		if !ok {
			return nil, fmt.Errorf("%w: placeholder {%s} has no value", ErrValue, p.name)
		}
		vals = append(vals, v)
		rawQueryLen += queryEscapedLen(v)
	}
	if forwardedQuery != "" {
		if rawQueryLen > 0 {
			rawQueryLen++
		}
		rawQueryLen += len(forwardedQuery)
	}
	total := rawPathLen + rawQueryLen
	if pct {
		total += pathLen
	}

	// One buffer holds the raw path, the raw query and, when they differ,
	// the decoded path.
	var b strings.Builder
	b.Grow(total)
	vi := 0
	for _, p := range t.path {
		if p.name == "" {
			b.WriteString(p.text)
			continue
		}
		start := b.Len()
		if p.name == t.multi {
			writeMultiEscaped(&b, vals[vi])
		} else {
			writePathEscaped(&b, vals[vi])
		}
		if !decodesTo(b.String()[start:], vals[vi], false) {
			return nil, fmt.Errorf("%w: path value of {%s} does not decode back to itself", ErrInvariant, p.name)
		}
		vi++
	}
	pathEnd := b.Len()
	for _, p := range t.query {
		if p.name == "" {
			b.WriteString(p.text)
			continue
		}
		start := b.Len()
		writeQueryEscaped(&b, vals[vi])
		if !decodesTo(b.String()[start:], vals[vi], true) {
			return nil, fmt.Errorf("%w: query value of {%s} does not decode back to itself", ErrInvariant, p.name)
		}
		vi++
	}
	if forwardedQuery != "" {
		if b.Len() > pathEnd {
			b.WriteByte('&')
		}
		b.WriteString(forwardedQuery)
	}
	queryEnd := b.Len()
	rawPath := b.String()[:pathEnd]
	if err := t.checkRenderedPath(rawPath, slashes); err != nil {
		return nil, err
	}
	path := rawPath
	if pct {
		writeUnescaped(&b, rawPath)
		path = b.String()[queryEnd:]
	}
	return &url.URL{
		Scheme:   scheme,
		Host:     hostport,
		Path:     path,
		RawPath:  rawPath,
		RawQuery: b.String()[pathEnd:queryEnd],
	}, nil
}

// checkRenderedPath checks the escaped path: the expected "/" count
// (the template's, plus the separators of a catch-all value),
// no "?" or "#", no empty segment (but an intended trailing one) and no "."
// or ".." segment.
func (t *Template) checkRenderedPath(rawPath string, slashes int) error {
	if strings.Count(rawPath, "/") != slashes {
		return fmt.Errorf("%w: the path %q does not have the expected %d segments", ErrInvariant, rawPath, slashes)
	}
	if strings.ContainsAny(rawPath, "?#") {
		return fmt.Errorf("%w: the path %q holds \"?\" or \"#\"", ErrInvariant, rawPath)
	}
	rest := rawPath[1:]
	for {
		seg, next, more := strings.Cut(rest, "/")
		switch {
		case seg == "" && (more || !t.trailing):
			return fmt.Errorf("%w: a placeholder renders an empty path segment in %q", ErrValue, t.pattern)
		case seg == "." || seg == "..":
			return fmt.Errorf("%w: a placeholder renders a %q path segment in %q", ErrValue, seg, t.pattern)
		}
		if !more {
			return nil
		}
		rest = next
	}
}

// writeUnescaped writes the percent-decoding of the valid escaped text s.
func writeUnescaped(b *strings.Builder, s string) {
	run := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			b.WriteString(s[run:i])
			b.WriteByte(httpsyntax.Unhex(s[i+1])<<4 | httpsyntax.Unhex(s[i+2]))
			i += 2
			run = i + 1
		}
	}
	b.WriteString(s[run:])
}

// splitHost splits "scheme://host[:port]" (one trailing "/" allowed).
func splitHost(host string) (scheme, hostport string, err error) {
	scheme, hostport, ok := strings.Cut(host, "://")
	hostport = strings.TrimSuffix(hostport, "/")
	if !ok || scheme == "" || hostport == "" {
		return "", "", fmt.Errorf("%w %q: want scheme://host[:port]", ErrHost, host)
	}
	for i := 0; i < len(scheme); i++ {
		c := scheme[i]
		if !isAlnum(c) && (i == 0 || c != '+' && c != '-' && c != '.') || i == 0 && '0' <= c && c <= '9' {
			return "", "", fmt.Errorf("%w %q: bad scheme", ErrHost, host)
		}
	}
	for i := 0; i < len(hostport); i++ {
		c := hostport[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("/?#@\\%", c) >= 0 {
			return "", "", fmt.Errorf("%w %q: want scheme://host[:port]", ErrHost, host)
		}
	}
	return scheme, hostport, nil
}

// checkForwardedQuery refuses a forwarded query that is not plain encoded
// text (it is produced by Query.Filter, so this never fires in practice).
func checkForwardedQuery(q string) error {
	for i := 0; i < len(q); i++ {
		if c := q[i]; c <= ' ' || c >= 0x7f || c == '#' {
			return fmt.Errorf("%w: the forwarded query holds byte %#x", ErrInvariant, c)
		}
	}
	return nil
}
