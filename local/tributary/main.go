// Command tributary runs and checks Tributary gateway configs.
//
//	tributary run   [-c FILE] [-p PORT] [-d] [--no-demo]
//	tributary check -c FILE [-d] [-l|-n] [-t]
//	tributary version
//	tributary sam generate [-c FILE -o FILE] [--per-endpoint] [--api http|rest] [--alb] [--integration-timeout D]
//	tributary sam start-api [-t FILE] [-p PORT] [--host ADDR] [--env-vars FILE] [--parameter-overrides V] …
//	tributary sam invoke [FUNCTION] [-t FILE] [-e FILE|-] [--no-event] [--env-vars FILE] [--fail-on-error] …
//
// "tributary sam COMMAND --help" lists every flag.
package main

import (
	"fmt"
	"io"
	"os"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	os.Exit(runCLI(os.Args[1:], os.Environ(), os.Stdout, os.Stderr))
}

const usage = `Tributary: a declarative API gateway that reads KrakenD v3 configs.

Usage:
  tributary run   [-c FILE] [-p PORT] [-d] [--no-demo]   serve a config (default: the bundled demo)
  tributary check -c FILE [-d] [-l]                      validate a config and print every problem
  tributary version                                      print the version
  tributary sam COMMAND [FLAGS]                          AWS SAM helpers ("tributary sam help" lists them)

Run "tributary COMMAND --help" for the flags of a command.
`

// runCLI dispatches a command and returns the exit code.
func runCLI(args, env []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "run":
		return cmdRun(args[1:], env, stdout, stderr)
	case "check":
		return cmdCheck(args[1:], env, stdout, stderr)
	case "sam":
		return cmdSam(args[1:], env, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintf(stdout, "tributary %s\n", version)
		return 0
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "tributary: unknown command %q\n\n%s", args[0], usage)
	return 2
}
