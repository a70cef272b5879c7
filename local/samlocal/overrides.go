package samlocal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Files `sam local` looks for when no template is named, in order
// (FindTemplate): the template `sam build` writes, then the project's own.
var templateSearchPath = []string{
	filepath.Join(".aws-sam", "build", "template.yaml"),
	"template.yaml",
	"template.yml",
	"template.json",
}

// FindTemplate returns the template `sam local` would read in dir when none
// is named: .aws-sam/build/template.yaml (written by `sam build`), else
// template.yaml, template.yml or template.json. The path is dir joined
// with the file's name.
func FindTemplate(dir string) (string, error) {
	for _, name := range templateSearchPath {
		path := filepath.Join(dir, name)
		if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
			return path, nil
		}
	}
	return "", fmt.Errorf("no template in %s: looked for %s", dir, strings.Join(templateSearchPath, ", "))
}

// IsBuildOutput reports whether dir (a template's Dir) is the output of
// `sam build`, .aws-sam/build: its template's functions are already built,
// each at dir/<LogicalId>/bootstrap, and it holds no Makefile to build
// them again.
func IsBuildOutput(dir string) bool {
	return filepath.Base(dir) == "build" && filepath.Base(filepath.Dir(dir)) == ".aws-sam"
}

// maxEnvVarsBytes bounds an --env-vars file.
const maxEnvVarsBytes = 1 << 20

// EnvVars is a `sam local --env-vars` file: a JSON object whose
// "Parameters" object holds variables for every function and whose other
// objects, keyed by function logical ID, hold variables for one function,
// which win over "Parameters". As in `sam local`, a value replaces the
// template's only for a variable the function declares in its (or the
// Globals') Environment.Variables; others are not set (ParseTemplate warns
// about them).
type EnvVars struct {
	// Source names where the file came from; it prefixes warnings.
	Source string
	// Global holds the "Parameters" object.
	Global map[string]string
	// Functions holds the objects for single functions, by logical ID.
	Functions map[string]map[string]string
}

// LoadEnvVars reads the --env-vars file at path.
func LoadEnvVars(path string) (*EnvVars, error) {
	data, err := readCapped(path, "the environment variables", maxEnvVarsBytes)
	if err != nil {
		return nil, err
	}
	return ParseEnvVars(path, data)
}

// ParseEnvVars parses an --env-vars file; name prefixes its errors. Values
// are strings; numbers and booleans are taken as their JSON text.
func ParseEnvVars(name string, data []byte) (*EnvVars, error) {
	var top map[string]json.RawMessage
	if err := strictJSON(data, &top); err != nil || top == nil {
		if err == nil {
			err = errors.New("null")
		}
		return nil, fmt.Errorf("%s: %w; want an object of objects, like {\"Parameters\": {\"VAR\": \"value\"}, \"MyFunction\": {\"VAR\": \"value\"}}", name, err)
	}
	ev := &EnvVars{Source: name, Global: map[string]string{}, Functions: map[string]map[string]string{}}
	for key, raw := range top {
		var obj map[string]json.RawMessage
		if err := strictJSON(raw, &obj); err != nil || obj == nil {
			return nil, fmt.Errorf("%s: %q: want an object of variables", name, key)
		}
		vars := ev.Global
		if key != "Parameters" {
			vars = make(map[string]string, len(obj))
			ev.Functions[key] = vars
		}
		for v, raw := range obj {
			if v == "" || strings.ContainsAny(v, "=\x00") {
				return nil, fmt.Errorf("%s: %q: environment variable name %q is not valid", name, key, v)
			}
			text, err := envValue(raw)
			if err != nil {
				return nil, fmt.Errorf("%s: %s.%s: %w", name, key, v, err)
			}
			vars[v] = text
		}
	}
	return ev, nil
}

// strictJSON decodes one JSON value, nothing after it.
func strictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the JSON value")
	}
	return nil
}

// envValue is the text of one variable's JSON value.
func envValue(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0:
		return "", errors.New("no value")
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		if strings.IndexByte(s, 0) >= 0 {
			return "", errors.New("the value holds a NUL byte")
		}
		return s, nil
	case raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9', string(raw) == "true", string(raw) == "false":
		return string(raw), nil
	}
	return "", errors.New("want a string, a number or a boolean")
}

// envOverlay applies EnvVars while a template is parsed and remembers
// which entries applied, so the others can be reported.
type envOverlay struct {
	ev   *EnvVars
	used map[[2]string]bool // {function or "", variable} → applied
}

func newEnvOverlay(ev *EnvVars) *envOverlay {
	if ev == nil {
		return nil
	}
	return &envOverlay{ev: ev, used: map[[2]string]bool{}}
}

