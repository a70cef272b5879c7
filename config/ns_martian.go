package config

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// The modifier types of "modifier/martian" that Tributary implements
// (krakend-compat §17.15). Each behaves as the Martian modifier of the
// same name; the values are the names used in the configuration.
const (
	// MartianHeaderModifier sets (replaces) a header.
	MartianHeaderModifier = "header.Modifier"
	// MartianHeaderAppend adds a header value.
	MartianHeaderAppend = "header.Append"
	// MartianHeaderCopy copies the first value of one header to another.
	MartianHeaderCopy = "header.Copy"
	// MartianHeaderBlacklist removes headers.
	MartianHeaderBlacklist = "header.Blacklist"
	// MartianHeaderID adds X-Martian-Id when it is absent.
	MartianHeaderID = "header.Id"
	// MartianHeaderFilter runs a modifier when a header has a value.
	MartianHeaderFilter = "header.Filter"
	// MartianHeaderRegexFilter runs a modifier when a header matches a
	// regular expression.
	MartianHeaderRegexFilter = "header.RegexFilter"
	// MartianQueryModifier sets (replaces) a query parameter.
	MartianQueryModifier = "querystring.Modifier"
	// MartianQueryFilter runs a modifier when a query parameter is present
	// (or has a value).
	MartianQueryFilter = "querystring.Filter"
	// MartianURLModifier rewrites the scheme, path or query of the URL.
	MartianURLModifier = "url.Modifier"
	// MartianURLFilter runs a modifier when the URL matches.
	MartianURLFilter = "url.Filter"
	// MartianBodyModifier replaces the body and its Content-Type.
	MartianBodyModifier = "body.Modifier"
	// MartianCookieModifier adds a cookie (request) or Set-Cookie
	// (response).
	MartianCookieModifier = "cookie.Modifier"
	// MartianPortModifier changes the port of the URL.
	MartianPortModifier = "port.Modifier"
	// MartianStashModifier puts the full request URL in a header.
	MartianStashModifier = "stash.Modifier"
	// MartianFifoGroup runs modifiers in order.
	MartianFifoGroup = "fifo.Group"
	// MartianPriorityGroup runs modifiers by descending priority.
	MartianPriorityGroup = "priority.Group"
)

// MartianMaxBodyBytes bounds the decoded body of a body.Modifier.
const MartianMaxBodyBytes = 1 << 20

// Martian is one modifier of the "modifier/martian" namespace (§17.15):
// the namespace holds exactly one, and groups and filters hold others.
// Only the fields of its Type are set.
type Martian struct {
	// Type is the modifier's name, one of the Martian* constants.
	Type string
	// JSONPath locates the modifier's object.
	JSONPath string
	// Request and Response are scope: the sides the modifier runs on.
	// Default (no scope): every side the modifier type has.
	Request, Response bool

	// Name is name: the header (canonical form), query parameter or
	// cookie name. Value is value: the header, query or cookie value (for
	// header.RegexFilter, the regular expression).
	Name, Value string
	// From and To are header.Copy's from and to (canonical form).
	From, To string
	// Names are header.Blacklist's names (canonical form).
	Names []string
	// Scheme, Host, Path and Query are the url.Modifier / url.Filter parts
	// ("" = unchanged / not compared). Host is only set on url.Filter;
	// Path is also cookie.Modifier's path.
	Scheme, Host, Path, Query string
	// ContentType is body.Modifier's contentType.
	ContentType string
	// Body is body.Modifier's body, decoded from base64.
	Body []byte
	// Domain, Expires, Secure, HTTPOnly and MaxAge are the cookie.Modifier
	// attributes (response side).
	Domain   string
	Expires  time.Time
	Secure   bool
	HTTPOnly bool
	MaxAge   int
	// Port, DefaultForScheme and Remove are port.Modifier's options;
	// exactly one is set.
	Port             int
	DefaultForScheme bool
	Remove           bool
	// HeaderName is stash.Modifier's headerName (canonical form).
	HeaderName string
	// Modifiers are a group's members, in file order.
	Modifiers []*Martian
	// Priorities are priority.Group's priorities, one per Modifiers entry.
	Priorities []int64
	// AggregateErrors is fifo.Group's aggregateErrors: accepted; no
	// Tributary modifier fails at request time, so it changes nothing.
	AggregateErrors bool
	// Then and Else are a filter's modifier and else.
	Then, Else *Martian
}

