//go:build tributary_nolua && tributary_noredis && tributary_noawssdk

package plan

import (
	"strings"
	"testing"
)

// TestLuaLeanRefuses: a binary built without gopher-lua refuses, at load,
// a config with any modifier/lua-* namespace instead of serving it
// without its scripts. Run with
// `go test -tags tributary_nolua,tributary_noredis,tributary_noawssdk ./core/plan`.
func TestLuaLeanRefuses(t *testing.T) {
	backend := func(extra string) string {
		return `"backend": [{"host": ["http://127.0.0.1:9"], "url_pattern": "/a"` + extra + `}]`
	}
	for name, src := range map[string]string{
		"service lua-endpoint": `{"version": 3, "extra_config": {"modifier/lua-endpoint": {"pre": "x()"}},
 "endpoints": [{"endpoint": "/a", ` + backend("") + `}]}`,
		"lua-endpoint": `{"version": 3, "endpoints": [{"endpoint": "/a", "extra_config": {"modifier/lua-endpoint": {"pre": "x()"}}, ` + backend("") + `}]}`,
		"lua-proxy":    `{"version": 3, "endpoints": [{"endpoint": "/a", "extra_config": {"modifier/lua-proxy": {"post": "x()"}}, ` + backend("") + `}]}`,
		"lua-backend": `{"version": 3, "endpoints": [{"endpoint": "/a", ` +
			backend(`, "extra_config": {"modifier/lua-backend": {"pre": "x()"}}`) + `}]}`,
	} {
		_, err := Compile(load(t, src))
		if err == nil || !strings.Contains(err.Error(), "without Lua support") || !strings.Contains(err.Error(), "tributary_nolua") {
			t.Errorf("%s: err = %v, want the Lua refusal", name, err)
		}
	}
}

// TestRedisLeanRefuses: a binary built without go-redis refuses, at load,
// a config with tributary.shared_store instead of keeping the state per
// process; Redis pools alone (which dial nothing) still load.
func TestRedisLeanRefuses(t *testing.T) {
	const tmpl = `{"version": 3, "extra_config": {"redis": {"connection_pools": [{"name": "a", "address": "127.0.0.1:6379"}]}%s},
 "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://127.0.0.1:9"], "url_pattern": "/a"}]}]}`
	_, err := Compile(load(t, strings.Replace(tmpl, "%s", `, "tributary": {"shared_store": {}}`, 1)))
	if err == nil || !strings.Contains(err.Error(), "without Redis support") || !strings.Contains(err.Error(), "tributary_noredis") {
		t.Errorf("shared_store: err = %v, want the Redis refusal", err)
	}
	if _, err := Compile(load(t, strings.Replace(tmpl, "%s", "", 1))); err != nil {
		t.Errorf("pools only: %v", err)
	}
}

// TestLambdaLeanRefuses: a binary built without the AWS SDK's signer
// refuses, at load, an endpoint with a backend/lambda backend instead of
// serving it with calls that cannot be signed.
func TestLambdaLeanRefuses(t *testing.T) {
	src := `{"version": 3, "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://127.0.0.1:9"], "url_pattern": "/a"},
  {"url_pattern": "/b", "extra_config": {"backend/lambda": {"function_name": "f", "region": "eu-west-1"}}}]}]}`
	_, err := Compile(load(t, src))
	if err == nil || !strings.Contains(err.Error(), "without the AWS SDK") || !strings.Contains(err.Error(), "tributary_noawssdk") {
		t.Errorf("backend/lambda: err = %v, want the AWS SDK refusal", err)
	}
}
