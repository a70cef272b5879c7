package config

import (
	"strconv"
	"strings"

	"github.com/tributary-gw/tributary/internal/dotpath"
	"github.com/tributary-gw/tributary/internal/flatmapspec"
)

// proxyNodes are the endpoint proxy options' nodes, kept while the
// endpoint loads for the checks that need its backends.
type proxyNodes struct {
	path       string
	sequential *node
	propagated *node
	static     *node
	flatmap    *node
}

// Static strategies (§12.3).
const (
	StaticAlways     = "always"
	StaticSuccess    = "success"
	StaticComplete   = "complete"
	StaticErrored    = "errored"
	StaticIncomplete = "incomplete"
)

// proxyStatic decodes proxy.static: {"strategy": "...", "data": {...}}.
func (l *loader) proxyStatic(v *node, base, key string) *Static {
	if !l.object(v, base, key) {
		return nil
	}
	path := keyPath(base, key)
	s := &Static{Strategy: StaticAlways}
	ok, hasData := true, false
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "strategy":
			str, good := l.str(mv, path, m.key)
			if !good {
				ok = false
				continue
			}
			switch str {
			case StaticAlways, StaticSuccess, StaticComplete, StaticErrored, StaticIncomplete:
				s.Strategy = str
			default:
				hint := `use "always", "success", "complete", "errored" or "incomplete"`
				if sug, _ := suggest(str, []string{StaticAlways, StaticSuccess, StaticComplete, StaticErrored, StaticIncomplete}); sug != "" {
					hint = "did you mean " + quoteJSON(sug) + "?"
				}
				l.errNode(mv, keyPath(path, m.key), "unknown static strategy "+quoteJSON(str), hint)
				ok = false
			}
		case "data":
			hasData = true
			if mv.kind != kindObject {
				l.wrongType(mv, path, m.key, "an object", "")
				ok = false
				continue
			}
			s.Data = appendCompact(nil, mv, 0)
		default:
			l.unknownKey(objProxyStatic, path, m)
		}
	}
	if !hasData {
		l.errNode(v, path, `missing required key "data"`, `the static data is an object, e.g. "data": {"promo": null}`)
		ok = false
	}
	if !ok {
		return nil
	}
	return s
}

// flatmapFilter decodes a flatmap_filter list and checks each operation
// with the same rules the shaping engine applies (§11.6).
func (l *loader) flatmapFilter(v *node, base, key string) []FlatmapOp {
	if v.kind != kindArray {
		l.wrongType(v, base, key, `an array of operations, e.g. [{"type": "del", "args": ["a.b"]}]`, "")
		return nil
	}
	path := keyPath(base, key)
	out := make([]FlatmapOp, 0, len(v.elems))
	ok := true
	for i := range v.elems {
		e := &v.elems[i]
		at := indexPath(path, i)
		if e.kind != kindObject {
			l.errAt(e.pos, at, "expected an operation object, got "+e.kind.String(), `write {"type": "move", "args": ["a", "b"]}`)
			ok = false
			continue
		}
		var op FlatmapOp
		var typeNode, argsNode *node
		for m := range e.schemaMembers() {
			mv := &m.val
			switch m.key {
			case "type":
				if s, good := l.str(mv, at, m.key); good {
					op.Type, typeNode = s, mv
				}
			case "args":
				if list, good := l.strList(mv, at, m.key); good {
					op.Args, argsNode = list, mv
				}
			default:
				l.unknownKey(objFlatmapOp, at, m)
			}
		}
		switch {
		case typeNode == nil:
			l.errAt(e.pos, at, `missing required key "type"`, `use "move", "del" or "append"`)
			ok = false
			continue
		case argsNode == nil:
			l.errAt(e.pos, at, `missing required key "args"`, "list the operation's paths")
			ok = false
			continue
		}
		kind, known := flatmapspec.ParseKind(op.Type)
		if !known {
			hint := `use "move", "del" or "append"`
			if sug, _ := suggest(op.Type, []string{"move", "del", "append"}); sug != "" {
				hint = "did you mean " + quoteJSON(sug) + "?"
			}
			l.errNode(typeNode, keyPath(at, "type"), "unknown flatmap operation "+quoteJSON(op.Type), hint)
			ok = false
			continue
		}
		if problem, hint := flatmapspec.Check(kind, op.Args); problem != "" {
			l.errNode(argsNode, keyPath(at, "args"), op.Type+": "+problem, hint)
			ok = false
			continue
		}
		out = append(out, op)
	}
	if !ok || len(out) == 0 {
		return nil
	}
	return out
}