// martianSides reports the sides (request, response) a supported
// modifier type has; ok is false for any other type.
func martianSides(typ string) (sides [2]bool, ok bool) {
	switch typ {
	case MartianHeaderID, MartianQueryModifier, MartianURLModifier, MartianPortModifier:
		return [2]bool{true, false}, true
	case MartianHeaderModifier, MartianHeaderAppend, MartianHeaderCopy, MartianHeaderBlacklist,
		MartianHeaderFilter, MartianHeaderRegexFilter, MartianQueryFilter, MartianURLFilter,
		MartianBodyModifier, MartianCookieModifier, MartianStashModifier, MartianFifoGroup, MartianPriorityGroup:
		return [2]bool{true, true}, true
	}
	return [2]bool{}, false
}

// martianTypes lists the supported types in documentation order (the
// did-you-mean candidates).
var martianTypes = []string{
	MartianHeaderModifier, MartianHeaderAppend, MartianHeaderCopy, MartianHeaderBlacklist, MartianHeaderID,
	MartianHeaderFilter, MartianHeaderRegexFilter, MartianQueryModifier, MartianQueryFilter,
	MartianURLModifier, MartianURLFilter, MartianBodyModifier, MartianCookieModifier, MartianPortModifier,
	MartianStashModifier, MartianFifoGroup, MartianPriorityGroup,
}

// martianKeys are the keys each type accepts.
func martianKeys(typ string) []string {
	switch typ {
	case MartianHeaderModifier, MartianHeaderAppend, MartianQueryModifier:
		return []string{"scope", "name", "value"}
	case MartianHeaderCopy:
		return []string{"scope", "from", "to"}
	case MartianHeaderBlacklist:
		return []string{"scope", "names"}
	case MartianHeaderID:
		return []string{"scope"}
	case MartianHeaderFilter, MartianQueryFilter:
		return []string{"scope", "name", "value", "modifier", "else"}
	case MartianHeaderRegexFilter:
		return []string{"scope", "header", "regex", "name", "value", "modifier", "else"}
	case MartianURLModifier:
		return []string{"scope", "scheme", "host", "path", "query"}
	case MartianURLFilter:
		return []string{"scope", "scheme", "host", "path", "query", "modifier", "else"}
	case MartianBodyModifier:
		return []string{"scope", "contentType", "body"}
	case MartianCookieModifier:
		return []string{"scope", "name", "value", "path", "domain", "expires", "secure", "httpOnly", "maxAge"}
	case MartianPortModifier:
		return []string{"scope", "port", "defaultForScheme", "remove"}
	case MartianStashModifier:
		return []string{"scope", "headerName"}
	case MartianFifoGroup:
		return []string{"scope", "modifiers", "aggregateErrors"}
	case MartianPriorityGroup:
		return []string{"scope", "modifiers"}
	}
	return nil
}

// martianNamespace decodes "modifier/martian" (§17.15) into b.Martian.
func (l *loader) martianNamespace(b *Backend, v *node, base, key string) {
	if m := l.martianModifier(v, keyPath(base, key)); m != nil {
		b.Martian = m
	}
}

// martianModifier decodes the object v (at path), which holds exactly one
// modifier keyed by its type. It returns nil after reporting an error.
func (l *loader) martianModifier(v *node, path string) *Martian {
	if v.kind != kindObject {
		l.errNode(v, path, "expected an object, got "+v.kind.String(), "")
		return nil
	}
	var found *member
	extra := false
	for m := range v.schemaMembers() {
		if found != nil {
			l.errAt(m.pos, keyPath(path, m.key), "more than one modifier in one object",
				`put several modifiers in a "fifo.Group"`)
			extra = true
			continue
		}
		found = m
	}
	if found == nil {
		l.errNode(v, path, "expected exactly one modifier, found none", `e.g. {"header.Modifier": {"name": "X-Example", "value": "1"}}`)
		return nil
	}
	if extra {
		return nil
	}
	typ := found.key
	sides, ok := martianSides(typ)
	if !ok {
		hint := "supported: header.Modifier, header.Append, header.Copy, header.Blacklist, header.Id, " +
			"header.Filter, header.RegexFilter, querystring.Modifier, querystring.Filter, url.Modifier, " +
			"url.Filter, body.Modifier, cookie.Modifier, port.Modifier, stash.Modifier, fifo.Group, priority.Group"
		if sug, _ := suggest(typ, martianTypes); sug != "" {
			hint = "did you mean " + quoteJSON(sug) + "?"
		}
		l.errAt(found.pos, keyPath(path, typ), "martian modifier "+quoteJSON(typ)+" not supported", hint)
		return nil
	}
	return l.martianFields(typ, sides, &found.val, path, typ)
}

