package config

import (
	"reflect"
	"strings"
	"testing"
)

// Tests of the validation/json-schema and validation/cel decoders.

func validationEndpoint(endpointNS, backendNS string) string {
	ext := func(ns string) string {
		if ns == "" {
			return ""
		}
		return `, "extra_config": {` + ns + `}`
	}
	return `{"version": 3, "endpoints": [{"endpoint": "/a/{id}", "method": "POST"` + ext(endpointNS) +
		`, "backend": [{"host": ["http://h"], "url_pattern": "/a"` + ext(backendNS) + `}]}]}`
}

func TestJSONSchemaDecoded(t *testing.T) {
	cfg := mustLoad(t, validationEndpoint(`"validation/json-schema": {
  "$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
  "properties": {"n": {"type": "number", "minimum": 1.5e0, "description": "a \"quoted\" \u00e9"}},
  "$defs": {"x": true}, "required": ["n"]}`, ""))
	s := cfg.Endpoints[0].JSONSchema
	if s == nil {
		t.Fatal("JSONSchema not decoded")
	}
	want := `{"$schema":"http://json-schema.org/draft-07/schema#","type":"object",` +
		`"properties":{"n":{"type":"number","minimum":1.5e0,"description":"a \"quoted\" é"}},` +
		`"$defs":{"x":true},"required":["n"]}`
	if string(s.Raw) != want {
		t.Errorf("Raw =\n%s\nwant\n%s", s.Raw, want)
	}
	if s.Pos.Line != 1 {
		t.Errorf("Pos = %+v", s.Pos)
	}
	cfg = mustLoad(t, validationEndpoint(`"validation/json-schema": false`, ""))
	if got := string(cfg.Endpoints[0].JSONSchema.Raw); got != "false" {
		t.Errorf("boolean schema Raw = %s", got)
	}
}

func TestCELDecoded(t *testing.T) {
	cfg := mustLoad(t, validationEndpoint(
		`"validation/cel": [{"check_expr": "req_method == 'POST'"}, {"check_expr": "has(resp_data.x)", "@note": "ok"}]`,
		`"validation/cel": [{"check_expr": "req_headers['X'][0] == 'y' && JWT.sub == 'a'"}]`))
	e := cfg.Endpoints[0]
	got := []string{e.CEL[0].Expr, e.CEL[1].Expr, e.Backends[0].CEL[0].Expr}
	want := []string{"req_method == 'POST'", "has(resp_data.x)", "req_headers['X'][0] == 'y' && JWT.sub == 'a'"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("expressions = %q, want %q", got, want)
	}
	if e.CEL[0].Pos.Line != 1 || e.CEL[0].Pos.Col == 0 {
		t.Errorf("Pos = %+v", e.CEL[0].Pos)
	}
	if len(cfg.Warnings) != 0 {
		t.Errorf("warnings: %v", warningLines(cfg))
	}
}

func TestValidationErrors(t *testing.T) {
	long := strings.Repeat("a", MaxCELExprBytes)
	cases := []struct {
		name, endpointNS, backendNS, want string
	}{
		{"schema type", `"validation/json-schema": [1]`, "",
			`"validation/json-schema"]: expected a JSON Schema (an object or a boolean), got array`},
		{"cel type", `"validation/cel": {"check_expr": "req_method == 'GET'"}`, "",
			`"validation/cel"]: expected an array of {"check_expr": …} objects, got object`},
		{"cel element", `"validation/cel": ["req_method == 'GET'"]`, "",
			`"validation/cel"][0]: expected an object, got string`},
		{"cel missing", `"validation/cel": [{}]`, "", `"validation/cel"][0]: missing check_expr`},
		{"cel unknown key", `"validation/cel": [{"check_exp": "req_method == 'GET'"}]`, "",
			`.check_exp: unknown option "check_exp"; did you mean "check_expr"?`},
		{"cel no phase", `"validation/cel": [{"check_expr": "1 == 1"}]`, "",
			`expression "1 == 1" names none of the req_, resp_ or JWT variables, so it would never run`},
		{"cel empty", `"validation/cel": [{"check_expr": " "}]`, "", `.check_expr: empty expression`},
		{"cel long", `"validation/cel": [{"check_expr": "req_method == '` + long + `'"}]`, "",
			`expression longer than 8192 bytes`},
		{"cel not string", `"validation/cel": [{"check_expr": true}]`, "", `.check_expr: expected a string, got boolean`},
		{"cel backend jwt", "", `"validation/cel": [{"check_expr": "JWT.sub == 'a'"}]`,
			`names only JWT, which is not evaluated at backend scope`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := loadErr(t, validationEndpoint(c.endpointNS, c.backendNS))
			if !strings.Contains(got, c.want) {
				t.Errorf("got\n%s\nwant it to contain\n%s", got, c.want)
			}
		})
	}
}

// TestJSONSchemaAtBackend: a known namespace at the wrong scope warns, as
// for every namespace outside auth/, security/ and qos/.
func TestJSONSchemaAtBackend(t *testing.T) {
	cfg := mustLoad(t, validationEndpoint("", `"validation/json-schema": {}`))
	w := strings.Join(warningLines(cfg), "\n")
	if !strings.Contains(w, `"validation/json-schema" ignored at backend scope, as KrakenD does`) {
		t.Errorf("warnings: %s", w)
	}
}

func TestCELTooMany(t *testing.T) {
	var b strings.Builder
	for i := range maxCELChecks + 1 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"check_expr": "req_method == 'GET'"}`)
	}
	got := loadErr(t, validationEndpoint(`"validation/cel": [`+b.String()+`]`, ""))
	if !strings.Contains(got, "more than 64 expressions") {
		t.Errorf("got %s", got)
	}
}

// TestValidationLegacyNames: KrakenD's legacy names load as the current
// ones.
func TestValidationLegacyNames(t *testing.T) {
	cfg, err := Load("t.json", []byte(validationEndpoint(
		`"github.com/devopsfaith/krakend-jsonschema": {"type": "object"}, "github.com/devopsfaith/krakend-cel": [{"check_expr": "req_method == 'POST'"}]`, "")), nil)
	if err != nil {
		t.Fatal(err)
	}
	e := cfg.Endpoints[0]
	if e.JSONSchema == nil || len(e.CEL) != 1 {
		t.Fatalf("legacy names not decoded: %+v %+v", e.JSONSchema, e.CEL)
	}
}
