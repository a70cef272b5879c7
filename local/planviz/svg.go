package planviz

import (
	"bufio"
	"encoding/xml"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// SVG geometry, in pixels. Text is set in a monospace font, so its width
// is estimated as a fixed advance per character (0.6 em, rounded up).
const (
	titleSize   = 13.0
	lineSize    = 11.5
	labelSize   = 11.0
	titleAdv    = titleSize * 0.62
	lineAdv     = lineSize * 0.62
	labelAdv    = labelSize * 0.62
	padX        = 12.0
	padY        = 8.0
	titleH      = 17.0
	lineH       = 15.0
	minNodeW    = 150.0
	colGap      = 36.0
	rowGap      = 40.0
	margin      = 24.0
	headerH     = 44.0 // the drawing's heading and legend
	sectionHead = 34.0 // each endpoint's caption
	sectionGap  = 28.0
)

// svgStyle is the image's stylesheet: a neutral light palette, switched
// to a dark one when the viewer prefers it; stage outlines take their
// category's colour.
const svgStyle = `
text{white-space:pre;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace}
.bg{fill:#ffffff}
.n{fill:#f6f8fa;stroke:#57606a;stroke-width:1.2}
.endpoint{fill:#eef1f4;stroke-width:2.4}
.backend{fill:#f3f4f6;stroke-width:1.8}
.shadow{stroke-dasharray:6 4}
.static{stroke-dasharray:2 3}
.merge{fill:#eaeef2;stroke-width:2.4}
.terminal{fill:#ffffff}
.security{stroke:#cf222e;stroke-width:2}
.auth{stroke:#8250df;stroke-width:2}
.traffic{stroke:#bf8700;stroke-width:2}
.validation{stroke:#1a7f37;stroke-width:2}
.script{stroke:#0969da;stroke-width:2}
.other{stroke:#6e7781;stroke-width:2}
.sw.security{fill:#cf222e}.sw.auth{fill:#8250df}.sw.traffic{fill:#bf8700}.sw.validation{fill:#1a7f37}.sw.script{fill:#0969da}
.t{font-size:13px;font-weight:600;fill:#1f2328}
.l{font-size:11.5px;fill:#424a53}
.h{font-size:15px;font-weight:700;fill:#1f2328}
.cap{font-size:13px;font-weight:700;fill:#1f2328}
.sep{stroke:#d0d7de;stroke-width:1}
.e{fill:none;stroke:#6e7781;stroke-width:1.3}
.dash{stroke-dasharray:5 4}
.arrow{fill:#6e7781}
.lb{fill:#ffffff;opacity:.9}
.lt{font-size:11px;fill:#424a53}
@media (prefers-color-scheme:dark){
.bg{fill:#0d1117}
.n{fill:#161b22;stroke:#8b949e}
.endpoint{fill:#1c2128}.backend{fill:#1b1f24}.merge{fill:#21262d}.terminal{fill:#0d1117}
.security{stroke:#ff7b72}.auth{stroke:#d2a8ff}.traffic{stroke:#d29922}.validation{stroke:#3fb950}.script{stroke:#58a6ff}.other{stroke:#8b949e}
.sw.security{fill:#ff7b72}.sw.auth{fill:#d2a8ff}.sw.traffic{fill:#d29922}.sw.validation{fill:#3fb950}.sw.script{fill:#58a6ff}
.t,.h,.cap{fill:#e6edf3}
.l,.lt{fill:#c9d1d9}
.sep{stroke:#30363d}
.e{stroke:#8b949e}.arrow{fill:#8b949e}
.lb{fill:#0d1117}
}
`

// box is a node's place in the image.
type box struct{ x, y, w, h float64 }

func (b box) cx() float64     { return b.x + b.w/2 }
func (b box) bottom() float64 { return b.y + b.h }

// placed is a laid-out diagram: its boxes and size.
type placed struct {
	d     *diagram
	boxes map[*node]box
	w, h  float64
}

// nodeSize is n's natural size.
func nodeSize(n *node) (w, h float64) {
	w = float64(utf8.RuneCountInString(n.title)) * titleAdv
	for _, l := range n.lines {
		w = max(w, float64(utf8.RuneCountInString(l))*lineAdv)
	}
	w = max(math.Ceil(w+2*padX), minNodeW)
	h = 2*padY + titleH + float64(len(n.lines))*lineH
	return w, h
}

// place lays d out on its grid: backend columns as wide as their widest
// node, rows as tall as their tallest (nodes at the top of their row),
// main-chain nodes centred, the merge spanning the columns it merges.
func place(d *diagram) *placed {
	p := &placed{d: d, boxes: map[*node]box{}}
	sizes := map[*node][2]float64{}
	colW := make([]float64, d.cols)
	rowH := make([]float64, d.rows)
	mainW := 0.0
	for _, n := range d.nodes {
		w, h := nodeSize(n)
		sizes[n] = [2]float64{w, h}
		rowH[n.row] = max(rowH[n.row], h)
		if n.col >= 0 {
			colW[n.col] = max(colW[n.col], w)
		} else {
			mainW = max(mainW, w)
		}
	}
	span := func(from, to int) float64 {
		s := 0.0
		for c := from; c < to; c++ {
			s += colW[c]
			if c > from {
				s += colGap
			}
		}
		return s
	}
	blockW := span(0, d.cols)
	W := max(blockW, mainW)
	blockLeft := (W - blockW) / 2
	colX := make([]float64, d.cols)
	x := blockLeft
	for c := range colX {
		colX[c] = x
		x += colW[c] + colGap
	}
	rowY := make([]float64, d.rows)
	y := 0.0
	for r := range rowY {
		rowY[r] = y
		y += rowH[r] + rowGap
	}
	for _, n := range d.nodes {
		w, h := sizes[n][0], sizes[n][1]
		var bx float64
		switch n.col {
		case colMain:
			bx = (W - w) / 2
		case colMerge:
			sw := span(0, min(d.mergeCols, d.cols))
			w = max(w, sw)
			bx = blockLeft + (sw-w)/2
			bx = min(max(bx, 0), W-w)
		default:
			bx = colX[n.col] + (colW[n.col]-w)/2
		}
		p.boxes[n] = box{x: bx, y: rowY[n.row], w: w, h: h}
	}
	p.w, p.h = W, y-rowGap
	return p
}

// writeSVG writes ds as one image: a heading with the colour legend, then
// each endpoint's diagram under its caption.
func writeSVG(w *bufio.Writer, g *Graph, ds []*diagram) {
	var ps []*placed
	width := 560.0
	height := margin + headerH
	for _, d := range ds {
		p := place(d)
		ps = append(ps, p)
		width = max(width, p.w+2*margin)
		height += sectionHead + p.h + sectionGap
	}
	height += margin - sectionGap
	if len(ds) == 0 {
		height += sectionHead
	}
	W, H := num(math.Ceil(width)), num(math.Ceil(height))
	title := heading(g)
	w.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" width="` + W + `" height="` + H + `" viewBox="0 0 ` + W + ` ` + H + `" role="img" aria-label="` + xmlText(title) + `">` + "\n")
	w.WriteString("<title>" + xmlText(title) + "</title>\n")
	w.WriteString("<style>" + svgStyle + "</style>\n")
	w.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="arrow" d="M0,0 L10,5 L0,10 z"/></marker></defs>` + "\n")
	w.WriteString(`<rect class="bg" x="0" y="0" width="` + W + `" height="` + H + `"/>` + "\n")
	text(w, "h", margin, margin+14, title)
	lx := margin
	for _, c := range []Category{CatSecurity, CatAuth, CatTraffic, CatValidation, CatScript} {
		w.WriteString(`<rect class="sw ` + string(c) + `" x="` + num(lx) + `" y="` + num(margin+26) + `" width="10" height="10" rx="2"/>`)
		text(w, "lt", lx+14, margin+35, string(c))
		lx += 14 + float64(len(c))*labelAdv + 18
	}
	text(w, "lt", lx, margin+35, "- - shadow / static")
	w.WriteString("\n")
	y := margin + headerH
	if len(ds) == 0 {
		text(w, "cap", margin, y+20, "no endpoints")
	}
	for _, p := range ps {
		w.WriteString(`<g class="endpoint-plan">` + "\n")
		w.WriteString(`<line class="sep" x1="` + num(margin) + `" y1="` + num(y) + `" x2="` + num(width-margin) + `" y2="` + num(y) + `"/>` + "\n")
		text(w, "cap", margin, y+22, p.d.title)
		ox := margin + (width-2*margin-p.w)/2
		oy := y + sectionHead
		for _, e := range p.d.edges {
			writeEdge(w, p, e, ox, oy)
		}
		for _, n := range p.d.nodes {
			writeNode(w, n, p.boxes[n], ox, oy)
		}
		w.WriteString("</g>\n")
		y = oy + p.h + sectionGap
	}
	w.WriteString("</svg>\n")
}

// writeNode draws n's box and text.
func writeNode(w *bufio.Writer, n *node, b box, ox, oy float64) {
	class := "n"
	rx := 4.0
	switch n.kind {
	case kindClient, kindResponse:
		class += " terminal"
		rx = b.h / 2
	case kindEndpoint:
		class += " endpoint"
		rx = 10
	case kindBackend:
		class += " backend"
		rx = 10
	case kindShadow:
		class += " backend shadow"
		rx = 10
	case kindStatic:
		class += " static"
	case kindMerge:
		class += " merge"
		rx = 6
	case kindFlatmap:
		class += " flatmap"
	case kindStage:
		class += " stage " + string(n.cat)
	}
	x, y := b.x+ox, b.y+oy
	w.WriteString(`<g class="node"><rect class="` + class + `" x="` + num(x) + `" y="` + num(y) + `" width="` + num(b.w) + `" height="` + num(b.h) + `" rx="` + num(rx) + `"/>`)
	if n.kind == kindBackend || n.kind == kindShadow || n.kind == kindFlatmap {
		// A rule under the title: backends and the flatmap list rules.
		ly := y + padY + titleH + 1
		w.WriteString(`<line class="sep" x1="` + num(x+6) + `" y1="` + num(ly) + `" x2="` + num(x+b.w-6) + `" y2="` + num(ly) + `"/>`)
	}
	text(w, "t", x+padX, y+padY+13, n.title)
	for i, l := range n.lines {
		text(w, "l", x+padX, y+padY+titleH+float64(i+1)*lineH-3, l)
	}
	w.WriteString("</g>\n")
}

// writeEdge draws e from the bottom of its source to the top of its
// target: straight when they are in line, else an S-curve. An edge into or
// out of the merge meets it in line with the other end where it can.
func writeEdge(w *bufio.Writer, p *placed, e edge, ox, oy float64) {
	fb, tb := p.boxes[e.from], p.boxes[e.to]
	sx, sy := fb.cx(), fb.bottom()
	tx, ty := tb.cx(), tb.y
	if e.to.col == colMerge && sx > tb.x+8 && sx < tb.x+tb.w-8 {
		tx = sx
	}
	if e.from.col == colMerge && tx > fb.x+8 && tx < fb.x+fb.w-8 {
		sx = tx
	}
	sx, sy, tx, ty = sx+ox, sy+oy, tx+ox, ty+oy-1
	class := "e"
	if e.dashed {
		class += " dash"
	}
	var d string
	if math.Abs(sx-tx) < 0.5 {
		d = "M" + num(sx) + "," + num(sy) + " L" + num(tx) + "," + num(ty)
	} else {
		my := (sy + ty) / 2
		d = "M" + num(sx) + "," + num(sy) + " C" + num(sx) + "," + num(my) + " " + num(tx) + "," + num(my) + " " + num(tx) + "," + num(ty)
	}
	w.WriteString(`<path class="` + class + `" d="` + d + `" marker-end="url(#arrow)"/>` + "\n")
	if e.label == "" {
		return
	}
	// The label sits in the gap above the target, on the curve.
	ly := ty - rowGap/2
	lx := tx
	if math.Abs(sx-tx) >= 0.5 {
		best := math.Inf(1)
		my := (sy + ty) / 2
		for i := 0; i <= 50; i++ {
			t := float64(i) / 50
			u := 1 - t
			py := u*u*u*sy + 3*u*u*t*my + 3*u*t*t*my + t*t*t*ty
			if dy := math.Abs(py - ly); dy < best {
				best = dy
				lx = u*u*u*sx + 3*u*u*t*sx + 3*u*t*t*tx + t*t*t*tx
			}
		}
	}
	lw := float64(utf8.RuneCountInString(e.label))*labelAdv + 8
	w.WriteString(`<rect class="lb" x="` + num(lx-lw/2) + `" y="` + num(ly-8) + `" width="` + num(lw) + `" height="15" rx="3"/>`)
	w.WriteString(`<text class="lt" x="` + num(lx) + `" y="` + num(ly+3.5) + `" text-anchor="middle">` + xmlText(e.label) + "</text>\n")
}

// text writes one line of text with its class.
func text(w *bufio.Writer, class string, x, y float64, s string) {
	w.WriteString(`<text class="` + class + `" x="` + num(x) + `" y="` + num(y) + `">` + xmlText(s) + `</text>`)
}

// num formats a coordinate with at most one decimal.
func num(f float64) string {
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
}

// xmlText escapes s for XML text and attribute values: &, <, >, quotes
// and characters XML cannot hold (replaced by U+FFFD).
func xmlText(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