// martianFields decodes the fields object of a modifier of type typ.
func (l *loader) martianFields(typ string, sides [2]bool, v *node, base, key string) *Martian {
	if !l.object(v, base, key) {
		return nil
	}
	path := keyPath(base, key)
	out := &Martian{Type: typ, JSONPath: path, Request: sides[0], Response: sides[1]}
	nerr := len(l.errs) + l.errsDropped
	keys := martianKeys(typ)
	var nodes = make(map[string]*member, len(keys))
	for m := range v.schemaMembers() {
		if !contains(keys, m.key) {
			if sug, _ := suggest(m.key, keys); sug != "" {
				l.errAt(m.pos, keyPath(path, m.key), "unknown key", "did you mean "+quoteJSON(sug)+"?")
			} else {
				l.warnAt(m.pos, keyPath(path, m.key), "unknown key "+quoteJSON(m.key)+" ignored, as KrakenD does", "")
			}
			continue
		}
		nodes[m.key] = m
	}
	if m := nodes["scope"]; m != nil {
		l.martianScope(out, typ, sides, &m.val, path)
	}
	str := func(k string) (string, *node) {
		m := nodes[k]
		if m == nil {
			return "", nil
		}
		s, ok := l.str(&m.val, path, k)
		if !ok {
			return "", nil
		}
		return s, &m.val
	}
	boolean := func(k string) bool {
		m := nodes[k]
		if m == nil {
			return false
		}
		on, _ := l.boolean(&m.val, path, k)
		return on
	}
	header := func(k string, write bool) string {
		s, sn := str(k)
		if sn == nil {
			if nodes[k] == nil {
				l.errNode(v, path, typ+` needs "`+k+`"`, "")
			}
			return ""
		}
		return l.martianHeaderName(s, sn, keyPath(path, k), write)
	}
	value := func(k string) string {
		s, sn := str(k)
		if sn != nil && !httpsyntax.IsFieldValue(s) {
			l.errNode(sn, keyPath(path, k), k+" contains a control character", "")
		}
		return s
	}
	sub := func(k string, required bool) *Martian {
		m := nodes[k]
		if m == nil {
			if required {
				l.errNode(v, path, typ+" needs a \""+k+"\" modifier", `e.g. "`+k+`": {"header.Modifier": {...}}`)
			}
			return nil
		}
		return l.martianModifier(&m.val, keyPath(path, k))
	}

	switch typ {
	case MartianHeaderModifier, MartianHeaderAppend:
		out.Name, out.Value = header("name", true), value("value")
	case MartianHeaderCopy:
		out.From, out.To = header("from", true), header("to", true)
	case MartianHeaderBlacklist:
		m := nodes["names"]
		if m == nil {
			l.errNode(v, path, `header.Blacklist needs "names"`, `e.g. "names": ["X-Debug"]`)
			break
		}
		names, ok := l.strList(&m.val, path, "names")
		if !ok {
			break
		}
		if len(names) == 0 {
			l.errNode(&m.val, keyPath(path, "names"), "empty names: the modifier would do nothing", "list the headers to remove")
		}
		for i, n := range names {
			e := &m.val.elems[i]
			out.Names = append(out.Names, l.martianHeaderName(n, e, keyIndexPath(path, "names", i), true))
		}
	case MartianHeaderID:
	case MartianHeaderFilter, MartianHeaderRegexFilter:
		nameKey, valueKey := "name", "value"
		if typ == MartianHeaderRegexFilter {
			// Martian spells them "header" and "regex"; "name" and
			// "value" are accepted as well.
			if nodes["header"] != nil || nodes["name"] == nil {
				nameKey = "header"
				l.martianExclusive(nodes, path, "header", "name")
			}
			if nodes["regex"] != nil || nodes["value"] == nil {
				valueKey = "regex"
				l.martianExclusive(nodes, path, "regex", "value")
			}
		}
		out.Name = header(nameKey, false)
		val, vn := str(valueKey)
		if vn != nil && typ == MartianHeaderFilter && !httpsyntax.IsFieldValue(val) {
			l.errNode(vn, keyPath(path, valueKey), "value contains a control character", "")
		}
		if typ == MartianHeaderRegexFilter {
			if vn == nil && nodes[valueKey] == nil {
				l.errNode(v, path, `header.RegexFilter needs "regex"`, "")
			} else if vn != nil {
				if _, err := regexp.Compile(val); err != nil {
					l.errNode(vn, keyPath(path, valueKey), "invalid regular expression "+quoteJSON(val), err.Error())
				}
			}
		}
		out.Value = val
		out.Then, out.Else = sub("modifier", true), sub("else", false)
	case MartianQueryModifier, MartianQueryFilter:
		name, nn := str("name")
		if nn == nil && nodes["name"] == nil || nn != nil && name == "" {
			l.errNode(v, path, typ+` needs a non-empty "name"`, "")
		}
		val, vn := str("value")
		if nn != nil && !httpsyntax.IsFieldValue(name) {
			l.errNode(nn, keyPath(path, "name"), "name contains a control character", "")
		}
		if vn != nil && !httpsyntax.IsFieldValue(val) {
			l.errNode(vn, keyPath(path, "value"), "value contains a control character", "")
		}
		out.Name, out.Value = name, val
		if typ == MartianQueryFilter {
			out.Then, out.Else = sub("modifier", true), sub("else", false)
		}
	case MartianURLModifier, MartianURLFilter:
		l.martianURL(out, str, path, typ == MartianURLFilter)
		if typ == MartianURLFilter {
			out.Then, out.Else = sub("modifier", true), sub("else", false)
		} else if out.Scheme == "" && out.Path == "" && out.Query == "" && nerr == len(l.errs)+l.errsDropped {
			l.errNode(v, path, "url.Modifier changes nothing", `set "scheme", "path" or "query"`)
		}
	case MartianBodyModifier:
		out.ContentType = value("contentType")
		b64, bn := str("body")
		if bn != nil {
			body, err := base64.StdEncoding.DecodeString(b64)
			switch {
			case err != nil:
				l.errNode(bn, keyPath(path, "body"), "body is not valid base64", "encode the body with standard base64 (RFC 4648, with padding)")
			case len(body) > MartianMaxBodyBytes:
				l.errNode(bn, keyPath(path, "body"), "body larger than 1 MiB", "")
			default:
				out.Body = body
			}
		}
	case MartianCookieModifier:
		l.martianCookie(out, str, boolean, nodes, v, path)
	case MartianPortModifier:
		if m := nodes["port"]; m != nil {
			if p, ok := l.intRange(&m.val, path, "port", 0, 65535); ok {
				out.Port = int(p)
			}
		}
		out.DefaultForScheme, out.Remove = boolean("defaultForScheme"), boolean("remove")
		set := 0
		for _, on := range []bool{out.Port != 0, out.DefaultForScheme, out.Remove} {
			if on {
				set++
			}
		}
		if set != 1 && nerr == len(l.errs)+l.errsDropped {
			l.errNode(v, path, "port.Modifier needs exactly one of port, defaultForScheme or remove", "")
		}
	case MartianStashModifier:
		out.HeaderName = header("headerName", true)
	case MartianFifoGroup, MartianPriorityGroup:
		out.AggregateErrors = boolean("aggregateErrors")
		m := nodes["modifiers"]
		if m == nil {
			l.errNode(v, path, typ+` needs "modifiers"`, "")
			break
		}
		mv := &m.val
		if mv.kind != kindArray {
			l.wrongType(mv, path, "modifiers", "an array", "")
			break
		}
		if len(mv.elems) == 0 {
			l.errNode(mv, keyPath(path, "modifiers"), "empty modifiers: the group would do nothing", "")
			break
		}
		mpath := keyPath(path, "modifiers")
		for i := range mv.elems {
			e := &mv.elems[i]
			if typ == MartianFifoGroup {
				out.Modifiers = append(out.Modifiers, l.martianModifier(e, indexPath(mpath, i)))
				continue
			}
			prio, mod := l.martianPriorityEntry(e, indexPath(mpath, i))
			out.Modifiers = append(out.Modifiers, mod)
			out.Priorities = append(out.Priorities, prio)
		}
	}
	if nerr != len(l.errs)+l.errsDropped {
		return nil
	}
	return out
}

