// Command coldstart measures the Lambda cold start of Tributary's functions
// against a minimal aws-lambda-go hello world, under the Runtime Interface
// Emulator (lambda.md §5, §10; `make bench-lambda`).
//
//	go run ./local/coldstart [-n 15] [-rie bin/aws-lambda-rie] [-endpoints 100]
//
// It builds every bootstrap with the lambda.md §1 flags, for this machine
// (to run) and for linux/arm64 (to report the deploy size), writes a
// generated config of -endpoints endpoints for TRIBUTARY_CONFIG, and then,
// variant after variant in turn, starts a fresh emulator -n times and
// measures process start → first response, and the emulator's own
// INIT REPORT duration. Run it from the module root.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// options are the command-line settings.
type options struct {
	runs      int
	rie       string
	endpoints int
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("coldstart", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.IntVar(&o.runs, "n", 15, "fresh emulator starts per variant")
	fs.StringVar(&o.rie, "rie", "bin/aws-lambda-rie", "the aws-lambda-rie binary (make bin/aws-lambda-rie)")
	fs.IntVar(&o.endpoints, "endpoints", 100, "endpoints in the generated config")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	case o.runs < 1 || o.runs > 1000:
		return o, fmt.Errorf("-n %d: want 1 to 1000", o.runs)
	case o.endpoints < 1 || o.endpoints > 10000:
		return o, fmt.Errorf("-endpoints %d: want 1 to 10000", o.endpoints)
	}
	return o, nil
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseOptions(args, stderr)
	if err != nil {
		if err != flag.ErrHelp {
			fmt.Fprintf(stderr, "coldstart: %v\n", err)
			return 2
		}
		return 0
	}
	if err := bench(o, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "coldstart: %v\n", err)
		return 1
	}
	return 0
}

// bench builds, measures and prints the report.
func bench(o options, stdout, stderr io.Writer) error {
	if _, err := os.Stat("go.mod"); err != nil {
		return fmt.Errorf("run from the module root: %w", err)
	}
	rieBin, err := filepath.Abs(o.rie)
	if err != nil {
		return err
	}
	if _, err := os.Stat(rieBin); err != nil {
		return fmt.Errorf("the emulator: %w (make bin/aws-lambda-rie)", err)
	}
	dir, err := os.MkdirTemp("", "tributary-coldstart-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	fmt.Fprintf(stderr, "coldstart: building %d bootstraps for linux/%s and linux/arm64…\n", len(packages), runtime.GOARCH)
	host, err := buildAll(dir, runtime.GOARCH)
	if err != nil {
		return err
	}
	arm, err := buildAll(dir, "arm64")
	if err != nil {
		return err
	}
	cfgPath := filepath.Join(dir, "tributary.json")
	if err := os.WriteFile(cfgPath, generateConfig(o.endpoints), 0o600); err != nil {
		return err
	}
	variants := []variant{
		{name: "hello (aws-lambda-go only)", pkg: pkgHello},
		{name: fmt.Sprintf("functions/gateway (%d endpoints)", o.endpoints), pkg: pkgGateway,
			env: []string{"TRIBUTARY_CONFIG=" + cfgPath}},
		{name: fmt.Sprintf("functions/endpoint (1 of %d)", o.endpoints), pkg: pkgEndpoint,
			env: []string{"TRIBUTARY_CONFIG=" + cfgPath, "TRIBUTARY_ENDPOINT=GET " + endpointPath(0)}},
	}
	for i := range variants {
		variants[i].bootstrap = host[variants[i].pkg].path
	}
	fmt.Fprintf(stderr, "coldstart: %d fresh emulator starts per variant…\n", o.runs)
	results, err := measureAll(rieBin, variants, o.runs)
	if err != nil {
		return err
	}
	writeReport(stdout, reportInput{
		goos: runtime.GOOS, goarch: runtime.GOARCH, runs: o.runs, endpoints: o.endpoints,
		variants: variants, results: results, host: host, arm64: arm,
	})
	return nil
}
