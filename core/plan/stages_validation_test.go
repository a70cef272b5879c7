//go:build !tributary_nocel && !tributary_nojsonschema

package plan

import (
	"context"
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/stage"
)

func validationConfig(endpointNS, backendNS string) string {
	ext := func(ns string) string {
		if ns == "" {
			return ""
		}
		return `, "extra_config": {` + ns + `}`
	}
	return `{"version": 3, "endpoints": [{"endpoint": "/o/{id}", "method": "POST", "input_headers": ["X-Tenant"]` + ext(endpointNS) +
		`, "backend": [{"host": ["http://127.0.0.1:9"], "url_pattern": "/o"` + ext(backendNS) + `}]}]}`
}

// TestValidationStageOrder: the JWT phase follows auth/validator, the
// schema follows the rate limit, the req_ phase comes last; resp_
// expressions are a Finish stage; backend checks bracket the other
// backend stages.
func TestValidationStageOrder(t *testing.T) {
	p, err := Compile(load(t, validationConfig(`"qos/ratelimit/router": {"max_rate": 10},
  "validation/json-schema": {"type": "object"},
  "validation/cel": [{"check_expr": "req_method == 'POST'"}, {"check_expr": "resp_completed"}]`,
		`"qos/ratelimit/proxy": {"max_rate": 1, "capacity": 1}, "validation/cel": [{"check_expr": "req_path == '/o' && has(resp_data.x)"}]`)))
	if err != nil {
		t.Fatal(err)
	}
	ep := p.Endpoints[0]
	var kinds []string
	for _, s := range ep.Stages {
		switch s.(type) {
		case *schemaValidator:
			kinds = append(kinds, "schema")
		case *celEndpointStage:
			kinds = append(kinds, "cel")
		default:
			kinds = append(kinds, "other")
		}
	}
	if got := strings.Join(kinds, ","); got != "other,schema,cel" {
		t.Errorf("endpoint stages = %s, want other,schema,cel", got)
	}
	if len(ep.Finish) != 1 {
		t.Errorf("Finish = %d stages, want 1", len(ep.Finish))
	}
	bs := ep.Backends[0].Stages
	if len(bs) != 3 {
		t.Fatalf("backend stages = %d, want 3", len(bs))
	}
	if _, ok := bs[0].(*celBackendRequest); !ok {
		t.Errorf("first backend stage is %T, want the CEL request check", bs[0])
	}
	if _, ok := bs[2].(*celBackendResponse); !ok {
		t.Errorf("last backend stage is %T, want the CEL response check", bs[2])
	}
}

// TestValidationOffCostsNothing: an endpoint without the namespaces gets
// no stage.
func TestValidationOffCostsNothing(t *testing.T) {
	p, err := Compile(load(t, validationConfig("", "")))
	if err != nil {
		t.Fatal(err)
	}
	ep := p.Endpoints[0]
	if len(ep.Stages) != 0 || len(ep.Finish) != 0 || len(ep.Backends[0].Stages) != 0 {
		t.Fatalf("stages without validation: %v %v %v", ep.Stages, ep.Finish, ep.Backends[0].Stages)
	}
}

