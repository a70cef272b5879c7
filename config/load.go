package config

import (
	_ "embed" // the bundled demo config
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
)

// Limits on the config itself (security.md §3).
const (
	// MaxFileBytes is the largest config file accepted: 16 MiB.
	MaxFileBytes = 16 << 20
	// MaxEndpoints is the largest number of endpoints a config may declare.
	MaxEndpoints = 10000
	// MaxBackendsPerEndpoint is the largest number of backends per endpoint.
	MaxBackendsPerEndpoint = 64
	// maxDiagnostics bounds the errors (and, separately, the warnings) kept
	// in memory; the rest are counted and summarised in one last line.
	maxDiagnostics = 1000
)

//go:embed gateway.json
var bundledJSON string

// Bundled returns a copy of the embedded demo config (config/gateway.json).
func Bundled() []byte {
	return []byte(bundledJSON)
}

// LoadFile reads the config at path and loads it with Load, using path as
// the file name in diagnostics. A path of "" loads the bundled config under
// the name BundledName. Files larger than MaxFileBytes are refused. Errors
// reading the file are returned wrapped; problems with its content are
// returned as Errors.
func LoadFile(path string, env []string) (*Config, error) {
	if path == "" {
		return Load(BundledName, Bundled(), env)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	// Read one byte more than the limit so Load can report the oversize file.
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("config: reading %s: %w", path, err)
	}
	return Load(path, data, env)
}

// Load parses, validates and defaults the config held in data. name is the
// file name used in diagnostics. env holds the process environment as
// "KEY=VALUE" strings (os.Environ()); it is the only source of environment
// overrides (krakend-compat.md §2.4), and the package never reads the real
// environment itself. A non-empty FC_ENABLE in env makes data a Flexible
// Config template (§2.5) that is rendered first; see Render.
//
// On success the returned Config is fully resolved and Config.Warnings
// holds the lint warnings. On failure the error is an Errors value listing
// every problem sorted by position; only a JSON syntax error stops the
// checks early, since nothing after it can be trusted. A config that
// parsed but failed validation also comes back, with only Source and
// Warnings set, so that `check` prints the warnings with the errors;
// nothing else in it may be used.
func Load(name string, data []byte, env []string) (*Config, error) {
	flexible := flexibleEnabled(env)
	if flexible {
		// Flexible Config (krakend-compat.md §2.5): render first; the
		// rest of the load sees the rendered text under its own name.
		var err error
		if name, data, err = renderFlexible(name, data, env); err != nil {
			return nil, err
		}
	}
	l := &loader{file: name, env: newEnv(env)}
	if len(data) > MaxFileBytes {
		return nil, Errors{{File: name, Pos: Position{Line: 1, Col: 1}, Path: "$",
			Problem: "config file larger than 16 MiB", Hint: "split or trim the config"}}
	}
	root, dups, serr := parseDocument(string(data))
	if serr != nil {
		hint := serr.hint
		if !flexible {
			hint = templateHint(data, hint)
		}
		return nil, Errors{{File: name, Pos: serr.pos, Path: serr.path, Problem: "syntax error: " + serr.problem, Hint: hint}}
	}
	for _, d := range dups {
		l.errAt(d.Pos, d.Path, d.Problem, d.Hint)
	}
	if root.kind != kindObject {
		l.errAt(root.pos, "$", "the top level must be a JSON object, got "+root.kind.String(),
			`a config looks like {"version": 3, "endpoints": [...]}`)
		return nil, l.result()
	}
	l.applyEnv(&root)
	cfg := l.service(&root)
	if err := l.result(); err != nil {
		return &Config{Source: name, Warnings: l.sortedWarnings()}, err
	}
	cfg.Warnings = l.sortedWarnings()
	return cfg, nil
}

// loader carries the state of one Load call.
type loader struct {
	file string
	env  envLookup
	// errs and warns are the diagnostics kept; errsDropped and
	// warnsDropped count those beyond maxDiagnostics.
	errs         []Diagnostic
	warns        []Diagnostic
	errsDropped  int
	warnsDropped int
	// overridden maps a root value replaced from the environment to the
	// variable that replaced it, so diagnostics can name the variable.
	overridden map[*node]string
}

// errAt records an error.
func (l *loader) errAt(pos Position, path, problem, hint string) {
	if len(l.errs) >= maxDiagnostics {
		l.errsDropped++
		return
	}
	l.errs = append(l.errs, Diagnostic{File: l.file, Pos: pos, Path: path, Problem: problem, Hint: hint})
}

// errNode records an error about the value n; when n came from an
// environment override the problem names the variable.
func (l *loader) errNode(n *node, path, problem, hint string) {
	if v, ok := l.overridden[n]; ok {
		problem += " (value from environment variable " + v + ")"
	}
	l.errAt(n.pos, path, problem, hint)
}

// warnAt records a lint warning.
func (l *loader) warnAt(pos Position, path, problem, hint string) {
	if len(l.warns) >= maxDiagnostics {
		l.warnsDropped++
		return
	}
	l.warns = append(l.warns, Diagnostic{File: l.file, Pos: pos, Path: path, Problem: problem, Hint: hint})
}

// failed reports whether any error has been recorded.
func (l *loader) failed() bool { return len(l.errs) > 0 || l.errsDropped > 0 }

// result returns the recorded errors as Errors, or nil.
func (l *loader) result() error {
	if !l.failed() {
		return nil
	}
	out := Errors(sortDiagnostics(l.errs))
	if l.errsDropped > 0 {
		out = append(out, Diagnostic{File: l.file, Pos: Position{Line: 1, Col: 1}, Path: "$",
			Problem: "too many errors; " + strconv.Itoa(l.errsDropped) + " more not shown",
			Hint:    "fix the errors above and load again"})
	}
	return out
}

func (l *loader) sortedWarnings() []Diagnostic {
	if len(l.warns) == 0 {
		return nil
	}
	out := sortDiagnostics(l.warns)
	if l.warnsDropped > 0 {
		out = append(out, Diagnostic{File: l.file, Pos: Position{Line: 1, Col: 1}, Path: "$",
			Problem: "too many warnings; " + strconv.Itoa(l.warnsDropped) + " more not shown"})
	}
	return out
}

// sortDiagnostics sorts by position, keeping the order of equal positions.
func sortDiagnostics(ds []Diagnostic) []Diagnostic {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i].Pos, ds[j].Pos
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return ds
}
