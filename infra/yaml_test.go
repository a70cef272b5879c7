package infra

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// parseTemplate decodes generated YAML into a node tree (tags kept) and
// returns the root mapping.
func parseTemplate(t testing.TB, b []byte) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("generated YAML does not parse: %v\n%s", err, b)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		t.Fatalf("generated YAML is not one mapping document:\n%s", b)
	}
	return doc.Content[0]
}

// get follows keys through nested mappings; nil when one is missing.
func get(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				next = n.Content[i+1]
				break
			}
		}
		n = next
	}
	return n
}

// mapKeys returns the keys of a mapping, in order.
func mapKeys(n *yaml.Node) []string {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	keys := make([]string, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		keys = append(keys, n.Content[i].Value)
	}
	return keys
}

// walk calls visit for every mapping value with its key, depth first. The
// generated templates are a few levels deep; the guard stops runaway input.
func walk(n *yaml.Node, depth int, visit func(key string, v *yaml.Node)) {
	if n == nil || depth > 32 {
		return
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			visit(n.Content[i].Value, n.Content[i+1])
		}
	}
	for _, c := range n.Content {
		walk(c, depth+1, visit)
	}
}

// scalar asserts that n is a scalar with the given tag and value.
func scalar(t testing.TB, what string, n *yaml.Node, tag, value string) {
	t.Helper()
	switch {
	case n == nil:
		t.Errorf("%s: missing", what)
	case n.Kind != yaml.ScalarNode || n.Tag != tag || n.Value != value:
		t.Errorf("%s = %s %q (kind %d), want %s %q", what, n.Tag, n.Value, n.Kind, tag, value)
	}
}

// seqValues returns the values of a sequence of scalars.
func seqValues(n *yaml.Node) []string {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	var out []string
	for _, c := range n.Content {
		out = append(out, c.Value)
	}
	return out
}

// subVars returns the ${Name} references of a !Sub template.
func subVars(s string) []string {
	var vars []string
	for {
		_, rest, ok := strings.Cut(s, "${")
		if !ok {
			return vars
		}
		name, tail, ok := strings.Cut(rest, "}")
		if !ok {
			return vars
		}
		vars = append(vars, name)
		s = tail
	}
}
