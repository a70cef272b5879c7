package planviz

import (
	"bufio"
	"strconv"
	"strings"
)

// dotColors are the stroke colours of the stage categories.
var dotColors = map[Category]string{
	CatSecurity:   "#cf222e",
	CatAuth:       "#8250df",
	CatTraffic:    "#bf8700",
	CatValidation: "#1a7f37",
	CatScript:     "#0969da",
	CatOther:      "#6e7781",
}

// writeDOT writes ds as one Graphviz digraph, one cluster per endpoint.
func writeDOT(w *bufio.Writer, g *Graph, ds []*diagram) {
	w.WriteString("digraph tributary {\n")
	w.WriteString("  graph [rankdir=TB, labelloc=t, fontname=\"Helvetica\", fontsize=14, label=\"" + dotText(heading(g)) + "\"];\n")
	w.WriteString("  node [fontname=\"Helvetica\", fontsize=11, shape=box, style=\"rounded,filled\", fillcolor=\"#f6f8fa\", color=\"#57606a\"];\n")
	w.WriteString("  edge [fontname=\"Helvetica\", fontsize=10, color=\"#6e7781\"];\n")
	for i, d := range ds {
		w.WriteString("  subgraph cluster_ep" + strconv.Itoa(i) + " {\n")
		w.WriteString("    label=\"" + dotText(d.title) + "\"; color=\"#d0d7de\";\n")
		for _, n := range d.nodes {
			w.WriteString("    " + n.id + " [label=\"" + dotLabel(n) + "\"" + dotAttrs(n) + "];\n")
		}
		w.WriteString("  }\n")
	}
	for _, d := range ds {
		for _, e := range d.edges {
			var attrs []string
			if e.label != "" {
				attrs = append(attrs, "label=\""+dotText(e.label)+"\"")
			}
			if e.dashed {
				attrs = append(attrs, "style=dashed")
			}
			line := "  " + e.from.id + " -> " + e.to.id
			if len(attrs) > 0 {
				line += " [" + strings.Join(attrs, ", ") + "]"
			}
			w.WriteString(line + ";\n")
		}
	}
	w.WriteString("}\n")
}

// dotAttrs are n's shape and style: ovals for the client and the
// response, a hexagon for the route, boxes for stages (outlined in their
// category's colour), cylinders for backends (dashed for shadows), a note
// for static data, an inverted trapezium for the merge and a component
// box for the flatmap.
func dotAttrs(n *node) string {
	switch n.kind {
	case kindClient, kindResponse:
		return ", shape=oval, style=filled"
	case kindEndpoint:
		return ", shape=hexagon, style=filled, penwidth=2"
	case kindBackend:
		return ", shape=cylinder, style=filled"
	case kindShadow:
		return ", shape=cylinder, style=\"dashed,filled\""
	case kindStatic:
		return ", shape=note, style=\"dashed,filled\""
	case kindMerge:
		return ", shape=invtrapezium, style=filled, penwidth=2"
	case kindFlatmap:
		return ", shape=component, style=filled"
	}
	c, ok := dotColors[n.cat]
	if !ok {
		c = dotColors[CatOther]
	}
	return ", color=\"" + c + "\", penwidth=2"
}

// dotLabel is n's title, then its lines, one a line.
func dotLabel(n *node) string {
	parts := []string{dotText(n.title)}
	for _, l := range n.lines {
		parts = append(parts, dotText(l))
	}
	return strings.Join(parts, "\\n")
}

// dotText escapes s for a double-quoted DOT string: backslashes and
// double quotes are escaped (so no escape sequence such as \l or \N of the
// config's text is interpreted), control characters become spaces.
func dotText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '"':
			b.WriteString(`\"`)
		case r < 0x20 || r == 0x7f:
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
