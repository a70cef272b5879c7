// Package martian applies the request and response modifiers of the
// "modifier/martian" backend namespace: header, query, URL, port, body,
// cookie and stash modifiers, the filters that run them conditionally,
// and the groups that run several. The configuration loader has validated
// the modifier tree; core/plan compiles it with this package's
// constructors into one tree per side (request, response), and Stage runs
// them: the request tree last among the backend stages, just before the
// call, and the response tree on the backend's response before the
// gateway checks, decodes and shapes it.
//
// The modifiers follow the documented behaviour of the Martian proxy
// library's modifiers of the same names; this package does not use that
// library.
package martian

import (
	"context"
	"crypto/rand"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/tributary-gw/tributary/core/stage"
)

// kind is what a Modifier does.
type kind uint8

const (
	kindSetHeader kind = iota
	kindAppendHeader
	kindCopyHeader
	kindRemoveHeaders
	kindID
	kindHeaderFilter
	kindHeaderRegexFilter
	kindSetQuery
	kindQueryFilter
	kindRewriteURL
	kindURLFilter
	kindBody
	kindCookie
	kindPort
	kindStash
	kindGroup
)

// IDHeader is the header header.Id adds.
const IDHeader = "X-Martian-Id"

// Modifier is one compiled modifier of one side. A nil *Modifier does
// nothing. Modifiers are immutable and safe for concurrent use.
type Modifier struct {
	kind        kind
	name, value string   // header/query/cookie name and value
	names       []string // header.Blacklist
	re          *regexp.Regexp
	scheme      string
	host        string
	path        string
	query       string
	body        []byte
	cookie      *http.Cookie
	port        PortAction
	portNum     string
	children    []*Modifier
	then, els   *Modifier
}

// SetHeader sets the header name (canonical form) to value, replacing its
// values.
func SetHeader(name, value string) *Modifier {
	return &Modifier{kind: kindSetHeader, name: name, value: value}
}

// AppendHeader adds value to the header name (canonical form).
func AppendHeader(name, value string) *Modifier {
	return &Modifier{kind: kindAppendHeader, name: name, value: value}
}

// CopyHeader sets the header to (canonical form) to the first value of
// the header from, or to "" when from is absent, as Martian does.
func CopyHeader(from, to string) *Modifier {
	return &Modifier{kind: kindCopyHeader, name: from, value: to}
}

// RemoveHeaders removes the headers names (canonical form).
func RemoveHeaders(names ...string) *Modifier {
	return &Modifier{kind: kindRemoveHeaders, names: names}
}

// AddID sets X-Martian-Id to a random UUID when the request has none
// (request side only).
func AddID() *Modifier { return &Modifier{kind: kindID} }

// HeaderFilter runs then when the header name (canonical form) has a
// value equal to value, else els. Either may be nil.
func HeaderFilter(name, value string, then, els *Modifier) *Modifier {
	return &Modifier{kind: kindHeaderFilter, name: name, value: value, then: then, els: els}
}

// HeaderRegexFilter runs then when the first value of the request header
// name (canonical form) is non-empty and matches re (unanchored), else
// els. On the response side it, too, tests the request's header, as
// Martian does.
func HeaderRegexFilter(name string, re *regexp.Regexp, then, els *Modifier) *Modifier {
	return &Modifier{kind: kindHeaderRegexFilter, name: name, re: re, then: then, els: els}
}

// SetQuery sets the query parameter name to value, replacing its values
// (request side only). The query is then re-encoded with its keys sorted,
// as Martian does.
func SetQuery(name, value string) *Modifier {
	return &Modifier{kind: kindSetQuery, name: name, value: value}
}

// QueryFilter runs then when the request's query has the parameter name
// (with value equal to value, when value is not ""), else els.
func QueryFilter(name, value string, then, els *Modifier) *Modifier {
	return &Modifier{kind: kindQueryFilter, name: name, value: value, then: then, els: els}
}

// RewriteURL replaces the scheme, the path and the whole raw query of the
// request URL; an empty part is left as it is (request side only).
func RewriteURL(scheme, path, query string) *Modifier {
	return &Modifier{kind: kindRewriteURL, scheme: scheme, path: path, query: query}
}

// URLFilter runs then when every non-empty part equals the request URL's
// (scheme exactly, host case-insensitively, with a leading "*." matching
// any subdomain, path as decoded, query as the raw query), else els.
func URLFilter(scheme, host, path, query string, then, els *Modifier) *Modifier {
	return &Modifier{kind: kindURLFilter, scheme: scheme, host: strings.ToLower(host), path: path, query: query, then: then, els: els}
}

// SetBody replaces the body (never modified afterwards) and sets
// Content-Type to contentType (removed when ""); Content-Encoding is
// removed, since the new body is not encoded.
func SetBody(contentType string, body []byte) *Modifier {
	return &Modifier{kind: kindBody, value: contentType, body: body}
}

// AddCookie adds c: on the request, "name=value" joined to the Cookie
// header with "; "; on the response, a Set-Cookie header with every
// attribute.
func AddCookie(c *http.Cookie) *Modifier {
	return &Modifier{kind: kindCookie, cookie: c}
}

