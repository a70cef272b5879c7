package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/config/migrate"
)

const migrateHelp = `Usage: tributary migrate -c FILE [-o FILE]

Converts a KrakenD config of "version" 1 or 2 to version 3
(docs/krakend-compatibility.md#legacy-names): legacy namespace names,
renamed keys, "version": 3, each renamed in place so order and formatting
are kept. Every change and every part it could
not convert is printed on standard error with its JSON path and the input's
line:col. The result is written to -o FILE (standard output without -o), then
checked as "tributary check" does, and its errors and warnings printed the
same way. Exits 0 when the result loads, 1 when it does not (it is written
anyway, to be fixed by hand) or cannot be converted, 2 on a usage error.
A config that is already v3 is copied through, and said so.
`

// migrateStdoutName names the converted config in diagnostics when it is
// written to standard output.
const migrateStdoutName = "<stdout>"

// cmdMigrate converts the v1/v2 config given with -c to v3 (package
// config/migrate), writes it to -o (or stdout), and checks the result with
// the loader `tributary check` runs, printing its diagnostics the same way.
func cmdMigrate(args, env []string, stdout, stderr io.Writer) int {
	const name = "migrate"
	fs := newFlagSet(name, migrateHelp, stdout, stderr)
	help := fs.BoolP("help", "h", false, "print this help and exit")
	in := fs.StringP("config", "c", "", "the v1 or v2 config `FILE` to convert (required)")
	out := fs.StringP("out", "o", "", "`FILE` to write the v3 config to (default: standard output); never the input")
	if code, ok := parseFlags(fs, help, args, name, stderr); !ok {
		return code
	}
	switch {
	case fs.NArg() > 0:
		return unexpectedArgs(stderr, name, fs.Args(), *in == "")
	case *in == "":
		fmt.Fprintf(stderr, "tributary %s: -c FILE is required\nRun \"tributary %s --help\" for its flags.\n", name, name)
		return 2
	case *out != "" && sameFilePath(*in, *out):
		fmt.Fprintf(stderr, "tributary %s: -o %s is the input file; write the result to a new file\n", name, *out)
		return 2
	}

	src, err := readMigrateInput(*in)
	if err != nil {
		fmt.Fprintf(stderr, "tributary migrate: %v\n", err)
		return 1
	}
	res, err := migrate.Convert(src)
	var syn *migrate.SyntaxError
	var ref *migrate.RefusedError
	switch {
	case errors.As(err, &syn):
		fmt.Fprintf(stderr, "tributary migrate: %s is not a JSON config: %s:%s\n", *in, *in, syn)
		if syn.Template {
			fmt.Fprintln(stderr, "it looks like a Flexible Config template: render it to plain JSON first (FC_OUT), then migrate the rendered file")
		}
		return 1
	case errors.As(err, &ref):
		for _, n := range ref.Notes {
			fmt.Fprintf(stderr, "%s:%d:%d: %s: %s\n", *in, n.Pos.Line, n.Pos.Col, n.Path, n.Message)
		}
		fmt.Fprintf(stderr, "%s: not converted; nothing written\n", *in)
		return 1
	case err != nil:
		fmt.Fprintf(stderr, "tributary migrate: %v\n", err)
		return 1
	}

	for _, n := range res.Changes {
		fmt.Fprintf(stderr, "%s:%d:%d: %s: %s\n", *in, n.Pos.Line, n.Pos.Col, n.Path, n.Message)
	}
	for _, n := range res.Unconverted {
		fmt.Fprintf(stderr, "%s:%d:%d: %s: not converted: %s\n", *in, n.Pos.Line, n.Pos.Col, n.Path, n.Message)
	}
	if res.AlreadyV3() {
		fmt.Fprintf(stderr, "%s: already a v3 config; no changes\n", *in)
	} else {
		fmt.Fprintf(stderr, "%s: %d change(s), %d not converted\n", *in, len(res.Changes), len(res.Unconverted))
	}

	cfgName := migrateStdoutName
	if *out != "" {
		cfgName = *out
		if err := os.WriteFile(*out, res.Output, 0o644); err != nil {
			fmt.Fprintf(stderr, "tributary migrate: %v\n", err)
			return 1
		}
		fmt.Fprintf(stderr, "wrote %s\n", *out)
	} else if _, err := stdout.Write(res.Output); err != nil {
		fmt.Fprintf(stderr, "tributary migrate: writing the result: %v\n", err)
		return 1
	}

	// The same loader and report as `tributary check`.
	cfg, _, err := loadData(cfgName, res.Output, env)
	if !reportLoad(stderr, cfg, err, false) {
		return 1
	}
	fmt.Fprintf(stderr, "%s: passes check\n", cfgName)
	return 0
}

// readMigrateInput reads the file at path, refusing files larger than
// config.MaxFileBytes.
func readMigrateInput(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, config.MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(data) > config.MaxFileBytes {
		return nil, fmt.Errorf("%s is larger than 16 MiB", path)
	}
	return data, nil
}

// sameFilePath reports whether a and b name the same file: the same cleaned
// absolute path, or (when both exist) the same file on disk.
func sameFilePath(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	if err1 == nil && err2 == nil && aa == bb {
		return true
	}
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}
