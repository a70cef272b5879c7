package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/tributary-gw/tributary/local/planviz"
)

// graphHelp is the help of `graph`.
const graphHelp = `Usage: tributary graph -c FILE [--endpoint E]... [--format mermaid|dot|svg] [-o FILE]

Draws the plan of each endpoint of FILE, as the gateway runs it: the
service and endpoint stages in their order, each backend with its hosts,
url_pattern, shaping rules and own stages, sequential chains, static data,
shadow backends, the merge and its order, the post-merge flatmap_filter and
the response-side stages (docs/graph.md explains every shape).

FILE is loaded and compiled exactly as "tributary check" does it; a config
that does not load prints its problems and draws nothing. --endpoint picks
endpoints by path ("/users/{id}", every method) or "METHOD /path"; repeat
it for several. Without --format, the format follows -o's extension (.svg,
.dot or .gv, .mmd) and is mermaid otherwise. The SVG is laid out by
Tributary itself: no Graphviz or Mermaid install is needed. Output goes to
standard output, or to -o FILE. Exits 0 on success, 1 when the config does
not load or an endpoint is unknown, 2 on a usage error.
`

// cmdGraph draws the config's plan (package planviz).
func cmdGraph(args, env []string, stdout, stderr io.Writer) int {
	const name = "graph"
	fs := newFlagSet(name, graphHelp, stdout, stderr)
	help := fs.BoolP("help", "h", false, "print this help and exit")
	cfgPath := fs.StringP("config", "c", "", "config `FILE` to draw (required)")
	endpoints := fs.StringArrayP("endpoint", "e", nil, "draw only this endpoint: a `PATH` or \"METHOD PATH\" (repeatable; default: every endpoint)")
	format := fs.StringP("format", "f", "", "output `FORMAT`: mermaid, dot or svg (default: from -o's extension, else mermaid)")
	out := fs.StringP("out", "o", "", "write to `FILE` instead of standard output")
	if code, ok := parseFlags(fs, help, args, name, stderr); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return unexpectedArgs(stderr, name, fs.Args(), *cfgPath == "")
	}
	if *cfgPath == "" {
		fmt.Fprintf(stderr, "tributary %s: -c FILE is required\nRun \"tributary %s --help\" for its flags.\n", name, name)
		return 2
	}
	f, err := graphFormat(*format, *out)
	if err != nil {
		fmt.Fprintf(stderr, "tributary %s: --format: %v\n", name, err)
		return 2
	}
	cfg, _, err := load(*cfgPath, env)
	if !reportLoad(stderr, cfg, err, false) {
		return 1
	}
	g, err := planviz.Build(cfg).Select(*endpoints)
	if err != nil {
		fmt.Fprintf(stderr, "tributary %s: %v\n", name, err)
		return 1
	}
	var buf bytes.Buffer
	if err := planviz.Render(&buf, g, f); err != nil {
		fmt.Fprintf(stderr, "tributary %s: %v\n", name, err)
		return 1
	}
	if *out == "" {
		if _, err := stdout.Write(buf.Bytes()); err != nil {
			fmt.Fprintf(stderr, "tributary %s: writing the result: %v\n", name, err)
			return 1
		}
		return 0
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintf(stderr, "tributary %s: %v\n", name, err)
		return 1
	}
	fmt.Fprintf(stderr, "wrote %s (%s, %d endpoint(s))\n", *out, f, len(g.Endpoints))
	return 0
}

// graphFormat is the --format given, else the one -o's extension names,
// else mermaid.
func graphFormat(format, out string) (planviz.Format, error) {
	if format != "" {
		return planviz.ParseFormat(format)
	}
	switch strings.ToLower(filepath.Ext(out)) {
	case ".svg":
		return planviz.SVG, nil
	case ".dot", ".gv":
		return planviz.DOT, nil
	case ".mmd", ".mermaid", "":
		return planviz.Mermaid, nil
	}
	return "", errors.New("cannot tell the format from " + filepath.Ext(out) + ": give --format mermaid, dot or svg")
}
