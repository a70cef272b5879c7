package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// migrateRun calls cmdMigrate directly and returns its exit code and
// outputs.
func migrateRun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = cmdMigrate(args, nil, &o, &e)
	return code, o.String(), e.String()
}

// migrateFile writes content to a new file in dir and returns its path.
func migrateFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// migrateV2 is a v2 config whose v3 form loads: renamed keys at endpoint
// and backend level, legacy logging and http namespaces.
const migrateV2 = `{
  "version": 2,
  "@comment": "shop",
  "port": 8080,
  "extra_config": {
    "github_com/devopsfaith/krakend-gologging": {"level": "WARNING", "stdout": true}
  },
  "endpoints": [
    {
      "endpoint": "/items/{id}",
      "querystring_params": ["page"],
      "headers_to_pass": ["Accept-Language"],
      "backend": [
        {
          "host": ["http://items.internal"],
          "url_pattern": "/v1/items/{id}",
          "whitelist": ["id", "title"],
          "extra_config": {"github.com/devopsfaith/krakend/http": {"return_error_details": "items"}}
        },
        {"host": ["http://stock.internal"], "url_pattern": "/stock/{id}", "blacklist": ["secret"], "group": "stock"}
      ]
    }
  ]
}
`

const migrateV3 = `{
  "version": 3,
  "@comment": "shop",
  "port": 8080,
  "extra_config": {
    "telemetry/logging": {"level": "WARNING", "stdout": true}
  },
  "endpoints": [
    {
      "endpoint": "/items/{id}",
      "input_query_strings": ["page"],
      "input_headers": ["Accept-Language"],
      "backend": [
        {
          "host": ["http://items.internal"],
          "url_pattern": "/v1/items/{id}",
          "allow": ["id", "title"],
          "extra_config": {"backend/http": {"return_error_details": "items"}}
        },
        {"host": ["http://stock.internal"], "url_pattern": "/stock/{id}", "deny": ["secret"], "group": "stock"}
      ]
    }
  ]
}
`

func TestMigrateV2ToFile(t *testing.T) {
	dir := t.TempDir()
	in := migrateFile(t, dir, "old.json", migrateV2)
	out := filepath.Join(dir, "new.json")
	code, stdout, stderr := migrateRun(t, "-c", in, "-o", out)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != migrateV3 {
		t.Errorf("output:\n%s\nwant:\n%s", got, migrateV3)
	}
	if stdout != "" {
		t.Errorf("stdout = %q, want nothing with -o", stdout)
	}
	want := in + `:2:14: $.version: 2 → 3
` + in + `:6:5: $.extra_config["github_com/devopsfaith/krakend-gologging"]: namespace renamed to "telemetry/logging"
` + in + `:11:7: $.endpoints[0].querystring_params: renamed to "input_query_strings"
` + in + `:12:7: $.endpoints[0].headers_to_pass: renamed to "input_headers"
` + in + `:17:11: $.endpoints[0].backend[0].whitelist: renamed to "allow"
` + in + `:18:28: $.endpoints[0].backend[0].extra_config["github.com/devopsfaith/krakend/http"]: namespace renamed to "backend/http"
` + in + `:20:75: $.endpoints[0].backend[1].blacklist: renamed to "deny"
` + in + `: 7 change(s), 0 not converted
wrote ` + out + `
` + out + `: passes check
`
	if stderr != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", stderr, want)
	}

	// Idempotence: the output is v3 already and migrates to itself.
	out2 := filepath.Join(dir, "again.json")
	code, _, stderr = migrateRun(t, "-c", out, "-o", out2)
	again, _ := os.ReadFile(out2)
	if code != 0 || string(again) != migrateV3 || !strings.Contains(stderr, out+": already a v3 config; no changes\n") {
		t.Errorf("second migrate: exit %d, stderr:\n%s\noutput:\n%s", code, stderr, again)
	}
}

