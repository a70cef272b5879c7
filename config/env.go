package config

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Environment overrides (krakend-compat.md §2.4): TRIBUTARY_<KEY> and
// KRAKEND_<KEY> replace the value of a root-level scalar key that already
// exists in the file. The value is parsed with the existing value's JSON
// type, before any validation, so an override is validated exactly like the
// file value it replaces.

// envLookup holds the environment variables the loader may consult.
type envLookup struct {
	vars map[string]string
}

// newEnv indexes the relevant entries of an os.Environ()-style list. As with
// os.Getenv, the first entry for a name wins.
func newEnv(env []string) envLookup {
	var e envLookup
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !(strings.HasPrefix(k, "TRIBUTARY_") || strings.HasPrefix(k, "KRAKEND_") || k == "FC_ENABLE") {
			continue
		}
		if e.vars == nil {
			e.vars = make(map[string]string)
		}
		if _, dup := e.vars[k]; !dup {
			e.vars[k] = v
		}
	}
	return e
}

func (e envLookup) lookup(name string) (string, bool) {
	v, ok := e.vars[name]
	return v, ok
}

// isReservedEnv reports the TRIBUTARY_ variables that are settings of the
// Lambda functions, never overrides.
func isReservedEnv(name string) bool {
	switch name {
	case "TRIBUTARY_CONFIG", "TRIBUTARY_ENDPOINT", "TRIBUTARY_BASE_PATH", "TRIBUTARY_INTEGRATION_TIMEOUT",
		"TRIBUTARY_STRICT":
		return true
	}
	return false
}

// reservedEnv lists the reserved variables, the did-you-mean candidates
// besides the overrides.
var reservedEnv = []string{"TRIBUTARY_CONFIG", "TRIBUTARY_ENDPOINT", "TRIBUTARY_BASE_PATH",
	"TRIBUTARY_INTEGRATION_TIMEOUT", "TRIBUTARY_STRICT"}

// applyEnv replaces root scalar values from the environment. "version" is
// never overridden: it describes the file's format, not the deployment.
func (l *loader) applyEnv(root *node) {
	if len(l.env.vars) == 0 {
		return
	}
	for i := range root.members {
		m := &root.members[i]
		if isCommentKey(m.key) || m.key == "version" {
			continue
		}
		switch m.val.kind {
		case kindString, kindNumber, kindBool:
		default:
			continue
		}
		up := strings.ToUpper(m.key)
		name := "TRIBUTARY_" + up
		v, ok := l.env.lookup(name)
		if !ok || isReservedEnv(name) {
			name = "KRAKEND_" + up
			if v, ok = l.env.lookup(name); !ok {
				continue
			}
		}
		repl := node{kind: m.val.kind, pos: m.val.pos}
		switch m.val.kind {
		case kindString:
			if !utf8.ValidString(v) {
				l.envErrorHint(m, name, v, "is not valid UTF-8", "it overrides "+quoteJSON(m.key)+", which holds a string in the file")
				continue
			}
			repl.text = v
		case kindNumber:
			if !isJSONNumber(v) {
				l.envError(m, name, v, "a number")
				continue
			}
			repl.text = v
		case kindBool:
			switch v {
			case "true":
				repl.truth = true
			case "false":
			default:
				l.envError(m, name, v, "true or false")
				continue
			}
		}
		m.val = repl
		if l.overridden == nil {
			l.overridden = make(map[*node]string)
		}
		l.overridden[&m.val] = name
	}
	l.unusedEnv(root)
}

// unusedEnv warns about TRIBUTARY_ and KRAKEND_ variables that override
// nothing: a valid root key the file does not set (overrides never create
// keys), or a probable typo of an override or a reserved variable
// (TRIBUTARY_TIMOUT). Other variables are left alone: the environment is
// shared with everything else that runs.
func (l *loader) unusedEnv(root *node) {
	present := make(map[string]bool, len(root.members))
	for i := range root.members {
		if m := &root.members[i]; !isCommentKey(m.key) {
			present[strings.ToUpper(m.key)] = true
		}
	}
	names := make([]string, 0, len(l.env.vars))
	for name := range l.env.vars {
		names = append(names, name)
	}
	slices.Sort(names)
	valid := schemaOf(objService).valid
	for _, name := range names {
		prefix, key := "TRIBUTARY_", ""
		var ok bool
		if key, ok = strings.CutPrefix(name, prefix); !ok {
			prefix = "KRAKEND_"
			if key, ok = strings.CutPrefix(name, prefix); !ok {
				continue
			}
		}
		if isReservedEnv(name) || present[key] {
			continue
		}
		low := strings.ToLower(key)
		if contains(valid, low) {
			l.warnAt(Position{Line: 1, Col: 1}, "$", "environment variable "+name+" ignored: "+quoteJSON(low)+
				" is not set in the file", "overrides only replace keys the file sets; add "+quoteJSON(low)+" to the file")
			continue
		}
		cands := make([]string, 0, len(valid)+len(reservedEnv))
		for _, v := range valid {
			cands = append(cands, prefix+strings.ToUpper(v))
		}
		if prefix == "TRIBUTARY_" {
			cands = append(cands, reservedEnv...)
		}
		if sug, _ := suggest(name, cands); sug != "" {
			l.warnAt(Position{Line: 1, Col: 1}, "$", "environment variable "+name+" matches no root key",
				"did you mean "+sug+"?")
		}
	}
}

// envError reports an override of the root member m whose value does not
// parse as want.
func (l *loader) envError(m *member, name, value, want string) {
	l.envErrorHint(m, name, value, "is not "+want, "it overrides "+quoteJSON(m.key)+", which holds "+want+" in the file")
}

// envErrorHint reports a bad override at the key it overrides, naming the
// variable and showing at most 64 bytes of its value.
func (l *loader) envErrorHint(m *member, name, value, problem, hint string) {
	const maxShown = 64
	if len(value) > maxShown {
		value = value[:maxShown] + "…"
	}
	l.errAt(m.pos, keyPath("$", m.key), "environment variable "+name+"="+quoteJSON(value)+" "+problem, hint)
}

// isJSONNumber reports whether s is exactly one JSON number.
func isJSONNumber(s string) bool {
	p := parser{src: s, line: 1}
	if s == "" || !(s[0] == '-' || s[0] >= '0' && s[0] <= '9') {
		return false
	}
	p.number()
	return p.err == nil && p.i == len(s)
}
