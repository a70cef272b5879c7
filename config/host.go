package config

import (
	"net/url"
	"strconv"
	"strings"
)

// hostList decodes a host list (service or backend "host", redirect_hosts):
// every entry becomes "scheme://host[:port]". bad reports that at least one
// entry was rejected.
func (l *loader) hostList(v *node, base, key string) (hosts []string, bad bool) {
	list, ok := l.strList(v, base, key)
	bad = !ok
	for i, s := range list {
		h, added, problem, hint := normaliseHost(s)
		if problem != "" {
			l.errAt(v.elems[i].pos, keyIndexPath(base, key, i), problem, hint)
			bad = true
			continue
		}
		if added {
			l.warnAt(v.elems[i].pos, keyIndexPath(base, key, i),
				"scheme-less host "+quoteJSON(s)+" normalised to "+quoteJSON(h), `write "http://" or "https://"`)
		}
		hosts = append(hosts, h)
	}
	return hosts, bad
}

// normaliseHost turns a host entry into "scheme://host[:port]" (§5): the
// scheme is lower-cased and a trailing "/" dropped; a missing scheme becomes
// http (added reports it). Userinfo, paths, queries, fragments,
// placeholders and schemes other than http and https are problems.
func normaliseHost(s string) (h string, added bool, problem, hint string) {
	if s == "" {
		return "", false, "empty host", `use e.g. "http://users:8080"`
	}
	if strings.ContainsAny(s, "{}") {
		return "", false, "placeholders are not allowed in host " + quoteJSON(s), "put them in url_pattern"
	}
	raw := s
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		scheme, rest, added = "http", s, true
	}
	scheme = strings.ToLower(scheme)
	if scheme != "http" && scheme != "https" {
		return "", false, "unsupported scheme in host " + quoteJSON(raw), "use http:// or https://"
	}
	if rest == "" || rest[0] == '/' {
		return "", false, "missing host name in " + quoteJSON(raw), ""
	}
	if strings.ContainsRune(rest, '@') {
		return "", false, "userinfo is not allowed in host " + quoteJSON(raw), "send credentials with input_headers or a namespace"
	}
	if strings.ContainsAny(rest, "?#") {
		return "", false, "a query or fragment is not allowed in host " + quoteJSON(raw), "put the query in url_pattern"
	}
	authority, path, _ := strings.Cut(rest, "/")
	if path != "" {
		return "", false, "a path is not allowed in host " + quoteJSON(raw), "put the path in url_pattern"
	}
	u, err := url.Parse(scheme + "://" + authority)
	if err != nil || u.Host != authority || u.Hostname() == "" {
		return "", false, "invalid host " + quoteJSON(raw), `use e.g. "http://users:8080"`
	}
	if strings.HasSuffix(authority, ":") {
		return "", false, "empty port in host " + quoteJSON(raw), ""
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return "", false, "port out of range in host " + quoteJSON(raw), "use 1–65535"
		}
	}
	return scheme + "://" + authority, added, "", ""
}

// rawHostList decodes a backend host list under disable_host_sanitize
// (§5): entries are kept exactly as written, so no scheme is added. Each
// must still be an absolute http or https URL with a host name and without
// userinfo, query or fragment. A base path is allowed and kept: the backend
// URL is the host followed by the rendered url_pattern. A trailing "/" is
// not supported yet (KrakenD would keep it, sending "/base//a").
func (l *loader) rawHostList(v *node, base, key string) (hosts []string, bad bool) {
	list, ok := l.strList(v, base, key)
	bad = !ok
	for i, s := range list {
		problem, hint := rawHostProblem(s)
		if problem != "" {
			l.errAt(v.elems[i].pos, keyIndexPath(base, key, i), problem, hint)
			bad = true
			continue
		}
		hosts = append(hosts, s)
	}
	return hosts, bad
}

// rawHostProblem checks one host entry kept as written.
func rawHostProblem(s string) (problem, hint string) {
	const why = "disable_host_sanitize keeps the host as written"
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || (scheme != "http" && scheme != "https") {
		return "host " + quoteJSON(s) + " is not an absolute http:// or https:// URL", why
	}
	if rest == "" || rest[0] == '/' || strings.ContainsAny(rest, "@?#{}") {
		return "invalid host " + quoteJSON(s), why + `; use e.g. "http://users:8080" without userinfo, query or fragment`
	}
	authority, path, hasPath := strings.Cut(rest, "/")
	if hasPath {
		if r, h := basePathProblem("/" + path); r != "" {
			return "host " + quoteJSON(s) + ": " + r, h
		}
	}
	h, _, problem, hint := normaliseHost(scheme + "://" + authority)
	if problem != "" {
		return problem, hint
	}
	if h != scheme+"://"+authority {
		return "invalid host " + quoteJSON(s), `write it as "` + h + `"`
	}
	return "", ""
}

// basePathProblem checks the base path of a host kept as written: non-empty
// segments of RFC 3986 unreserved and sub-delimiter characters (plus ":"
// and "@"), no "." or ".." segment, no trailing "/". It returns the
// problem and a hint, or "".
func basePathProblem(p string) (problem, hint string) {
	if strings.HasSuffix(p, "/") {
		return `a trailing "/" is not supported yet (KrakenD would send "//" before url_pattern)`,
			`remove the trailing "/"`
	}
	for _, seg := range strings.Split(p[1:], "/") {
		if seg == "" || seg == "." || seg == ".." {
			return `empty, "." or ".." segment in the base path`, ""
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
				strings.IndexByte("-._~!$&'()*+,;=:@", c) >= 0) {
				return "character " + quoteJSON(string(c)) + " not allowed in the base path", "put it in url_pattern"
			}
		}
	}
	return "", ""
}
