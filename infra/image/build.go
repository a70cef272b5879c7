package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// module is the module path whose root the builds run in.
const module = "github.com/tributary-gw/tributary"

// Packages built into the images.
const (
	// ServerPackage is the `tributary` CLI.
	ServerPackage = "./local/tributary"
	// GatewayPackage is the all-endpoints Lambda function.
	GatewayPackage = "./functions/gateway"
	// EndpointPackage is the one-endpoint Lambda function.
	EndpointPackage = "./functions/endpoint"
)

// goBuild describes one `go build` of a static linux binary.
type goBuild struct {
	// Repo is the module root the build runs in.
	Repo string
	// Package is the main package, relative to Repo ("./local/tributary").
	Package string
	// Arch is the target GOARCH.
	Arch string
	// Lambda adds -tags lambda.norpc,tributary_nofc (the bootstrap talks
	// to the Runtime API only, and leaves the Flexible Config renderer out;
	// docs/lambda.md#functions).
	Lambda bool
	// Version is stamped into main.version; empty leaves "dev".
	Version string
	// Out is the output file.
	Out string
	// Env is the environment the go command runs with; CGO_ENABLED, GOOS
	// and GOARCH are overridden.
	Env []string
}

// run builds b: CGO off, -trimpath, stripped (-s -w), as the Makefile's
// release builds do. The go command's output is part of the error.
func (b goBuild) run(ctx context.Context) error {
	ldflags := "-s -w"
	if b.Version != "" {
		ldflags += " -X main.version=" + b.Version
	}
	args := []string{"build", "-trimpath", "-ldflags", ldflags}
	if b.Lambda {
		args = append(args, "-tags", "lambda.norpc,tributary_nofc")
	}
	args = append(args, "-o", b.Out, b.Package)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = b.Repo
	cmd.Env = append(withoutKeys(b.Env, "CGO_ENABLED", "GOOS", "GOARCH"),
		"CGO_ENABLED=0", "GOOS=linux", "GOARCH="+b.Arch)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// withoutKeys returns env without the entries for keys.
func withoutKeys(env []string, keys ...string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, key := range keys {
			if k == key {
				drop = true
				break
			}
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return out
}

// findRepo walks up from dir to the directory whose go.mod declares the
// Tributary module.
func findRepo(dir string) (string, error) {
	for d := dir; ; {
		if data, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil {
			first, _, _ := strings.Cut(string(data), "\n")
			if strings.TrimSpace(first) == "module "+module {
				return d, nil
			}
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no go.mod of %s above %s: run from the repository", module, dir)
		}
		d = parent
	}
}
