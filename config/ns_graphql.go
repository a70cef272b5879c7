package config

import (
	"slices"
	"strings"
)

// GraphQL operation types (backend/graphql type, §17.24).
const (
	// GraphQLQuery is a query: the default.
	GraphQLQuery = "query"
	// GraphQLMutation is a mutation: the client's JSON body is merged into
	// the variables.
	GraphQLMutation = "mutation"
)

// maxGraphQLQueryBytes caps a query_path file.
const maxGraphQLQueryBytes = 1 << 20

// GraphQL is the backend's "backend/graphql" namespace (§17.24).
type GraphQL struct {
	// Type is type, GraphQLQuery or GraphQLMutation. Default
	// GraphQLQuery.
	Type string
	// Query is the operation text: query, or the content of query_path read
	// at load, byte for byte.
	Query string
	// QueryPath is query_path as written (relative to the working
	// directory); "" when query is inline.
	QueryPath string
	// OperationName is operationName. Default "" (not sent).
	OperationName string
	// Variables are variables, sorted by name.
	Variables []GraphQLVariable

	node *node
	path string
}

// GraphQLVariable is one configured variable.
type GraphQLVariable struct {
	// Name is the variable's name.
	Name string
	// Param is the endpoint placeholder whose value replaces the variable
	// (the configured value was the string "{name}"), resolved to its
	// exact spelling; "" for a fixed value.
	Param string
	// Value is the fixed value as compact JSON; nil when Param is set.
	Value []byte

	node *node
}

// graphqlNS decodes "backend/graphql" (§17.24).
func (l *loader) graphqlNS(b *Backend, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	g := &GraphQL{Type: GraphQLQuery, node: v, path: path}
	var queryNode, pathNode *node
	ok := true
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "type":
			if s, good := l.str(mv, path, m.key); good {
				switch s {
				case GraphQLQuery, GraphQLMutation:
					g.Type = s
				default:
					l.errNode(mv, keyPath(path, m.key), "unknown GraphQL type "+quoteJSON(s), `use "query" or "mutation"`)
					ok = false
				}
			}
		case "query":
			if s, good := l.str(mv, path, m.key); good {
				queryNode, g.Query = mv, s
			}
		case "query_path":
			if s, good := l.str(mv, path, m.key); good {
				pathNode, g.QueryPath = mv, s
			}
		case "operationName":
			if s, good := l.str(mv, path, m.key); good {
				g.OperationName = s
			}
		case "variables":
			if mv.kind != kindObject {
				l.wrongType(mv, path, m.key, "an object", "")
				ok = false
				continue
			}
			g.variables(mv)
		default:
			l.unknownKey(objGraphQL, path, m)
		}
	}
	switch {
	case queryNode != nil && pathNode != nil:
		l.errNode(pathNode, keyPath(path, "query_path"), "query and query_path cannot be combined", "keep one of them")
		ok = false
	case pathNode != nil:
		q := l.readAuthFile(pathNode, keyPath(path, "query_path"), g.QueryPath, maxGraphQLQueryBytes)
		if q == nil {
			ok = false
		}
		g.Query = string(q)
	case queryNode == nil:
		l.errNode(v, path, "missing query or query_path", "write the GraphQL operation inline, or name a file holding it")
		ok = false
	}
	if ok && strings.TrimSpace(g.Query) == "" {
		l.errNode(v, path, "empty GraphQL query", "")
		ok = false
	}
	if ok {
		b.GraphQL = g
	}
}

// variables records the configured variables, sorted by name.
func (g *GraphQL) variables(v *node) {
	for i := range v.members {
		m := &v.members[i]
		gv := GraphQLVariable{Name: m.key, node: &m.val}
		if name, isRef := graphqlRef(&m.val); isRef {
			gv.Param = name
		} else {
			gv.Value = appendCompact(nil, &m.val, 0)
		}
		g.Variables = append(g.Variables, gv)
	}
	slices.SortStableFunc(g.Variables, func(a, b GraphQLVariable) int { return strings.Compare(a.Name, b.Name) })
}

// graphqlRef reports a value that is exactly "{name}", name made of
// letters, digits, '_', '-' and '.'.
func graphqlRef(n *node) (string, bool) {
	if n.kind != kindString || len(n.text) < 3 || n.text[0] != '{' || n.text[len(n.text)-1] != '}' {
		return "", false
	}
	name := n.text[1 : len(n.text)-1]
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return "", false // a literal such as "{not a param}"
		}
	}
	return name, true
}

// graphqlChecks runs the checks that need the endpoint: the placeholders
// the variables name, and the method.
func (l *loader) graphqlChecks(e *Endpoint, b *Backend) {
	g := b.GraphQL
	path := g.path
	for i := range g.Variables {
		gv := &g.Variables[i]
		if gv.Param == "" {
			continue
		}
		name, ok := lambdaParam(e.Params, gv.Param)
		if !ok {
			l.errNode(gv.node, keyPath(keyPath(path, "variables"), gv.Name),
				"variable "+quoteJSON(gv.Name)+" names {"+gv.Param+"}, which is not a placeholder of the endpoint "+quoteJSON(e.Path),
				"use a placeholder of the endpoint path, or a fixed value")
		}
		gv.Param = name
	}
	if b.Method == "GET" && g.Type == GraphQLMutation {
		l.errNode(g.node, path, "a GraphQL mutation cannot be sent with GET", `set the backend "method" to "POST"`)
	}
	if b.Method != "GET" && b.Method != "POST" {
		l.warnAt(g.node.pos, path, "a GraphQL backend sends POST (or GET); method "+b.Method+" is replaced by POST", "")
	}
}
