package planviz

import (
	"bufio"
	"strconv"
	"strings"
)

// writeMermaid writes ds as one Mermaid flowchart, one subgraph per
// endpoint.
func writeMermaid(w *bufio.Writer, g *Graph, ds []*diagram) {
	w.WriteString("flowchart TD\n")
	for i, d := range ds {
		w.WriteString("  subgraph ep" + strconv.Itoa(i) + "[\"" + mermaidText(d.title) + "\"]\n")
		w.WriteString("    direction TB\n")
		for _, n := range d.nodes {
			w.WriteString("    " + n.id + mermaidShape(n) + "\n")
		}
		w.WriteString("  end\n")
	}
	for _, d := range ds {
		for _, e := range d.edges {
			arrow := " --> "
			if e.dashed {
				arrow = " -.-> "
			}
			if e.label != "" {
				arrow = strings.TrimSuffix(arrow, " ") + "|\"" + mermaidText(e.label) + "\"| "
			}
			w.WriteString("  " + e.from.id + arrow + e.to.id + "\n")
		}
	}
	// Classes colour the nodes; they name categories, never config text.
	w.WriteString("  classDef security stroke:#cf222e,stroke-width:2px\n")
	w.WriteString("  classDef auth stroke:#8250df,stroke-width:2px\n")
	w.WriteString("  classDef traffic stroke:#bf8700,stroke-width:2px\n")
	w.WriteString("  classDef validation stroke:#1a7f37,stroke-width:2px\n")
	w.WriteString("  classDef script stroke:#0969da,stroke-width:2px\n")
	w.WriteString("  classDef other stroke:#6e7781,stroke-width:2px\n")
	w.WriteString("  classDef shadow stroke-dasharray:5 4\n")
	w.WriteString("  classDef endpoint stroke-width:3px\n")
	classes := map[string][]string{}
	var order []string
	for _, d := range ds {
		for _, n := range d.nodes {
			c := ""
			switch {
			case n.kind == kindStage:
				c = string(n.cat)
			case n.kind == kindShadow || n.kind == kindStatic:
				c = "shadow"
			case n.kind == kindEndpoint:
				c = "endpoint"
			}
			if c == "" {
				continue
			}
			if _, ok := classes[c]; !ok {
				order = append(order, c)
			}
			classes[c] = append(classes[c], n.id)
		}
	}
	for _, c := range order {
		w.WriteString("  class " + strings.Join(classes[c], ",") + " " + c + "\n")
	}
}

// mermaidShape is n's shape and label: a stadium for the client and the
// response, a hexagon for the route, rectangles for stages, cylinders for
// backends, a parallelogram for static data, a trapezoid for the merge and
// a subroutine box for the flatmap.
func mermaidShape(n *node) string {
	label := "\"" + mermaidLabel(n) + "\""
	switch n.kind {
	case kindClient, kindResponse:
		return "([" + label + "])"
	case kindEndpoint:
		return "{{" + label + "}}"
	case kindBackend, kindShadow:
		return "[(" + label + ")]"
	case kindStatic:
		return "[/" + label + "/]"
	case kindMerge:
		return "[/" + label + "\\]"
	case kindFlatmap:
		return "[[" + label + "]]"
	}
	return "[" + label + "]"
}

// mermaidLabel is n's title in bold, then its lines, as Mermaid label
// text.
func mermaidLabel(n *node) string {
	var b strings.Builder
	b.WriteString("<b>" + mermaidText(n.title) + "</b>")
	for _, l := range n.lines {
		b.WriteString("<br/>" + mermaidText(l))
	}
	return b.String()
}

// mermaidText escapes s for a quoted Mermaid label: every character but
// letters, digits, space and a few harmless marks becomes an entity code
// (#35; for "#"), so no config text can close the label, start an arrow,
// a comment or an HTML tag.
func mermaidText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9',
			r == ' ', r == '.', r == ',', r == ':', r == '/', r == '_', r == '-', r == '+',
			r == '=', r == '*', r == '@', r == '!', r == '?', r == '$', r == '{', r == '}', r == '(', r == ')':
			b.WriteRune(r)
		default:
			b.WriteString("#" + strconv.Itoa(int(r)) + ";")
		}
	}
	return b.String()
}
