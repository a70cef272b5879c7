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
  tributary sam generate [-c FILE -o FILE] [--per-endpoint] [--api http|rest] [--alb]
                         [--integration-timeout D] [-o FILE]
                                  write the SAM template for a config (default: the bundled one);
                                  with -c, the config is written beside the template and deployed
  tributary sam start-api [-t FILE] [-p PORT] [--host ADDR] [--env-vars FILE] [--parameter-overrides V]
                          [--rie PATH] [--skip-build] [--bootstrap-dir DIR]
                                  serve the template's API events (default 127.0.0.1:3000),
                                  each function under the Lambda Runtime Interface Emulator (no Docker)
  tributary sam invoke [FUNCTION] [-t FILE] [-e FILE|-] [--no-event] [--env-vars FILE]
                       [--parameter-overrides V] [--fail-on-error] [--rie PATH] [--skip-build]
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
	out := fs.StringP("output", "o", "", "write the template to this file (default: stdout); with -c, the config is written beside it to "+infra.BundleConfigPath)
	alb := fs.Bool("alb", false, "add an Application Load Balancer target group for the catch-all function")
	integration := fs.Duration("integration-timeout", 0, "a raised REST API integration timeout (e.g. 60s; default 29s; --api rest only)")
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
	if note := cfg.LambdaStateNote(); note != "" {
		fmt.Fprintf(stderr, "warning: %s\n", note)
	}
	o := infra.Options{API: *api, PerEndpoint: *perEndpoint, ConfigName: config.BundledName,
		ALB: *alb, IntegrationTimeout: *integration, BundleConfig: *cfgPath != ""}
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
		if *cfgPath != "" {
			fmt.Fprintf(stderr, "tributary sam generate: -c %s needs -o FILE: the functions load the config from %s beside the template\n", *cfgPath, infra.BundleConfigPath)
			return 2
		}
		if _, err := stdout.Write(yml); err != nil {
			fmt.Fprintf(stderr, "tributary sam generate: %v\n", err)
			return 1
		}
		return 0
	}
	if err := writeBundle(*out, *cfgPath, env, cfg); err != nil {
		fmt.Fprintf(stderr, "tributary sam generate: %v\n", err)
		return 1
	}
	if err := writeFileAtomic(*out, yml); err != nil {
		fmt.Fprintf(stderr, "tributary sam generate: %v\n", err)
		return 1
	}
	return 0
}

// writeBundle puts the config the template at out deploys beside it, at
// infra.BundleConfigPath, where `make build-<LogicalId>` copies it from
// into each function's package: the functions then serve exactly the
// config the template was generated from, whatever happens to the source
// file later. A template of the bundled config needs none, and a stale
// copy from an earlier run is removed so it cannot be deployed by mistake.
// The copy is the file's bytes, re-read after it loaded, or for a
// Flexible Config template (FC_ENABLE in env) the rendered JSON;
// environment overrides are not baked in: the functions apply those from
// their own environment.
//
// Beside it goes infra.BuildTagsPath: the Go build tags that leave out of
// the functions the heavy libraries this config does not use (cel-go,
// the JSON Schema compiler), so they cost no cold start; the Makefile's
// function builds read it.
func writeBundle(out, cfgPath string, env []string, cfg *config.Config) error {
	path := filepath.Join(filepath.Dir(out), filepath.FromSlash(infra.BundleConfigPath))
	tagsPath := filepath.Join(filepath.Dir(out), filepath.FromSlash(infra.BuildTagsPath))
	if cfgPath == "" {
		for _, p := range []string{path, tagsPath} {
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("removing the stale %s: %w", p, err)
			}
		}
		return nil
	}
	data, err := os.ReadFile(cfgPath)
	if err != nil {
		return err
	}
	// A Flexible Config template is bundled rendered: the functions are
	// built without the renderer.
	if _, data, err = config.Render(cfgPath, data, env); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := writeFileAtomic(tagsPath, []byte(infra.FunctionBuildTags(cfg)+"\n")); err != nil {
		return err
	}
	return writeFileAtomic(path, data)
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
