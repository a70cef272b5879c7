package infra

import (
	"strings"
	"testing"

	"github.com/tributary-gw/tributary/config"
)

// TestGenerateCatchAllEndpoint: a catch-all endpoint gets no per-endpoint
// function (the gateway function serves it); the others still do.
func TestGenerateCatchAllEndpoint(t *testing.T) {
	cfg, err := config.Load("ca.json", []byte(`{"version": 3, "extra_config": {"tributary": {"catch_all_routes": true}}, "endpoints": [
		{"endpoint": "/files/{rest...}", "backend": [{"host": ["http://127.0.0.1:1"], "url_pattern": "/{rest}"}]},
		{"endpoint": "/files/readme", "backend": [{"host": ["http://127.0.0.1:1"], "url_pattern": "/"}]}]}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, api := range []string{APIHTTP, APIREST} {
		b, err := Generate(cfg, Options{API: api, PerEndpoint: true})
		if err != nil {
			t.Fatal(err)
		}
		res := get(parseTemplate(t, b), "Resources")
		var eps []string
		for _, id := range mapKeys(res) {
			if strings.HasPrefix(id, "Ep") {
				eps = append(eps, id)
			}
		}
		if len(eps) != 1 || strings.Contains(string(b), "...}") || !strings.Contains(string(b), "/{proxy+}") {
			t.Errorf("%s: per-endpoint functions %v; template:\n%s", api, eps, b)
		}
	}
}
