package planviz

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// kind is what a diagram node stands for; each renderer gives each kind
// its own shape.
type kind uint8

const (
	kindClient   kind = iota // the client's request, where the flow starts
	kindStage                // a service, endpoint, backend or finish stage
	kindEndpoint             // the matched route
	kindBackend              // a backend taking part in the merge
	kindShadow               // a shadow backend (answer discarded)
	kindStatic               // proxy.static data
	kindMerge                // the merge of the backends' data
	kindFlatmap              // the post-merge flatmap_filter
	kindResponse             // the encoded response
)

// Grid columns of nodes that are not in a backend column.
const (
	colMain  = -1 // centred over the whole diagram
	colMerge = -2 // spans the merged columns
)

// node is one box of a diagram. Its text is raw config text: each
// renderer escapes it.
type node struct {
	id    string
	kind  kind
	cat   Category // stages only
	title string
	lines []string
	// row and col place the node on the SVG grid: col is a backend
	// column, colMain or colMerge.
	row, col int
}

// edge is one arrow of a diagram.
type edge struct {
	from, to *node
	label    string
	dashed   bool
}

// diagram is one endpoint's flow, ready to render.
type diagram struct {
	title     string
	nodes     []*node
	edges     []edge
	cols      int // backend columns (regular, static, shadows)
	mergeCols int // the first mergeCols columns feed the merge
	rows      int
}

// Text limits: a line longer than maxLineRunes is cut with "…", a node
// shows at most maxLines detail lines.
const (
	maxLineRunes = 56
	maxLines     = 8
)

// diagrams lays out every endpoint of g.
func diagrams(g *Graph) []*diagram {
	out := make([]*diagram, len(g.Endpoints))
	for i, e := range g.Endpoints {
		out[i] = layout(i, e)
	}
	return out
}

