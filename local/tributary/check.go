package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/plan"
)

// checkHelp is the help of `check` (and of its alias `validate`); %s is
// the name it was invoked by.
const checkHelp = `Usage: tributary %s -c FILE [flags]

Loads FILE with the exact loader "tributary run" and the Lambda functions
use, and prints every problem at once on standard error: the errors, then
the warnings, as FILE:LINE:COL: $.json.path: problem; hint. Then one
success line on standard output. Exits 0 when the config loads (warnings
alone keep exit 0, except under --strict), 1 when it does not, 2 on a usage
error. "validate" is an alias, as in KrakenD.

KrakenD's check flags are all accepted: -c, -d, -i, -t, -l, -n and -s.
Tributary's loader already checks every key and namespace and always tests
route conflicts, offline; so -l and -n mean --strict (any warning fails the
check), -t is accepted and changes nothing, and -s (lint against a custom
JSON Schema) is refused as not supported.
`

// cmdCheck runs the exact loader `run` and the Lambda functions use, and
// prints errors and warnings (stderr), then one success line (stdout).
// name is "check" or its alias "validate".
func cmdCheck(name string, args, env []string, stdout, stderr io.Writer) int {
	fs := newFlagSet(name, fmt.Sprintf(checkHelp, name), stdout, stderr)
	help := fs.BoolP("help", "h", false, "print this help and exit")
	cfgPath := fs.StringP("config", "c", "", "config `FILE` to check (required)")
	debug := fs.CountP("debug", "d", "print the compiled plan on standard output: each route as METHOD /path with its timeouts, then its backends (KrakenD's -d; repeating it, as -dd, prints the same)")
	indent := fs.StringP("indent", "i", planIndent, "indentation `STRING` of the -d output (KrakenD's default is a tab)")
	strict := fs.Bool("strict", false, "every warning is an error: printed without \"warning:\" and exit 1")
	lint := fs.BoolP("lint", "l", false, "KrakenD's schema linting: here an alias of --strict (every key is always checked, offline)")
	lintNoNet := fs.BoolP("lint-no-network", "n", false, "KrakenD's offline schema linting: here an alias of --strict")
	fs.BoolP("test-gin-routes", "t", false, "accepted, changes nothing: route conflicts are always checked")
	lintSchema := fs.StringP("lint-schema", "s", "", "KrakenD's linting against a custom JSON Schema `FILE|URL`: not supported (the loader is stricter than the schema)")
	if code, ok := parseFlags(fs, help, args, name, stderr); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return unexpectedArgs(stderr, name, fs.Args(), *cfgPath == "")
	}
	if fs.Changed("lint-schema") {
		fmt.Fprintf(stderr, "tributary %s: --lint-schema %s is not supported; Tributary's loader is stricter than the schema (every key is checked): use --strict\n", name, *lintSchema)
		return 2
	}
	if *cfgPath == "" {
		fmt.Fprintf(stderr, "tributary %s: -c FILE is required\nRun \"tributary %s --help\" for its flags.\n", name, name)
		return 2
	}
	strictMode := *strict || *lint || *lintNoNet
	cfg, p, err := load(*cfgPath, env)
	if !reportLoad(stderr, cfg, err, strictMode) {
		return 1
	}
	if *debug > 0 {
		if rendered, ok := renderedConfig(*cfgPath, env); ok {
			// A Flexible Config template: what it rendered to, first.
			fmt.Fprintf(stdout, "%s\n", rendered)
		}
		fmt.Fprint(stdout, reindent(p.String(), *indent))
	}
	fmt.Fprintf(stdout, "%s: syntax OK, %d endpoint(s)\n", *cfgPath, len(p.Endpoints))
	return 0
}

// renderedConfig returns the JSON a Flexible Config template at path
// renders to (check -d shows it), and false when env does not enable
// Flexible Config or the file cannot be rendered (the load has reported
// why already).
func renderedConfig(path string, env []string) ([]byte, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	name, out, err := config.Render(path, data, env)
	if err != nil || name == path {
		return nil, false
	}
	return out, true
}

// planIndent is the indentation unit of plan.Plan.String.
const planIndent = "  "

// reindent replaces the leading planIndent units of each line of s with
// indent (check -i).
func reindent(s, indent string) string {
	if indent == planIndent {
		return s
	}
	lines := strings.SplitAfter(s, "\n")
	for i, line := range lines {
		n := 0
		for strings.HasPrefix(line, planIndent) {
			line = line[len(planIndent):]
			n++
		}
		lines[i] = strings.Repeat(indent, n) + line
	}
	return strings.Join(lines, "")
}

// load reads, validates and compiles the config at path (the bundled one
// when path is ""). cfg is nil when the config does not load; p is nil when
// it does not compile, and cfg.Warnings hold the lint warnings then.
func load(path string, env []string) (cfg *config.Config, p *plan.Plan, err error) {
	cfg, err = config.LoadFile(path, env)
	return compile(cfg, err)
}

// loadData is load for a config held in memory under the diagnostics name
// name (run --demo-ports loads a rewritten bundled config this way).
func loadData(name string, data []byte, env []string) (cfg *config.Config, p *plan.Plan, err error) {
	cfg, err = config.Load(name, data, env)
	return compile(cfg, err)
}

// compile compiles a loaded config; a load error is passed through.
func compile(cfg *config.Config, err error) (*config.Config, *plan.Plan, error) {
	if err != nil {
		return cfg, nil, err
	}
	p, err := plan.Compile(cfg)
	if err != nil {
		return cfg, nil, err
	}
	return cfg, p, nil
}

// reportLoad prints the outcome of load on w in the documented error
// format (docs/configuration.md, "Error format"): the errors, then the
// warnings (each as "FILE:LINE:COL: warning: …"), then "N error(s)" when
// there are errors. Under strict every warning is printed as an error,
// without the "warning:" marker, and fails the load. It reports whether
// the config is usable.
func reportLoad(w io.Writer, cfg *config.Config, err error, strict bool) bool {
	var warnings []config.Diagnostic
	if cfg != nil {
		warnings = cfg.Warnings
	}
	var errs config.Errors
	nerr := 0
	switch {
	case errors.As(err, &errs):
		for _, d := range errs {
			fmt.Fprintln(w, d.String())
		}
		nerr = len(errs)
	case err != nil:
		fmt.Fprintln(w, err)
		nerr = 1
	}
	for _, d := range warnings {
		if strict {
			fmt.Fprintln(w, d.String())
			nerr++
		} else {
			fmt.Fprintln(w, warningString(d))
		}
	}
	if nerr > 0 && (len(errs) > 0 || strict) {
		suffix := ""
		if strict && len(warnings) > 0 {
			suffix = fmt.Sprintf(" (%d warning(s) made errors by --strict)", len(warnings))
		}
		fmt.Fprintf(w, "%d error(s)%s\n", nerr, suffix)
	}
	return nerr == 0
}

// warningString formats a warning in the documented error format:
// "FILE:LINE:COL: warning: $.path: problem; hint".
func warningString(d config.Diagnostic) string {
	if d.Path != "" {
		d.Path = "warning: " + d.Path
	} else {
		d.Problem = "warning: " + d.Problem
	}
	return d.String()
}

// printLoadError prints a load error (sam generate uses it): every
// diagnostic, then their count.
func printLoadError(w io.Writer, err error) {
	reportLoad(w, nil, err, false)
}
