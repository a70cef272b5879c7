package config

import "strings"

// JSONSchema is the endpoint "validation/json-schema" namespace (§17.14):
// the value is itself a JSON Schema. The schema is compiled when the plan
// is built; the loader only checks that it is an object or a boolean.
type JSONSchema struct {
	// Raw is the schema as compact JSON, members in file order.
	Raw []byte
	// Pos is the position of the namespace's value.
	Pos Position
}

// CELCheck is one element of a "validation/cel" array (§17.22).
type CELCheck struct {
	// Expr is check_expr: a boolean CEL expression (required). It runs in
	// each phase whose variables its text names: "JWT", "req_", "resp_".
	Expr string
	// Pos is the position of the check_expr value.
	Pos Position
}

// MaxCELExprBytes bounds the length of one check_expr.
const MaxCELExprBytes = 8 << 10

// maxCELChecks bounds the number of expressions of one namespace.
const maxCELChecks = 64

// celCheckKeys are the keys of a validation/cel element.
var celCheckKeys = []string{"check_expr"}

// jsonSchema decodes "validation/json-schema".
func (l *loader) jsonSchema(e *Endpoint, v *node, base, key string) {
	if v.kind != kindObject && v.kind != kindBool {
		l.wrongType(v, base, key, "a JSON Schema (an object or a boolean)", "")
		return
	}
	e.JSONSchema = &JSONSchema{Raw: appendCompact(nil, v, 0), Pos: v.pos}
}

// celChecks decodes "validation/cel" at endpoint or backend scope. At
// backend scope an expression that names only JWT would never run.
func (l *loader) celChecks(v *node, base, key string, backend bool) []CELCheck {
	if v.kind != kindArray {
		l.wrongType(v, base, key, "an array of {\"check_expr\": …} objects", "")
		return nil
	}
	path := keyPath(base, key)
	if len(v.elems) > maxCELChecks {
		l.errNode(v, path, "more than "+itoa(maxCELChecks)+" expressions", "combine them with &&")
		return nil
	}
	out := make([]CELCheck, 0, len(v.elems))
	ok := true
	for i := range v.elems {
		el := &v.elems[i]
		ep := indexPath(path, i)
		if el.kind != kindObject {
			l.errNode(el, ep, "expected an object, got "+el.kind.String(), `write {"check_expr": "<expression>"}`)
			ok = false
			continue
		}
		var c CELCheck
		found := false
		for m := range el.schemaMembers() {
			mv := &m.val
			switch m.key {
			case "check_expr":
				s, good := l.str(mv, ep, m.key)
				if !good {
					ok = false
					continue
				}
				found = true
				c.Expr, c.Pos = s, mv.pos
				if !l.celExprOK(mv, keyPath(ep, m.key), s, backend) {
					ok = false
				}
			default:
				l.strictUnknown(ep, m, celCheckKeys)
				ok = false
			}
		}
		if !found {
			if ok {
				l.errNode(el, ep, "missing check_expr", "")
			}
			ok = false
			continue
		}
		out = append(out, c)
	}
	if !ok || len(out) == 0 {
		return nil
	}
	return out
}

// celExprOK checks what can be checked without compiling expr: length,
// and that it names a variable of a phase it can run in.
func (l *loader) celExprOK(n *node, path, expr string, backend bool) bool {
	switch {
	case strings.TrimSpace(expr) == "":
		l.errNode(n, path, "empty expression", "")
		return false
	case len(expr) > MaxCELExprBytes:
		l.errNode(n, path, "expression longer than "+itoa(MaxCELExprBytes)+" bytes", "")
		return false
	}
	req, resp, jwt := strings.Contains(expr, "req_"), strings.Contains(expr, "resp_"), strings.Contains(expr, "JWT")
	switch {
	case !req && !resp && !jwt:
		l.errNode(n, path, "expression "+quoteJSON(expr)+" names none of the req_, resp_ or JWT variables, so it would never run",
			"KrakenD picks the phase of an expression by the variables it names")
		return false
	case backend && !req && !resp:
		l.errNode(n, path, "expression "+quoteJSON(expr)+" names only JWT, which is not evaluated at backend scope",
			"move it to the endpoint's validation/cel")
		return false
	}
	return true
}
