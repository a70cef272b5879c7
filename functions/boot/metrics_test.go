package boot

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/plan"
)

const metricsTestConfig = `{"version": 3,
  "extra_config": {"telemetry/metrics": {"collection_time": "1m"ENDPOINT}},
  "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://127.0.0.1:9"], "url_pattern": "/x"}]}]}`

func metricsPlan(t *testing.T, extra string) *plan.Plan {
	t.Helper()
	cfg, err := config.Load("t.json", []byte(strings.Replace(metricsTestConfig, "ENDPOINT", extra, 1)), nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// On Lambda the stats go to the log at the end of an invocation, once
// collection_time has passed, never from a goroutine of their own.
func TestLambdaStatsLog(t *testing.T) {
	p := metricsPlan(t, "")
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	served := 0
	h := withStatsLog(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served++
		p.Endpoints[0].Metrics.Response(200, 2, time.Millisecond)
		w.WriteHeader(http.StatusOK)
	}), p.Metrics, logger)
	if !strings.Contains(logs.String(), "a Lambda function opens no stats listener") {
		t.Errorf("no load warning: %s", logs.String())
	}
	logs.Reset()

	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/a", nil))
	if served != 1 || logs.Len() != 0 {
		t.Fatalf("first invocation within collection_time logged: %s", logs.String())
	}
	p.Metrics.Registry.Collect(time.Now().Add(-2 * time.Minute)) // the period has passed
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/a", nil))
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	stats := map[string]json.RawMessage{}
	for _, line := range lines {
		if len(line) > statsLineBytes+1024 {
			t.Errorf("line of %d bytes", len(line))
		}
		var rec struct {
			Msg   string                     `json:"msg"`
			Stats map[string]json.RawMessage `json:"stats"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil || rec.Msg != "telemetry/metrics stats" {
			t.Fatalf("line %q: %v", line, err)
		}
		for k, v := range rec.Stats {
			stats[k] = v
		}
	}
	if string(stats["krakend.router.response./a.status.200.count"]) != "2" {
		t.Errorf("logged count = %s, want 2", stats["krakend.router.response./a.status.200.count"])
	}
	if stats["krakend.service.runtime.NumGoroutine"] == nil || stats["memstats"] == nil {
		t.Errorf("runtime gauges missing from the log")
	}
	logs.Reset()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/a", nil))
	if logs.Len() != 0 {
		t.Errorf("logged twice in one period: %s", logs.String())
	}
}

// endpoint_disabled: collected, never logged.
func TestLambdaStatsEndpointDisabled(t *testing.T) {
	p := metricsPlan(t, `, "endpoint_disabled": true`)
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	h := withStatsLog(inner, p.Metrics, logger)
	logs.Reset()
	p.Metrics.Registry.Collect(time.Now().Add(-2 * time.Minute))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/a", nil))
	if logs.Len() != 0 {
		t.Errorf("logged under endpoint_disabled: %s", logs.String())
	}
	if got := withStatsLog(inner, nil, slog.New(slog.NewTextHandler(io.Discard, nil))); got == nil {
		t.Error("nil metrics: nil handler")
	}
}
