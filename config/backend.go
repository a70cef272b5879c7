package config

import (
	"strings"

	"github.com/tributary-gw/tributary/internal/dotpath"
	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// shapingKeys are the backend keys that shape a decoded response; a no-op
// backend ignores them (§10, §13).
var shapingKeys = [...]string{"target", "allow", "deny", "mapping", "group", "is_collection"}

// backendNodes are the backend values that endpoint-level checks point at.
type backendNodes struct {
	encoding   *node
	encodingOK bool
	// shaping holds, per entry of shapingKeys, the key's member when it is
	// present with a value that would shape the response.
	shaping           [len(shapingKeys)]*member
	group             *node
	returnErrorCode   *node
	returnErrorCodeAt at
}

// backend decodes one backend object (§5).
func (l *loader) backend(c *Config, st *serviceState, e *Endpoint, tplOK bool, v *node, idx int) (*Backend, backendNodes) {
	var bn backendNodes
	path := keyIndexPath(e.JSONPath, "backend", idx)
	if v.kind != kindObject {
		l.errAt(v.pos, path, "expected a backend object, got "+v.kind.String(), "")
		return nil, bn
	}
	b := &Backend{
		JSONPath:         path,
		Pos:              v.pos,
		Method:           e.Method,
		Encoding:         EncodingJSON,
		MaxResponseBytes: c.MaxBackendResponseBytes,
		MaxRedirects:     DefaultMaxRedirects,
	}
	var urlNode, denyNode, hostNode *node
	hostSeen, hostBad := false, false
	var ext backendExtras
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "url_pattern":
			urlNode = mv
		case "host":
			hostNode = mv // decoded after the loop: disable_host_sanitize may follow
		case "method":
			if s, ok := l.str(mv, path, m.key); ok {
				b.Method = l.backendMethod(mv, at{path, m.key}, s, b.Method)
			}
		case "encoding":
			bn.encoding = mv
			if s, ok := l.str(mv, path, m.key); ok {
				b.Encoding, bn.encodingOK = l.backendEncoding(mv, at{path, m.key}, s)
			}
		case "is_collection":
			l.setBool(&b.IsCollection, mv, path, m.key)
			bn.shape(5, m, b.IsCollection)
		case "target":
			if s, ok := l.str(mv, path, m.key); ok && s != "" {
				if r := dotPathProblem(s); r != "" {
					l.errNode(mv, keyPath(path, m.key), r, "")
				} else {
					b.Target = s
				}
			}
			bn.shape(0, m, b.Target != "")
		case "allow":
			b.Allow = l.dotPathList(mv, path, m.key)
			l.allowOverlap(mv, at{path, m.key})
			bn.shape(1, m, len(b.Allow) > 0)
		case "deny":
			denyNode = mv
			b.Deny = l.dotPathList(mv, path, m.key)
			bn.shape(2, m, len(b.Deny) > 0)
		case "mapping":
			b.Mapping = l.mapping(mv, path, m.key)
			bn.shape(3, m, len(b.Mapping) > 0)
		case "group":
			bn.group = mv
			b.Group, _ = l.str(mv, path, m.key)
			bn.shape(4, m, b.Group != "")
		case "input_headers":
			b.InputHeaders = l.backendFilter(mv, path, m.key, true)
		case "input_query_strings":
			b.InputQueryStrings = l.backendFilter(mv, path, m.key, false)
		case "sd":
			if s, ok := l.str(mv, path, m.key); ok {
				switch s {
				case "static":
				case "dns", "dns-shared":
					l.errNode(mv, keyPath(path, m.key), "service discovery "+quoteJSON(s)+" not supported yet", `use "static" with a host list`)
				default:
					l.errNode(mv, keyPath(path, m.key), "unknown service discovery "+quoteJSON(s), `only "static" is supported`)
				}
			}
		case "sd_scheme":
			if s, ok := l.str(mv, path, m.key); ok && s != "http" {
				l.errNode(mv, keyPath(path, m.key), "sd_scheme "+quoteJSON(s)+" not supported",
					`it only applies to service discovery; put the scheme in "host"`)
			}
		case "disable_host_sanitize":
			l.setBool(&b.DisableHostSanitize, mv, path, m.key)
		case "timeout":
			if d, ok := l.positiveTimeout(mv, path, m.key,
				"0 does not disable the timeout; remove the key to use the endpoint timeout"); ok {
				if d >= e.Timeout {
					l.warnAt(mv.pos, keyPath(path, m.key), "backend timeout "+d.String()+
						" has no effect: the endpoint timeout "+e.Timeout.String()+" ends the call first",
						"use a value below the endpoint timeout, or remove it")
				} else {
					b.Timeout = d
				}
			}
		case "extra_config":
			ext = l.backendExtra(b, mv, path)
		default:
			l.unknownKey(objBackend, path, m)
		}
	}
	if hostNode != nil {
		var hosts []string
		if b.DisableHostSanitize {
			hosts, hostBad = l.rawHostList(hostNode, path, "host")
		} else {
			hosts, hostBad = l.hostList(hostNode, path, "host")
		}
		if len(hosts) > 0 || hostBad {
			b.Host, hostSeen = hosts, true
		}
	}
	if urlNode == nil {
		l.errAt(v.pos, path, `missing required key "url_pattern"`, `add the upstream path, e.g. "url_pattern": "/v1/users/{id}"`)
	} else {
		l.urlPattern(b, e, tplOK, urlNode, path, idx)
	}
	if b.Lambda != nil {
		l.lambdaChecks(e, b, hostNode)
	}
	if b.GraphQL != nil {
		l.graphqlChecks(e, b)
	}
	if !hostSeen && b.Lambda == nil {
		switch {
		case len(st.hosts) > 0:
			b.Host = st.hosts
		case st.hostsBad:
		case hostNode != nil:
			l.errNode(hostNode, keyPath(path, "host"), "empty host list, and the service declares no host",
				"list at least one base URL here or in the service host")
		default:
			l.errAt(v.pos, path, `missing required key "host"`, "set host on the backend or at the service level")
		}
	}
	if ext.returnErrorCode != nil && ext.returnErrorDetails != nil {
		l.errNode(ext.returnErrorDetails, ext.detailsAt.String(), "return_error_code and return_error_details cannot be combined",
			"keep one of them")
	}
	bn.returnErrorCode, bn.returnErrorCodeAt = ext.returnErrorCode, ext.codeAt
	if len(b.Allow) > 0 && denyNode != nil && len(b.Deny) > 0 {
		l.warnAt(denyNode.pos, keyPath(path, "deny"), "deny is ignored because allow is set", "keep one of them")
	}
	l.checkTargetArrays(b, v)
	return b, bn
}

