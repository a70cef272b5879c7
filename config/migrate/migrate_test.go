package migrate

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json")

// notes renders notes one per line as "line:col path: message".
func notes(ns []Note) string {
	var b strings.Builder
	for _, n := range ns {
		fmt.Fprintf(&b, "%d:%d %s: %s\n", n.Pos.Line, n.Pos.Col, n.Path, n.Message)
	}
	return b.String()
}

func mustConvert(t *testing.T, src string) *Result {
	t.Helper()
	r, err := Convert([]byte(src))
	if err != nil {
		t.Fatalf("Convert: %v", err)
	}
	return r
}

// assertIdempotent converts out again and wants no change at all.
func assertIdempotent(t *testing.T, out []byte) {
	t.Helper()
	again, err := Convert(out)
	if err != nil {
		t.Fatalf("second Convert: %v", err)
	}
	if len(again.Changes) != 0 || string(again.Output) != string(out) {
		t.Errorf("migrating the output again changed it:\n%s", notes(again.Changes))
	}
	if !again.AlreadyV3() {
		t.Errorf("output not reported as already v3 (version %q)", again.Version)
	}
}

// TestMigrateConvertV2Golden converts a typical v2 config with renamed namespaces
// and keys at service, endpoint and backend level, and wants the golden
// bytes: only the renamed keys and the version differ from the input, so
// order, indentation, comment keys, number literals (1.5e2), string values
// (url_pattern "/promos/whitelist") and free-form maps (mapping, static
// data, the JSON Schema) survive.
func TestMigrateConvertV2Golden(t *testing.T) {
	src, err := os.ReadFile("testdata/v2.json")
	if err != nil {
		t.Fatal(err)
	}
	r := mustConvert(t, string(src))
	const golden = "testdata/v2.golden.json"
	if *update {
		if err := os.WriteFile(golden, r.Output, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(r.Output) != string(want) {
		t.Errorf("output differs from %s:\n%s", golden, r.Output)
	}
	wantNotes := `2:14 $.version: 2 → 3
10:5 $.extra_config["github_com/devopsfaith/krakend-gologging"]: namespace renamed to "telemetry/logging"
15:5 $.extra_config["github_com/devopsfaith/krakend-cors"]: namespace renamed to "security/cors"
25:7 $.endpoints[0].querystring_params: renamed to "input_query_strings"
26:7 $.endpoints[0].headers_to_pass: renamed to "input_headers"
28:9 $.endpoints[0].extra_config["github.com/devopsfaith/krakend-ratelimit/juju/router"]: namespace renamed to "qos/ratelimit/router"
29:11 $.endpoints[0].extra_config["github.com/devopsfaith/krakend-ratelimit/juju/router"].maxRate: renamed to "max_rate"
30:11 $.endpoints[0].extra_config["github.com/devopsfaith/krakend-ratelimit/juju/router"].clientMaxRate: renamed to "client_max_rate"
31:11 $.endpoints[0].extra_config["github.com/devopsfaith/krakend-ratelimit/juju/router"].clientCapacity: renamed to "client_capacity"
39:11 $.endpoints[0].backend[0].whitelist: renamed to "allow"
42:13 $.endpoints[0].backend[0].extra_config["github.com/devopsfaith/krakend-circuitbreaker/gobreaker"]: namespace renamed to "qos/circuit-breaker"
45:15 $.endpoints[0].backend[0].extra_config["github.com/devopsfaith/krakend-circuitbreaker/gobreaker"].maxErrors: renamed to "max_errors"
46:15 $.endpoints[0].backend[0].extra_config["github.com/devopsfaith/krakend-circuitbreaker/gobreaker"].logStatusChange: renamed to "log_status_change"
48:13 $.endpoints[0].backend[0].extra_config["github.com/devopsfaith/krakend-ratelimit/juju/proxy"]: namespace renamed to "qos/ratelimit/proxy"
48:69 $.endpoints[0].backend[0].extra_config["github.com/devopsfaith/krakend-ratelimit/juju/proxy"].maxRate: renamed to "max_rate"
54:11 $.endpoints[0].backend[1].blacklist: renamed to "deny"
61:7 $.endpoints[1].headers_to_pass: renamed to "input_headers"
63:9 $.endpoints[1].extra_config["github.com/devopsfaith/krakend-jose/validator"]: namespace renamed to "auth/validator"
65:11 $.endpoints[1].extra_config["github.com/devopsfaith/krakend-jose/validator"]["jwk-url"]: renamed to "jwk_url"
68:11 $.endpoints[1].extra_config["github.com/devopsfaith/krakend-jose/validator"]["propagate-claims"]: renamed to "propagate_claims"
70:9 $.endpoints[1].extra_config["github.com/devopsfaith/krakend/proxy"]: namespace renamed to "proxy"
73:9 $.endpoints[1].extra_config["github.com/devopsfaith/krakend-jsonschema"]: namespace renamed to "validation/json-schema"
83:13 $.endpoints[1].backend[0].extra_config["github.com/devopsfaith/krakend/http"]: namespace renamed to "backend/http"
`
	if got := notes(r.Changes); got != wantNotes {
		t.Errorf("changes:\n%s\nwant:\n%s", got, wantNotes)
	}
	if len(r.Unconverted) != 0 {
		t.Errorf("unconverted: %s", notes(r.Unconverted))
	}
	if r.Version != "2" || r.AlreadyV3() {
		t.Errorf("Version = %q, AlreadyV3 = %v", r.Version, r.AlreadyV3())
	}
	assertIdempotent(t, r.Output)
}

// TestMigrateConvertV1 converts a version 1 config: the v1-era names
// (router/gin, ratelimit/rate, bloomfilter, botdetector, the github.com
// spelling of an aliased github_com name) and keys, with tabs, CRLF line
// ends and a BOM, all kept.
func TestMigrateConvertV1(t *testing.T) {
	src := "\xef\xbb\xbf{\r\n\t\"version\":1,\r\n\t\"extra_config\":{\r\n" +
		"\t\t\"github_com/devopsfaith/krakend/router/gin\":{\"return_error_msg\":true},\r\n" +
		"\t\t\"github_com/devopsfaith/bloomfilter\":{\"N\":10000000,\"HashName\":\"optimal\",\"TokenKeys\":[\"jti\"]},\r\n" +
		"\t\t\"github.com/devopsfaith/krakend-botdetector\":{\"allowlist\":[\"Pingdom\"],\"denylist\":[\"a\"],\"cacheSize\":10000}\r\n" +
		"\t},\r\n\t\"endpoints\":[{\"endpoint\":\"/x\",\"extra_config\":{\r\n" +
		"\t\t\"github.com/devopsfaith/krakend-ratelimit/rate/router\":{\"maxRate\":10}}," +
		"\"backend\":[{\"url_pattern\":\"/x\",\"extra_config\":{\"github.com/devopsfaith/krakend-jose/signer\":{\"keys-to-sign\":[\"access_token\"]}}}]}]\r\n}\r\n"
	want := "\xef\xbb\xbf{\r\n\t\"version\":3,\r\n\t\"extra_config\":{\r\n" +
		"\t\t\"router\":{\"return_error_msg\":true},\r\n" +
		"\t\t\"auth/revoker\":{\"N\":10000000,\"hash_name\":\"optimal\",\"token_keys\":[\"jti\"]},\r\n" +
		"\t\t\"security/bot-detector\":{\"allow\":[\"Pingdom\"],\"deny\":[\"a\"],\"cache_size\":10000}\r\n" +
		"\t},\r\n\t\"endpoints\":[{\"endpoint\":\"/x\",\"extra_config\":{\r\n" +
		"\t\t\"qos/ratelimit/router\":{\"max_rate\":10}}," +
		"\"backend\":[{\"url_pattern\":\"/x\",\"extra_config\":{\"auth/signer\":{\"keys_to_sign\":[\"access_token\"]}}}]}]\r\n}\r\n"
	r := mustConvert(t, src)
	if string(r.Output) != want {
		t.Errorf("output:\n%q\nwant:\n%q", r.Output, want)
	}
	if len(r.Changes) != 13 || r.Version != "1" {
		t.Errorf("version %q, %d changes:\n%s", r.Version, len(r.Changes), notes(r.Changes))
	}
	// Columns count the BOM's three bytes, as config's diagnostics do.
	if got := r.Changes[0]; got.Pos != (Position{Line: 2, Col: 12}) || got.Path != "$.version" {
		t.Errorf("first change = %+v", got)
	}
	assertIdempotent(t, r.Output)
}

// TestMigrateConvertAlreadyV3 passes a v3 config through untouched.
func TestMigrateConvertAlreadyV3(t *testing.T) {
	src := `{
  "version": 3,
  "endpoints": [{"endpoint": "/a", "input_headers": ["X"], "backend": [{"host": ["http://a"], "url_pattern": "/a", "allow": ["x"],
    "extra_config": {"qos/ratelimit/proxy": {"max_rate": 1}, "plugin/http-client": {"name": "p"}}}]}]
}
`
	r := mustConvert(t, src)
	if string(r.Output) != src || !r.AlreadyV3() || len(r.Unconverted) != 0 {
		t.Errorf("AlreadyV3 = %v, output changed: %s, unconverted: %s", r.AlreadyV3(), notes(r.Changes), notes(r.Unconverted))
	}
}

// TestMigrateConvertV3LegacyNames upgrades the legacy names left in a v3 file
// (§18.2: a v3 file goes through the same pass).
func TestMigrateConvertV3LegacyNames(t *testing.T) {
	r := mustConvert(t, `{"version": 3, "extra_config": {"github_com/devopsfaith/krakend-gologging": {"level": "INFO"}}}`)
	if want := `{"version": 3, "extra_config": {"telemetry/logging": {"level": "INFO"}}}`; string(r.Output) != want {
		t.Errorf("output %s, want %s", r.Output, want)
	}
	if r.AlreadyV3() {
		t.Error("AlreadyV3 with a change made")
	}
}

// TestMigrateConvertVersionForms covers a string version, a missing one and an
// unknown one.
func TestMigrateConvertVersionForms(t *testing.T) {
	for _, tc := range []struct{ in, out, note string }{
		{`{"version": "2"}`, `{"version": 3}`, `1:13 $.version: "2" → 3`},
		{"{\n  \"endpoints\": []\n}", "{\n  \"version\": 3,\n  \"endpoints\": []\n}", `1:1 $: no "version": added "version": 3`},
		{`{}`, `{"version": 3}`, `1:1 $: no "version": added "version": 3`},
		{`{"headers_to_pass":1}`, `{"version": 3,"input_headers":1}`, "1:1 $: no \"version\": added \"version\": 3\n1:2 $.headers_to_pass: renamed to \"input_headers\""},
		{`{"version": 4}`, `{"version": 4}`, ""},
	} {
		r := mustConvert(t, tc.in)
		if string(r.Output) != tc.out || strings.TrimSpace(notes(r.Changes)) != tc.note {
			t.Errorf("%s → %s (changes %q), want %s (%q)", tc.in, r.Output, notes(r.Changes), tc.out, tc.note)
		}
	}
	r := mustConvert(t, `{"version": 4}`)
	if want := "1:13 $.version: version 4 is not 1, 2 or 3; left as it is\n"; notes(r.Unconverted) != want {
		t.Errorf("unconverted %q, want %q", notes(r.Unconverted), want)
	}
}

// TestMigrateConvertUnconvertible reports Go plugins, Enterprise namespaces and
// renames that would clash with a key already present, and still converts
// the rest.
func TestMigrateConvertUnconvertible(t *testing.T) {
	src := `{
  "version": 2,
  "plugin": {"pattern": ".so", "folder": "./plugins/"},
  "extra_config": {
    "github_com/devopsfaith/krakend/transport/http/server/handler": {"name": ["auth-plugin", "geo"], "whitelist": 1},
    "github_com/devopsfaith/krakend-swagger": {}
  },
  "endpoints": [{"endpoint": "/a", "backend": [{"url_pattern": "/a", "whitelist": ["a"], "allow": ["b"],
    "extra_config": {"github.com/devopsfaith/krakend/http": {}, "backend/http": {}}}]}]
}`
	r := mustConvert(t, src)
	wantU := `3:3 $.plugin: KrakenD Go plugins (.so) cannot run in Tributary; reimplement them behind a backend (docs/krakend-compatibility.md#go-plugins)
5:5 $.extra_config["github_com/devopsfaith/krakend/transport/http/server/handler"]: plugin "auth-plugin", "geo": KrakenD Go plugins (.so) cannot run in Tributary; reimplement it behind a backend (docs/krakend-compatibility.md#go-plugins)
6:5 $.extra_config["github_com/devopsfaith/krakend-swagger"]: "generator/openapi" is a KrakenD Enterprise feature, not supported by Tributary (docs/krakend-compatibility.md#krakend-enterprise)
8:70 $.endpoints[0].backend[0].whitelist: not renamed to "allow": the object already has "allow"; merge them by hand
9:22 $.endpoints[0].backend[0].extra_config["github.com/devopsfaith/krakend/http"]: namespace not renamed to "backend/http": the object already has it; merge them by hand
`
	if got := notes(r.Unconverted); got != wantU {
		t.Errorf("unconverted:\n%s\nwant:\n%s", got, wantU)
	}
	out := string(r.Output)
	for _, s := range []string{`"plugin/http-server": {"name": ["auth-plugin", "geo"], "whitelist": 1}`, `"generator/openapi": {}`, `"whitelist": ["a"], "allow": ["b"]`, `"version": 3`} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %s:\n%s", s, out)
		}
	}
}

