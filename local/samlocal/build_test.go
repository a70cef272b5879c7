package samlocal

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuild runs Build against a stand-in Makefile that records its
// arguments, so the exact make command line is checked without compiling.
func TestBuild(t *testing.T) {
	dir := t.TempDir()
	makefile := "build-%:\n\tmkdir -p $(ARTIFACTS_DIR)\n" +
		"\tprintf '#!/bin/sh\\n# %s GOARCH=%s\\n' $@ $(GOARCH) > $(ARTIFACTS_DIR)/bootstrap\n" +
		"\tchmod +x $(ARTIFACTS_DIR)/bootstrap\n" +
		"build-Broken:\n\tfalse\n"
	if err := os.WriteFile(filepath.Join(dir, "Makefile"), []byte(makefile), 0o644); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	build := Build(BuildOptions{Dir: dir, GOARCH: "riscv64", Output: &out})
	path, err := build(context.Background(), &Function{LogicalID: "EpGetX"})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if want := filepath.Join(dir, ".build", "sam", "EpGetX", "bootstrap"); path != want {
		t.Errorf("path = %q, want %q", path, want)
	}
	script, _ := os.ReadFile(path)
	if !strings.Contains(string(script), "# build-EpGetX GOARCH=riscv64") {
		t.Errorf("make ran with the wrong arguments: %s", script)
	}
	if !strings.Contains(out.String(), "chmod +x") {
		t.Errorf("make's output was not passed on: %q", out.String())
	}

	other := t.TempDir()
	path, err = Build(BuildOptions{Dir: dir, OutDir: other})(context.Background(), &Function{LogicalID: "GatewayFunction"})
	if err != nil || path != filepath.Join(other, "GatewayFunction", "bootstrap") {
		t.Errorf("OutDir: %q, %v", path, err)
	}
	if _, err := build(context.Background(), &Function{LogicalID: "Broken"}); err == nil || !strings.Contains(err.Error(), "make build-Broken") {
		t.Errorf("failing build: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := build(ctx, &Function{LogicalID: "EpGetY"}); err == nil {
		t.Error("a cancelled build succeeded")
	}
}

func TestPrebuilt(t *testing.T) {
	dir := t.TempDir()
	for id, mode := range map[string]os.FileMode{"Exec": 0o755, "Plain": 0o644} {
		if err := os.MkdirAll(filepath.Join(dir, id), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, id, "bootstrap"), nil, mode); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "Dir", "bootstrap"), 0o755); err != nil {
		t.Fatal(err)
	}
	find := Prebuilt(dir)
	if p, err := find(context.Background(), &Function{LogicalID: "Exec"}); err != nil || p != filepath.Join(dir, "Exec", "bootstrap") {
		t.Errorf("Exec: %q, %v", p, err)
	}
	for id, want := range map[string]string{"Plain": "not an executable file", "Dir": "not an executable file", "Missing": "no such file"} {
		if _, err := find(context.Background(), &Function{LogicalID: id}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", id, err, want)
		}
	}
}
