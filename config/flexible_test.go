//go:build !tributary_nofc

package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fixture is testdata/flexible: a config template using settings,
// templates, partials, marshal, include and Sprig.
const fixture = "testdata/flexible"

// fixtureEnv enables Flexible Config with the fixture's directories.
func fixtureEnv(extra ...string) []string {
	return append([]string{
		"FC_ENABLE=1",
		"FC_SETTINGS=" + filepath.Join(fixture, "settings"),
		"FC_TEMPLATES=" + filepath.Join(fixture, "templates"),
		"FC_PARTIALS=" + filepath.Join(fixture, "partials"),
	}, extra...)
}

// writeFiles creates files (name → content) under a new temp dir and
// returns the dir.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestFlexibleFixture(t *testing.T) {
	cfg, err := LoadFile(filepath.Join(fixture, "gateway.tmpl.json"), fixtureEnv())
	if err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	if cfg.Name != "flex" || cfg.Port != 9090 || cfg.Timeout != 3*time.Second || cfg.Logging.Level != "WARNING" {
		t.Errorf("settings not applied: name %q port %d timeout %v level %q", cfg.Name, cfg.Port, cfg.Timeout, cfg.Logging.Level)
	}
	if len(cfg.Endpoints) != 2 {
		t.Fatalf("got %d endpoints, want 2", len(cfg.Endpoints))
	}
	for i, path := range []string{"/a", "/b"} {
		e := cfg.Endpoints[i]
		if e.Path != path || len(e.Backends) != 1 || e.Backends[0].URLPattern != "/x"+path ||
			strings.Join(e.Backends[0].Host, ",") != "http://a:8080,http://b:8080" {
			t.Errorf("endpoint %d: %+v (backends %+v)", i, e, e.Backends)
		}
	}
	if want := filepath.Join(fixture, "gateway.tmpl.json") + " (rendered)"; cfg.Source != want {
		t.Errorf("Source = %q, want %q", cfg.Source, want)
	}
}