// martianPriorityEntry decodes one {"priority": n, "modifier": {...}}.
func (l *loader) martianPriorityEntry(e *node, path string) (int64, *Martian) {
	if e.kind != kindObject {
		l.errNode(e, path, "expected an object, got "+e.kind.String(), `e.g. {"priority": 10, "modifier": {...}}`)
		return 0, nil
	}
	var prio int64
	var mod *Martian
	seen := false
	for m := range e.schemaMembers() {
		switch m.key {
		case "priority":
			prio, _ = l.integer(&m.val, path, "priority")
		case "modifier":
			seen = true
			mod = l.martianModifier(&m.val, keyPath(path, "modifier"))
		default:
			if sug, _ := suggest(m.key, []string{"priority", "modifier"}); sug != "" {
				l.errAt(m.pos, keyPath(path, m.key), "unknown key", "did you mean "+quoteJSON(sug)+"?")
			} else {
				l.warnAt(m.pos, keyPath(path, m.key), "unknown key "+quoteJSON(m.key)+" ignored, as KrakenD does", "")
			}
		}
	}
	if !seen {
		l.errNode(e, path, `priority.Group entry needs a "modifier"`, "")
	}
	return prio, mod
}

// martianExclusive reports an object that sets both spellings a and b of
// one field.
func (l *loader) martianExclusive(nodes map[string]*member, path, a, b string) {
	if nodes[a] != nil && nodes[b] != nil {
		m := nodes[b]
		l.errAt(m.pos, keyPath(path, m.key), quoteJSON(b)+" and "+quoteJSON(a)+" are the same field", "keep "+quoteJSON(a))
	}
}