// PortAction is what a port modifier does.
type PortAction uint8

const (
	// PortSet sets the given port.
	PortSet PortAction = iota
	// PortDefault sets the scheme's default port (80 or 443).
	PortDefault
	// PortRemove removes the port.
	PortRemove
)

// Port changes the port of the request URL (request side only); port is
// used with PortSet.
func Port(a PortAction, port int) *Modifier {
	m := &Modifier{kind: kindPort, port: a}
	if a == PortSet {
		m.portNum = itoa(port)
	}
	return m
}

// Stash sets the header name (canonical form) to the full request URL, on
// the request and, on the response side, on the response.
func Stash(name string) *Modifier { return &Modifier{kind: kindStash, name: name} }

// Group runs mods in order; nil entries are dropped. It returns nil when
// none is left.
func Group(mods ...*Modifier) *Modifier {
	var kept []*Modifier
	for _, m := range mods {
		if m != nil {
			kept = append(kept, m)
		}
	}
	switch len(kept) {
	case 0:
		return nil
	case 1:
		return kept[0]
	}
	return &Modifier{kind: kindGroup, children: kept}
}

// PriorityGroup runs mods by descending priority; among equal priorities
// the later one runs first, as Martian's priority group orders them. nil
// entries are dropped.
func PriorityGroup(mods []*Modifier, priorities []int64) *Modifier {
	type entry struct {
		m *Modifier
		p int64
	}
	var order []entry
	for i, m := range mods {
		if m == nil {
			continue
		}
		e := entry{m, priorities[i]}
		// Insert before the first entry of lower or equal priority.
		at := len(order)
		for j, o := range order {
			if e.p >= o.p {
				at = j
				break
			}
		}
		order = append(order, entry{})
		copy(order[at+1:], order[at:])
		order[at] = e
	}
	out := make([]*Modifier, len(order))
	for i, e := range order {
		out[i] = e.m
	}
	return Group(out...)
}

// Stage is the backend stage of a modifier/martian block.
type Stage struct {
	req, resp *Modifier
}

// NewStage returns the stage running req on each call and resp on each
// response; it returns nil when both are nil.
func NewStage(req, resp *Modifier) *Stage {
	if req == nil && resp == nil {
		return nil
	}
	return &Stage{req: req, resp: resp}
}

// Before applies the request modifiers to c.
func (s *Stage) Before(_ context.Context, c *stage.Call) (*stage.Answer, error) {
	if s.req != nil {
		s.req.request(c)
	}
	return nil, nil
}

// ModifyResponse applies the response modifiers (stage.ResponseModifier).
func (s *Stage) ModifyResponse(c *stage.Call, status int, h http.Header, body []byte) (int, http.Header, []byte, error) {
	if s.resp == nil {
		return status, h, body, nil
	}
	r := response{call: c, header: h, body: body}
	s.resp.response(&r)
	return status, r.header, r.body, nil
}

// request applies m to the outgoing call c.
func (m *Modifier) request(c *stage.Call) {
	if m == nil {
		return
	}
	switch m.kind {
	case kindSetHeader:
		c.OwnHeader()[m.name] = []string{m.value}
	case kindAppendHeader:
		h := c.OwnHeader()
		h[m.name] = append(h[m.name][:len(h[m.name]):len(h[m.name])], m.value)
	case kindCopyHeader:
		v := firstValue(c.Header, m.name)
		c.OwnHeader()[m.value] = []string{v}
	case kindRemoveHeaders:
		h := c.Header
		for _, n := range m.names {
			if _, ok := h[n]; ok {
				h = c.OwnHeader()
				delete(h, n)
			}
		}
	case kindID:
		if firstValue(c.Header, IDHeader) == "" {
			c.OwnHeader()[IDHeader] = []string{newUUID()}
		}
	case kindHeaderFilter:
		m.branch(headerHas(c.Header, m.name, m.value)).request(c)
	case kindHeaderRegexFilter:
		m.branch(regexMatch(c.Header, m.name, m.re)).request(c)
	case kindSetQuery:
		u := ownURL(c)
		q := u.Query()
		q.Set(m.name, m.value)
		u.RawQuery = q.Encode()
	case kindQueryFilter:
		m.branch(queryHas(c.URL, m.name, m.value)).request(c)
	case kindRewriteURL:
		u := ownURL(c)
		if m.scheme != "" {
			u.Scheme = m.scheme
		}
		if m.path != "" {
			u.Path, u.RawPath = m.path, ""
		}
		if m.query != "" {
			u.RawQuery = m.query
		}
	case kindURLFilter:
		m.branch(m.urlMatch(c.URL)).request(c)
	case kindBody:
		c.Body = m.body
		if len(m.body) == 0 {
			c.Body = nil
		}
		h := c.OwnHeader()
		setContentType(h, m.value)
	case kindCookie:
		h := c.OwnHeader()
		s := m.cookie.Name + "=" + m.cookie.Value
		if old := firstValue(h, "Cookie"); old != "" {
			s = old + "; " + s
		}
		h["Cookie"] = []string{s}
	case kindPort:
		u := ownURL(c)
		host := u.Hostname()
		switch m.port {
		case PortSet:
			u.Host = net.JoinHostPort(host, m.portNum)
		case PortDefault:
			p := "80"
			if u.Scheme == "https" {
				p = "443"
			}
			u.Host = net.JoinHostPort(host, p)
		case PortRemove:
			if strings.Contains(host, ":") {
				host = "[" + host + "]"
			}
			u.Host = host
		}
	case kindStash:
		if c.URL != nil {
			c.OwnHeader()[m.name] = []string{c.URL.String()}
		}
	case kindGroup:
		for _, ch := range m.children {
			ch.request(c)
		}
	}
}

