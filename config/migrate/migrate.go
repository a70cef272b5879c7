// Package migrate converts KrakenD configs of "version" 1 and 2 to version
// 3 (krakend-compat.md §18.2); `tributary migrate` is its command line.
//
// The conversion works on the JSON text, not on a decoded value: each
// change replaces the bytes of one key (or of the version number) in place,
// so member order, indentation, comment keys, number literals and string
// escapes survive byte for byte. It applies KrakenD's published renames as
// key renames only: legacy namespace names in extra_config, the renamed
// option and object keys of schema-defined objects, and "version" → 3.
// String values, paths and free-form maps (mapping, static data, error
// bodies, JSON Schemas, plugin settings, unknown namespaces) are never
// touched. A v3 file goes through the same pass, so it loses its legacy
// names too, and converting the output again changes nothing.
//
// The package does not validate the result: run it through config.Load.
package migrate

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/internal/jsontext"
)

// Position is a 1-based line and byte column in the input, as in config
// diagnostics (a leading UTF-8 BOM counts its bytes).
type Position struct {
	// Line is the 1-based line number.
	Line int
	// Col is the 1-based byte column.
	Col int
}

// Note is one change made, or one thing left unconverted.
type Note struct {
	// Pos is where the key or value is in the input.
	Pos Position
	// Path is the JSON path in the input, in config's notation
	// (`$.endpoints[0].extra_config["qos/ratelimit/router"]`).
	Path string
	// Message says what changed, or why it could not be converted.
	Message string
}

// Result is a successful conversion.
type Result struct {
	// Output is the converted config: the input with the changes applied.
	Output []byte
	// Version is the input's "version" literal as written ("2", `"2"`),
	// or "" when it has none.
	Version string
	// Changes lists each change made, in input order.
	Changes []Note
	// Unconverted lists what the conversion could not express in v3, and
	// why, in input order. Such parts are copied as they are (or renamed,
	// for Go plugin and Enterprise namespaces) and will fail to load.
	Unconverted []Note
}

// AlreadyV3 reports whether the input was a version 3 config that needed
// no change.
func (r *Result) AlreadyV3() bool {
	return r.Version == "3" && len(r.Changes) == 0
}

// SyntaxError is returned for input that is not one JSON object.
type SyntaxError struct {
	// Pos is where the problem was found.
	Pos Position
	// Problem describes it.
	Problem string
	// Template is set when the input looks like a Flexible Config template.
	Template bool
}

// Error formats the error as "line:col: problem".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%d:%d: %s", e.Pos.Line, e.Pos.Col, e.Problem)
}

// RefusedError is returned when the input uses something with no v3
// equivalent at all, so that no output is produced (krakend-compat.md
// §18.2: the etcd and consul namespaces).
type RefusedError struct {
	// Notes lists each offending part and why.
	Notes []Note
}

// Error joins the notes, one per line.
func (e *RefusedError) Error() string {
	lines := make([]string, len(e.Notes))
	for i, n := range e.Notes {
		lines[i] = fmt.Sprintf("%d:%d: %s: %s", n.Pos.Line, n.Pos.Col, n.Path, n.Message)
	}
	return strings.Join(lines, "\n")
}

// Convert converts the config held in src. It returns a *SyntaxError when
// src is not a JSON object and a *RefusedError when it cannot be converted
// at all; otherwise the Result, whose Unconverted notes list what still
// needs a hand.
func Convert(src []byte) (*Result, error) {
	m := &migrator{src: src, res: &Result{}}
	m.lineStarts()
	body := 0
	if strings.HasPrefix(string(src), "\xef\xbb\xbf") {
		body = 3
	}
	if !json.Valid(src[body:]) {
		return nil, m.syntaxError(body)
	}
	p := parser{src: src, i: body}
	root := p.value()
	if root.kind != '{' {
		return nil, &SyntaxError{Pos: m.pos(root.start), Problem: "the top level must be a JSON object"}
	}
	m.version(root)
	m.schema(root, "$", "", true)
	if len(m.refused) > 0 {
		return nil, &RefusedError{Notes: m.refused}
	}
	m.res.Output = m.apply()
	byPos := func(a, b Note) int {
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line - b.Pos.Line
		}
		return a.Pos.Col - b.Pos.Col
	}
	slices.SortStableFunc(m.res.Changes, byPos)
	slices.SortStableFunc(m.res.Unconverted, byPos)
	return m.res, nil
}