// martianScope decodes scope into out's sides.
func (l *loader) martianScope(out *Martian, typ string, sides [2]bool, n *node, path string) {
	list, ok := l.strList(n, path, "scope")
	if !ok {
		return
	}
	if len(list) == 0 {
		l.errNode(n, keyPath(path, "scope"), "empty scope: the modifier would never run",
			`use ["request"], ["response"] or both; omit scope for every side the modifier has`)
		return
	}
	out.Request, out.Response = false, false
	for i, s := range list {
		e := &n.elems[i]
		ep := keyIndexPath(path, "scope", i)
		switch s {
		case "request":
			if !sides[0] {
				l.errNode(e, ep, typ+" has no request side", `use ["response"]`)
			}
			out.Request = true
		case "response":
			if !sides[1] {
				l.errNode(e, ep, typ+" has no response side", `use ["request"]`)
			}
			out.Response = true
		default:
			l.errNode(e, ep, "invalid scope "+quoteJSON(s), `use "request" or "response"`)
		}
	}
}

// martianForbidden reports header names a modifier may not write: those
// the gateway or the HTTP connection manages.
func martianForbidden(name string) bool {
	return name == "Host" || name == "Content-Length" || httpsyntax.IsHopByHop(name)
}

// martianHeaderName checks the header name s (the value n at path): a
// token, and, when the modifier writes it (write), not one the gateway or
// the connection manages. It returns the canonical form.
func (l *loader) martianHeaderName(s string, n *node, path string, write bool) string {
	if !httpsyntax.IsToken(s) {
		l.errNode(n, path, "invalid header name "+quoteJSON(s), "")
		return ""
	}
	name := http.CanonicalHeaderKey(s)
	if write && martianForbidden(name) {
		l.errNode(n, path, "header "+quoteJSON(name)+" cannot be changed by a modifier",
			"the gateway manages Host, Content-Length and the hop-by-hop headers itself")
		return ""
	}
	return name
}