// response is a backend response being modified.
type response struct {
	call   *stage.Call
	header http.Header
	body   []byte
}

// own returns the response header, creating it when the backend sent none.
func (r *response) own() http.Header {
	if r.header == nil {
		r.header = make(http.Header, 2)
	}
	return r.header
}

// response applies m to r.
func (m *Modifier) response(r *response) {
	if m == nil {
		return
	}
	switch m.kind {
	case kindSetHeader:
		r.own()[m.name] = []string{m.value}
	case kindAppendHeader:
		h := r.own()
		h[m.name] = append(h[m.name], m.value)
	case kindCopyHeader:
		v := firstValue(r.header, m.name)
		r.own()[m.value] = []string{v}
	case kindRemoveHeaders:
		for _, n := range m.names {
			delete(r.header, n)
		}
	case kindHeaderFilter:
		m.branch(headerHas(r.header, m.name, m.value)).response(r)
	case kindHeaderRegexFilter:
		m.branch(regexMatch(r.call.Header, m.name, m.re)).response(r)
	case kindQueryFilter:
		m.branch(queryHas(r.call.URL, m.name, m.value)).response(r)
	case kindURLFilter:
		m.branch(m.urlMatch(r.call.URL)).response(r)
	case kindBody:
		// A copy: the body may be changed or pooled later on.
		r.body = nil
		if len(m.body) > 0 {
			r.body = append([]byte(nil), m.body...)
		}
		setContentType(r.own(), m.value)
	case kindCookie:
		if s := m.cookie.String(); s != "" {
			r.own().Add("Set-Cookie", s)
		}
	case kindStash:
		if r.call.URL != nil {
			r.own()[m.name] = []string{r.call.URL.String()}
		}
	case kindGroup:
		for _, ch := range m.children {
			ch.response(r)
		}
	}
}

// branch picks then or els.
func (m *Modifier) branch(match bool) *Modifier {
	if match {
		return m.then
	}
	return m.els
}

// setContentType sets or removes Content-Type and drops Content-Encoding.
func setContentType(h http.Header, ct string) {
	if ct == "" {
		delete(h, "Content-Type")
	} else {
		h["Content-Type"] = []string{ct}
	}
	delete(h, "Content-Encoding")
}

// firstValue is h.Get for a canonical name.
func firstValue(h http.Header, name string) string {
	if v := h[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// headerHas reports whether the header name has a value equal to value.
func headerHas(h http.Header, name, value string) bool {
	for _, v := range h[name] {
		if v == value {
			return true
		}
	}
	return false
}

// regexMatch reports whether the first value of name is non-empty and
// matches re.
func regexMatch(h http.Header, name string, re *regexp.Regexp) bool {
	v := firstValue(h, name)
	return v != "" && re.MatchString(v)
}

// queryHas reports whether u's query has name (with value, when value is
// not "").
func queryHas(u *url.URL, name, value string) bool {
	if u == nil {
		return false
	}
	vs, ok := u.Query()[name]
	if !ok {
		return false
	}
	if value == "" {
		return true
	}
	for _, v := range vs {
		if v == value {
			return true
		}
	}
	return false
}

// urlMatch reports whether u matches every part m sets.
func (m *Modifier) urlMatch(u *url.URL) bool {
	if u == nil {
		return false
	}
	if m.scheme != "" && m.scheme != u.Scheme {
		return false
	}
	if m.host != "" && !hostMatch(m.host, strings.ToLower(u.Host)) {
		return false
	}
	if m.path != "" && m.path != u.Path {
		return false
	}
	if m.query != "" && m.query != u.RawQuery {
		return false
	}
	return true
}

// hostMatch compares a lower-case host pattern with a lower-case host;
// "*.example.com" matches any subdomain of example.com.
func hostMatch(pattern, host string) bool {
	if rest, ok := strings.CutPrefix(pattern, "*."); ok {
		return strings.HasSuffix(host, "."+rest) && len(host) > len(rest)+1
	}
	return pattern == host
}

// ownURL replaces c.URL with a copy the caller may change, so that no
// other holder of the built URL sees the change.
func ownURL(c *stage.Call) *url.URL {
	u := new(url.URL)
	if c.URL != nil {
		*u = *c.URL
		if c.URL.User != nil {
			ui := *c.URL.User
			u.User = &ui
		}
	}
	c.URL = u
	return u
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hexdigits = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hexdigits[c>>4], hexdigits[c&0x0f])
	}
	return string(out)
}

// itoa formats a port number.
func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [6]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