func TestFlexibleOut(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.json")
	// An existing file is replaced and gets mode 0644.
	if err := os.WriteFile(out, []byte("old content that is longer than nothing"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadFile(filepath.Join(fixture, "gateway.tmpl.json"), fixtureEnv("FC_OUT="+out))
	if err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	if cfg.Source != out {
		t.Errorf("Source = %q, want the FC_OUT path %q", cfg.Source, out)
	}
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("FC_OUT mode %v, want 0644", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(out)
	if strings.Contains(string(b), "old content") || !strings.Contains(string(b), `"port": 9090`) ||
		!strings.Contains(string(b), `"host": ["http://a:8080","http://b:8080"]`) ||
		!strings.Contains(string(b), `"@comment": "{{ included verbatim }}"`) {
		t.Errorf("FC_OUT content:\n%s", b)
	}
	// The rendered file loads as plain JSON to the same config.
	plain, err := LoadFile(out, nil)
	if err != nil {
		t.Fatalf("loading FC_OUT as plain JSON: %v", err)
	}
	if plain.Port != cfg.Port || len(plain.Endpoints) != len(cfg.Endpoints) {
		t.Errorf("plain load differs: port %d, %d endpoints", plain.Port, len(plain.Endpoints))
	}
}

func TestFlexibleErrorsPointIntoRenderedText(t *testing.T) {
	src := "{\n  \"version\": 3,\n  \"timeout\": \"{{ .s.t }}\"\n}"
	dir := writeFiles(t, map[string]string{"s/s.json": `{"t": "0s"}`})
	env := []string{"FC_ENABLE=1", "FC_SETTINGS=" + filepath.Join(dir, "s")}
	got := loadErr(t, src, env...)
	if !strings.HasPrefix(got, "t.json (rendered):3:14: $.timeout: ") {
		t.Errorf("without FC_OUT: %s", got)
	}
	out := filepath.Join(dir, "rendered.json")
	got = loadErr(t, src, append(env, "FC_OUT="+out)...)
	if !strings.HasPrefix(got, out+":3:14: $.timeout: ") {
		t.Errorf("with FC_OUT: %s", got)
	}
	// FC_OUT is written before validation, so a broken result can be read.
	if b, err := os.ReadFile(out); err != nil || !strings.Contains(string(b), `"timeout": "0s"`) {
		t.Errorf("FC_OUT not written before validation: %q, %v", b, err)
	}
}

func TestFlexibleEnvOverridesAfterRendering(t *testing.T) {
	src := `{"version": 3, "port": {{ add 8000 80 }}, "name": "{{ "x" | upper }}"}`
	cfg := mustLoad(t, src, "FC_ENABLE=yes", "KRAKEND_PORT=9000", "TRIBUTARY_NAME=over")
	if cfg.Port != 9000 || cfg.Name != "over" {
		t.Errorf("port %d name %q; want the overrides", cfg.Port, cfg.Name)
	}
	cfg = mustLoad(t, src, "FC_ENABLE=yes")
	if cfg.Port != 8080 || cfg.Name != "X" {
		t.Errorf("port %d name %q; want the rendered values", cfg.Port, cfg.Name)
	}
	got := loadErr(t, src, "FC_ENABLE=1", "KRAKEND_PORT=nope")
	if !strings.HasPrefix(got, `t.json (rendered):1:16: $.port: environment variable KRAKEND_PORT="nope" is not a number`) {
		t.Errorf("bad override: %s", got)
	}
}

func TestFlexibleRenderedTextValidated(t *testing.T) {
	src := `{"version": 3, "{{ "own" }}er": "me", "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://h"], "url_pattern": "/", ` +
		`"extra_config": {"{{ "github.com/devopsfaith/krakend/http" }}": {"return_error_details": "b"}}}]}]}`
	cfg := mustLoad(t, src, "FC_ENABLE=1")
	w := strings.Join(warningLines(cfg), "\n")
	for _, want := range []string{
		`t.json (rendered):1:16: $.owner: unknown key "owner" ignored, as KrakenD does`,
		`legacy namespace`,
	} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings lack %q:\n%s", want, w)
		}
	}
	// A rendered renamed key is still an error.
	got := loadErr(t, `{"version": 3, "endpoints": [{"endpoint": "/a", "{{ "headers_to_pass" }}": ["A"], "backend": [{"host": ["http://h"], "url_pattern": "/"}]}]}`, "FC_ENABLE=1")
	if !strings.Contains(got, `t.json (rendered):1:49: $.endpoints[0].headers_to_pass: key renamed in config v3; use "input_headers"`) {
		t.Errorf("renamed key: %s", got)
	}
}

func TestFlexibleTemplateErrors(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"tmpl/bad.tmpl":   "{\n  \"a\": {{ .x | nosuchfunc }}\n}",
		"tmpl/ok.tmpl":    "{\n  \"a\": {{ index .missing 3 }}\n}",
		"tmpl/sub/x.tmpl": "not parsed: {{",
	})
	tmpls := filepath.Join(dir, "tmpl")
	cases := []struct {
		name, src string
		env       []string
		want      string
	}{
		{"parse error in the config", "{\n  \"version\": 3,\n  \"x\": {{ if }}\n}", nil,
			`t.json:3:8: Flexible Config template error: missing value for if`},
		{"unclosed action", "{\"version\": 3, {{ .x }", nil,
			`t.json:1:16: Flexible Config template error: unexpected "}" in operand`},
		{"parse error in a template file", `{"version": 3}`, []string{"FC_TEMPLATES=" + tmpls},
			filepath.Join(tmpls, "bad.tmpl") + `:2:8: Flexible Config template error: function "nosuchfunc" not defined`},
		{"execution error in the config", "{\"version\": 3,\n \"x\": {{ index .a 1 }}}", nil,
			`t.json:2:10: Flexible Config template error: executing "t.json" at <index .a 1>: error calling index: index of untyped nil`},
		{"fail", "{\"version\": 3, {{ fail \"stop here\" }}}", nil,
			`t.json:1:19: Flexible Config template error: executing "t.json" at <fail "stop here">: error calling fail: stop here`},
		{"undefined template", `{"version": 3, "x": {{ template "nope.tmpl" }}}`, nil,
			`t.json:1:33: Flexible Config template error: executing "t.json" at <{{template "nope.tmpl"}}>: template "nope.tmpl" not defined`},
		{"getHostByName refused", `{"version": 3, "x": "{{ getHostByName "localhost" }}"}`, nil,
			`t.json:1:25: Flexible Config template error: executing "t.json" at <getHostByName "localhost">: error calling getHostByName: getHostByName is refused: no network I/O while loading the config`},
		{"Sprig slice replaces the built-in", `{"version": 3, "x": "{{ slice "abc" 1 }}"}`, nil,
			`t.json:1:25: Flexible Config template error: executing "t.json" at <slice "abc" 1>: error calling slice:`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := loadErr(t, tc.src, append([]string{"FC_ENABLE=1"}, tc.env...)...)
			if !strings.HasPrefix(got, tc.want) {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
	// An execution error inside a template file names that file.
	dir2 := writeFiles(t, map[string]string{"t/e.tmpl": "\n\n  {{ index .missing 3 }}"})
	got := loadErr(t, `{"version": 3, "x": {{ template "e.tmpl" . }}}`, "FC_ENABLE=1", "FC_TEMPLATES="+filepath.Join(dir2, "t"))
	if want := filepath.Join(dir2, "t", "e.tmpl") + `:3:6: Flexible Config template error: executing "e.tmpl" at <index .missing 3>`; !strings.HasPrefix(got, want) {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestFlexibleInclude(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"p/a.json":     `"from a"`,
		"p/sub/b.json": `"from b"`,
		"secret.json":  `"outside"`,
	})
	partials := "FC_PARTIALS=" + filepath.Join(dir, "p")
	cfg := mustLoad(t, `{"version": 3, "name": {{ include "a.json" }}}`, "FC_ENABLE=1", partials)
	if cfg.Name != "from a" {
		t.Errorf("include a.json: name %q", cfg.Name)
	}
	cfg = mustLoad(t, `{"version": 3, "name": {{ include "sub/../sub/b.json" }}}`, "FC_ENABLE=1", partials)
	if cfg.Name != "from b" {
		t.Errorf("include sub/b.json: name %q", cfg.Name)
	}
	for _, tc := range []struct{ name, env, want string }{
		{"missing.json", partials, `include "missing.json": no such file or directory`},
		{"../secret.json", partials, `must be relative to FC_PARTIALS and stay inside it`},
		{"sub/../../secret.json", partials, `must be relative to FC_PARTIALS and stay inside it`},
		{filepath.Join(dir, "secret.json"), partials, `must be relative to FC_PARTIALS and stay inside it`},
		{"sub", partials, `include "sub": `},
		{"a.json", "FC_OTHER=x", `include "a.json": FC_PARTIALS is not set`},
	} {
		got := loadErr(t, `{"version": 3, "name": {{ include "`+tc.name+`" }}}`, "FC_ENABLE=1", tc.env)
		if !strings.HasPrefix(got, "t.json:1:27: Flexible Config template error: ") || !strings.Contains(got, tc.want) {
			t.Errorf("include %q: %s; want %q", tc.name, got, tc.want)
		}
	}
}

func TestFlexibleSettingsAndDirectories(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"arr/list.json":    `[1, 2]`,
		"syn/bad.json":     "{\n  \"a\": 1,\n}",
		"dup/dup.json":     `{"a": 1, "a": 2}`,
		"ok/prod.json":     `{"port": 8081, "nested": {"h": ["x"]}}`,
		"ok/nested/x.json": `[]`,
		"file":             "",
	})
	cfg := mustLoad(t, `{"version": 3, "port": {{ .prod.port }}, "name": {{ marshal (index .prod.nested.h 0) }}}`,
		"FC_ENABLE=1", "FC_SETTINGS="+filepath.Join(dir, "ok"))
	if cfg.Port != 8081 {
		t.Errorf("port %d, want 8081", cfg.Port)
	}
	for _, tc := range []struct{ env, want string }{
		{"FC_SETTINGS=" + filepath.Join(dir, "arr"), filepath.Join(dir, "arr", "list.json") + `:1:1: $: a settings file must hold a JSON object, got array`},
		{"FC_SETTINGS=" + filepath.Join(dir, "syn"), filepath.Join(dir, "syn", "bad.json") + `:2:9: $: syntax error: trailing comma`},
		{"FC_SETTINGS=" + filepath.Join(dir, "dup"), filepath.Join(dir, "dup", "dup.json") + `:1:10: `},
		{"FC_SETTINGS=" + filepath.Join(dir, "none"), `t.json:1:1: $: FC_SETTINGS="` + filepath.Join(dir, "none") + `": directory not found`},
		{"FC_TEMPLATES=" + filepath.Join(dir, "none"), `t.json:1:1: $: FC_TEMPLATES="` + filepath.Join(dir, "none") + `": directory not found`},
		{"FC_PARTIALS=" + filepath.Join(dir, "file"), `t.json:1:1: $: FC_PARTIALS="` + filepath.Join(dir, "file") + `": not a directory`},
		{"FC_OUT=" + filepath.Join(dir, "none", "out.json"), `t.json:1:1: $: FC_OUT="` + filepath.Join(dir, "none", "out.json") + `": cannot write the rendered config`},
	} {
		got := loadErr(t, `{"version": 3}`, "FC_ENABLE=1", tc.env)
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s:\ngot  %s\nwant %s", tc.env, got, tc.want)
		}
	}
	// Empty FC_* values count as unset.
	mustLoad(t, `{"version": 3}`, "FC_ENABLE=1", "FC_SETTINGS=", "FC_TEMPLATES=", "FC_PARTIALS=", "FC_OUT=")
}