// proxyRules applies the proxy rules that need the whole endpoint: the
// sequential proxy (§12.2), static data (§12.3), the endpoint flatmap
// (§11.6), and the backend flatmap lint (§9).
func (l *loader) proxyRules(e *Endpoint, nodes *endpointNodes) {
	for _, b := range e.Backends {
		if len(b.Flatmap) > 0 && (len(b.Allow) > 0 || len(b.Deny) > 0 || len(b.Mapping) > 0) {
			l.warnAt(b.Pos, b.JSONPath, "allow, deny and mapping are ignored because the backend has a flatmap_filter",
				"express them as flatmap operations, or remove them")
		}
	}
	at := e.proxyAt
	if at == nil {
		return
	}
	noop := e.OutputEncoding == OutputNoOp
	if e.Sequential {
		loc := keyPath(at.path, "sequential")
		switch {
		case noop:
			l.errNode(at.sequential, loc, `proxy.sequential cannot serve an output_encoding "no-op" endpoint`,
				"a passthrough has one backend; remove sequential")
		case len(e.Backends) == 1:
			l.warnAt(at.sequential.pos, loc, "proxy.sequential has no effect with one backend", "remove it")
		}
		for _, b := range e.Backends {
			if b.Shadow {
				l.errNode(at.sequential, loc, "proxy.sequential cannot be combined with a shadow backend ("+b.JSONPath+")",
					"remove the shadow backend, or the sequential flag")
				break
			}
		}
	}
	if v := at.propagated; v != nil && len(e.SequentialPropagatedParams) > 0 {
		loc := keyPath(at.path, "sequential_propagated_params")
		ok := true
		for i, p := range e.SequentialPropagatedParams {
			n, _, good := ParseRespName(p)
			switch {
			case !good:
				l.errAt(v.elems[i].pos, keyIndexPath(at.path, "sequential_propagated_params", i),
					"invalid propagated param "+quoteJSON(p), `write resp<N> or resp<N>_<path>, e.g. "resp0_user.id"`)
				ok = false
			case n >= len(e.Backends)-1:
				l.errAt(v.elems[i].pos, keyIndexPath(at.path, "sequential_propagated_params", i),
					"propagated param "+quoteJSON(p)+" refers to backend "+itoa(n)+", which no later backend follows",
					"the endpoint has "+itoa(len(e.Backends))+" backends, numbered from 0")
				ok = false
			}
		}
		if ok {
			hint := "Tributary has no consumer for propagated params yet"
			if !e.Sequential {
				hint = "it has no effect without proxy.sequential: true"
			}
			l.warnAt(v.pos, loc, "sequential_propagated_params is accepted but not used", hint)
		}
	}
	if e.Static != nil && noop {
		l.errNode(at.static, keyPath(at.path, "static"), `proxy.static cannot serve an output_encoding "no-op" endpoint`,
			"a passthrough answers with the backend's own response")
		e.Static = nil
	}
	if len(e.Flatmap) > 0 {
		loc := keyPath(at.path, "flatmap_filter")
		switch {
		case noop:
			l.errNode(at.flatmap, loc, `flatmap_filter cannot apply to an output_encoding "no-op" endpoint`, "")
		case servingBackends(e) < 2:
			l.errNode(at.flatmap, loc, "an endpoint flatmap_filter needs at least 2 backends (shadows do not count)",
				"move it to the backend: extra_config.proxy.flatmap_filter on the backend object")
		}
	}
}

// ParseRespName splits the name of a sequential-proxy placeholder,
// resp<N>[_<path>] (N of 1 to 4 digits), into N and the path segments; the
// path is nil for the bare form. ok is false for any other name.
func ParseRespName(name string) (n int, segs []string, ok bool) {
	rest, found := strings.CutPrefix(name, "resp")
	if !found {
		return 0, nil, false
	}
	digits := 0
	for digits < len(rest) && rest[digits] >= '0' && rest[digits] <= '9' {
		digits++
	}
	if digits == 0 || digits > 4 {
		return 0, nil, false
	}
	n, _ = strconv.Atoi(rest[:digits])
	rest = rest[digits:]
	if rest == "" {
		return n, nil, true
	}
	if rest[0] != '_' {
		return 0, nil, false
	}
	segs, err := dotpath.Split(rest[1:])
	if err != nil {
		return 0, nil, false
	}
	return n, segs, true
}

// respPlaceholder checks a {resp<N>_<path>} placeholder of backend idx
// (§6.1, §12.2).
func (l *loader) respPlaceholder(e *Endpoint, v *node, loc at, name string, idx int) {
	n, segs, ok := ParseRespName(name)
	switch {
	case !e.Sequential:
		l.errNode(v, loc.String(), "placeholder {"+name+"} needs proxy.sequential: true on the endpoint",
			`add "extra_config": {"proxy": {"sequential": true}} to the endpoint`)
	case !ok:
		l.errNode(v, loc.String(), "invalid placeholder {"+name+"}", `write {resp<N>_<path>}, e.g. {resp0_user.id}`)
	case segs == nil:
		l.errNode(v, loc.String(), "placeholder {"+name+"} names no field",
			"a whole response cannot be used in a URL; name a field, e.g. {"+name+"_id}")
	case n >= idx:
		hint := "refer to an earlier backend (0 to " + itoa(idx-1) + ")"
		switch idx {
		case 0:
			hint = "backend 0 runs first, so it cannot use responses"
		case 1:
			hint = "only backend 0 runs before it"
		}
		l.errNode(v, loc.String(), "placeholder {"+name+"} in backend "+itoa(idx)+" refers to backend "+itoa(n)+
			", which does not run before it", hint)
	}
}
