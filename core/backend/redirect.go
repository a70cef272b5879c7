package backend

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// defaultMaxRedirects applies when Request.MaxRedirects is 0.
const defaultMaxRedirects = 3

// isRedirect reports whether code is a redirect Do can follow.
func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// nextHop resolves a redirect's Location against the current URL cur and
// checks it: the hop budget, the scheme (http→http, https→https,
// http→https) and the host (r.URL's own, AllowedHosts or RedirectHosts).
func nextHop(r *Request, cur *url.URL, loc string, hops int) (*url.URL, error) {
	limit := r.MaxRedirects
	if limit <= 0 {
		limit = defaultMaxRedirects
	}
	if hops >= limit {
		return nil, fmt.Errorf("%w (limit %d)", ErrTooManyRedirects, limit)
	}
	next, err := cur.Parse(loc)
	if err != nil {
		return nil, fmt.Errorf("%w: unusable Location: %w", ErrRedirectNotAllowed, err)
	}
	next.Fragment, next.RawFragment = "", ""
	switch {
	case next.User != nil:
		return nil, fmt.Errorf("%w: Location carries credentials", ErrRedirectNotAllowed)
	case next.Host == "" || next.Scheme != "http" && next.Scheme != "https":
		return nil, fmt.Errorf("%w: Location is not an http(s) URL", ErrRedirectNotAllowed)
	case cur.Scheme == "https" && next.Scheme != "https":
		return nil, fmt.Errorf("%w: to %s://%s (https downgraded to http)", ErrRedirectNotAllowed, next.Scheme, next.Host)
	}
	if !hostAllowed(r, next) {
		return nil, fmt.Errorf("%w: to %s://%s (host not allowed)", ErrRedirectNotAllowed, next.Scheme, next.Host)
	}
	return next, nil
}

// redirectRequest returns the method, body and header of the next hop:
// 301, 302 and 303 turn every method but GET and HEAD into a GET, and drop
// the body (and its Content-Type, when there was a body or the method
// changed); 307 and 308 keep the method and the body.
func redirectRequest(code int, method string, body []byte, h http.Header) (string, []byte, http.Header) {
	if code == http.StatusTemporaryRedirect || code == http.StatusPermanentRedirect {
		return method, body, h
	}
	if method == http.MethodGet || method == http.MethodHead {
		if len(body) == 0 {
			return method, nil, h
		}
		return method, nil, without(h, "Content-Type")
	}
	return http.MethodGet, nil, without(h, "Content-Type")
}

// stripCredentials drops Authorization and Cookie when next is not on the
// host of the original URL orig.
func stripCredentials(h http.Header, orig, next *url.URL) http.Header {
	a, b := originOf(orig), originOf(next)
	if a.host == b.host && a.port == b.port {
		return h
	}
	return without(h, "Authorization", "Cookie")
}

// without returns h when it holds none of names, else a copy of h without
// them. The caller's header is never modified.
func without(h http.Header, names ...string) http.Header {
	found := false
	for _, n := range names {
		if _, ok := h[n]; ok {
			found = true
			break
		}
	}
	if !found {
		return h
	}
	out := h.Clone()
	for _, n := range names {
		delete(out, n)
	}
	return out
}

// origin is a normalised scheme, host and port. port is "" when it is the
// scheme's default, so "http://h" and "http://h:80" are the same origin.
type origin struct {
	scheme, host, port string
}

// originOf normalises u's scheme, host and port.
func originOf(u *url.URL) origin {
	o := origin{scheme: strings.ToLower(u.Scheme), host: strings.ToLower(u.Hostname()), port: u.Port()}
	if o.port == "80" && o.scheme == "http" || o.port == "443" && o.scheme == "https" {
		o.port = ""
	}
	return o
}

// admits reports whether a redirect to t is covered by the allowed origin
// a: same host and port, and the same scheme or an http→https upgrade.
func (a origin) admits(t origin) bool {
	return a.host == t.host && a.port == t.port &&
		(a.scheme == t.scheme || a.scheme == "http" && t.scheme == "https")
}

// hostAllowed reports whether next is r.URL's own origin or one listed in
// r.AllowedHosts or r.RedirectHosts. Unparseable entries allow nothing.
func hostAllowed(r *Request, next *url.URL) bool {
	t := originOf(next)
	if originOf(r.URL).admits(t) {
		return true
	}
	for _, list := range [2][]string{r.AllowedHosts, r.RedirectHosts} {
		for _, s := range list {
			u, err := url.Parse(strings.TrimSpace(s))
			if err != nil || u.Host == "" || u.Scheme != "http" && u.Scheme != "https" {
				continue
			}
			if originOf(u).admits(t) {
				return true
			}
		}
	}
	return false
}
