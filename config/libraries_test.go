package config

import (
	"fmt"
	"testing"
)

func TestLibraries(t *testing.T) {
	redis := `{"version": 3, "extra_config": {"redis": {"connection_pools": [{"name": "a", "address": "127.0.0.1:6379"}]}%s},
 "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://h"], "url_pattern": "/a"}]}]}`
	for _, c := range []struct {
		name, src string
		want      Libraries
	}{
		{"none", validationEndpoint("", ""), Libraries{}},
		{"json-schema", validationEndpoint(`"validation/json-schema": {}`, ""), Libraries{JSONSchema: true}},
		{"backend cel", validationEndpoint("", `"validation/cel": [{"check_expr": "req_method == 'x'"}]`), Libraries{CEL: true}},
		{"both validations", validationEndpoint(`"validation/cel": [{"check_expr": "req_method == 'x'"}], "validation/json-schema": true`, ""),
			Libraries{CEL: true, JSONSchema: true}},
		{"lua-proxy", validationEndpoint(`"modifier/lua-proxy": {"pre": "x()"}`, ""), Libraries{Lua: true}},
		{"lua-backend", validationEndpoint("", `"modifier/lua-backend": {"post": "x()"}`), Libraries{Lua: true}},
		{"service lua-endpoint", `{"version": 3, "extra_config": {"modifier/lua-endpoint": {"pre": "x()"}},
 "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://h"], "url_pattern": "/a"}]}]}`, Libraries{Lua: true}},
		{"backend/lambda", validationEndpoint("", `"backend/lambda": {"function_name": "f", "region": "eu-west-1"}`), Libraries{AWSSDK: true}},
		{"pools only", fmt.Sprintf(redis, ""), Libraries{}},
		{"shared store", fmt.Sprintf(redis, `, "tributary": {"shared_store": {}}`), Libraries{Redis: true}},
	} {
		if got := mustLoad(t, c.src).Libraries(); got != c.want {
			t.Errorf("%s: Libraries = %+v, want %+v", c.name, got, c.want)
		}
	}
}
