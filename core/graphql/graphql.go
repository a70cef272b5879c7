// Package graphql builds the requests of backend/graphql backends and
// reads the errors of their answers.
//
// An Operation is compiled once, at load, from the backend's config. Per
// request, Body (POST) or AppendQuery (GET) render it with the variables
// that name endpoint parameters filled in. A parameter's value only ever
// becomes a JSON string, escaped, inside "variables": it can never change
// the operation text, so a client cannot inject GraphQL through a path
// parameter.
package graphql

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"

	"github.com/tributary-gw/tributary/internal/jsontext"
)

// Var is one configured variable.
type Var struct {
	// Name is the variable's name.
	Name string
	// Param is the endpoint parameter whose value the variable takes, as a
	// JSON string; "" for a fixed value.
	Param string
	// Value is the fixed value as compact JSON (when Param is "").
	Value []byte
}

// Operation is a compiled GraphQL operation.
type Operation struct {
	// Mutation merges the client's JSON body into the variables.
	Mutation bool

	query, operationName string
	vars                 []Var  // sorted by name
	prefix               []byte // {"query":…,"operationName":…
}

// Compile builds an operation. vars may come in any order; a name given
// twice keeps its last value.
func Compile(query, operationName string, mutation bool, vars []Var) *Operation {
	op := &Operation{Mutation: mutation, query: query, operationName: operationName}
	op.vars = slices.Clone(vars)
	slices.SortStableFunc(op.vars, func(a, b Var) int { return strings.Compare(a.Name, b.Name) })
	op.vars = slices.CompactFunc(op.vars, func(a, b Var) bool { return a.Name == b.Name })
	p := append([]byte(`{"query":`), jsontext.AppendString(nil, query, 0)...)
	if operationName != "" {
		p = append(p, `,"operationName":`...)
		p = jsontext.AppendString(p, operationName, 0)
	}
	op.prefix = p
	return op
}

// Member is one member of the client's JSON body.
type Member struct {
	// Name is the decoded key.
	Name string
	// Value is the raw JSON value.
	Value []byte
}

// ErrBody is returned (wrapped) when a mutation's client body is not a JSON
// object.
var ErrBody = errors.New("the request body is not a JSON object")

// Body appends the POST body to dst: compact JSON with the keys query,
// operationName (when set) and variables (when any, keys sorted). lookup
// returns an endpoint parameter's value. client is the client's body, read
// only for mutations (nil or empty: no client variables).
func (op *Operation) Body(dst []byte, lookup func(string) (string, bool), client []byte) ([]byte, error) {
	vars, err := op.appendVariables(nil, lookup, client)
	if err != nil {
		return dst, err
	}
	dst = append(dst, op.prefix...)
	if vars != nil {
		dst = append(dst, `,"variables":`...)
		dst = append(dst, vars...)
	}
	return append(dst, '}'), nil
}

// AppendQuery appends the GET form to a raw query: query=…,
// operationName=… (when set) and variables=<JSON> (when any), each
// URL-encoded, after the forwarded query raw (which may be "").
func (op *Operation) AppendQuery(raw string, lookup func(string) (string, bool)) (string, error) {
	vars, err := op.appendVariables(nil, lookup, nil)
	if err != nil {
		return raw, err
	}
	var b strings.Builder
	b.WriteString(raw)
	add := func(k, v string) {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(v))
	}
	add("query", op.query)
	if op.operationName != "" {
		add("operationName", op.operationName)
	}
	if vars != nil {
		add("variables", string(vars))
	}
	return b.String(), nil
}

// appendVariables appends the variables object, or nothing (nil) when
// there are none.
func (op *Operation) appendVariables(dst []byte, lookup func(string) (string, bool), client []byte) ([]byte, error) {
	var members []Member
	if op.Mutation && len(bytes.TrimSpace(client)) > 0 {
		var err error
		if members, err = objectMembers(client); err != nil {
			return nil, err
		}
	}
	if len(op.vars) == 0 && len(members) == 0 {
		return nil, nil
	}
	dst = append(dst, '{')
	i, j, n := 0, 0, 0
	sep := func() {
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
	}
	// Merge the two sorted lists; on equal names the client wins.
	for i < len(op.vars) || j < len(members) {
		switch {
		case j < len(members) && (i == len(op.vars) || members[j].Name <= op.vars[i].Name):
			if i < len(op.vars) && members[j].Name == op.vars[i].Name {
				i++
			}
			sep()
			dst = jsontext.AppendString(dst, members[j].Name, 0)
			dst = append(dst, ':')
			dst = append(dst, members[j].Value...)
			j++
		default:
			v := &op.vars[i]
			i++
			sep()
			dst = jsontext.AppendString(dst, v.Name, 0)
			dst = append(dst, ':')
			if v.Param == "" {
				dst = append(dst, v.Value...)
				continue
			}
			s, ok := lookup(v.Param)
			if !ok {
				return nil, errors.New("graphql: variable " + v.Name + " has no parameter " + v.Param)
			}
			dst = jsontext.AppendString(dst, s, 0)
		}
	}
	return append(dst, '}'), nil
}

// objectMembers decodes a JSON object into members sorted by name, values
// compacted; a repeated key keeps its last value, as encoding/json does.
func objectMembers(body []byte) ([]Member, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil || m == nil {
		return nil, ErrBody
	}
	out := make([]Member, 0, len(m))
	for k, v := range m {
		var c bytes.Buffer
		if err := json.Compact(&c, v); err != nil {
			return nil, ErrBody
		}
		out = append(out, Member{Name: k, Value: c.Bytes()})
	}
	slices.SortFunc(out, func(a, b Member) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// maxErrorText bounds the error text Failed returns.
const maxErrorText = 512

// Failed reports a GraphQL answer that holds no data: data is null or
// absent and errors is a non-empty array. data and errors are the raw
// values of the response's top-level "data" and "errors" members (nil when
// absent). The text joins the errors' messages, bounded.
func Failed(data, errs []byte) (string, bool) {
	data, errs = bytes.TrimSpace(data), bytes.TrimSpace(errs)
	if len(data) > 0 && !bytes.Equal(data, []byte("null")) {
		return "", false
	}
	if len(errs) < 2 || errs[0] != '[' {
		return "", false
	}
	var list []json.RawMessage
	if json.Unmarshal(errs, &list) != nil || len(list) == 0 {
		return "", false
	}
	var b strings.Builder
	b.WriteString("graphql errors: ")
	for i, e := range list {
		var one struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(e, &one)
		if i > 0 {
			b.WriteString("; ")
		}
		if one.Message == "" {
			one.Message = "(no message)"
		}
		b.WriteString(one.Message)
		if b.Len() > maxErrorText {
			break
		}
	}
	s := b.String()
	if len(s) > maxErrorText {
		s = strings.ToValidUTF8(s[:maxErrorText], "") + "…"
	}
	return s, true
}