// layout builds endpoint i's diagram: the main chain (client, service
// stages, route, endpoint stages), one column per backend (its stages
// above it), static data, shadows, the merge, then the post-merge chain.
// Sequential backends form a staircase, each column starting below the
// previous backend.
func layout(i int, e *Endpoint) *diagram {
	d := &diagram{title: e.ID()}
	row := 0
	add := func(k kind, cat Category, title string, lines []string, r, c int) *node {
		n := &node{id: fmt.Sprintf("e%d_n%d", i, len(d.nodes)), kind: k, cat: cat, title: clip(title), lines: clipLines(lines), row: r, col: c}
		d.nodes = append(d.nodes, n)
		if r+1 > d.rows {
			d.rows = r + 1
		}
		return n
	}
	link := func(from, to *node, label string, dashed bool) {
		d.edges = append(d.edges, edge{from: from, to: to, label: clip(label), dashed: dashed})
	}
	var prev *node
	main := func(k kind, cat Category, title string, lines []string) *node {
		n := add(k, cat, title, lines, row, colMain)
		row++
		if prev != nil {
			link(prev, n, "", false)
		}
		prev = n
		return n
	}
	stageLines := func(s Stage) []string { return s.Details }

	main(kindClient, "", "client request", nil)
	for _, s := range e.Service {
		main(kindStage, s.Category, s.Name, stageLines(s))
	}
	main(kindEndpoint, "", e.ID(), e.Details)
	for _, s := range e.Stages {
		main(kindStage, s.Category, s.Name, stageLines(s))
	}
	fan := prev
	r0 := row

	// Columns: the merged backends, the static data, then the shadows.
	col := 0
	column := func(b *Backend, start int, bottom int) (first, last *node) {
		r := start
		for _, s := range b.Stages {
			n := add(kindStage, s.Category, s.Name, stageLines(s), r, col)
			if last != nil {
				link(last, n, "", false)
			} else {
				first = n
			}
			last = n
			r++
		}
		if bottom > r {
			r = bottom
		}
		k, title := kindBackend, "backend "+strconv.Itoa(b.Index)
		if b.Shadow {
			k, title = kindShadow, "shadow backend "+strconv.Itoa(b.Index)
		}
		lines := []string{b.Method + " " + b.URLPattern}
		hosts := b.Hosts
		if len(hosts) > 2 {
			hosts = append(hosts[:2:2], fmt.Sprintf("+%d more hosts", len(b.Hosts)-2))
		}
		lines = append(lines, hosts...)
		lines = append(lines, b.Details...)
		lines = append(lines, b.Shaping...)
		if b.Shadow {
			lines = append(lines, "answer discarded")
		}
		n := add(k, "", title, lines, r, col)
		if last != nil {
			link(last, n, "", false)
		} else {
			first = n
		}
		col++
		return first, n
	}
	maxStages := 0
	for _, b := range append(append([]*Backend(nil), e.Backends...), e.Shadows...) {
		maxStages = max(maxStages, len(b.Stages))
	}
	var backends []*node
	lastRow := r0
	start := r0
	for j, b := range e.Backends {
		bottom := r0 + maxStages
		if e.Sequential {
			bottom = 0
		}
		first, last := column(b, start, bottom)
		switch {
		case !e.Sequential || j == 0:
			link(fan, first, "", false)
		default:
			link(backends[j-1], first, strings.Join(b.Resp, " "), false)
		}
		backends = append(backends, last)
		lastRow = max(lastRow, last.row)
		if e.Sequential {
			start = last.row + 1
		}
	}
	var static *node
	if e.StaticStrategy != "" {
		lines := []string{"strategy: " + e.StaticStrategy}
		if e.StaticData != "" {
			lines = append(lines, e.StaticData)
		}
		r := r0 + maxStages
		if len(backends) > 0 {
			r = backends[len(backends)-1].row
		}
		static = add(kindStatic, "", "proxy.static", lines, r, col)
		col++
		lastRow = max(lastRow, r)
	}
	d.mergeCols = col
	for _, b := range e.Shadows {
		first, last := column(b, r0, r0+maxStages)
		link(fan, first, "copy", true)
		lastRow = max(lastRow, last.row)
	}
	d.cols = col

	row = lastRow + 1
	var merge *node
	switch {
	case e.NoOp:
		merge = add(kindMerge, "", "no-op: passthrough", []string{"the backend's response as is"}, row, colMerge)
	case len(e.Backends) <= 1 && static == nil:
		merge = add(kindMerge, "", "result", []string{"one backend: its shaped data"}, row, colMerge)
	default:
		title := "merge (shallow)"
		if e.DeepMerge {
			title = "merge (deep)"
		}
		var order []string
		for _, b := range e.Backends {
			order = append(order, strconv.Itoa(b.Index))
		}
		wins := "a later backend wins a key"
		if e.DeepMerge {
			wins = "objects merge key by key, else the later wins"
		}
		lines := []string{"order: backend " + strings.Join(order, ", "), wins}
		if e.Sequential {
			lines = append([]string{"sequential: one after another"}, lines...)
		}
		if static != nil {
			lines = append(lines, "then static data ("+e.StaticStrategy+")")
		}
		merge = add(kindMerge, "", title, lines, row, colMerge)
	}
	row++
	if d.mergeCols == 0 {
		d.mergeCols = max(d.cols, 1)
		if d.cols == 0 {
			merge.col = colMain
		}
		link(fan, merge, "", false)
	}
	for j, b := range backends {
		label := ""
		if len(backends) > 1 {
			label = strconv.Itoa(j + 1)
		}
		link(b, merge, label, false)
	}
	if static != nil {
		link(static, merge, e.StaticStrategy, true)
	}
	prev = merge
	if len(e.Flatmap) > 0 {
		main(kindFlatmap, "", "flatmap_filter (after the merge)", e.Flatmap)
	}
	for _, s := range e.Finish {
		main(kindStage, s.Category, s.Name, stageLines(s))
	}
	var lines []string
	if e.CacheControl != "" {
		lines = append(lines, "Cache-Control: "+e.CacheControl)
	}
	main(kindResponse, "", "response: "+e.Output, lines)
	return d
}

// clip cuts s to maxLineRunes runes, ending it with "…", and turns line
// breaks and other control characters into spaces.
func clip(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == 0x2028 || r == 0x2029 {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	if utf8.RuneCountInString(s) <= maxLineRunes {
		return s
	}
	r := []rune(s)
	return string(r[:maxLineRunes-1]) + "…"
}

// clipLines clips each line and keeps at most maxLines.
func clipLines(lines []string) []string {
	var out []string
	for i, l := range lines {
		if i == maxLines-1 && len(lines) > maxLines {
			out = append(out, fmt.Sprintf("… %d more", len(lines)-i))
			break
		}
		out = append(out, clip(l))
	}
	return out
}
