//go:build tributary_nootel

package plan

import (
	"strings"
	"testing"
)

// TestOTelLeanRefuses: a binary built without the OpenTelemetry SDK
// refuses, at load, a config with telemetry/opentelemetry or a mapped
// telemetry/opencensus instead of serving it without telemetry. Run with
// `go test -tags tributary_nootel ./core/plan`.
func TestOTelLeanRefuses(t *testing.T) {
	const ep = `"endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://127.0.0.1:9"], "url_pattern": "/a"}]}]`
	for name, ns := range map[string]string{
		"opentelemetry": `"telemetry/opentelemetry": {"exporters": {"otlp": [{"name": "c", "host": "127.0.0.1"}]}}`,
		"opencensus":    `"telemetry/opencensus": {"exporters": {"ocagent": {"address": "127.0.0.1:4317"}}}`,
	} {
		_, err := Compile(load(t, `{"version": 3, "extra_config": {`+ns+`}, `+ep+`}`))
		if err == nil || !strings.Contains(err.Error(), "without OpenTelemetry support") || !strings.Contains(err.Error(), "tributary_nootel") {
			t.Errorf("%s: err = %v, want the OpenTelemetry refusal", name, err)
		}
	}
	if _, err := Compile(load(t, `{"version": 3, `+ep+`}`)); err != nil {
		t.Errorf("no telemetry: %v", err)
	}
}
