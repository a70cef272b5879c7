package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Tests of the backend/lambda and backend/graphql decoders: defaults,
// every option, and the exact diagnostics of what is refused.

// lambdaConfig is a one-backend config on the endpoint /fn/{name} whose
// backend extra_config is ns (written on line 3).
func lambdaConfig(backendKeys, ns string) string {
	return fmt.Sprintf(`{"version": 3, "endpoints": [{"endpoint": "/fn/{name}", "backend": [{%s"url_pattern": "/x/{name}",
  "extra_config": {
    %s}}]}]}`, backendKeys, ns)
}

func TestLambdaDecode(t *testing.T) {
	cases := []struct {
		keys, ns string
		want     Lambda
	}{
		{``, `"backend/lambda": {"function_name": "my-fn"}`,
			Lambda{FunctionName: "my-fn", Event: LambdaEventKrakenD, Unwrap: true}},
		{``, `"backend/lambda": {"function_name": "arn:aws:lambda:eu-west-1:123456789012:function:f:live", "region": "eu-west-1", "max_retries": 2, "endpoint": "http://127.0.0.1:9000/"}`,
			Lambda{FunctionName: "arn:aws:lambda:eu-west-1:123456789012:function:f:live", Region: "eu-west-1", MaxRetries: 2,
				Endpoint: "http://127.0.0.1:9000", Event: LambdaEventKrakenD, Unwrap: true}},
		{``, `"backend/lambda": {"function_param_name": "name"}, "tributary": {"lambda_event": "apigateway-v2", "lambda_unwrap": false}`,
			Lambda{FunctionParam: "name", Event: LambdaEventAPIGatewayV2}},
		// KrakenD's title-cased form of the placeholder.
		{``, `"tributary": {"lambda_event": "apigateway-v1"}, "backend/lambda": {"function_param_name": "Name"}`,
			Lambda{FunctionParam: "name", Event: LambdaEventAPIGatewayV1, Unwrap: true}},
		// The legacy namespace name KrakenD aliases.
		{``, `"github.com/devopsfaith/krakend-lambda": {"function_name": "f"}`,
			Lambda{FunctionName: "f", Event: LambdaEventKrakenD, Unwrap: true}},
	}
	for _, c := range cases {
		cfg, err := Load("t.json", []byte(lambdaConfig(c.keys, c.ns)), nil)
		if err != nil {
			t.Errorf("%s: %v", c.ns, err)
			continue
		}
		got := cfg.Endpoints[0].Backends[0].Lambda
		if got == nil {
			t.Errorf("%s: no Lambda", c.ns)
			continue
		}
		g := *got
		g.node, g.optNode, g.paramNode, g.path, g.optPath, g.declared = nil, nil, nil, "", "", false
		if g != c.want {
			t.Errorf("%s: got %+v, want %+v", c.ns, g, c.want)
		}
		for _, w := range cfg.Warnings {
			if !strings.Contains(w.Problem, "converted") && !strings.Contains(w.Problem, "alias") && !strings.Contains(w.Problem, "legacy") {
				t.Errorf("%s: warning %v", c.ns, w)
			}
		}
	}
}

