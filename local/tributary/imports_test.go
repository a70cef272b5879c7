package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDirectImportRules enforces DESIGN.md rule 5 on direct imports (`go
// list` .Imports): the compiled plan is the only boundary, so nothing but
// core/plan (and the composition roots: local, functions, infra) imports
// config. Transitive dependencies cannot say this — every adapter reaches
// config through core/plan — so TestDependencyRules does not.
func TestDirectImportRules(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	checked := 0
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		pkg := strings.TrimPrefix(f[0], module+"/")
		under := func(prefix string) bool { return pkg == prefix || strings.HasPrefix(pkg, prefix+"/") }
		mayImportConfig := !under("adapters") && (!under("core") || pkg == "core/plan")
		checked++
		for _, imp := range f[1:] {
			if imp == module+"/config" && !mayImportConfig {
				t.Errorf("%s imports config: request time reads the compiled plan, never the config (DESIGN.md rule 5)", pkg)
			}
		}
	}
	if checked < 8 {
		t.Fatalf("go list found only %d packages", checked)
	}
}
