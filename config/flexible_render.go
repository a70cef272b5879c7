//go:build !tributary_nofc

package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
)

// flexRender holds the state of one Flexible Config rendering.
type flexRender struct {
	// file is the config file name as given to Load.
	file string
	// env is the environment list given to Load; envMap indexes it for
	// Sprig's env and expandenv, built on first use.
	env    []string
	envMap map[string]string
	// main is the source of the config template, for actionCol.
	main []byte
	// partials is FC_PARTIALS ("" when unset).
	partials string
	// tmplFiles maps a template name to the file it came from, for
	// diagnostics.
	tmplFiles map[string]string
	errs      Errors
}

// renderFlexible renders the config template data (from the file name)
// as krakend-compat.md §2.5 describes. It returns the name to use in
// diagnostics about the rendered text (the FC_OUT path, or name plus
// " (rendered)") and the rendered JSON, or the errors found.
func renderFlexible(name string, data []byte, env []string) (string, []byte, error) {
	r := &flexRender{file: name, env: env, main: data, tmplFiles: map[string]string{name: name}}
	if len(data) > MaxFileBytes {
		r.errRoot("", "config template larger than 16 MiB", "split it with FC_TEMPLATES or FC_PARTIALS")
		return "", nil, r.errs
	}
	settings := r.dirVar("FC_SETTINGS")
	templates := r.dirVar("FC_TEMPLATES")
	r.partials = r.dirVar("FC_PARTIALS")
	out, _ := envValue(env, "FC_OUT")

	tmplData := map[string]any{}
	if settings != "" {
		r.loadSettings(settings, tmplData)
	}
	root := template.New(name).Funcs(r.funcs())
	if templates != "" {
		r.parseTemplates(templates, root)
	}
	if _, err := root.Parse(string(data)); err != nil {
		r.templateError(err)
	}
	if len(r.errs) > 0 {
		return "", nil, r.errs
	}
	var buf bytes.Buffer
	w := &limitWriter{w: &buf, n: MaxFileBytes}
	if err := root.Execute(w, tmplData); err != nil {
		if errors.Is(err, errRenderedTooLarge) {
			r.errRoot("", "rendered config larger than 16 MiB", "check the template's loops")
		} else {
			r.templateError(err)
		}
		return "", nil, r.errs
	}
	rendered := buf.Bytes()
	if out == "" {
		return name + " (rendered)", rendered, nil
	}
	if err := writeRendered(out, rendered); err != nil {
		r.errRoot("FC_OUT", "cannot write the rendered config: "+err.Error(), "")
		return "", nil, r.errs
	}
	return out, rendered, nil
}

// writeRendered writes data to path with mode 0644, replacing the file.
func writeRendered(path string, data []byte) error {
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return err
	}
	// WriteFile keeps the mode of an existing file and is subject to the
	// umask; the spec asks for 0644 either way.
	return os.Chmod(path, 0o644)
}

// errRoot records an error at the root of the config file (1:1, $). A
// non-empty variable is named in the problem.
func (r *flexRender) errRoot(variable, problem, hint string) {
	if variable != "" {
		v, _ := envValue(r.env, variable)
		problem = variable + "=" + quoteJSON(v) + ": " + problem
	}
	r.errs = append(r.errs, Diagnostic{File: r.file, Pos: Position{Line: 1, Col: 1}, Path: "$", Problem: problem, Hint: hint})
}

// dirVar returns the directory named by the FC_* variable, or "" when the
// variable is unset or empty. A directory that does not exist (or is not
// a directory) is an error.
func (r *flexRender) dirVar(variable string) string {
	dir, _ := envValue(r.env, variable)
	if dir == "" {
		return ""
	}
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		r.errRoot(variable, "directory not found", "create it or unset "+variable)
		return ""
	case err != nil:
		r.errRoot(variable, "cannot access the directory: "+err.Error(), "")
		return ""
	case !fi.IsDir():
		r.errRoot(variable, "not a directory", variable+" names a directory")
		return ""
	}
	return dir
}