func TestMigrateToStdout(t *testing.T) {
	in := migrateFile(t, t.TempDir(), "old.json", migrateV2)
	code, stdout, stderr := migrateRun(t, "--config", in)
	if code != 0 || stdout != migrateV3 {
		t.Fatalf("exit %d, stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.HasSuffix(stderr, "<stdout>: passes check\n") {
		t.Errorf("stderr:\n%s", stderr)
	}
}

func TestMigrateAlreadyV3(t *testing.T) {
	in := migrateFile(t, t.TempDir(), "v3.json", migrateV3)
	code, stdout, stderr := migrateRun(t, "-c", in)
	if code != 0 || stdout != migrateV3 {
		t.Fatalf("exit %d, stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if want := in + ": already a v3 config; no changes\n<stdout>: passes check\n"; stderr != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", stderr, want)
	}
}

// TestMigrateV1 converts a version 1 config.
func TestMigrateV1(t *testing.T) {
	in := migrateFile(t, t.TempDir(), "v1.json", `{"version": 1, "endpoints": [{"endpoint": "/a", "headers_to_pass": ["X-A"],
  "backend": [{"host": ["http://a.internal"], "url_pattern": "/a", "whitelist": ["x"]}]}]}`)
	code, stdout, stderr := migrateRun(t, "-c", in)
	want := `{"version": 3, "endpoints": [{"endpoint": "/a", "input_headers": ["X-A"],
  "backend": [{"host": ["http://a.internal"], "url_pattern": "/a", "allow": ["x"]}]}]}`
	if code != 0 || stdout != want {
		t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, in+":1:13: $.version: 1 → 3\n") {
		t.Errorf("stderr:\n%s", stderr)
	}
}

// TestMigrateUnconvertible migrates a v2 Go plugin namespace: it is renamed,
// reported as not converted, the file is written, and the loader's errors
// are printed exactly as `tributary check` prints them for that file.
func TestMigrateUnconvertible(t *testing.T) {
	dir := t.TempDir()
	in := migrateFile(t, dir, "old.json", `{
  "version": 2,
  "endpoints": [
    {
      "endpoint": "/a",
      "backend": [{"host": ["http://a.internal"], "url_pattern": "/a",
        "extra_config": {"github.com/devopsfaith/krakend/transport/http/client/executor": {"name": "signer-plugin"}}}]
    }
  ]
}
`)
	out := filepath.Join(dir, "new.json")
	code, _, stderr := migrateRun(t, "-c", in, "-o", out)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr)
	}
	head := in + `:2:14: $.version: 2 → 3
` + in + `:7:26: $.endpoints[0].backend[0].extra_config["github.com/devopsfaith/krakend/transport/http/client/executor"]: namespace renamed to "plugin/http-client"
` + in + `:7:26: $.endpoints[0].backend[0].extra_config["github.com/devopsfaith/krakend/transport/http/client/executor"]: not converted: plugin "signer-plugin": KrakenD Go plugins (.so) cannot run in Tributary; reimplement it behind a backend (docs/krakend-compatibility.md#go-plugins)
` + in + `: 2 change(s), 1 not converted
wrote ` + out + `
`
	rest, ok := strings.CutPrefix(stderr, head)
	if !ok {
		t.Fatalf("stderr:\n%s\nwant it to start with:\n%s", stderr, head)
	}
	var co, ce bytes.Buffer
	if c := cmdCheck("check", []string{"-c", out}, nil, &co, &ce); c != 1 {
		t.Fatalf("check exit %d, stderr:\n%s", c, ce.String())
	}
	if rest != ce.String() || rest == "" {
		t.Errorf("loader report:\n%s\nwant what check prints:\n%s", rest, ce.String())
	}
	if b, err := os.ReadFile(out); err != nil || !strings.Contains(string(b), `"plugin/http-client": {"name": "signer-plugin"}`) {
		t.Errorf("output not written as expected: %v\n%s", err, b)
	}
}

// TestMigrateRefused writes nothing for a namespace with no v3 equivalent.
func TestMigrateRefused(t *testing.T) {
	dir := t.TempDir()
	in := migrateFile(t, dir, "old.json", `{"version": 2, "extra_config": {"github_com/devopsfaith/krakend-consul": {}}}`)
	out := filepath.Join(dir, "new.json")
	code, stdout, stderr := migrateRun(t, "-c", in, "-o", out)
	if code != 1 || stdout != "" || !strings.HasSuffix(stderr, in+": not converted; nothing written\n") {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("%s written: %v", out, err)
	}
}

func TestMigrateNotJSON(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ content, want string }{
		{"version: 2\nname: gateway\n", ":1:1: invalid character 'v' looking for beginning of value\n"},
		{`{"version": {{ .version }}}`, "render it to plain JSON first"},
		{`[1]`, ":1:1: the top level must be a JSON object\n"},
	} {
		in := migrateFile(t, dir, "bad.json", tc.content)
		code, stdout, stderr := migrateRun(t, "-c", in)
		if code != 1 || stdout != "" || !strings.Contains(stderr, "is not a JSON config") || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: exit %d, stdout %q, stderr:\n%s", tc.content, code, stdout, stderr)
		}
	}
}

func TestMigrateUsage(t *testing.T) {
	dir := t.TempDir()
	in := migrateFile(t, dir, "old.json", migrateV2)
	code, stdout, stderr := migrateRun(t, "--help")
	if code != 0 || !strings.HasPrefix(stdout, "Usage: tributary migrate -c FILE [-o FILE]\n") || stderr != "" {
		t.Errorf("--help: exit %d, stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, flag := range []string{"--config", "--out", "--help", "-c,", "-o,", "-h,"} {
		if !strings.Contains(stdout, flag) {
			t.Errorf("--help lacks %s:\n%s", flag, stdout)
		}
	}
	// Through the dispatcher: -h, and "tributary help migrate".
	for _, args := range [][]string{{"migrate", "-h"}, {"help", "migrate"}} {
		var o, e bytes.Buffer
		if code := runCLI(args, nil, &o, &e); code != 0 || o.String() != stdout || e.Len() != 0 {
			t.Errorf("%q: exit %d, stderr %q, stdout:\n%s", args, code, e.String(), o.String())
		}
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "-c FILE is required"},
		{[]string{"-c", in, "extra"}, 2, `unexpected argument "extra"`},
		{[]string{in}, 2, `unexpected argument`},
		{[]string{"-c", in, "--bogus"}, 2, "unknown flag: --bogus"},
		{[]string{"-c", in, "-o", in}, 2, "is the input file"},
		{[]string{"-c", in, "-o", filepath.Join(dir, ".", "old.json")}, 2, "is the input file"},
		{[]string{"-c", filepath.Join(dir, "missing.json")}, 1, "no such file"},
	} {
		code, stdout, stderr := migrateRun(t, tc.args...)
		if code != tc.code || stdout != "" || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: exit %d (want %d), stdout %q, stderr:\n%s", tc.args, code, tc.code, stdout, stderr)
		}
	}
	if b, _ := os.ReadFile(in); string(b) != migrateV2 {
		t.Error("the input file was changed")
	}
}