// migrator carries the state of one Convert call.
type migrator struct {
	src     []byte
	lines   []int // byte offset of each line's start
	edits   []edit
	res     *Result
	refused []Note
}

// edit replaces src[start:end] with text.
type edit struct {
	start, end int
	text       string
}

func (m *migrator) lineStarts() {
	m.lines = append(m.lines, 0)
	for i, c := range m.src {
		if c == '\n' {
			m.lines = append(m.lines, i+1)
		}
	}
}

// pos converts a byte offset to a line and column.
func (m *migrator) pos(off int) Position {
	l := sort.Search(len(m.lines), func(i int) bool { return m.lines[i] > off }) - 1
	return Position{Line: l + 1, Col: off - m.lines[l] + 1}
}

// syntaxError describes why src[body:] is not JSON, with a position.
func (m *migrator) syntaxError(body int) error {
	var v any
	err := json.Unmarshal(m.src[body:], &v)
	off, problem := len(m.src), "not valid JSON"
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off, problem = body+int(max(se.Offset-1, 0)), se.Error()
	} else if err != nil {
		problem = err.Error()
	}
	if strings.TrimSpace(string(m.src[body:])) == "" {
		off, problem = body, "empty file"
	}
	off = min(off, len(m.src))
	return &SyntaxError{Pos: m.pos(off), Problem: problem, Template: strings.Contains(string(m.src), "{{")}
}

func (m *migrator) change(off int, path, msg string) {
	m.res.Changes = append(m.res.Changes, Note{Pos: m.pos(off), Path: path, Message: msg})
}

func (m *migrator) unconverted(off int, path, msg string) {
	m.res.Unconverted = append(m.res.Unconverted, Note{Pos: m.pos(off), Path: path, Message: msg})
}

// apply returns src with the edits applied.
func (m *migrator) apply() []byte {
	slices.SortStableFunc(m.edits, func(a, b edit) int { return a.start - b.start }) // an insertion at a key comes first
	out := make([]byte, 0, len(m.src)+64)
	at := 0
	for _, e := range m.edits {
		out = append(out, m.src[at:e.start]...)
		out = append(out, e.text...)
		at = e.end
	}
	return append(out, m.src[at:]...)
}

// version sets the root "version" to 3, adding it when it is missing.
func (m *migrator) version(root *node) {
	for _, mb := range root.members {
		if mb.key != "version" {
			continue
		}
		v := mb.val
		lit := string(m.src[v.start:v.end])
		m.res.Version = lit
		switch {
		case lit == "3":
		case lit == "1" || lit == "2" || v.kind == '"' && (v.str == "1" || v.str == "2" || v.str == "3"):
			m.edits = append(m.edits, edit{v.start, v.end, "3"})
			m.change(v.start, "$.version", lit+" → 3")
			if v.kind == '"' && v.str == "3" {
				m.res.Version = "3"
			}
		default:
			m.unconverted(v.start, "$.version", "version "+lit+" is not 1, 2 or 3; left as it is")
		}
		return
	}
	at := root.start + 1
	text := `"version": 3`
	if len(root.members) > 0 {
		ws := string(m.src[at:root.members[0].kstart])
		text = ws + text + ","
	}
	m.edits = append(m.edits, edit{at, at, text})
	m.change(root.start, "$", `no "version": added "version": 3`)
}

