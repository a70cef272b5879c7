package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/plan"
)

// cmdCheck runs the exact loader `run` and the Lambda functions use, and
// prints errors, then warnings (stderr), then one success line (stdout).
func cmdCheck(args, env []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("check", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.StringP("config", "c", "", "config file to check (required)")
	debug := fs.BoolP("debug", "d", false, "print the compiled plan")
	lint := fs.BoolP("lint", "l", false, "treat lint warnings as errors")
	lintNoNet := fs.BoolP("lint-no-network", "n", false, "alias of --lint (Tributary never uses the network)")
	fs.BoolP("test-gin-routes", "t", false, "accepted; route conflicts are always checked")
	lintSchema := fs.BoolP("lint-schema", "s", false, "not supported")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "tributary check: %v\n", err)
		return 2
	}
	if *lintSchema {
		fmt.Fprintln(stderr, "tributary check: --lint-schema is not supported; Tributary's loader is stricter than the schema (every key is checked)")
		return 2
	}
	if *cfgPath == "" {
		fmt.Fprintln(stderr, "tributary check: -c FILE is required")
		return 2
	}
	cfg, p, err := load(*cfgPath, env)
	var warnings []config.Diagnostic
	if cfg != nil {
		warnings = cfg.Warnings
	}
	if err != nil {
		printLoadError(stderr, err)
	}
	for _, w := range warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	if err != nil {
		return 1
	}
	if *debug {
		fmt.Fprint(stdout, p.String())
	}
	if (*lint || *lintNoNet) && len(warnings) > 0 {
		fmt.Fprintf(stderr, "%s: %d lint warning(s); failing because of --lint\n", *cfgPath, len(warnings))
		return 1
	}
	fmt.Fprintf(stdout, "%s: syntax OK, %d endpoint(s)\n", *cfgPath, len(p.Endpoints))
	return 0
}

// load runs the one loader: decode, validate, compile. path "" is the
// bundled config.
// load reads, validates and compiles the config at path (the bundled one
// when path is ""). cfg is nil when the config does not load; p is nil when
// it does not compile, and cfg.Warnings hold the lint warnings either way.
func load(path string, env []string) (cfg *config.Config, p *plan.Plan, err error) {
	cfg, err = config.LoadFile(path, env)
	if err != nil {
		return nil, nil, err
	}
	p, err = plan.Compile(cfg)
	return cfg, p, err
}

func printLoadError(w io.Writer, err error) {
	var errs config.Errors
	if errors.As(err, &errs) {
		for _, d := range errs {
			fmt.Fprintln(w, d.String())
		}
		fmt.Fprintf(w, "%d error(s)\n", len(errs))
		return
	}
	fmt.Fprintln(w, err)
}
