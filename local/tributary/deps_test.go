package main

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/tributary-gw/tributary"

// TestDependencyRules enforces DESIGN.md's package boundaries on the real
// import graph (`go list -deps`), so a forbidden import fails CI instead of
// a review.
func TestDependencyRules(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Deps \" \"}}", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := map[string][]string{}
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) > 0 {
			deps[strings.TrimPrefix(f[0], module+"/")] = f[1:]
		}
	}
	if len(deps) < 8 {
		t.Fatalf("go list found only %d packages: %v", len(deps), deps)
	}
	lambdaRuntime := []string{"github.com/aws/aws-lambda-go", "github.com/awslabs/aws-lambda-go-api-proxy"}
	ours := func(prefix string) []string { return []string{module + "/" + prefix} }
	type rule struct {
		pkgPrefix string
		forbidden []string
		why       string
	}
	leaves := []string{"core/shape", "core/route", "core/urltpl", "core/backend", "core/telemetry",
		"core/websec", "core/auth", "core/qos", "core/cache", "core/sign", "core/oauth", "core/revoke",
		"core/martian", "core/lua", "core/schemacheck", "core/celcheck", "core/graphql", "core/recent",
		"core/otel", "core/emf", "core/influx"}
	rules := []rule{
		{"core", append(append(append(ours("adapters"), ours("functions")...), ours("local")...), lambdaRuntime...), "core never depends on a transport or the Lambda runtime"},
		{"config", append(append(append(append(ours("adapters"), ours("functions")...), ours("local")...), ours("core")...), lambdaRuntime...), "config is a leaf: stdlib and json-iterator only"},
		{"core", []string{"net/http/httptest", "testing"}, "test tooling stays out of production code"},
		{"adapters/httpadapter", append(append(ours("adapters/lambdaadapter"), ours("adapters/fasthttpadapter")...), lambdaRuntime...), "adapters do not import each other; httpadapter never imports aws"},
		// The one exception to "adapters do not import each other": the
		// fasthttp adapter hands the built-in endpoints to the net/http
		// adapter, so that they answer alike by construction.
		{"adapters/fasthttpadapter", append(ours("adapters/lambdaadapter"), lambdaRuntime...), "the fasthttp adapter imports httpadapter only (built-ins); never aws"},
		{"adapters/lambdaadapter", append(append(ours("adapters/httpadapter"), ours("core")...), ours("config")...), "the Lambda adapter serves any http.Handler"},
		{"infra", append(ours("core"), ours("adapters")...), "SAM generation reads the config only"},
		{"local/samlocal", append(append(append(ours("adapters"), ours("core")...), ours("functions")...), lambdaRuntime...),
			"start-api builds and reads events on its own, apart from the Lambda adapter (lambda.md §8 step 7)"},
	}
	for _, leaf := range leaves {
		others := []string{module + "/core/plan", module + "/core/exec", module + "/config"}
		for _, l := range leaves {
			if l != leaf {
				others = append(others, module+"/"+l)
			}
		}
		rules = append(rules, rule{leaf, others, "core leaves import no other core package"})
	}
	// internal/* are leaves shared by every layer: the standard library
	// and each other only (flatmapspec builds on dotpath's path rules).
	// core/stage is the seam every feature implements (leaves may import
	// it), core/observe the one telemetry implements: the standard library
	// only.
	for _, leaf := range []string{"internal/httpsyntax", "internal/jsontext", "internal/dotpath", "internal/authorizer", "internal/flatmapspec"} {
		if _, ok := deps[leaf]; !ok {
			t.Errorf("%s missing from go list output: the stdlib-only rule below would not see it", leaf)
		}
	}
	for pkg, list := range deps {
		if !strings.HasPrefix(pkg, "internal/") && pkg != "core/stage" && pkg != "core/observe" {
			continue
		}
		for _, d := range list {
			if strings.HasPrefix(pkg, "internal/") && strings.HasPrefix(d, module+"/internal/") {
				continue
			}
			if strings.Contains(strings.SplitN(d, "/", 2)[0], ".") {
				t.Errorf("%s imports %s: it may import only the standard library", pkg, d)
			}
		}
	}
	if _, ok := deps["core/exec"]; !ok {
		t.Fatalf("core/exec missing from go list output")
	}
	for pkg, list := range deps {
		for _, r := range rules {
			if pkg != r.pkgPrefix && !strings.HasPrefix(pkg, r.pkgPrefix+"/") {
				continue
			}
			for _, d := range list {
				for _, bad := range r.forbidden {
					if d == bad || strings.HasPrefix(d, bad+"/") {
						t.Errorf("%s imports %s: %s", pkg, d, r.why)
					}
				}
			}
		}
		for _, banned := range []string{"util", "utils", "common", "helpers"} {
			for seg := range strings.SplitSeq(pkg, "/") {
				if seg == banned {
					t.Errorf("package %s: no %q packages (DESIGN rule 3)", pkg, banned)
				}
			}
		}
	}
	// The shaping engine is the hot path: stdlib, json-iterator and our
	// stdlib-only internal/ helpers.
	for _, d := range deps["core/shape"] {
		if strings.Contains(strings.SplitN(d, "/", 2)[0], ".") && !strings.HasPrefix(d, "github.com/json-iterator/") && !strings.HasPrefix(d, "github.com/modern-go/") && !strings.HasPrefix(d, module+"/internal/") {
			t.Errorf("core/shape imports %s: only stdlib and json-iterator are allowed", d)
		}
	}
}