func TestValidationCompileErrors(t *testing.T) {
	for name, tc := range map[string]struct{ ep, be, want string }{
		"remote ref":   {`"validation/json-schema": {"$ref": "http://127.0.0.1:9/s.json"}`, "", `validation/json-schema: reference to "http://127.0.0.1:9/s.json" refused`},
		"bad schema":   {`"validation/json-schema": {"minimum": "x"}`, "", "validation/json-schema:"},
		"cel syntax":   {`"validation/cel": [{"check_expr": "req_method =="}]`, "", "validation/cel: expression 0"},
		"jwt no auth":  {`"validation/cel": [{"check_expr": "JWT.sub == 'a'"}]`, "", "no auth/validator"},
		"backend type": {"", `"validation/cel": [{"check_expr": "req_path + 1"}]`, "validation/cel: expression 0"},
		"backend noop": {"", `"validation/cel": [{"check_expr": "resp_data.a == 1"}]`, `resp_ expressions are not allowed with encoding "no-op"`},
	} {
		cfg := validationConfig(tc.ep, tc.be)
		if name == "backend noop" {
			cfg = strings.Replace(cfg, `"url_pattern": "/o"`, `"url_pattern": "/o", "encoding": "no-op"`, 1)
		}
		_, err := Compile(load(t, cfg))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
}

// TestCELRequestVars: the req_ variables hold the forwarded headers and
// query keys only, and the parameters with upper-cased first letters.
func TestCELRequestVars(t *testing.T) {
	p, err := Compile(load(t, validationConfig(`"validation/cel": [
  {"check_expr": "req_params.Id == 'x y' && req_path == '/o/x y' && req_headers == {'X-Tenant': ['a']} && size(req_querystring) == 0"}]`, "")))
	if err != nil {
		t.Fatal(err)
	}
	s := p.Endpoints[0].Stages[0]
	x := &stage.Exchange{Method: "POST", RawPath: "/o/x%20y", RawQuery: "q=1", Route: "/o/{id}",
		Params: []stage.Param{{Name: "id", Value: "x y"}},
		Header: http.Header{"X-Tenant": {"a"}, "Cookie": {"c"}, "Authorization": {"Bearer t"}}}
	if r := s.Run(context.Background(), x); r != nil {
		t.Fatalf("reply %+v, want pass", r)
	}
	x.Header["X-Tenant"] = []string{"b"}
	if r := s.Run(context.Background(), x); r == nil || r.Status != 500 || r.Code != "validation_failed" {
		t.Fatalf("reply %+v, want 500 validation_failed", r)
	}
}

// TestLeanBuild: the function binaries built with every lean tag link
// none of cel-go, the JSON Schema library, gopher-lua, go-redis, the
// AWS SDK's signer or the OpenTelemetry SDK and gRPC.
func TestLeanBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", "-tags",
		"lambda.norpc,tributary_nofc,tributary_nocel,tributary_nojsonschema,tributary_nolua,tributary_noredis,tributary_noawssdk,tributary_nootel",
		"github.com/tributary-gw/tributary/functions/gateway").CombinedOutput()
	if err != nil {
		t.Skipf("go list: %v\n%s", err, out)
	}
	for _, dep := range []string{"github.com/google/cel-go/cel", "github.com/santhosh-tekuri/jsonschema/v6", "google.golang.org/protobuf/proto",
		"github.com/yuin/gopher-lua", "github.com/tributary-gw/tributary/core/lua",
		"github.com/redis/go-redis/v9", "github.com/tributary-gw/tributary/core/redisstore",
		"go.opentelemetry.io/otel/sdk/trace", "google.golang.org/grpc", "github.com/tributary-gw/tributary/core/otel"} {
		for line := range strings.SplitSeq(string(out), "\n") {
			if line == dep {
				t.Errorf("the lean build links %s", dep)
			}
		}
	}
}

// BenchmarkCELEndpointStage is one request through an endpoint req_
// stage: building the filtered variables and evaluating one expression.
func BenchmarkCELEndpointStage(b *testing.B) {
	p, err := Compile(loadTB(b, validationConfig(`"validation/cel": [{"check_expr": "req_method == 'POST' && req_params.Id == '42' && req_headers['X-Tenant'][0] == 'acme'"}]`, "")))
	if err != nil {
		b.Fatal(err)
	}
	s := p.Endpoints[0].Stages[0]
	x := &stage.Exchange{Method: "POST", RawPath: "/o/42", Route: "/o/{id}", Params: []stage.Param{{Name: "id", Value: "42"}},
		Header: http.Header{"X-Tenant": {"acme"}, "Cookie": {"c"}}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if r := s.Run(ctx, x); r != nil {
			b.Fatal(r)
		}
	}
}

// BenchmarkJSONSchemaStage is one request body through the schema stage.
func BenchmarkJSONSchemaStage(b *testing.B) {
	p, err := Compile(loadTB(b, validationConfig(`"validation/json-schema": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}}`, "")))
	if err != nil {
		b.Fatal(err)
	}
	s := p.Endpoints[0].Stages[0]
	x := &stage.Exchange{Method: "POST", Body: []byte(`{"name":"ann","age":30}`)}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if r := s.Run(ctx, x); r != nil {
			b.Fatal(r)
		}
	}
}

// loadTB loads src for a benchmark.
func loadTB(tb testing.TB, src string) *config.Config {
	tb.Helper()
	cfg, err := config.Load("t.json", []byte(src), nil)
	if err != nil {
		tb.Fatal(err)
	}
	return cfg
}