func TestFlexibleEnvFunctionsUseLoadEnv(t *testing.T) {
	t.Setenv("FLEX_TEST_PROCESS_ONLY", "process")
	cfg := mustLoad(t, `{"version": 3, "name": "{{ env "FLEX_NAME" }}-{{ env "FLEX_TEST_PROCESS_ONLY" }}-{{ expandenv "$FLEX_NAME" }}"}`,
		"FC_ENABLE=1", "FLEX_NAME=gw", "FLEX_NAME=second")
	if cfg.Name != "gw--gw" {
		t.Errorf("name %q, want %q", cfg.Name, "gw--gw")
	}
}

func TestFlexibleDisabledHint(t *testing.T) {
	src := `{"version": 3, "port": {{ .s.port }}}`
	for _, env := range [][]string{nil, {"FC_ENABLE="}} {
		got := loadErr(t, src, env...)
		if !strings.HasPrefix(got, "t.json:1:25: $.port: syntax error: ") ||
			!strings.HasSuffix(got, "; "+flexibleHint) {
			t.Errorf("env %q: %s", env, got)
		}
	}
	// Without "{{" the parser's own hint stays.
	if got := loadErr(t, `{"version": 3, port: 1}`); strings.Contains(got, "Flexible Config") {
		t.Errorf("hint for a non-template: %s", got)
	}
	// A plain JSON config renders to itself.
	cfg := mustLoad(t, `{"version": 3, "port": 8081}`, "FC_ENABLE=1")
	if cfg.Port != 8081 || cfg.Source != "t.json (rendered)" {
		t.Errorf("plain JSON under FC_ENABLE: port %d source %q", cfg.Port, cfg.Source)
	}
}

