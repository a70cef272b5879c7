package samlocal

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/infra"
)

// summary renders a template compactly, so whole parses compare in one
// string: one line per function, one per event.
func summary(t *Template) string {
	var b strings.Builder
	for _, fn := range t.Functions {
		fmt.Fprintf(&b, "%s timeout=%s mem=%d env=%v\n", fn.LogicalID, fn.Timeout, fn.MemorySize, fn.Environ())
		for _, ev := range fn.Events {
			fmt.Fprintf(&b, "  %s %s %s %q v%s stage=%s binary=%v\n", ev.Name, ev.Type, ev.Method, ev.Path, ev.PayloadFormatVersion, ev.Stage, ev.BinaryMediaTypes)
		}
	}
	return b.String()
}

// TestParseCheckedInTemplate reads the repository's template.yaml.
func TestParseCheckedInTemplate(t *testing.T) {
	tpl, err := LoadTemplate(filepath.Join("..", "..", "template.yaml"), TemplateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := `GatewayFunction timeout=3s mem=512 env=[]
  HttpRoot HttpApi ANY "/" v2.0 stage=$default binary=[]
  HttpProxy HttpApi ANY "/{proxy+}" v2.0 stage=$default binary=[]
EpGetFrontpageIdUser timeout=3s mem=512 env=[TRIBUTARY_ENDPOINT=GET /frontpage/{id_user}]
  Http HttpApi GET "/frontpage/{id_user}" v2.0 stage=$default binary=[]
EpGetUsersIdUser timeout=3s mem=512 env=[TRIBUTARY_ENDPOINT=GET /users/{id_user}]
  Http HttpApi GET "/users/{id_user}" v2.0 stage=$default binary=[]
EpGetProducts timeout=3s mem=512 env=[TRIBUTARY_ENDPOINT=GET /products]
  Http HttpApi GET "/products" v2.0 stage=$default binary=[]
`
	if got := summary(tpl); got != want {
		t.Errorf("template.yaml parsed as\n%s\nwant\n%s", got, want)
	}
	if len(tpl.Warnings) != 0 {
		t.Errorf("warnings: %v", tpl.Warnings)
	}
	if abs, _ := filepath.Abs(filepath.Join("..", "..")); tpl.Dir != abs {
		t.Errorf("Dir = %q, want %q", tpl.Dir, abs)
	}
	if tpl.Function("GatewayFunction") == nil || tpl.Function("Nope") != nil {
		t.Error("Function lookup is wrong")
	}
}

// TestParseGeneratedVariants parses what infra.Generate emits for the
// bundled config: the REST variant (RestApi, !Ref RestStageName, binary
// media types "*~1*") and the HTTP variant without per-endpoint functions.
func TestParseGeneratedVariants(t *testing.T) {
	cfg, err := config.LoadFile("", nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		o    infra.Options
		want string
	}{
		{"rest", infra.Options{API: infra.APIREST}, `RestGatewayFunction timeout=3s mem=512 env=[]
  RestRoot Api ANY "/" v1.0 stage=prod binary=[*/*]
  RestProxy Api ANY "/{proxy+}" v1.0 stage=prod binary=[*/*]
`},
		{"rest per endpoint", infra.Options{API: infra.APIREST, PerEndpoint: true}, `RestGatewayFunction timeout=3s mem=512 env=[]
  RestRoot Api ANY "/" v1.0 stage=prod binary=[*/*]
  RestProxy Api ANY "/{proxy+}" v1.0 stage=prod binary=[*/*]
EpGetFrontpageIdUser timeout=3s mem=512 env=[TRIBUTARY_ENDPOINT=GET /frontpage/{id_user}]
  Rest Api GET "/frontpage/{id_user}" v1.0 stage=prod binary=[*/*]
EpGetUsersIdUser timeout=3s mem=512 env=[TRIBUTARY_ENDPOINT=GET /users/{id_user}]
  Rest Api GET "/users/{id_user}" v1.0 stage=prod binary=[*/*]
EpGetProducts timeout=3s mem=512 env=[TRIBUTARY_ENDPOINT=GET /products]
  Rest Api GET "/products" v1.0 stage=prod binary=[*/*]
`},
		{"http", infra.Options{}, `GatewayFunction timeout=3s mem=512 env=[]
  HttpRoot HttpApi ANY "/" v2.0 stage=$default binary=[]
  HttpProxy HttpApi ANY "/{proxy+}" v2.0 stage=$default binary=[]
`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			yml, err := infra.Generate(cfg, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			tpl, err := ParseTemplate("gen.yaml", yml, TemplateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(tpl); got != tc.want {
				t.Errorf("parsed as\n%s\nwant\n%s", got, tc.want)
			}
			if _, err := NewRouter(tpl); err != nil {
				t.Errorf("NewRouter: %v", err)
			}
		})
	}
}

func TestParseTemplate(t *testing.T) {
	const head = "Transform: AWS::Serverless-2016-10-31\n"
	tests := []struct {
		name     string
		yaml     string
		want     string // summary; "" when an error is expected
		err      string // substring of the error
		warnings []string
	}{
		{
			name: "globals merged, function wins",
			yaml: head + `Parameters:
  Stage: {Type: String, Default: beta}
  Level: {Type: String, Default: debug}
  NoDefault: {Type: String}
Globals:
  Function:
    Timeout: 10
    MemorySize: 256
    Environment:
      Variables: {A: global, B: global, LEVEL: !Ref Level}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Timeout: 20
      Environment:
        Variables:
          B: own
          C: 42
          D: {Ref: Stage}
          R: !Ref AWS::Region
          S: !Sub "${AWS::Region}-x"
          N: !Ref NoDefault
      Events:
        Get: {Type: HttpApi, Properties: {Path: /x, Method: get}}
  Other:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Upload: {Type: S3, Properties: {Bucket: b}}
`,
			want: `Fn timeout=20s mem=256 env=[A=global B=own C=42 D=beta LEVEL=debug R=us-east-1]
  Get HttpApi GET "/x" v2.0 stage=$default binary=[]
Other timeout=10s mem=256 env=[A=global B=global LEVEL=debug]
`,
			warnings: []string{"t.yaml:23:14: environment variable S: value cannot be resolved locally; not set (--env-vars can set it)",
				"t.yaml:24:14: environment variable N: value cannot be resolved locally; not set (--env-vars can set it)"},
		},
		{
			name: "defaults without Globals",
			yaml: head + `Resources:
  Fn: {Type: AWS::Serverless::Function, Properties: {CodeUri: .}}
`,
			want: "Fn timeout=3s mem=128 env=[]\n",
		},
		{
			name: "implicit REST API: stage Prod, Globals.Api binary types",
			yaml: head + `Globals:
  Api: {BinaryMediaTypes: [image~1png, "*~1*"]}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        A: {Type: Api, Properties: {Path: "/a/{id}", Method: post}}
`,
			want: "Fn timeout=3s mem=128 env=[]\n  A Api POST \"/a/{id}\" v1.0 stage=Prod binary=[image/png */*]\n",
		},
		{
			name: "explicit REST API with a parameter stage, and an explicit HTTP API",
			yaml: head + `Parameters:
  StageP: {Type: String, Default: v2}
Resources:
  Rest:
    Type: AWS::Serverless::Api
    Properties: {StageName: !Ref StageP, BinaryMediaTypes: ["application~1octet-stream"]}
  Http:
    Type: AWS::Serverless::HttpApi
    Properties: {StageName: dev}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        R: {Type: Api, Properties: {RestApiId: !Ref Rest, Path: "/{proxy+}", Method: ANY}}
        H: {Type: HttpApi, Properties: {ApiId: {Ref: Http}, Path: /h, Method: GET, PayloadFormatVersion: "1.0"}}
        D: {Type: HttpApi}
`,
			want: "Fn timeout=3s mem=128 env=[]\n" +
				"  R Api ANY \"/{proxy+}\" v1.0 stage=v2 binary=[application/octet-stream]\n" +
				"  H HttpApi GET \"/h\" v1.0 stage=dev binary=[]\n" +
				"  D HttpApi ANY \"\" v2.0 stage=$default binary=[]\n",
		},
		{
			name: "aliases are followed",
			yaml: head + `Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Environment: {Variables: &vars {K: v}}
      Events:
        A: &ev {Type: HttpApi, Properties: {Path: /a, Method: GET}}
  Fn2:
    Type: AWS::Serverless::Function
    Properties:
      Environment: {Variables: *vars}
`,
			want: "Fn timeout=3s mem=128 env=[K=v]\n  A HttpApi GET \"/a\" v2.0 stage=$default binary=[]\nFn2 timeout=3s mem=128 env=[K=v]\n",
		},
		{name: "empty document", yaml: "", err: "t.yaml: the template is empty"},
		{name: "not a mapping", yaml: "- a\n", err: "t.yaml:1:1: the template must be a mapping"},
		{name: "broken YAML", yaml: "a: [\n", err: "t.yaml: yaml:"},
		{name: "no resources", yaml: head, err: "the template has no Resources"},
		{name: "resources not a mapping", yaml: head + "Resources: [a]\n", err: "Resources must be a mapping"},
		{name: "timeout too long", yaml: head + "Resources:\n  Fn: {Type: AWS::Serverless::Function, Properties: {Timeout: 901}}\n",
			err: `t.yaml:3:63: Timeout "901": want a whole number from 1 to 900`},
		{name: "timeout not a number", yaml: head + "Globals: {Function: {Timeout: soon}}\nResources:\n  Fn: {Type: AWS::Serverless::Function}\n",
			err: `Timeout "soon": want a whole number`},
		{name: "memory too small", yaml: head + "Resources:\n  Fn: {Type: AWS::Serverless::Function, Properties: {MemorySize: 64}}\n",
			err: "MemorySize \"64\": want a whole number from 128 to 10240"},
		{name: "bad logical ID", yaml: head + "Resources:\n  my-fn: {Type: AWS::Serverless::Function}\n",
			err: `logical ID "my-fn": want letters and digits only`},
		{name: "event without path", yaml: head + "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        A: {Type: Api, Properties: {Method: GET}}\n",
			err: "Fn event A: Path and Method are required"},
		{name: "greedy not last", yaml: head + "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        A: {Type: HttpApi, Properties: {Path: \"/{p+}/x\", Method: GET}}\n",
			err: `greedy parameter "{p+}" must be the last segment`},
		{name: "partial parameter segment", yaml: head + "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        A: {Type: HttpApi, Properties: {Path: \"/a{id}\", Method: GET}}\n",
			err: "a parameter must be a whole segment"},
		{name: "relative path", yaml: head + "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        A: {Type: HttpApi, Properties: {Path: x, Method: GET}}\n",
			err: "must start with /"},
		{name: "bad method", yaml: head + "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        A: {Type: HttpApi, Properties: {Path: /x, Method: \"G T\"}}\n",
			err: `Method "G T" is not an HTTP method`},
		{name: "bad payload version", yaml: head + "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        A: {Type: HttpApi, Properties: {Path: /x, Method: GET, PayloadFormatVersion: \"3.0\"}}\n",
			err: `PayloadFormatVersion "3.0"`},
		{name: "RestApiId to a missing resource", yaml: head + "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        A: {Type: Api, Properties: {Path: /x, Method: GET, RestApiId: !Ref Nope}}\n",
			err: `RestApiId: no resource "Nope"`},
		{name: "RestApiId to a function", yaml: head + "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        A: {Type: Api, Properties: {Path: /x, Method: GET, RestApiId: !Ref Fn}}\n",
			err: `"Fn" is not a AWS::Serverless::Api`},
		{name: "RestApiId as a plain string", yaml: head + "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        A: {Type: Api, Properties: {Path: /x, Method: GET, RestApiId: abc}}\n",
			err: "want !Ref to a AWS::Serverless::Api resource"},
		{name: "REST API without a stage", yaml: head + "Resources:\n  R: {Type: AWS::Serverless::Api, Properties: {}}\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        A: {Type: Api, Properties: {Path: /x, Method: GET, RestApiId: !Ref R}}\n",
			err: "the REST API has no StageName"},
		{name: "stage from a parameter without a default", yaml: head + "Parameters: {S: {Type: String}}\nResources:\n  R: {Type: AWS::Serverless::Api, Properties: {StageName: !Ref S}}\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        A: {Type: Api, Properties: {Path: /x, Method: GET, RestApiId: !Ref R}}\n",
			err: "StageName: want a string or a !Ref to a parameter with a Default"},
		{name: "environment not a mapping", yaml: head + "Resources:\n  Fn: {Type: AWS::Serverless::Function, Properties: {Environment: {Variables: [a]}}}\n",
			err: "Environment.Variables must be a mapping"},
		{name: "events not a mapping", yaml: head + "Resources:\n  Fn: {Type: AWS::Serverless::Function, Properties: {Events: [a]}}\n",
			err: "Fn: Events must be a mapping"},
		{name: "binary media types not a list", yaml: head + "Globals: {Api: {BinaryMediaTypes: x}}\nResources: {}\n",
			err: "BinaryMediaTypes must be a list"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tpl, err := ParseTemplate("t.yaml", []byte(tc.yaml), TemplateOptions{})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(tpl); got != tc.want {
				t.Errorf("parsed as\n%s\nwant\n%s", got, tc.want)
			}
			if !reflect.DeepEqual(tpl.Warnings, tc.warnings) {
				t.Errorf("warnings\n%q\nwant\n%q", tpl.Warnings, tc.warnings)
			}
		})
	}
}

func TestLoadTemplateErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadTemplate(filepath.Join(dir, "missing.yaml"), TemplateOptions{}); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file: %v", err)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, make([]byte, maxTemplateBytes+1), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadTemplate(big, TemplateOptions{}); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("oversize file: %v", err)
	}
}

func TestEnvironSorted(t *testing.T) {
	fn := &Function{Environment: map[string]string{"B": "2", "A": "1", "C": "x=y"}}
	if got, want := fn.Environ(), []string{"A=1", "B=2", "C=x=y"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Environ() = %v, want %v", got, want)
	}
	if DefaultTimeout != 3*time.Second {
		t.Errorf("DefaultTimeout = %s; SAM's default is 3s", DefaultTimeout)
	}
}
