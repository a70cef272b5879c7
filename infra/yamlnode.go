package infra

import (
	"strconv"

	"go.yaml.in/yaml/v3"
)

// pair is one key and its value in a mapping under construction.
type pair struct {
	key   string
	value *yaml.Node
}

// block returns a block-style mapping holding pairs in order.
func block(pairs ...pair) *yaml.Node {
	return mapping(0, pairs)
}

// flow returns a flow-style mapping, {k: v, …}, holding pairs in order.
func flow(pairs ...pair) *yaml.Node {
	return mapping(yaml.FlowStyle, pairs)
}

func mapping(style yaml.Style, pairs []pair) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: style,
		Content: make([]*yaml.Node, 0, 2*len(pairs))}
	for _, p := range pairs {
		n.Content = append(n.Content, plain(p.key), p.value)
	}
	return n
}

// flowSeq returns a flow-style sequence, [a, b], of the given items.
func flowSeq(items ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle, Content: items}
}

// plain returns an untagged string scalar; the encoder quotes it only when
// it would otherwise read back as another type.
func plain(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

// quoted returns a double-quoted string scalar. Paths always use it: an
// unquoted "/{proxy+}" inside a flow mapping is a YAML error.
func quoted(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.DoubleQuotedStyle}
}

// integer returns an integer scalar.
func integer(n int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(n)}
}

// ref returns the CloudFormation short form `!Ref name`.
func ref(name string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!Ref", Value: name}
}

// getAtt returns the CloudFormation short form `!GetAtt resource.attribute`.
func getAtt(attr string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!GetAtt", Value: attr}
}

// sub returns the CloudFormation short form `!Sub "template"`.
func sub(template string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!Sub", Value: template, Style: yaml.DoubleQuotedStyle}
}