// filesWithExt lists the files directly in dir whose names end in ext,
// sorted by name. Subdirectories are skipped; symlinks to files count.
func (r *flexRender) filesWithExt(variable, dir, ext string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		r.errRoot(variable, "cannot read the directory: "+err.Error(), "")
		return nil
	}
	var names []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ext) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			continue
		}
		names = append(names, p)
	}
	sort.Strings(names)
	return names
}

// readLimited reads the file at path, refusing files over MaxFileBytes.
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxFileBytes {
		return nil, errors.New("file larger than 16 MiB")
	}
	return b, nil
}

// loadSettings reads every *.json file directly in dir into data, keyed by
// base name without ".json". Each must hold one JSON object; its syntax is
// checked with the config parser, so errors carry a position and duplicate
// keys are refused.
func (r *flexRender) loadSettings(dir string, data map[string]any) {
	for _, p := range r.filesWithExt("FC_SETTINGS", dir, ".json") {
		b, err := readLimited(p)
		if err != nil {
			r.errs = append(r.errs, Diagnostic{File: p, Pos: Position{Line: 1, Col: 1}, Path: "$",
				Problem: "cannot read settings file: " + err.Error()})
			continue
		}
		root, dups, serr := parseDocument(string(b))
		if serr != nil {
			r.errs = append(r.errs, Diagnostic{File: p, Pos: serr.pos, Path: serr.path, Problem: "syntax error: " + serr.problem, Hint: serr.hint})
			continue
		}
		if len(dups) > 0 {
			for _, d := range dups {
				d.File = p
				r.errs = append(r.errs, d)
			}
			continue
		}
		if root.kind != kindObject {
			r.errs = append(r.errs, Diagnostic{File: p, Pos: root.pos, Path: "$",
				Problem: "a settings file must hold a JSON object, got " + root.kind.String(),
				Hint:    "its members become the template data ." + strings.TrimSuffix(filepath.Base(p), ".json") + ".<key>"})
			continue
		}
		var v map[string]any
		if err := json.Unmarshal(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")), &v); err != nil {
			r.errs = append(r.errs, Diagnostic{File: p, Pos: Position{Line: 1, Col: 1}, Path: "$", Problem: "invalid JSON: " + err.Error()})
			continue
		}
		data[strings.TrimSuffix(filepath.Base(p), ".json")] = v
	}
}

// parseTemplates parses every *.tmpl file directly in dir into the set of
// root, each named by its base file name.
func (r *flexRender) parseTemplates(dir string, root *template.Template) {
	for _, p := range r.filesWithExt("FC_TEMPLATES", dir, ".tmpl") {
		b, err := readLimited(p)
		if err != nil {
			r.errs = append(r.errs, Diagnostic{File: p, Pos: Position{Line: 1, Col: 1},
				Problem: "cannot read template file: " + err.Error()})
			continue
		}
		base := filepath.Base(p)
		r.tmplFiles[base] = p
		if _, err := root.New(base).Parse(string(b)); err != nil {
			r.templateError(err)
		}
	}
}

// templateError records a text/template parse or execution error at the
// template file, line and column it names. Execution errors carry a
// column; parse errors carry only a line, so the column is that of the
// first action ("{{") on the line, or 1.
func (r *flexRender) templateError(err error) {
	msg := err.Error()
	d := Diagnostic{File: r.file, Pos: Position{Line: 1, Col: 1}}
	rest, found := strings.CutPrefix(msg, "template: ")
	if found {
		// Match the longest known template name, so names holding ':'
		// (or one being a prefix of another) resolve correctly.
		best := ""
		for name := range r.tmplFiles {
			if len(name) > len(best) && strings.HasPrefix(rest, name+":") {
				best = name
			}
		}
		if best != "" {
			d.File = r.tmplFiles[best]
			rest = rest[len(best)+1:]
			line, col, tail, ok := leadingPos(rest)
			if ok {
				d.Pos.Line = line
				if col > 0 {
					d.Pos.Col = col
				} else {
					d.Pos.Col = r.actionCol(best, line)
				}
				rest = tail
			}
			rest = strings.TrimPrefix(rest, " ")
		}
	}
	d.Problem = "Flexible Config template error: " + rest
	r.errs = append(r.errs, d)
}