func TestLambdaHostIgnored(t *testing.T) {
	// No host anywhere: a Lambda backend needs none.
	cfg, err := Load("t.json", []byte(lambdaConfig(``, `"backend/lambda": {"function_name": "f"}`)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) != 0 {
		t.Errorf("warnings %v", cfg.Warnings)
	}
	// A host is ignored, with a warning.
	cfg, err = Load("t.json", []byte(lambdaConfig(`"host": ["http://h"], `, `"backend/lambda": {"function_name": "f"}`)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) != 1 || cfg.Warnings[0].String() != `t.json:1:78: $.endpoints[0].backend[0].host: host is ignored on a Lambda backend; remove it; set backend/lambda endpoint to reach an emulator` {
		t.Errorf("warnings %v", cfg.Warnings)
	}
}

func TestLambdaFunctionNames(t *testing.T) {
	for _, ok := range []string{"f", "my-fn_1", "f:live", "f:$LATEST", "f:12", "123456789012:function:f",
		"arn:aws:lambda:us-east-1:123456789012:function:f", "arn:aws-cn:lambda:cn-north-1:123456789012:function:f:v2",
		"arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f"} {
		if !ValidLambdaFunctionName(ok) {
			t.Errorf("%q refused", ok)
		}
	}
	for _, bad := range []string{"", "a b", "f/../g", "f:", ":f", "f:a:b:c", "arn:aws:s3:::bucket", "f?x", strings.Repeat("a", 171), "é"} {
		if ValidLambdaFunctionName(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestLambdaBroken(t *testing.T) {
	const ns = `$.endpoints[0].backend[0].extra_config["backend/lambda"]`
	cases := []brokenCase{
		{
			name: "lambda_no_function",
			json: lambdaConfig(``, `"backend/lambda": {"region": "eu-west-1"}`),
			want: []string{`t.json:3:23: ` + ns + `: missing function_name or function_param_name; name the function to invoke`},
		},
		{
			name: "lambda_both_names",
			json: lambdaConfig(``, `"backend/lambda": {"function_name": "f", "function_param_name": "name"}`),
			want: []string{`t.json:3:69: ` + ns + `.function_param_name: function_name and function_param_name cannot be combined; keep one of them`},
		},
		{
			name: "lambda_bad_values",
			json: lambdaConfig(``, `"backend/lambda": {"function_name": "a b", "region": "EU", "endpoint": "ftp://x", "max_retries": 11}`),
			want: []string{
				`t.json:3:41: ` + ns + `.function_name: invalid function name "a b"; use a name, "name:alias", or a function ARN`,
				`t.json:3:58: ` + ns + `.region: invalid region "EU"; e.g. "eu-west-1"`,
				`t.json:3:76: ` + ns + `.endpoint: endpoint must be an http or https URL, got "ftp://x"; e.g. "http://127.0.0.1:9000"`,
				`t.json:3:102: ` + ns + `.max_retries: value 11 out of range; must be 0–10`,
			},
		},
		{
			name: "lambda_param_not_placeholder",
			json: lambdaConfig(``, `"backend/lambda": {"function_param_name": "fn"}`),
			want: []string{`t.json:3:47: ` + ns + `.function_param_name: function_param_name "fn" is not a placeholder of the endpoint "/fn/{name}"`},
		},
		{
			name: "lambda_options_without_namespace",
			json: lambdaConfig(`"host": ["http://h"], `, `"tributary": {"lambda_unwrap": false}`),
			want: []string{`t.json:3:36: $.endpoints[0].backend[0].extra_config.tributary.lambda_unwrap: lambda_event and lambda_unwrap need backend/lambda; add "backend/lambda" to this backend, or remove them`},
		},
		{
			name: "lambda_bad_event",
			json: lambdaConfig(``, `"backend/lambda": {"function_name": "f"}, "tributary": {"lambda_event": "sqs"}`),
			want: []string{`t.json:3:77: $.endpoints[0].backend[0].extra_config.tributary.lambda_event: unknown lambda_event "sqs"; use "krakend", "apigateway-v1" or "apigateway-v2"`},
		},
		{
			name: "lambda_with_http_cache",
			json: lambdaConfig(``, `"backend/lambda": {"function_name": "f"}, "qos/http-cache": {}`),
			want: []string{`t.json:3:23: ` + ns + `: qos/http-cache cannot be used with backend/lambda; remove qos/http-cache from this backend`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkBroken(t, tc) })
	}
}

// graphqlConfig is a one-backend config on /gql/{id} whose backend
// extra_config holds "backend/graphql": ns (written on line 3).
func graphqlConfig(method, ns string) string {
	return fmt.Sprintf(`{"version": 3, "endpoints": [{"endpoint": "/gql/{id}", "backend": [{"host": ["http://h"], "url_pattern": "/graphql", "method": %q,
  "extra_config": {
    "backend/graphql": %s}}]}]}`, method, ns)
}

func TestGraphQLDecode(t *testing.T) {
	cfg, err := Load("t.json", []byte(graphqlConfig("POST",
		`{"type": "query", "query": "query U($id: ID!) { u(id: $id) { n } }", "operationName": "U", "variables": {"z": {"a": [1, 2.50]}, "id": "{id}", "lit": "{not a param}", "n": null}}`)), nil)
	if err != nil {
		t.Fatal(err)
	}
	g := cfg.Endpoints[0].Backends[0].GraphQL
	if g == nil || g.Type != GraphQLQuery || g.OperationName != "U" || g.Query != "query U($id: ID!) { u(id: $id) { n } }" {
		t.Fatalf("got %+v", g)
	}
	var got []string
	for _, v := range g.Variables {
		got = append(got, v.Name+"="+v.Param+"|"+string(v.Value))
	}
	if s := strings.Join(got, " "); s != `id=id| lit=|"{not a param}" n=|null z=|{"a":[1,2.50]}` {
		t.Errorf("variables = %s", s)
	}
	if len(cfg.Warnings) != 0 {
		t.Errorf("warnings %v", cfg.Warnings)
	}
}

func TestGraphQLQueryPath(t *testing.T) {
	dir := t.TempDir()
	q := "mutation Add($in: In!) {\n  add(in: $in) { id }\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "add.graphql"), []byte(q), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	cfg, err := Load("t.json", []byte(graphqlConfig("POST", `{"type": "mutation", "query_path": "add.graphql"}`)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if g := cfg.Endpoints[0].Backends[0].GraphQL; g == nil || g.Query != q || g.Type != GraphQLMutation || g.QueryPath != "add.graphql" {
		t.Errorf("got %+v", g)
	}
}

func TestGraphQLBroken(t *testing.T) {
	const ns = `$.endpoints[0].backend[0].extra_config["backend/graphql"]`
	cases := []brokenCase{
		{
			name: "graphql_no_query",
			json: graphqlConfig("POST", `{"type": "query"}`),
			want: []string{`t.json:3:24: ` + ns + `: missing query or query_path; write the GraphQL operation inline, or name a file holding it`},
		},
		{
			name: "graphql_both_queries",
			json: graphqlConfig("POST", `{"query": "{ a }", "query_path": "x.graphql"}`),
			want: []string{`t.json:3:57: ` + ns + `.query_path: query and query_path cannot be combined; keep one of them`},
		},
		{
			name: "graphql_bad_type_and_variables",
			json: graphqlConfig("POST", `{"type": "subscription", "query": "{ a }", "variables": [1]}`),
			want: []string{
				`t.json:3:33: ` + ns + `.type: unknown GraphQL type "subscription"; use "query" or "mutation"`,
				`t.json:3:80: ` + ns + `.variables: expected an object, got array`,
			},
		},
		{
			name: "graphql_unknown_param",
			json: graphqlConfig("POST", `{"query": "{ a }", "variables": {"user": "{uid}"}}`),
			want: []string{`t.json:3:65: ` + ns + `.variables.user: variable "user" names {uid}, which is not a placeholder of the endpoint "/gql/{id}"; use a placeholder of the endpoint path, or a fixed value`},
		},
		{
			name: "graphql_get_mutation",
			json: graphqlConfig("GET", `{"type": "mutation", "query": "mutation { a }"}`),
			want: []string{`t.json:3:24: ` + ns + `: a GraphQL mutation cannot be sent with GET; set the backend "method" to "POST"`},
		},
		{
			name: "graphql_missing_file",
			json: graphqlConfig("POST", `{"query_path": "/nonexistent/q.graphql"}`),
			want: []string{`t.json:3:39: ` + ns + `.query_path: cannot read "/nonexistent/q.graphql": no such file or directory`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkBroken(t, tc) })
	}
}
