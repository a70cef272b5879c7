package config

import (
	"strings"
	"testing"
)

// TestCatchAllRoutes covers tributary.catch_all_routes: off by default
// (a {name...} segment is the usual invalid-placeholder error, with a hint
// naming the option), and when on, a final {name...} loads with the plain
// name as its param.
func TestCatchAllRoutes(t *testing.T) {
	const ep = `{"endpoint": %q, "backend": [{"host": ["http://127.0.0.1:1"], "url_pattern": "/x"}]}`
	load := func(on bool, eps ...string) (*Config, error) {
		var b strings.Builder
		b.WriteString(`{"version": 3, `)
		if on {
			b.WriteString(`"extra_config": {"tributary": {"catch_all_routes": true}}, `)
		}
		b.WriteString(`"endpoints": [`)
		for i, p := range eps {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strings.Replace(ep, "%q", quoteJSON(p), 1))
		}
		b.WriteString("]}")
		return Load("t.json", []byte(b.String()), nil)
	}

	_, err := load(false, "/files/{rest...}")
	if err == nil || !strings.Contains(err.Error(), `invalid endpoint "/files/{rest...}": invalid placeholder name "rest..."`) ||
		!strings.Contains(err.Error(), `"catch_all_routes": true`) {
		t.Errorf("option off: %v", err)
	}

	cfg, err := load(true, "/files/{rest...}", "/files/{id}", "/{all...}", "/u/{id}/{path...}")
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.CatchAllRoutes {
		t.Error("CatchAllRoutes not set")
	}
	if got := strings.Join(cfg.Endpoints[0].Params, ","); got != "rest" || cfg.Endpoints[0].Path != "/files/{rest...}" {
		t.Errorf("params %q path %q", got, cfg.Endpoints[0].Path)
	}
	if got := strings.Join(cfg.Endpoints[3].Params, ","); got != "id,path" {
		t.Errorf("params %q", got)
	}

	for _, c := range []struct {
		paths []string
		want  string
	}{
		{[]string{"/files/{rest...}/x"}, "catch-all placeholder {rest...} must be the last segment"},
		{[]string{"/{a...}/{b...}"}, "catch-all placeholder {a...} must be the last segment"},
		{[]string{"/a/{x}/{x...}"}, "placeholder {x} appears twice"},
		{[]string{"/a/{...}"}, `invalid placeholder name "..."`},
		{[]string{"/a/{x....}"}, `invalid placeholder name "x."`},
		{[]string{"/a/{x...}", "/a/{y...}"}, "duplicate route GET /a/{y...}"},
		{[]string{"/__debug/{x...}"}, "is reserved"},
	} {
		if _, err := load(true, c.paths...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.paths, err, c.want)
		}
	}
	if _, err := Load("t.json", []byte(`{"version": 3, "extra_config": {"tributary": {"catch_all_routes": 1}}, "endpoints": []}`), nil); err == nil || !strings.Contains(err.Error(), "catch_all_routes") {
		t.Error("a non-boolean catch_all_routes loaded")
	}
}