// TestMigrateConvertRefusesRemovedNamespaces refuses etcd and consul, which have
// no v3 equivalent, and produces nothing.
func TestMigrateConvertRefusesRemovedNamespaces(t *testing.T) {
	_, err := Convert([]byte(`{"version": 2, "extra_config": {"github_com/devopsfaith/krakend-etcd": {"machines": []}}}`))
	var ref *RefusedError
	if !errors.As(err, &ref) || len(ref.Notes) != 1 {
		t.Fatalf("err = %v, want one RefusedError note", err)
	}
	if want := `1:33: $.extra_config["github_com/devopsfaith/krakend-etcd"]: namespace "github_com/devopsfaith/krakend-etcd" is no longer supported by KrakenD and has no v3 equivalent; remove it (nothing written)`; ref.Error() != want {
		t.Errorf("error %q, want %q", ref.Error(), want)
	}
}

// TestMigrateConvertNotJSON refuses input that is not one JSON object.
func TestMigrateConvertNotJSON(t *testing.T) {
	for _, tc := range []struct {
		in       string
		pos      Position
		problem  string
		template bool
	}{
		{"", Position{1, 1}, "empty file", false},
		{"version: 2\n", Position{1, 1}, "invalid character 'v' looking for beginning of value", false},
		{"{\n  \"version\": 2,\n}", Position{3, 1}, "invalid character '}' looking for beginning of object key string", false},
		{`{"version": {{ .v }}}`, Position{1, 14}, "invalid character '{' looking for beginning of object key string", true},
		{`[{"version": 2}]`, Position{1, 1}, "the top level must be a JSON object", false},
		{`{"version": 2} {}`, Position{1, 16}, "invalid character '{' after top-level value", false},
	} {
		_, err := Convert([]byte(tc.in))
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: err = %v, want a SyntaxError", tc.in, err)
			continue
		}
		if se.Pos != tc.pos || se.Problem != tc.problem || se.Template != tc.template {
			t.Errorf("%q: got %+v, want %v %q template=%v", tc.in, *se, tc.pos, tc.problem, tc.template)
		}
	}
}

