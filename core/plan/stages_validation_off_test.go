//go:build tributary_nocel && tributary_nojsonschema

package plan

import (
	"strings"
	"testing"
)

// TestValidationLeanRefuses: a binary built without the validation
// libraries refuses a config that uses them, at load, instead of serving
// the endpoint unchecked. Run with
// `go test -tags tributary_nocel,tributary_nojsonschema ./core/plan`.
func TestValidationLeanRefuses(t *testing.T) {
	cases := map[string]string{
		`{"validation/json-schema": {"type": "object"}}`:            "without JSON Schema support",
		`{"validation/cel": [{"check_expr": "req_method == 'x'"}]}`: "without CEL support",
	}
	for ns, want := range cases {
		src := `{"version": 3, "endpoints": [{"endpoint": "/a", "extra_config": ` + ns +
			`, "backend": [{"host": ["http://127.0.0.1:9"], "url_pattern": "/a"}]}]}`
		_, err := Compile(load(t, src))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", ns, err, want)
		}
	}
	src := `{"version": 3, "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://127.0.0.1:9"], "url_pattern": "/a",
  "extra_config": {"validation/cel": [{"check_expr": "has(resp_data.a)"}]}}]}]}`
	if _, err := Compile(load(t, src)); err == nil || !strings.Contains(err.Error(), "without CEL support") {
		t.Errorf("backend CEL: err = %v", err)
	}
}
