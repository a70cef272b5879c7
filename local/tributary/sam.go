package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/infra"
)

const samUsage = `Usage:
  tributary sam generate [-c FILE] [--per-endpoint] [--api http|rest] [-o FILE]
                                  write the SAM template for a config (default: the bundled one)
  tributary sam start-api [-t FILE] [-p PORT] [--rie PATH] [--skip-build] [--bootstrap-dir DIR]
                                  serve the template's API events on 127.0.0.1 (default port 3000),
                                  each function under the Lambda Runtime Interface Emulator (no Docker)
  tributary sam invoke FUNCTION [-t FILE] [-e FILE] [--rie PATH] [--skip-build] [--bootstrap-dir DIR]
                                  invoke one function once and print its result

Run "tributary sam COMMAND --help" for the flags of a command.
`

// cmdSam dispatches the `sam` subcommands.
func cmdSam(args, env []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, samUsage)
		return 2
	}
	switch args[0] {
	case "generate":
		return cmdSamGenerate(args[1:], env, stdout, stderr)
	case "start-api":
		return cmdSamStartAPI(args[1:], stdout, stderr)
	case "invoke":
		return cmdSamInvoke(args[1:], stdout, stderr)
	case "help", "--help", "-h":
		fmt.Fprint(stdout, samUsage)
		return 0
	}
	fmt.Fprintf(stderr, "tributary sam: unknown command %q\n\n%s", args[0], samUsage)
	return 2
}

// cmdSamGenerate loads a config with the one loader (the functions would
// reject anything it rejects) and writes its SAM template to stdout or -o.
func cmdSamGenerate(args, env []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("sam generate", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.StringP("config", "c", "", "config file (default: the bundled config)")
	perEndpoint := fs.Bool("per-endpoint", false, "also generate one function per endpoint")
	api := fs.String("api", infra.APIHTTP, "API Gateway flavour: http (HTTP API + Function URL) or rest")
	out := fs.StringP("output", "o", "", "write the template to this file (default: stdout)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "tributary sam generate: %v\n", err)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "tributary sam generate: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *api != infra.APIHTTP && *api != infra.APIREST {
		fmt.Fprintf(stderr, "tributary sam generate: --api %q: want %q or %q\n", *api, infra.APIHTTP, infra.APIREST)
		return 2
	}
	cfg, _, err := load(*cfgPath, env)
	var warnings []config.Diagnostic
	if cfg != nil {
		warnings = cfg.Warnings
	}
	if err != nil {
		printLoadError(stderr, err)
		return 1
	}
	for _, w := range warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	o := infra.Options{API: *api, PerEndpoint: *perEndpoint, ConfigName: config.BundledName}
	o.Command = infra.DefaultCommand(o)
	if *cfgPath != "" {
		// Record -c right after the command name: "tributary sam generate -c FILE --per-endpoint".
		const name = "tributary sam generate"
		o.ConfigName = *cfgPath
		o.Command = name + " -c " + shellQuote(*cfgPath) + strings.TrimPrefix(o.Command, name)
	}
	yml, err := infra.Generate(cfg, o)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if *out == "" {
		if _, err := stdout.Write(yml); err != nil {
			fmt.Fprintf(stderr, "tributary sam generate: %v\n", err)
			return 1
		}
		return 0
	}
	if err := writeFileAtomic(*out, yml); err != nil {
		fmt.Fprintf(stderr, "tributary sam generate: %v\n", err)
		return 1
	}
	return 0
}

// writeFileAtomic writes data to a temporary file next to path and renames
// it over path, so a failed run never leaves a truncated template.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	if werr == nil {
		werr = f.Chmod(0o644)
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp, path)
	}
	if werr != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, werr)
	}
	return nil
}

// shellQuote returns s unchanged when a POSIX shell would read it as one
// plain word, and single-quoted otherwise.
func shellQuote(s string) string {
	plainWord := s != ""
	for i := 0; i < len(s) && plainWord; i++ {
		c := s[i]
		plainWord = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_./+=:,@%", c) >= 0
	}
	if plainWord {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