// TestMigrateConvertEscapedKeys matches keys by their decoded value and paths
// quote keys that are not identifiers.
func TestMigrateConvertEscapedKeys(t *testing.T) {
	r := mustConvert(t, `{"version":2,"endpoints":[{"headers\u005fto_pass":["A"],"backend":[{"black\u006cist":[]}]}]}`)
	if want := `{"version":3,"endpoints":[{"input_headers":["A"],"backend":[{"deny":[]}]}]}`; string(r.Output) != want {
		t.Errorf("output %s, want %s", r.Output, want)
	}
}

// FuzzMigrateConvert converts arbitrary input and wants the output, when
// there is one, to convert again without a change.
func FuzzMigrateConvert(f *testing.F) {
	src, err := os.ReadFile("testdata/v2.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(src)
	f.Add([]byte(`{"version": 1, "a": [1, {"whitelist": "x"}], "extra_config": {"github.com/devopsfaith/krakend/proxy": null}}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := Convert(in)
		if err != nil {
			return
		}
		again, err := Convert(r.Output)
		if err != nil {
			t.Fatalf("output does not convert: %v\n%s", err, r.Output)
		}
		if len(again.Changes) != 0 || string(again.Output) != string(r.Output) {
			t.Fatalf("not idempotent: %s", notes(again.Changes))
		}
	})
}
