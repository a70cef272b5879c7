package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The packages the benchmark builds.
const (
	pkgHello    = "./local/coldstart/hello"
	pkgGateway  = "./functions/gateway"
	pkgEndpoint = "./functions/endpoint"
)

// packages are built for the host (to run) and for arm64 (to size).
var packages = []string{pkgHello, pkgGateway, pkgEndpoint}

// binary is one built bootstrap.
type binary struct {
	path string
	size int64
}

// buildFlags are the deploy flags of `make build-<LogicalId>` for the
// bundled config, which uses none of CEL, JSON Schema, Lua, the Redis
// shared store or backend/lambda, so every lean tag applies (GOOS/GOARCH and CGO_ENABLED go
// in the environment).
var buildFlags = []string{"build", "-tags",
	"lambda.norpc,tributary_nofc,tributary_nocel,tributary_nojsonschema,tributary_nolua,tributary_noredis,tributary_noawssdk,tributary_nootel",
	"-trimpath", "-ldflags=-s -w"}

// buildAll builds every package for linux/goarch into dir.
func buildAll(dir, goarch string) (map[string]binary, error) {
	out := make(map[string]binary, len(packages))
	for _, pkg := range packages {
		path := filepath.Join(dir, goarch, filepath.Base(pkg), "bootstrap")
		args := append(append([]string{}, buildFlags...), "-o", path, pkg)
		cmd := exec.Command("go", args...)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch)
		if msg, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go %s (GOARCH=%s): %w\n%s", strings.Join(args, " "), goarch, err, msg)
		}
		st, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		out[pkg] = binary{path: path, size: st.Size()}
	}
	return out, nil
}
