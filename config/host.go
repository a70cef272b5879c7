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
