package samlocal

import (
	"context"
	"debug/elf"
	"encoding/binary"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

func TestFindTemplate(t *testing.T) {
	dir := t.TempDir()
	if _, err := FindTemplate(dir); err == nil || !strings.Contains(err.Error(), ".aws-sam/build/template.yaml, template.yaml, template.yml, template.json") {
		t.Errorf("empty dir: %v", err)
	}
	// Each file found in turn as the ones before it go away.
	order := []string{filepath.Join(".aws-sam", "build", "template.yaml"), "template.yaml", "template.yml", "template.json"}
	for _, name := range order {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("Resources: {}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range order {
		got, err := FindTemplate(dir)
		if want := filepath.Join(dir, name); err != nil || got != want {
			t.Errorf("FindTemplate = %q, %v; want %q", got, err, want)
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	// A directory of that name is not a template.
	if err := os.Mkdir(filepath.Join(dir, "template.yaml"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := FindTemplate(dir); err == nil {
		t.Errorf("a directory was taken for a template: %q", got)
	}
	if got, err := FindTemplate("."); err == nil || got != "" {
		// The package directory has no template of its own.
		t.Errorf("FindTemplate(.) = %q, %v", got, err)
	}

	for path, want := range map[string]bool{
		filepath.Join(dir, ".aws-sam", "build"): true,
		filepath.Join(".aws-sam", "build"):      true,
		filepath.Join(dir, "build"):             false,
		dir:                                     false,
	} {
		if got := IsBuildOutput(path); got != want {
			t.Errorf("IsBuildOutput(%q) = %v", path, got)
		}
	}
}

func TestParseEnvVars(t *testing.T) {
	ev, err := ParseEnvVars("env.json", []byte(`{
  "Parameters": {"TABLE": "local", "N": 3, "ON": true, "EMPTY": ""},
  "Fn": {"TABLE": "fn-table", "F": -1.5}
}`))
	if err != nil {
		t.Fatal(err)
	}
	want := &EnvVars{Source: "env.json",
		Global:    map[string]string{"TABLE": "local", "N": "3", "ON": "true", "EMPTY": ""},
		Functions: map[string]map[string]string{"Fn": {"TABLE": "fn-table", "F": "-1.5"}}}
	if !reflect.DeepEqual(ev, want) {
		t.Errorf("got %+v\nwant %+v", ev, want)
	}
	for _, tc := range []struct{ in, err string }{
		{``, "env.json: EOF"},
		{`null`, "want an object of objects"},
		{`[]`, "want an object of objects"},
		{`{"Fn": {"A": "1"}} {}`, "data after the JSON value"},
		{`{"Fn": "A=1"}`, `"Fn": want an object of variables`},
		{`{"Fn": null}`, `"Fn": want an object of variables`},
		{`{"Parameters": {"A": null}}`, "Parameters.A: want a string, a number or a boolean"},
		{`{"Fn": {"A": {"Ref": "X"}}}`, "Fn.A: want a string, a number or a boolean"},
		{`{"Fn": {"A": ["x"]}}`, "Fn.A: want a string"},
		{`{"Fn": {"A=B": "x"}}`, `environment variable name "A=B" is not valid`},
		{`{"Fn": {"": "x"}}`, `environment variable name "" is not valid`},
		{`{"Fn": {"A": "x\u0000y"}}`, "NUL byte"},
	} {
		if _, err := ParseEnvVars("env.json", []byte(tc.in)); err == nil || !strings.Contains(err.Error(), tc.err) || !strings.HasPrefix(err.Error(), "env.json") {
			t.Errorf("%s: err = %v, want %q", tc.in, err, tc.err)
		}
	}

	dir := t.TempDir()
	if _, err := LoadEnvVars(filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("missing file: %v", err)
	}
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, make([]byte, maxEnvVarsBytes+1), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadEnvVars(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("oversize file: %v", err)
	}
}

// overrideTemplate declares variables in Globals and per function, with
// values from parameters, one of which has no Default.
const overrideTemplate = `Parameters:
  Stage: {Type: String, Default: beta}
  Table: {Type: String, Default: from-default}
  Secret: {Type: String}
  RoutePath: {Type: String}
Globals:
  Function:
    Environment:
      Variables: {TABLE: !Ref Table, LEVEL: info, ARN: !GetAtt Q.Arn}
Resources:
  Api: {Type: AWS::Serverless::Api, Properties: {StageName: !Ref Stage}}
  One:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables: {SECRET: !Ref Secret, ONLY_ONE: x}
      Events:
        Get: {Type: Api, Properties: {Path: !Ref RoutePath, Method: GET, RestApiId: !Ref Api}}
  Two:
    Type: AWS::Serverless::Function
`

func TestTemplateOverrides(t *testing.T) {
	// The path comes from a parameter without a Default: without an
	// override the template does not parse.
	if _, err := ParseTemplate("t.yaml", []byte(overrideTemplate), TemplateOptions{}); err == nil || !strings.Contains(err.Error(), "Path: want a string or a !Ref to a parameter with a Default (or a value in --parameter-overrides)") {
		t.Fatalf("err = %v", err)
	}
	params := map[string]string{"RoutePath": "/items/{id}", "Stage": "dev", "Secret": "s3cr3t", "Nope": "x"}
	tpl, err := ParseTemplate("t.yaml", []byte(overrideTemplate), TemplateOptions{Parameters: params})
	if err != nil {
		t.Fatal(err)
	}
	want := `One timeout=3s mem=128 env=[LEVEL=info ONLY_ONE=x SECRET=s3cr3t TABLE=from-default]
  Get Api GET "/items/{id}" v1.0 stage=dev binary=[]
Two timeout=3s mem=128 env=[LEVEL=info TABLE=from-default]
`
	if got := summary(tpl); got != want {
		t.Errorf("parameter overrides: parsed as\n%s\nwant\n%s", got, want)
	}
	wantWarnings := []string{
		"t.yaml:9:56: environment variable ARN: value cannot be resolved locally; not set (--env-vars can set it)",
		"t.yaml:9:56: environment variable ARN: value cannot be resolved locally; not set (--env-vars can set it)",
		"t.yaml: parameter override Nope: the template has no such parameter; ignored",
	}
	if !reflect.DeepEqual(tpl.Warnings, wantWarnings) {
		t.Errorf("warnings\n%q\nwant\n%q", tpl.Warnings, wantWarnings)
	}

	// --env-vars: a function's own entry beats "Parameters", which beats
	// the template; only declared variables are set, unresolvable ones
	// included; the rest is reported.
	ev := &EnvVars{Source: "env.json",
		Global: map[string]string{"TABLE": "global-table", "ARN": "arn:local", "UNDECLARED": "x", "LEVEL": "debug"},
		Functions: map[string]map[string]string{
			"One":     {"TABLE": "one-table", "NEW": "y", "SECRET": "from-file"},
			"Two":     {"LEVEL": "warn"},
			"Missing": {"A": "b"},
		}}
	tpl, err = ParseTemplate("t.yaml", []byte(overrideTemplate), TemplateOptions{Parameters: params, EnvVars: ev})
	if err != nil {
		t.Fatal(err)
	}
	want = `One timeout=3s mem=128 env=[ARN=arn:local LEVEL=debug ONLY_ONE=x SECRET=from-file TABLE=one-table]
  Get Api GET "/items/{id}" v1.0 stage=dev binary=[]
Two timeout=3s mem=128 env=[ARN=arn:local LEVEL=warn TABLE=global-table]
`
	if got := summary(tpl); got != want {
		t.Errorf("env vars: parsed as\n%s\nwant\n%s", got, want)
	}
	wantWarnings = []string{
		"t.yaml: parameter override Nope: the template has no such parameter; ignored",
		"env.json: Parameters.UNDECLARED: no function declares UNDECLARED in Environment.Variables (or each sets its own); not set",
		"env.json: Missing: the template has no function Missing; ignored",
		"env.json: One.NEW: One does not declare NEW in Environment.Variables; not set",
	}
	if !reflect.DeepEqual(tpl.Warnings, wantWarnings) {
		t.Errorf("warnings\n%q\nwant\n%q", tpl.Warnings, wantWarnings)
	}
}

// TestUndeclaredParameterOverride: like `sam local`, an override answers a
// !Ref even to a parameter the template does not declare; it is reported
// only when nothing uses it.
func TestUndeclaredParameterOverride(t *testing.T) {
	yml := "Resources:\n  Fn: {Type: AWS::Serverless::Function, Properties: {Environment: {Variables: {A: !Ref Undeclared}}}}\n"
	tpl, err := ParseTemplate("t.yaml", []byte(yml), TemplateOptions{Parameters: map[string]string{"Undeclared": "v"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := tpl.Functions[0].Environment["A"]; got != "v" || len(tpl.Warnings) != 0 {
		t.Errorf("A = %q, warnings %q", got, tpl.Warnings)
	}
}

func TestParseParameterOverrides(t *testing.T) {
	tests := []struct {
		in   []string
		want map[string]string
	}{
		{nil, map[string]string{}},
		{[]string{""}, map[string]string{}},
		{[]string{"Stage=dev"}, map[string]string{"Stage": "dev"}},
		{[]string{"  Stage=dev   Table=t1\tLevel=x "}, map[string]string{"Stage": "dev", "Table": "t1", "Level": "x"}},
		{[]string{"ParameterKey=KeyPairName,ParameterValue=MyKey ParameterKey=InstanceType,ParameterValue=t1.micro"},
			map[string]string{"KeyPairName": "MyKey", "InstanceType": "t1.micro"}},
		{[]string{"ParameterKey=A,ParameterValue=x B=y"}, map[string]string{"A": "x", "B": "y"}},
		{[]string{"A=1", "B=2 A=3"}, map[string]string{"A": "3", "B": "2"}},
		{[]string{`Endpoint="GET /frontpage/{id_user}" Other='a b'`}, map[string]string{"Endpoint": "GET /frontpage/{id_user}", "Other": "a b"}},
		{[]string{`ParameterKey=E,ParameterValue="GET /x"`}, map[string]string{"E": "GET /x"}},
		{[]string{`A=a\ b B=say\"hi\" C=it\'s`}, map[string]string{"A": "a b", "B": `say"hi"`, "C": "it's"}},
		{[]string{`Path=C:\dir\file`}, map[string]string{"Path": `C:\dir\file`}},
		{[]string{`A=x=y,z`}, map[string]string{"A": "x=y,z"}},
		{[]string{`A=`}, map[string]string{"A": ""}},
		{[]string{`"Quoted"=v`}, map[string]string{"Quoted": "v"}},
	}
	for _, tc := range tests {
		got, err := ParseParameterOverrides(tc.in)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: got %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ in, err string }{
		{"Stage", "want Name=Value or ParameterKey=Name,ParameterValue=Value"},
		{"ParameterKey=Stage", "want ParameterKey=Name,ParameterValue=Value"},
		{"ParameterKey=Stage, ParameterValue=dev", "want ParameterKey=Name,ParameterValue=Value"},
		{"Sta-ge=dev", `parameter name "Sta-ge": want letters and digits only`},
		{"=dev", `parameter name "": want letters and digits only`},
		{`A="open`, "unterminated \" quote"},
		{`A='open`, "unterminated ' quote"},
	} {
		if _, err := ParseParameterOverrides([]string{tc.in}); err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "--parameter-overrides") {
			t.Errorf("%q: err = %v, want %q", tc.in, err, tc.err)
		}
	}
}

// FuzzParameterOverrides: any input parses or fails cleanly; every name
// that parses is a CloudFormation parameter name.
func FuzzParameterOverrides(f *testing.F) {
	f.Add("ParameterKey=A,ParameterValue=b C='d e' F=g\\ h")
	f.Add(`A="x y`)
	f.Add(`\`)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseParameterOverrides([]string{s})
		if err != nil {
			return
		}
		for name := range got {
			if !logicalID(name) {
				t.Fatalf("name %q", name)
			}
		}
	})
}

func TestCheckMachine(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := elfMachines[runtime.GOARCH]; !ok || runtime.GOOS != "linux" {
		t.Skipf("no ELF machine check on %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	if err := checkMachine(self, runtime.GOARCH); err != nil {
		t.Errorf("the test binary itself: %v", err)
	}
	other := "arm64"
	if runtime.GOARCH == "arm64" {
		other = "amd64"
	}
	// The test binary, with its ELF header saying the other architecture.
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	binary.LittleEndian.PutUint16(data[18:20], uint16(elfMachines[other]))
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "Fn"), 0o755); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(dir, "Fn", "bootstrap")
	if err := os.WriteFile(foreign, data, 0o755); err != nil {
		t.Fatal(err)
	}
	if f, err := elf.Open(foreign); err != nil || f.Machine != elfMachines[other] {
		t.Fatalf("patched binary: %v", err)
	} else {
		f.Close()
	}
	_, err = Prebuilt(dir)(context.Background(), &Function{LogicalID: "Fn"})
	if err == nil || !strings.Contains(err.Error(), "is built for "+other+", and this machine runs "+runtime.GOARCH) {
		t.Errorf("foreign bootstrap: %v", err)
	}
	script := filepath.Join(dir, "script")
	if err := os.WriteFile(script, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := checkMachine(script, runtime.GOARCH); err != nil {
		t.Errorf("a script is not checked: %v", err)
	}
	if err := checkMachine(foreign, "riscv64"); err != nil {
		t.Errorf("an architecture outside Lambda's is not checked: %v", err)
	}
}
