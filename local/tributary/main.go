// Command tributary runs and checks Tributary gateway configs.
//
//	tributary run   [-c FILE] [-p PORT] [-d] [--no-demo] [--demo-ports C,U] [--strict]
//	tributary check -c FILE [-d] [-i INDENT] [-l|-n|--strict] [-t]   (alias: validate)
//	tributary migrate -c OLD [-o NEW]
//	tributary graph -c FILE [--endpoint E] [--format mermaid|dot|svg] [-o FILE]
//	tributary version
//	tributary sam generate [-c FILE -o FILE] [--per-endpoint] [--api http|rest] [--alb] [--integration-timeout D]
//	tributary sam start-api [-t FILE] [-p PORT] [--host ADDR] [--env-vars FILE] [--parameter-overrides V] …
//	tributary sam invoke [FUNCTION] [-t FILE] [-e FILE|-] [--no-event] [--env-vars FILE] [--fail-on-error] …
//
// "tributary COMMAND --help" (or "tributary help COMMAND") lists every flag
// of a command on standard output.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/spf13/pflag"
)

// version is set at build time with -ldflags "-X main.version=…" (make
// build). Left at "dev", the version comes from the build info (see
// buildVersion).
var version = "dev"

func main() {
	os.Exit(runCLI(os.Args[1:], os.Environ(), os.Stdout, os.Stderr))
}

// usage is the top-level help (tributary --help, tributary help).
const usage = `Tributary: a declarative API gateway that reads KrakenD v3 configs.

Usage:
  tributary run   [-c FILE] [-p PORT] [flags]   serve a config (default: the bundled demo)
  tributary check -c FILE [flags]               validate a config and print every problem (alias: validate)
  tributary migrate -c OLD [-o NEW]             convert a KrakenD v1/v2 config to v3
  tributary graph -c FILE [flags]               draw each endpoint's plan (mermaid, dot or svg)
  tributary version                             print the version
  tributary sam COMMAND [flags]                 AWS SAM helpers ("tributary sam help" lists them)
  tributary help [COMMAND]                      print this help, or a command's

Run "tributary COMMAND --help" for the flags of a command.
`

// runCLI dispatches a command and returns the exit code: 0 on success, 1
// when the command failed, 2 for a usage error.
func runCLI(args, env []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "run":
		return cmdRun(args[1:], env, stdout, stderr)
	case "check", "validate":
		return cmdCheck(args[0], args[1:], env, stdout, stderr)
	case "sam":
		return cmdSam(args[1:], env, stdout, stderr)
	case "migrate":
		return cmdMigrate(args[1:], env, stdout, stderr)
	case "graph":
		return cmdGraph(args[1:], env, stdout, stderr)
	case "version", "--version", "-v":
		return cmdVersion(args[1:], stdout, stderr)
	case "help", "--help", "-h":
		if len(args) > 1 && args[0] == "help" {
			return helpFor(args[1], args[2:], env, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "tributary: unknown command %q\n\n%s", args[0], usage)
	return 2
}

// helpFor answers "tributary help COMMAND" as "tributary COMMAND --help"
// does, as "go help build" does for Go users.
func helpFor(command string, rest []string, env []string, stdout, stderr io.Writer) int {
	switch command {
	case "run", "check", "validate", "version", "migrate", "graph":
		if len(rest) > 0 {
			break
		}
		return runCLI([]string{command, "--help"}, env, stdout, stderr)
	case "sam":
		return cmdSam(append(rest, "--help"), env, stdout, stderr)
	}
	fmt.Fprintf(stderr, "tributary help: unknown help topic %q\n\n%s", command, usage)
	return 2
}

// versionHelp is the help of `version`.
const versionHelp = `Usage: tributary version [flags]

Prints "tributary VERSION": the version make build stamps in (git describe);
else, from the build info, the module version "go install …@VERSION"
records or the pseudo-version "go build" derives from a git checkout
("+dirty" for uncommitted changes); else the VCS revision (12 hex digits,
"-dirty" for uncommitted changes); else "dev".
`

// cmdVersion prints the version.
func cmdVersion(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("version", versionHelp, stdout, stderr)
	help := fs.BoolP("help", "h", false, "print this help and exit")
	if code, ok := parseFlags(fs, help, args, "version", stderr); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return unexpectedArgs(stderr, "version", fs.Args(), false)
	}
	fmt.Fprintf(stdout, "tributary %s\n", currentVersion())
	return 0
}

// currentVersion is the version this binary reports: by `version`, in
// run's logs and in X-Tributary-Version when a config asks for it. See
// buildVersion.
func currentVersion() string {
	info, ok := debug.ReadBuildInfo()
	return buildVersion(version, info, ok)
}

// buildVersion is stamped when it is not "dev" (make build's -ldflags -X
// main.version). Otherwise it falls back to the build info: the main
// module's version (set by "go install MODULE@VERSION", and since Go 1.24
// by "go build" in a git checkout, as a pseudo-version), else the VCS
// revision "go build" stamps (12 hex digits, with "-dirty" when
// vcs.modified is true, as git describe --dirty writes it), else "dev".
func buildVersion(stamped string, info *debug.BuildInfo, ok bool) string {
	if stamped != "dev" && stamped != "" {
		return stamped
	}
	if !ok || info == nil {
		return "dev"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev string
	var modified bool
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev == "" {
		return "dev"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified {
		rev += "-dirty"
	}
	return rev
}

// newFlagSet returns a flag set for "tributary NAME" that reports parse
// errors to stderr and whose usage (help, then every flag), printed by
// parseFlags on --help, goes to stdout.
func newFlagSet(name, help string, stdout, stderr io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "%s\nFlags:\n%s", help, fs.FlagUsages())
	}
	return fs
}

// parseFlags parses args; ok false means return code now: 0 after --help
// (the help is on stdout), 2 after a bad flag.
func parseFlags(fs *pflag.FlagSet, help *bool, args []string, name string, stderr io.Writer) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) { // unreachable while -h is defined; kept for safety
			fs.Usage()
			return 0, false
		}
		fmt.Fprintf(stderr, "tributary %s: %v\nRun \"tributary %s --help\" for its flags.\n", name, err, name)
		return 2, false
	}
	if *help {
		fs.Usage()
		return 0, false
	}
	return 0, true
}

// unexpectedArgs reports positional arguments to a command that takes
// none and returns exit code 2. When takesConfig is set the message
// suggests -c with the first one: KrakenD users type "krakend run -c FILE",
// and "tributary run FILE" must never silently serve the demo instead.
func unexpectedArgs(stderr io.Writer, name string, args []string, takesConfig bool) int {
	fmt.Fprintf(stderr, "tributary %s: unexpected argument %q", name, args[0])
	if takesConfig {
		fmt.Fprintf(stderr, "; the config file is a flag: tributary %s -c %s", name, shellQuote(args[0]))
	}
	fmt.Fprintf(stderr, "\nRun \"tributary %s --help\" for its flags.\n", name)
	return 2
}
