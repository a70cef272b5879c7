package planviz

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Format is an output format of Render.
type Format string

// Output formats.
const (
	// Mermaid is a Mermaid flowchart, to paste in Markdown.
	Mermaid Format = "mermaid"
	// DOT is a Graphviz digraph.
	DOT Format = "dot"
	// SVG is a self-contained image laid out by this package.
	SVG Format = "svg"
)

// Formats lists the formats Render writes.
var Formats = []Format{Mermaid, DOT, SVG}

// ParseFormat returns the format named s (case-insensitive); "gv" and
// "graphviz" name DOT, "mmd" Mermaid.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "mermaid", "mmd":
		return Mermaid, nil
	case "dot", "gv", "graphviz":
		return DOT, nil
	case "svg":
		return SVG, nil
	}
	return "", fmt.Errorf("unknown format %q: want mermaid, dot or svg", s)
}

// Render writes g in format f to w.
func Render(w io.Writer, g *Graph, f Format) error {
	bw := bufio.NewWriter(w)
	ds := diagrams(g)
	switch f {
	case Mermaid:
		writeMermaid(bw, g, ds)
	case DOT:
		writeDOT(bw, g, ds)
	case SVG:
		writeSVG(bw, g, ds)
	default:
		return fmt.Errorf("unknown format %q: want mermaid, dot or svg", string(f))
	}
	return bw.Flush()
}

// heading is the caption of the whole drawing.
func heading(g *Graph) string {
	s := "Tributary plan"
	if g.Name != "" {
		s += ": " + g.Name
	}
	return clip(s)
}
