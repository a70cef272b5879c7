package lambdaadapter

// Helpers that turn event fields into request parts: path, query, host,
// client address and body.

import (
	"encoding/base64"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"

	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// stagePrefix is the path prefix a named HTTP API stage adds to rawPath
// (P4); "" for $default or no stage.
func stagePrefix(stage string) string {
	if stage == "" || stage == "$default" {
		return ""
	}
	return "/" + stage
}

// trimBase strips the configured base path (P6).
func (a *Adapter) trimBase(p string) string {
	return trimSegmentPrefix(p, a.basePath)
}

// trimSegmentPrefix strips prefix from p only at a segment boundary:
// "/api" turns "/api/x" into "/x" and "/api" into "/", and leaves
// "/apiary/x" alone (api-proxy bug B9).
func trimSegmentPrefix(p, prefix string) string {
	if prefix == "" || !strings.HasPrefix(p, prefix) {
		return p
	}
	if len(p) == len(prefix) {
		return "/"
	}
	if p[len(prefix)] == '/' {
		return p[len(prefix):]
	}
	return p
}

// parseEscapedPath parses a path that keeps its percent-encoding, as
// net/http parses a request target: no controls, spaces, '?' or '#', and
// valid escapes.
func parseEscapedPath(p string) (*url.URL, *httpError) {
	if p == "" || p[0] != '/' {
		return nil, errInvalidPath("the path must start with /")
	}
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c <= ' ' || c == 0x7f:
			return nil, errInvalidPath("the path contains a control character or a space")
		case c == '?' || c == '#':
			return nil, errInvalidPath("the path contains '?' or '#'")
		}
	}
	u, err := url.ParseRequestURI(p)
	if err != nil {
		return nil, errInvalidPath("the path has an invalid percent-encoding")
	}
	return u, nil
}

// sortedQuery rebuilds a query from pairs, keys sorted byte-wise and each
// key's values in their given order (P11). escape selects url.QueryEscape
// encoding (REST: values arrive decoded) over verbatim copying (ALB: values
// arrive as sent, P7). pairs is sorted in place.
func sortedQuery(pairs []kv, escape bool) string {
	if len(pairs) == 0 {
		return ""
	}
	slices.SortStableFunc(pairs, func(x, y kv) int { return strings.Compare(x.k, y.k) })
	n := 0
	for _, p := range pairs {
		n += len(p.k) + len(p.v) + 2
	}
	if escape {
		n += n / 2
	}
	b := make([]byte, 0, n)
	for i, p := range pairs {
		if i > 0 {
			b = append(b, '&')
		}
		if escape {
			b = appendQueryEscape(b, p.k)
			b = append(b, '=')
			b = appendQueryEscape(b, p.v)
		} else {
			b = append(b, p.k...)
			b = append(b, '=')
			b = append(b, p.v...)
		}
	}
	return string(b)
}

// appendQueryEscape appends s escaped exactly as url.QueryEscape does.
func appendQueryEscape(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case httpsyntax.IsUnreserved(c):
			dst = append(dst, c)
		case c == ' ':
			dst = append(dst, '+')
		default:
			dst = append(dst, '%', httpsyntax.UpperHex[c>>4], httpsyntax.UpperHex[c&0xf])
		}
	}
	return dst
}

// takeHost removes the Host field from h and returns the request host:
// the Host header, else fallback when it is a valid host, else "".
func takeHost(h http.Header, fallback string) (string, *httpError) {
	vals := h["Host"]
	delete(h, "Host")
	switch {
	case len(vals) > 1:
		return "", errBadRequest("more than one Host header")
	case len(vals) == 1 && vals[0] != "":
		if !validHost(vals[0]) {
			return "", errBadRequest("invalid Host header")
		}
		return vals[0], nil
	case fallback != "" && validHost(fallback):
		return fallback, nil
	}
	return "", nil
}

// clientAddr turns a trusted source IP into RemoteAddr form "ip:0"; "" when
// s is not an IP address.
func clientAddr(s string) string {
	addr, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil {
		return ""
	}
	return netip.AddrPortFrom(addr.WithZone(""), 0).String()
}

// rightmostForwardedFor returns the ALB client address: the last entry of
// the last X-Forwarded-For field (security.md rule 9).
func rightmostForwardedFor(h http.Header) string {
	vals := h["X-Forwarded-For"]
	if len(vals) == 0 {
		return ""
	}
	last := vals[len(vals)-1]
	if i := strings.LastIndexByte(last, ','); i >= 0 {
		last = last[i+1:]
	}
	return clientAddr(last)
}

// decodeBody returns the request body bytes; bad base64 is 400
// invalid_body.
func decodeBody(body string, isBase64 bool) ([]byte, *httpError) {
	if body == "" {
		return nil, nil
	}
	if !isBase64 {
		return []byte(body), nil
	}
	b, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		return nil, errInvalidBody("the body is not valid base64")
	}
	return b, nil
}