// shape records the shaping key shapingKeys[i] when set is true.
func (bn *backendNodes) shape(i int, m *member, set bool) {
	if set {
		bn.shaping[i] = m
	}
}

// ignoreShaping warns about, and clears, the shaping keys of a no-op
// backend: its response is never decoded, so they cannot apply (§10, §13).
func (l *loader) ignoreShaping(b *Backend, bn *backendNodes) {
	for i, m := range bn.shaping {
		if m != nil {
			l.warnAt(m.pos, keyPath(b.JSONPath, m.key), quoteJSON(shapingKeys[i])+
				` is ignored: the response of a "no-op" backend is not decoded, as KrakenD does`, "remove it")
		}
	}
	b.Target, b.Allow, b.Deny, b.Mapping, b.Group, b.IsCollection = "", nil, nil, nil, "", false
}

// backendMethod upper-cases and checks a backend method: any RFC 9110 token.
func (l *loader) backendMethod(v *node, loc at, s, fallback string) string {
	if !httpsyntax.IsToken(s) {
		l.errNode(v, loc.String(), "invalid method "+quoteJSON(s), "use an HTTP method such as GET or POST")
		return fallback
	}
	up := strings.ToUpper(s)
	if up != s {
		l.warnAt(v.pos, loc.String(), "method "+quoteJSON(s)+" upper-cased to "+quoteJSON(up), "write it in upper case")
	}
	return up
}