// lookup returns the value EnvVars give variable key of function fnID:
// the function's own entry, else the "Parameters" entry.
func (o *envOverlay) lookup(fnID, key string) (string, bool) {
	if o == nil {
		return "", false
	}
	if v, ok := o.ev.Functions[fnID][key]; ok {
		o.used[[2]string{fnID, key}] = true
		return v, true
	}
	if v, ok := o.ev.Global[key]; ok {
		o.used[[2]string{"", key}] = true
		return v, true
	}
	return "", false
}

// warnUnused warns about the overrides that did not apply: parameter
// values for parameters the template neither declares nor uses, and environment
// variables no function (or not the named one) declares.
func (p *parser) warnUnused() {
	for _, name := range sortedKeys(p.overrides) {
		if _, ok := p.params[name]; !ok && !p.used[name] {
			p.t.Warnings = append(p.t.Warnings, fmt.Sprintf("%s: parameter override %s: the template has no such parameter; ignored", p.name, name))
		}
	}
	if p.env == nil {
		return
	}
	src := p.env.ev.Source
	for _, v := range sortedKeys(p.env.ev.Global) {
		if !p.env.used[[2]string{"", v}] {
			p.t.Warnings = append(p.t.Warnings, fmt.Sprintf("%s: Parameters.%s: no function declares %s in Environment.Variables (or each sets its own); not set", src, v, v))
		}
	}
	for _, id := range sortedKeys(p.env.ev.Functions) {
		if p.t.Function(id) == nil {
			p.t.Warnings = append(p.t.Warnings, fmt.Sprintf("%s: %s: the template has no function %s; ignored", src, id, id))
			continue
		}
		for _, v := range sortedKeys(p.env.ev.Functions[id]) {
			if !p.env.used[[2]string{id, v}] {
				p.t.Warnings = append(p.t.Warnings, fmt.Sprintf("%s: %s.%s: %s does not declare %s in Environment.Variables; not set", src, id, v, id, v))
			}
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ParseParameterOverrides reads --parameter-overrides values the way `sam
// local` does. Each value holds overrides separated by spaces, each either
// ParameterKey=Name,ParameterValue=Value (the AWS CLI's form) or the
// shorthand Name=Value. A value may be wrapped in single or double quotes,
// inside which spaces do not separate; `\ `, `\"` and `\'` stand for the
// character. Names are letters and digits, as CloudFormation's are. A
// later override of the same name wins.
func ParseParameterOverrides(values []string) (map[string]string, error) {
	out := map[string]string{}
	for _, v := range values {
		words, err := splitOverrides(v)
		if err != nil {
			return nil, fmt.Errorf("--parameter-overrides %q: %w", v, err)
		}
		for _, w := range words {
			name, value, err := parseOverride(w)
			if err != nil {
				return nil, fmt.Errorf("--parameter-overrides %q: %w", w, err)
			}
			out[name] = value
		}
	}
	return out, nil
}

// splitOverrides splits at spaces outside quotes and not escaped.
func splitOverrides(s string) ([]string, error) {
	var words []string
	var quote byte
	start := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && strings.IndexByte(` "'`, s[i+1]) >= 0:
			if start < 0 {
				start = i
			}
			i++
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			if start < 0 {
				start = i
			}
			quote = c
		case c == ' ' || c == '\t' || c == '\n':
			if start >= 0 {
				words = append(words, s[start:i])
				start = -1
			}
		default:
			if start < 0 {
				start = i
			}
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated %c quote", quote)
	}
	if start >= 0 {
		words = append(words, s[start:])
	}
	return words, nil
}

// parseOverride reads one override word.
func parseOverride(w string) (name, value string, err error) {
	const keyPrefix, valuePrefix = "ParameterKey=", ",ParameterValue="
	if rest, ok := strings.CutPrefix(w, keyPrefix); ok {
		var found bool
		name, value, found = strings.Cut(rest, valuePrefix)
		if !found {
			return "", "", errors.New("want ParameterKey=Name,ParameterValue=Value")
		}
	} else {
		var found bool
		name, value, found = strings.Cut(w, "=")
		if !found {
			return "", "", errors.New("want Name=Value or ParameterKey=Name,ParameterValue=Value")
		}
	}
	name = unquote(name)
	if !logicalID(name) {
		return "", "", fmt.Errorf("parameter name %q: want letters and digits only", name)
	}
	return name, unquote(value), nil
}

// unquote removes wrapping quotes and the escapes splitOverrides honours.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		s = s[1 : len(s)-1]
	}
	return strings.NewReplacer(`\ `, " ", `\"`, `"`, `\'`, "'").Replace(s)
}