// leadingPos parses "LINE:COL: rest" or "LINE: rest". The COL that
// text/template reports is the 0-based byte offset of the failing node;
// the result is 1-based. col is 0 when absent.
func leadingPos(s string) (line, col int, rest string, ok bool) {
	num, after, found := strings.Cut(s, ":")
	if !found {
		return 0, 0, s, false
	}
	line, err := strconv.Atoi(num)
	if err != nil || line < 1 {
		return 0, 0, s, false
	}
	if num2, after2, found := strings.Cut(after, ":"); found {
		if c, err := strconv.Atoi(num2); err == nil && c >= 0 {
			return line, c + 1, after2, true
		}
	}
	return line, 0, after, true
}

// actionCol returns the 1-based column of the first "{{" on the given line
// of the named template's source, or 1.
func (r *flexRender) actionCol(name string, line int) int {
	path := r.tmplFiles[name]
	var src []byte
	if name == r.file {
		src = r.main
	} else if b, err := readLimited(path); err == nil {
		src = b
	}
	for i, l := range bytes.Split(src, []byte("\n")) {
		if i+1 == line {
			if c := bytes.Index(l, []byte("{{")); c >= 0 {
				return c + 1
			}
			return 1
		}
	}
	return 1
}

// funcs returns the template functions of §2.5: the names of Sprig's
// GenericFuncMap that §2.5 lists (its slice replacing the built-in),
// marshal and include, with
// getHostByName refused and env/expandenv reading the env list given to
// Load rather than the process environment.
func (r *flexRender) funcs() template.FuncMap {
	fm := template.FuncMap(sprig.GenericFuncMap())
	// The §2.5 list (208 names) leaves out Sprig v3.2.3's push and
	// mustPush, aliases of append and mustAppend.
	delete(fm, "push")
	delete(fm, "mustPush")
	fm["marshal"] = func(v any) (string, error) {
		b, err := json.Marshal(v)
		if err != nil {
			return "", fmt.Errorf("marshal: %w", err)
		}
		return string(b), nil
	}
	fm["include"] = r.include
	fm["getHostByName"] = func(string) (string, error) {
		return "", errors.New("getHostByName is refused: no network I/O while loading the config")
	}
	fm["env"] = func(name string) string { return r.lookupEnv(name) }
	fm["expandenv"] = func(s string) string { return os.Expand(s, r.lookupEnv) }
	return fm
}

// lookupEnv returns the value of name in the env list given to Load (the
// first entry wins), or "".
func (r *flexRender) lookupEnv(name string) string {
	if r.envMap == nil {
		r.envMap = make(map[string]string, len(r.env))
		for _, kv := range r.env {
			if k, v, ok := strings.Cut(kv, "="); ok {
				if _, dup := r.envMap[k]; !dup {
					r.envMap[k] = v
				}
			}
		}
	}
	return r.envMap[name]
}

// include returns the bytes of the file name inside FC_PARTIALS, verbatim.
func (r *flexRender) include(name string) (string, error) {
	if r.partials == "" {
		return "", fmt.Errorf("include %q: FC_PARTIALS is not set", name)
	}
	if filepath.IsAbs(name) || strings.HasPrefix(name, "/") || !filepath.IsLocal(name) {
		return "", fmt.Errorf("include %q: the name must be relative to FC_PARTIALS and stay inside it", name)
	}
	b, err := readLimited(filepath.Join(r.partials, name))
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return "", fmt.Errorf("include %q: %w", name, err)
	}
	return string(b), nil
}

// errRenderedTooLarge stops a rendering whose output passes MaxFileBytes.
var errRenderedTooLarge = errors.New("rendered config larger than 16 MiB")

// limitWriter fails once more than n bytes have been written.
type limitWriter struct {
	w io.Writer
	n int
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if len(p) > l.n {
		return 0, errRenderedTooLarge
	}
	l.n -= len(p)
	return l.w.Write(p)
}