// backendEncoding lower-cases and checks a backend encoding (§10).
func (l *loader) backendEncoding(v *node, loc at, s string) (string, bool) {
	low := strings.ToLower(s)
	switch low {
	case EncodingJSON, EncodingSafeJSON, EncodingString, EncodingNoOp, EncodingXML, EncodingRSS:
		if low != s {
			l.warnAt(v.pos, loc.String(), "encoding "+quoteJSON(s)+" lower-cased to "+quoteJSON(low), "write it in lower case")
		}
		return low, true
	case "yaml":
		l.errNode(v, loc.String(), "encoding "+quoteJSON(s)+" not supported yet", "")
		return EncodingJSON, false
	case "fast-json":
		l.warnAt(v.pos, loc.String(), `encoding "fast-json" (KrakenD Enterprise) decoded as "json", as KrakenD CE does`,
			`write "json"`)
		return EncodingJSON, true
	}
	// KrakenD CE decodes any other value as json (§2.2 rule 5, §10).
	hint := "use json, safejson, string, xml, rss or no-op"
	if sug, _ := suggest(low, []string{EncodingJSON, EncodingSafeJSON, EncodingString, EncodingNoOp, EncodingXML, EncodingRSS}); sug != "" {
		hint = "did you mean " + quoteJSON(sug) + "?"
	}
	l.warnAt(v.pos, loc.String(), "unknown encoding "+quoteJSON(s)+` decoded as "json", as KrakenD does`, hint)
	return EncodingJSON, true
}

// backendFilter decodes a backend input_headers / input_query_strings list:
// empty means inherit (nil); [""] forwards none.
func (l *loader) backendFilter(v *node, base, key string, headers bool) []string {
	list, ok := l.strList(v, base, key)
	if !ok || len(list) == 0 {
		return nil
	}
	if len(list) == 1 && list[0] == "" {
		return list
	}
	for i, s := range list {
		if s == "" {
			l.errAt(v.elems[i].pos, keyIndexPath(base, key, i), "empty entry in a non-empty list",
				`[""] alone forwards nothing; otherwise list names`)
			return nil
		}
	}
	if headers && !l.headerNames(v, base, key, list, true) {
		return nil
	}
	return list
}

// dotPathProblem checks a dot path (target, allow, deny entries) with the
// rules of package dotpath, which the shaping engine applies too.
func dotPathProblem(s string) string {
	switch dotpath.Check(s) {
	case nil:
		return ""
	case dotpath.ErrEmpty:
		return "empty dot path"
	case dotpath.ErrEmptySegment:
		return "empty segment in dot path " + quoteJSON(s)
	default: // the decoder only makes valid UTF-8
		return "dot path " + quoteJSON(s) + " is not valid UTF-8"
	}
}

