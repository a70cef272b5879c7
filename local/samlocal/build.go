package samlocal

import (
	"context"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// BootstrapFunc returns the path of fn's bootstrap binary, building it
// first when it builds.
type BootstrapFunc func(ctx context.Context, fn *Function) (string, error)

// BuildOptions configure Build.
type BuildOptions struct {
	// Dir is where make runs: the directory of the template and Makefile.
	// Default: the current directory.
	Dir string
	// OutDir receives OutDir/<LogicalId>/bootstrap. Relative to the
	// current directory. Default: Dir/.build/sam.
	OutDir string
	// GOARCH is passed to make; the emulator runs the binary on this
	// machine, so it must be the host's. Default: runtime.GOARCH.
	GOARCH string
	// Make is the make command. Default "make".
	Make string
	// Output receives make's output. Default: discarded.
	Output io.Writer
}

// Build returns a BootstrapFunc that builds each function for the host
// with the target `sam build` uses (docs/lambda.md#deploying):
//
//	make build-<LogicalId> GOARCH=<host> ARTIFACTS_DIR=<OutDir>/<LogicalId>
func Build(o BuildOptions) BootstrapFunc {
	if o.Dir == "" {
		o.Dir = "."
	}
	if o.OutDir == "" {
		o.OutDir = filepath.Join(o.Dir, ".build", "sam")
	}
	if o.GOARCH == "" {
		o.GOARCH = runtime.GOARCH
	}
	if o.Make == "" {
		o.Make = "make"
	}
	if o.Output == nil {
		o.Output = io.Discard
	}
	return func(ctx context.Context, fn *Function) (string, error) {
		out, err := filepath.Abs(filepath.Join(o.OutDir, fn.LogicalID))
		if err != nil {
			return "", fmt.Errorf("building %s: %w", fn.LogicalID, err)
		}
		cmd := exec.CommandContext(ctx, o.Make, "build-"+fn.LogicalID, "GOARCH="+o.GOARCH, "ARTIFACTS_DIR="+out)
		cmd.Dir = o.Dir
		cmd.Stdout, cmd.Stderr = o.Output, o.Output
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("building %s: %s build-%s: %w", fn.LogicalID, o.Make, fn.LogicalID, err)
		}
		return checkBootstrap(filepath.Join(out, "bootstrap"))
	}
}

// Prebuilt returns a BootstrapFunc that builds nothing and uses
// dir/<LogicalId>/bootstrap: the layout of Build's OutDir and of `sam
// build`'s .aws-sam/build.
func Prebuilt(dir string) BootstrapFunc {
	return func(_ context.Context, fn *Function) (string, error) {
		return checkBootstrap(filepath.Join(dir, fn.LogicalID, "bootstrap"))
	}
}

// checkBootstrap returns path if it is an executable file that this
// machine can run.
func checkBootstrap(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("bootstrap: %w", err)
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
		return "", fmt.Errorf("bootstrap %s is not an executable file", path)
	}
	if err := checkMachine(path, runtime.GOARCH); err != nil {
		return "", err
	}
	return path, nil
}

// elfMachines are the ELF machines of the architectures Lambda runs.
var elfMachines = map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}

// checkMachine fails when path is an ELF binary for another architecture
// than goarch, such as the arm64 bootstrap `sam build` makes by default
// on an amd64 machine: the emulator could not run it. Files that are not
// ELF (scripts) and architectures other than Lambda's are not checked.
func checkMachine(path, goarch string) error {
	want, ok := elfMachines[goarch]
	if !ok {
		return nil
	}
	f, err := elf.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	if f.Machine == want {
		return nil
	}
	built := f.Machine.String()
	for arch, m := range elfMachines {
		if m == f.Machine {
			built = arch
		}
	}
	return fmt.Errorf("bootstrap %s is built for %s, and this machine runs %s: build it for %s (make build-<LogicalId> GOARCH=%s, or GOARCH=%s sam build)",
		path, built, goarch, goarch, goarch, goarch)
}