// martianURL decodes the URL parts of url.Modifier and url.Filter.
func (l *loader) martianURL(out *Martian, str func(string) (string, *node), path string, filter bool) {
	if s, n := str("scheme"); n != nil {
		switch {
		case s == "":
		case s == "http" || s == "https":
			out.Scheme = s
		default:
			l.errNode(n, keyPath(path, "scheme"), "scheme "+quoteJSON(s)+" not supported", `use "http" or "https"`)
		}
	}
	if s, n := str("host"); n != nil && s != "" {
		if !filter {
			l.errNode(n, keyPath(path, "host"), "url.Modifier cannot change the host",
				`the backend host comes from the backend's "host" list; declare another backend for another host`)
		} else if !validURLHost(s) {
			l.errNode(n, keyPath(path, "host"), "invalid host "+quoteJSON(s), "")
		} else {
			out.Host = strings.ToLower(s)
		}
	}
	if s, n := str("path"); n != nil && s != "" {
		if s[0] != '/' || strings.ContainsAny(s, "?#\t") || !httpsyntax.IsFieldValue(s) {
			l.errNode(n, keyPath(path, "path"), "invalid path "+quoteJSON(s), `a path starts with "/" and holds no "?", "#" or control character`)
		} else {
			out.Path = s
		}
	}
	if s, n := str("query"); n != nil && s != "" {
		if _, err := url.ParseQuery(s); err != nil || !validURLText(s) || strings.Contains(s, "#") {
			l.errNode(n, keyPath(path, "query"), "invalid query "+quoteJSON(s), `write it encoded and without "?", e.g. "a=1&b=x%20y"`)
		} else {
			out.Query = s
		}
	}
}

// validURLText reports a URL part with no space, control or non-ASCII
// byte.
func validURLText(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

// validURLHost reports a url.Filter host: host[:port], optionally starting
// with "*." to match any subdomain.
func validURLHost(s string) bool {
	u, err := url.Parse("http://" + strings.TrimPrefix(s, "*."))
	return err == nil && validURLText(s) && u.Host == strings.TrimPrefix(s, "*.") && u.Hostname() != ""
}

// martianCookie decodes cookie.Modifier.
func (l *loader) martianCookie(out *Martian, str func(string) (string, *node), boolean func(string) bool,
	nodes map[string]*member, v *node, path string) {
	name, nn := str("name")
	switch {
	case nn == nil:
		if nodes["name"] == nil {
			l.errNode(v, path, `cookie.Modifier needs "name"`, "")
		}
	case !httpsyntax.IsToken(name):
		l.errNode(nn, keyPath(path, "name"), "invalid cookie name "+quoteJSON(name), "")
	default:
		out.Name = name
	}
	if s, n := str("value"); n != nil {
		if !validCookieValue(s) {
			l.errNode(n, keyPath(path, "value"), "invalid cookie value "+quoteJSON(s),
				`a cookie value holds no space, control character, DQUOTE, comma, semicolon or backslash`)
		} else {
			out.Value = s
		}
	}
	for _, k := range []string{"path", "domain"} {
		s, n := str(k)
		if n == nil {
			continue
		}
		if !validURLText(s) || strings.Contains(s, ";") {
			l.errNode(n, keyPath(path, k), "invalid cookie "+k+" "+quoteJSON(s), "")
			continue
		}
		if k == "path" {
			out.Path = s
		} else {
			out.Domain = s
		}
	}
	if s, n := str("expires"); n != nil && s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			l.errNode(n, keyPath(path, "expires"), "invalid expires "+quoteJSON(s), `use RFC 3339, e.g. "2030-01-02T15:04:05Z"`)
		} else {
			out.Expires = t
		}
	}
	if m := nodes["maxAge"]; m != nil {
		if n, ok := l.intRange(&m.val, path, "maxAge", -1, 1<<31-1); ok {
			out.MaxAge = int(n)
		}
	}
	out.Secure, out.HTTPOnly = boolean("secure"), boolean("httpOnly")
	if out.Name != "" {
		// The checks Go applies when it writes Set-Cookie (it would drop a
		// bad attribute and log at request time).
		c := http.Cookie{Name: out.Name, Value: out.Value, Path: out.Path, Domain: out.Domain, Expires: out.Expires}
		if err := c.Valid(); err != nil {
			l.errNode(v, path, "invalid cookie: "+err.Error(), "")
		}
	}
}

// validCookieValue reports an RFC 6265 cookie-value without quotes.
func validCookieValue(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '"' || c == ',' || c == ';' || c == '\\' {
			return false
		}
	}
	return true
}
