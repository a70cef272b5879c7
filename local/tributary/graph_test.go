package main

import (
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGraphFormats draws the bundled config in each format, to standard
// output and to -o FILE (the format following its extension).
func TestGraphFormats(t *testing.T) {
	cfg := "../../config/gateway.json"
	code, out, errOut := cli(t, nil, "graph", "-c", cfg)
	if code != 0 || errOut != "" || !strings.HasPrefix(out, "flowchart TD\n") {
		t.Fatalf("graph: exit %d, stderr %q, stdout:\n%s", code, errOut, out)
	}
	if n := strings.Count(out, "  subgraph ep"); n != 3 {
		t.Errorf("mermaid: %d endpoints, want 3", n)
	}
	code, out, _ = cli(t, nil, "graph", "-c", cfg, "--format", "dot")
	if code != 0 || !strings.HasPrefix(out, "digraph tributary {") || strings.Count(out, "shape=cylinder") != 6 {
		t.Errorf("graph --format dot: exit %d, stdout:\n%s", code, out)
	}

	dir := t.TempDir()
	svg := filepath.Join(dir, "plan.svg")
	code, out, errOut = cli(t, nil, "graph", "-c", cfg, "-o", svg)
	if code != 0 || out != "" || !strings.Contains(errOut, "wrote "+svg+" (svg, 3 endpoint(s))") {
		t.Fatalf("graph -o plan.svg: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	b, err := os.ReadFile(svg)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(strings.NewReader(string(b)))
	for {
		_, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the SVG does not parse: %v", err)
		}
	}
	if n := strings.Count(string(b), `<g class="node">`); n < 6+3*4 {
		t.Errorf("SVG has %d nodes", n)
	}
	gv := filepath.Join(dir, "plan.gv")
	if code, _, errOut := cli(t, nil, "graph", "-c", cfg, "-o", gv, "--endpoint", "GET /products"); code != 0 {
		t.Fatalf("graph -o plan.gv: exit %d, stderr %q", code, errOut)
	}
	if b, _ := os.ReadFile(gv); !strings.HasPrefix(string(b), "digraph") || strings.Count(string(b), "subgraph cluster_") != 1 {
		t.Errorf("plan.gv:\n%s", b)
	}
}

// TestGraphSelectsEndpoints: --endpoint takes a path or "METHOD /path";
// an unknown one is exit 1 with the list of valid ones.
func TestGraphSelectsEndpoints(t *testing.T) {
	cfg := "../../config/gateway.json"
	code, out, _ := cli(t, nil, "graph", "-c", cfg, "-e", "/users/{id_user}", "--endpoint", "get /products")
	if code != 0 || strings.Count(out, "  subgraph ep") != 2 || !strings.Contains(out, "GET /products") || strings.Contains(out, "frontpage") {
		t.Errorf("exit %d, stdout:\n%s", code, out)
	}
	code, out, errOut := cli(t, nil, "graph", "-c", cfg, "--endpoint", "/nope")
	if code != 1 || out != "" || !strings.Contains(errOut, `no endpoint "/nope"`) ||
		!strings.Contains(errOut, "GET /frontpage/{id_user}") || !strings.Contains(errOut, "GET /products") {
		t.Errorf("unknown endpoint: exit %d, stdout %q, stderr:\n%s", code, out, errOut)
	}
}

func TestGraphErrors(t *testing.T) {
	bad := writeFile(t, "bad.json", `{"version": 3, "endpoints": [{"endpoint": "/a", "backend": [{"url_pattern": "/"}]}]}`)
	cfg := "../../config/gateway.json"
	for _, tc := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"graph"}, 2, "-c FILE is required"},
		{[]string{"graph", cfg}, 2, "the config file is a flag"},
		{[]string{"graph", "-c", cfg, "--format", "png"}, 2, `unknown format "png"`},
		{[]string{"graph", "-c", cfg, "-o", filepath.Join(t.TempDir(), "x.png")}, 2, "cannot tell the format from .png"},
		{[]string{"graph", "-c", cfg, "--frobnicate"}, 2, "unknown flag"},
		{[]string{"graph", "-c", bad}, 1, "error(s)"},
		{[]string{"graph", "-c", filepath.Join(t.TempDir(), "missing.json")}, 1, "missing.json"},
		{[]string{"graph", "-c", cfg, "-o", filepath.Join(t.TempDir(), "no", "such", "dir.svg")}, 1, "dir.svg"},
	} {
		code, out, errOut := cli(t, nil, tc.args...)
		if code != tc.code || out != "" || !strings.Contains(errOut, tc.err) {
			t.Errorf("%v: exit %d (want %d), stdout %q, stderr %q (want %q)", tc.args, code, tc.code, out, errOut, tc.err)
		}
	}
	for _, args := range [][]string{{"graph", "--help"}, {"help", "graph"}} {
		code, out, errOut := cli(t, nil, args...)
		if code != 0 || errOut != "" || !strings.HasPrefix(out, "Usage: tributary graph -c FILE") {
			t.Errorf("%v: exit %d, stderr %q, stdout:\n%s", args, code, errOut, out)
		}
		for _, f := range []string{"--config", "--endpoint", "--format", "--out", "--help"} {
			if !strings.Contains(out, f) {
				t.Errorf("%v: help lacks %s", args, f)
			}
		}
	}
	if _, out, _ := cli(t, nil, "--help"); !strings.Contains(out, "tributary graph") {
		t.Error("the top-level help does not list graph")
	}
}
