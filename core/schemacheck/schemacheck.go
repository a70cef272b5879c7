// Package schemacheck compiles the JSON Schemas of the
// validation/json-schema namespace and validates request bodies against
// them. Schemas are compiled once, at load; references may only point
// inside the schema itself (no file or network access, ever).
//
// The package is a core leaf: it knows nothing of stages or plans.
package schemacheck

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// MaxViolations is how many violations a rejection lists at most.
const MaxViolations = 10

// MaxDepth bounds the nesting of a validated body: deeper bodies are
// rejected before validation.
const MaxDepth = 256

// resourceURL names the schema inside the compiler. Relative references
// resolve against it (or against the schema's own $id); anything that is
// not part of the schema is refused by refuseLoader.
const resourceURL = "https://schema.tributary.invalid/endpoint.json"

// Schema is a compiled schema. It is safe for concurrent use.
type Schema struct {
	sch *jsonschema.Schema
}

// refuseLoader refuses every document that is not the schema itself or a
// standard meta-schema (those are built into the library), and remembers
// the first one it refused.
type refuseLoader struct{ refused string }

// ErrRemoteRef is wrapped by Compile's error when the schema refers to a
// document other than itself.
var ErrRemoteRef = errors.New("only references inside the schema are allowed (no files or remote documents)")

// Load implements jsonschema.URLLoader.
func (l *refuseLoader) Load(url string) (any, error) {
	if l.refused == "" {
		l.refused = url
	}
	return nil, ErrRemoteRef
}

// Compile compiles raw, a JSON Schema (an object or a boolean). The draft
// comes from $schema; draft-07 when absent. Drafts 4, 6, 7, 2019-09 and
// 2020-12 are supported.
func Compile(raw []byte) (*Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("not a JSON value: %w", err)
	}
	switch doc.(type) {
	case map[string]any, bool:
	default:
		return nil, errors.New("a schema is a JSON object or a boolean")
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	loader := &refuseLoader{}
	c.UseLoader(loader)
	if err := c.AddResource(resourceURL, doc); err != nil {
		return nil, err
	}
	sch, err := c.Compile(resourceURL)
	if loader.refused != "" {
		return nil, fmt.Errorf("reference to %q refused: %w", loader.refused, ErrRemoteRef)
	}
	if err != nil {
		return nil, errors.New(compileMessage(err))
	}
	return &Schema{sch: sch}, nil
}

// compileMessage shortens the library's error: it names our internal
// resource URL, which means nothing to a user.
func compileMessage(err error) string {
	s := strings.ReplaceAll(err.Error(), resourceURL, "schema")
	return strings.Join(strings.Fields(s), " ")
}

// Validate checks body against the schema. It returns "" when body is a
// single JSON value that validates; otherwise a one-line reason listing
// up to MaxViolations violations, each as "<instance path>: <reason>".
func (s *Schema) Validate(body []byte) (reason string) {
	defer func() {
		// Defence in depth: the library has no known panic left on
		// bodies scanBody lets through, but one must not take the
		// gateway down.
		if r := recover(); r != nil {
			reason = "the body could not be validated"
		}
	}()
	if len(bytes.TrimSpace(body)) == 0 {
		return "the body is empty; a JSON document is required"
	}
	switch scanBody(body) {
	case scanTooDeep:
		return fmt.Sprintf("the body nests deeper than %d levels", MaxDepth)
	case scanBadNumber:
		return fmt.Sprintf("the body holds a number longer than %d characters or with an exponent beyond ±%d", maxNumberLen, maxExponent)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return "the body is not valid JSON"
	}
	err = s.sch.Validate(inst)
	if err == nil {
		return ""
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return "validation failed: " + err.Error()
	}
	return violations(ve)
}

// violations lists the leaf errors of ve (the innermost reasons, through
// $ref and combinators), sorted by instance path then reason, so that
// the message does not depend on the library's map iteration order.
func violations(ve *jsonschema.ValidationError) string {
	type violation struct{ loc, reason string }
	var all []violation
	var walk func(e *jsonschema.ValidationError, depth int)
	walk = func(e *jsonschema.ValidationError, depth int) {
		if len(all) >= maxCollected {
			return
		}
		if len(e.Causes) > 0 && depth < MaxDepth {
			for _, c := range e.Causes {
				walk(c, depth+1)
			}
			return
		}
		reason := "does not match the schema"
		if u := e.BasicOutput(); u.Error != nil {
			reason = strings.Join(strings.Fields(u.Error.String()), " ")
		}
		all = append(all, violation{"/" + strings.Join(e.InstanceLocation, "/"), reason})
	}
	walk(ve, 0)
	slices.SortFunc(all, func(a, b violation) int {
		if c := strings.Compare(a.loc, b.loc); c != 0 {
			return c
		}
		return strings.Compare(a.reason, b.reason)
	})
	var b strings.Builder
	for i, v := range all {
		if i == MaxViolations {
			b.WriteString("; …")
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(v.loc)
		b.WriteString(": ")
		b.WriteString(v.reason)
	}
	return b.String()
}

// maxCollected bounds the leaf errors gathered before sorting.
const maxCollected = 1000

// Limits on the numbers of a validated body. The schema library turns
// every number into an exact rational: a literal such as 1e999999999
// would cost gigabytes (or fail inside the library), so such bodies are
// refused first. Real payloads stay far inside both bounds.
const (
	maxNumberLen = 256
	maxExponent  = 400
)

type scanResult uint8

const (
	scanOK scanResult = iota
	scanTooDeep
	scanBadNumber
)

// scanBody checks the JSON text b for nesting deeper than MaxDepth and for
// numbers outside the limits. Brackets and digits inside strings are
// skipped; the text need not be valid (the decoder reports that).
func scanBody(b []byte) scanResult {
	depth := 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
		case c == '[' || c == '{':
			depth++
			if depth > MaxDepth {
				return scanTooDeep
			}
		case c == ']' || c == '}':
			depth--
		case c == '-' || (c >= '0' && c <= '9'):
			j := i
			for j < len(b) && isNumberByte(b[j]) {
				j++
			}
			if !numberOK(b[i:j]) {
				return scanBadNumber
			}
			i = j - 1
		}
	}
	return scanOK
}

func isNumberByte(c byte) bool {
	return c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

// numberOK reports whether the number literal n is within the limits.
func numberOK(n []byte) bool {
	if len(n) > maxNumberLen {
		return false
	}
	e := bytes.IndexAny(n, "eE")
	if e < 0 {
		return true
	}
	exp := 0
	for _, c := range n[e+1:] {
		if c >= '0' && c <= '9' {
			exp = exp*10 + int(c-'0')
			if exp > maxExponent {
				return false
			}
		}
	}
	return true
}
