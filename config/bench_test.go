package config

import (
	"strconv"
	"strings"
	"testing"
)

// generatedConfig returns a config with n endpoints of two backends each,
// using most endpoint and backend keys.
func generatedConfig(n int) []byte {
	var b strings.Builder
	b.WriteString(`{
  "$schema": "https://www.krakend.io/schema/v2.13/krakend.json",
  "version": 3,
  "name": "bench",
  "timeout": "3s",
  "host": ["http://users.internal:8080"],
  "extra_config": {"router": {"return_error_msg": true}, "telemetry/logging": {"level": "INFO", "stdout": true}},
  "endpoints": [`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		id := strconv.Itoa(i)
		b.WriteString(`
    {
      "@comment": "endpoint ` + id + `",
      "endpoint": "/v1/resource` + id + `/{id}/items/{item}",
      "method": "GET",
      "timeout": "1500ms",
      "cache_ttl": "30s",
      "input_headers": ["Authorization", "X-Request-Id"],
      "input_query_strings": ["page", "locale"],
      "extra_config": {"tributary": {"max_request_body_bytes": 65536}},
      "backend": [
        {
          "url_pattern": "/internal/resource/{id}/items/{item}?src=gw",
          "allow": ["id", "name", "address.city", "address.zip"],
          "mapping": {"name": "full_name"},
          "group": "resource",
          "extra_config": {"backend/http": {"return_error_details": "resource"}}
        },
        {
          "host": ["https://catalog.internal", "https://catalog2.internal:8443"],
          "url_pattern": "/catalog/{item}",
          "target": "data",
          "deny": ["internal_notes"],
          "extra_config": {"tributary": {"max_response_bytes": 1048576}}
        }
      ]
    }`)
	}
	b.WriteString("\n  ]\n}\n")
	return []byte(b.String())
}

func TestGeneratedConfigLoads(t *testing.T) {
	cfg, err := Load("gen.json", generatedConfig(50), nil)
	if err != nil {
		t.Fatalf("generated config rejected:\n%v", err)
	}
	if len(cfg.Endpoints) != 50 || len(cfg.Warnings) != 0 {
		t.Fatalf("%d endpoints, warnings %v", len(cfg.Endpoints), warningLines(cfg))
	}
	checkConfigInvariants(t, cfg)
}

func BenchmarkLoad1000Endpoints(b *testing.B) {
	data := generatedConfig(1000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load("gen.json", data, nil); err != nil {
			b.Fatal(err)
		}
	}
}