// schema walks a schema-defined object: it renames its renamed keys and
// descends into its members. parent is the key obj is the value of; root
// is set for the top-level object.
func (m *migrator) schema(obj *node, path, parent string, root bool) {
	keys := make(map[string]bool, len(obj.members))
	for _, mb := range obj.members {
		keys[mb.key] = true
	}
	for _, mb := range obj.members {
		p := config.KeyPath(path, mb.key)
		key := mb.key
		if to, ok := keyRenames[key]; ok {
			if keys[to] {
				m.unconverted(mb.kstart, p, fmt.Sprintf("not renamed to %q: the object already has %q; merge them by hand", to, to))
			} else {
				keys[to] = true
				m.edits = append(m.edits, edit{mb.kstart, mb.kend, quote(to)})
				m.change(mb.kstart, p, fmt.Sprintf("renamed to %q", to))
				key = to
			}
		}
		switch {
		case root && key == "plugin":
			m.unconverted(mb.kstart, p, "KrakenD Go plugins (.so) cannot run in Tributary; reimplement them behind a backend (docs/krakend-compatibility.md#go-plugins)")
		case key == "extra_config" && mb.val.kind == '{':
			m.extra(mb.val, p)
		case freeForm(parent, key):
		default:
			m.descend(mb.val, p, key)
		}
	}
}

// descend walks the objects inside v, the value of key, as schema objects.
func (m *migrator) descend(v *node, path, key string) {
	switch v.kind {
	case '{':
		m.schema(v, path, key, false)
	case '[':
		for i, e := range v.elems {
			m.descend(e, path+"["+strconv.Itoa(i)+"]", key)
		}
	}
}

// extra walks an extra_config object: it renames legacy namespaces and
// walks the options of the schema-defined ones.
func (m *migrator) extra(obj *node, path string) {
	keys := make(map[string]bool, len(obj.members))
	for _, mb := range obj.members {
		keys[mb.key] = true
	}
	for _, mb := range obj.members {
		p := config.KeyPath(path, mb.key)
		name := mb.key
		if ns, ok := lookupLegacy(name); ok {
			switch {
			case ns.class == nsRemoved:
				m.refused = append(m.refused, Note{Pos: m.pos(mb.kstart), Path: p,
					Message: fmt.Sprintf("namespace %q is no longer supported by KrakenD and has no v3 equivalent; remove it (nothing written)", name)})
				continue
			case keys[ns.to]:
				m.unconverted(mb.kstart, p, fmt.Sprintf("namespace not renamed to %q: the object already has it; merge them by hand", ns.to))
				continue
			}
			keys[ns.to] = true
			m.edits = append(m.edits, edit{mb.kstart, mb.kend, quote(ns.to)})
			m.change(mb.kstart, p, fmt.Sprintf("namespace renamed to %q", ns.to))
			name = ns.to
			switch ns.class {
			case nsPlugin:
				m.unconverted(mb.kstart, p, pluginProblem(mb.val))
			case nsEnterprise:
				m.unconverted(mb.kstart, p, fmt.Sprintf("%q is a KrakenD Enterprise feature, not supported by Tributary (docs/krakend-compatibility.md#krakend-enterprise)", ns.to))
			}
		}
		if schemaNamespace(name) {
			m.descend(mb.val, p, name)
		}
	}
}

// pluginProblem names the Go plugin configured by v (its "name", a string
// or a list) and says why it cannot be converted (§18.4).
func pluginProblem(v *node) string {
	var names []string
	if v.kind == '{' {
		for _, mb := range v.members {
			if mb.key != "name" {
				continue
			}
			switch mb.val.kind {
			case '"':
				names = append(names, mb.val.str)
			case '[':
				for _, e := range mb.val.elems {
					if e.kind == '"' {
						names = append(names, e.str)
					}
				}
			}
		}
	}
	what := "Go plugin"
	if len(names) > 0 {
		q := make([]string, len(names))
		for i, n := range names {
			q[i] = quote(n)
		}
		what = "plugin " + strings.Join(q, ", ")
	}
	return what + ": KrakenD Go plugins (.so) cannot run in Tributary; reimplement it behind a backend (docs/krakend-compatibility.md#go-plugins)"
}

// quote returns s as a JSON string literal, escaped as config escapes it.
func quote(s string) string {
	return string(jsontext.AppendString(nil, s,
		jsontext.RawReplacement|jsontext.RawLineSeparators|jsontext.HexBackspaceFormFeed|jsontext.EscapeDelete))
}
