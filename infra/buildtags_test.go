package infra

import (
	"os"
	"strings"
	"testing"

	"github.com/tributary-gw/tributary/config"
)

// TestFunctionBuildTags: each lean tag is added exactly when the config
// does not use its library, in a fixed order.
func TestFunctionBuildTags(t *testing.T) {
	const all = "tributary_nocel,tributary_nojsonschema,tributary_nolua,tributary_noredis,tributary_noawssdk,tributary_nootel"
	ep := func(endpointNS, backendNS string) string {
		return `{"version": 3, "extra_config": {"redis": {"connection_pools": [{"name": "a", "address": "127.0.0.1:6379"}]}},
 "endpoints": [{"endpoint": "/a/{id}", "method": "POST", "extra_config": {` + endpointNS + `},
  "backend": [{"host": ["http://h"], "url_pattern": "/a", "extra_config": {` + backendNS + `}}]}]}`
	}
	for _, c := range []struct{ name, src, want string }{
		{"none", ep("", ""), all},
		{"cel", ep(`"validation/cel": [{"check_expr": "req_method == 'x'"}]`, ""),
			"tributary_nojsonschema,tributary_nolua,tributary_noredis,tributary_noawssdk,tributary_nootel"},
		{"json-schema and lua", ep(`"validation/json-schema": {}, "modifier/lua-proxy": {"pre": "x()"}`, ""),
			"tributary_nocel,tributary_noredis,tributary_noawssdk,tributary_nootel"},
		{"lambda", ep("", `"backend/lambda": {"function_name": "f", "region": "eu-west-1"}`),
			"tributary_nocel,tributary_nojsonschema,tributary_nolua,tributary_noredis,tributary_nootel"},
		{"shared store", `{"version": 3, "extra_config": {"redis": {"connection_pools": [{"name": "a", "address": "127.0.0.1:6379"}]},
  "tributary": {"shared_store": {}}}, "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://h"], "url_pattern": "/a"}]}]}`,
			"tributary_nocel,tributary_nojsonschema,tributary_nolua,tributary_noawssdk,tributary_nootel"},
		{"opentelemetry", `{"version": 3, "extra_config": {"telemetry/opentelemetry": {"exporters": {"otlp": [{"name": "c", "host": "127.0.0.1"}]}}},
  "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://h"], "url_pattern": "/a"}]}]}`,
			"tributary_nocel,tributary_nojsonschema,tributary_nolua,tributary_noredis,tributary_noawssdk"},
	} {
		cfg, err := config.Load(c.name+".json", []byte(c.src), nil)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := FunctionBuildTags(cfg); got != c.want {
			t.Errorf("%s: FunctionBuildTags = %q, want %q", c.name, got, c.want)
		}
	}
	bundled, err := config.LoadFile("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := FunctionBuildTags(bundled); got != all {
		t.Errorf("bundled demo: FunctionBuildTags = %q, want every lean tag (the Makefile's default)", got)
	}
	// The Makefile builds the bundled demo (no .tributary/build-tags) with
	// every lean tag too.
	mk, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(mk), "LEAN_TAGS     := "+all+"\n") {
		t.Errorf("the Makefile's LEAN_TAGS is not %s", all)
	}
}