// dotPathList decodes a list of dot paths. Invalid entries are reported
// and left out.
func (l *loader) dotPathList(v *node, base, key string) []string {
	list, _ := l.strList(v, base, key)
	out := list[:0]
	for i, s := range list {
		if r := dotPathProblem(s); r != "" {
			l.errAt(v.elems[i].pos, keyIndexPath(base, key, i), r, "")
			continue
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// allowOverlap reports allow entries where one equals the other or is a
// prefix of it at a "." boundary (§11.2): KrakenD would silently drop data.
// The later entry of each pair is reported.
func (l *loader) allowOverlap(v *node, loc at) {
	if v.kind != kindArray || len(v.elems) < 2 {
		return
	}
	valid := func(e *node) bool { return e.kind == kindString && dotPathProblem(e.text) == "" }
	first := make(map[string]int, len(v.elems))
	for i := range v.elems {
		if e := &v.elems[i]; valid(e) {
			if _, seen := first[e.text]; !seen {
				first[e.text] = i
			}
		}
	}
	for j := range v.elems {
		e := &v.elems[j]
		if !valid(e) {
			continue
		}
		s := e.text
		if first[s] != j {
			l.errAt(e.pos, keyIndexPath(loc.base, loc.key, j), "allow entry "+quoteJSON(s)+" is listed twice", "keep one")
			continue
		}
		for k := 0; k < len(s); k++ {
			if s[k] != dotpath.Sep {
				continue
			}
			if i, ok := first[s[:k]]; ok {
				at := max(i, j)
				l.errAt(v.elems[at].pos, keyIndexPath(loc.base, loc.key, at),
					"allow entries "+quoteJSON(s[:k])+" and "+quoteJSON(s)+" overlap", "keep one")
				break
			}
		}
	}
}

// mapping decodes a mapping object (§11.4). It is a free-form map: keys
// that look like comments are field names here.
func (l *loader) mapping(v *node, base, key string) []Rename {
	if !l.object(v, base, key) {
		return nil
	}
	out := make([]Rename, 0, len(v.members))
	var targets map[string]string // built only for large mappings
	if len(v.members) > 16 {
		targets = make(map[string]string, len(v.members))
	}
	for i := range v.members {
		m := &v.members[i]
		mv := &m.val
		mp := func() string { return keyPath(keyPath(base, key), m.key) }
		if mv.kind != kindString {
			l.errNode(mv, mp(), "expected a string, got "+mv.kind.String(), "")
			continue
		}
		to := mv.text
		switch {
		case to == "":
			l.errNode(mv, mp(), "empty mapping target", "")
			continue
		case strings.Contains(to, "."):
			l.errNode(mv, mp(), "mapping target "+quoteJSON(to)+` contains "."`,
				"mapping renames top-level keys only; use group to nest")
			continue
		}
		if from, dup := mappedFrom(out, targets, to); dup {
			l.errNode(mv, mp(), "keys "+quoteJSON(from)+" and "+quoteJSON(m.key)+" are both mapped to "+quoteJSON(to),
				"map each target once")
			continue
		}
		if targets != nil {
			targets[to] = m.key
		}
		out = append(out, Rename{From: m.key, To: to})
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// mappedFrom finds the source already mapped to target.
func mappedFrom(out []Rename, targets map[string]string, to string) (string, bool) {
	if targets != nil {
		from, ok := targets[to]
		return from, ok
	}
	for _, r := range out {
		if r.To == to {
			return r.From, true
		}
	}
	return "", false
}

// urlPattern decodes url_pattern and checks its placeholders (§6.1).
func (l *loader) urlPattern(b *Backend, e *Endpoint, tplOK bool, v *node, base string, idx int) {
	loc := at{base, "url_pattern"}
	s, ok := l.str(v, base, "url_pattern")
	if !ok {
		return
	}
	if s == "" {
		l.errNode(v, loc.String(), "empty url_pattern", `use "/" for the host's root`)
		return
	}
	if !strings.HasPrefix(s, "/") {
		l.warnAt(v.pos, loc.String(), `missing leading "/" added to url_pattern `+quoteJSON(s), `write "/`+s+`"`)
		s = "/" + s
	}
	if r := urlPatternChar(s); r != "" {
		l.errNode(v, loc.String(), "invalid url_pattern "+quoteJSON(s)+": "+r, "")
		return
	}
	var undefined []string
	r := scanPlaceholders(s, func(name string) {
		if !contains(e.Params, name) {
			undefined = append(undefined, name)
		}
	})
	if r != "" {
		l.errNode(v, loc.String(), "invalid url_pattern "+quoteJSON(s)+": "+r, "")
		return
	}
	b.URLPattern = s
	for _, name := range undefined {
		switch {
		case isRespPlaceholder(name):
			l.respPlaceholder(e, v, loc, name, idx)
		case strings.HasPrefix(name, "JWT."):
			claim := name[len("JWT."):]
			switch {
			case claim == "":
				l.errNode(v, loc.String(), "placeholder {"+name+"} names no claim", `write e.g. {JWT.sub}`)
			case strings.Contains(claim, "."):
				l.errNode(v, loc.String(), "placeholder {"+name+"}: nested claims cannot be used in url_pattern", "only top-level claims can")
			case e.Validator == nil || e.Validator.fromTributary:
				l.errNode(v, loc.String(), "placeholder {"+name+"} needs auth/validator on the endpoint", "")
			}
		case tplOK:
			l.errNode(v, loc.String(), "undefined placeholder "+quoteJSON(name)+" in backend "+itoa(idx)+" of "+e.Method+" "+e.Path,
				placeholderHint(name, e.Params))
		}
	}
}

func placeholderHint(name string, params []string) string {
	if len(params) == 0 {
		return "the endpoint template declares no placeholders"
	}
	if sug, _ := suggest(name, params); sug != "" {
		return "did you mean {" + sug + "}?"
	}
	return "the endpoint declares {" + strings.Join(params, "}, {") + "}"
}

// isRespPlaceholder reports the sequential-proxy form resp<N>[_<path>].
func isRespPlaceholder(name string) bool {
	rest, ok := strings.CutPrefix(name, "resp")
	if !ok || rest == "" || rest[0] < '0' || rest[0] > '9' {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if rest[i] == '_' {
			return true
		}
		if rest[i] < '0' || rest[i] > '9' {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