func TestFlexibleRenderedSizeLimit(t *testing.T) {
	got := loadErr(t, `{"version": 3, "x": "{{ repeat 17000000 "a" }}"}`, "FC_ENABLE=1")
	if !strings.HasPrefix(got, "t.json:1:1: $: rendered config larger than 16 MiB") {
		t.Errorf("got %s", got)
	}
}

func TestRender(t *testing.T) {
	src := []byte(`{"port": {{ add 1 2 }}}`)
	name, out, err := Render("t.json", src, nil)
	if err != nil || name != "t.json" || string(out) != string(src) {
		t.Errorf("disabled: %q %q %v", name, out, err)
	}
	name, out, err = Render("t.json", src, []string{"FC_ENABLE=1"})
	if err != nil || name != "t.json (rendered)" || string(out) != `{"port": 3}` {
		t.Errorf("enabled: %q %q %v", name, out, err)
	}
	if _, _, err = Render("t.json", []byte("{{ if }}"), []string{"FC_ENABLE=1"}); err == nil {
		t.Error("parse error not returned")
	}
}

func TestFlexibleFuncSet(t *testing.T) {
	fm := (&flexRender{}).funcs()
	// The 208 Sprig names of §2.5 plus marshal and include;
	// getHostByName, env and expandenv are replaced.
	if len(fm) != 210 {
		t.Errorf("%d functions, want 210", len(fm))
	}
	for _, name := range []string{"marshal", "include", "getHostByName", "env", "expandenv", "slice", "toJson", "dict", "uuidv4"} {
		if fm[name] == nil {
			t.Errorf("function %q missing", name)
		}
	}
	for _, name := range []string{"push", "mustPush"} {
		if fm[name] != nil {
			t.Errorf("function %q is not in the §2.5 list", name)
		}
	}
	cfg := mustLoad(t, `{"version": 3, "name": "{{ hello }}-{{ len (list 1 2) }}-{{ slice (list 1 2 3) 1 | marshal }}-{{ printf "%03d" 7 }}"}`, "FC_ENABLE=1")
	if cfg.Name != "Hello!-2-[2,3]-007" {
		t.Errorf("name %q", cfg.Name)
	}
}
