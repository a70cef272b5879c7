package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Tests of the telemetry/metrics decoder: defaults, every option, and the
// exact diagnostics of what is refused.

// metricsConfig is a one-endpoint config whose service extra_config holds
// name: ns (line 2).
func metricsConfig(name, ns string) string {
	return fmt.Sprintf(`{"version": 3, "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://h"], "url_pattern": "/x"}]}],
  "extra_config": {%q: %s}}`, name, ns)
}

func TestMetricsDecode(t *testing.T) {
	def := Metrics{CollectionTime: 60 * time.Second, ListenAddress: ":8090"}
	all := Metrics{CollectionTime: 5 * time.Second, ListenAddress: "127.0.0.1:9100",
		ProxyDisabled: true, RouterDisabled: true, BackendDisabled: true, EndpointDisabled: true}
	for _, c := range []struct {
		ns   string
		want Metrics
	}{
		{`{}`, def},
		{`{"@comment": "x"}`, def},
		{`{"collection_time": "5s", "listen_address": "127.0.0.1:9100", "proxy_disabled": true, "router_disabled": true,
		   "backend_disabled": true, "endpoint_disabled": true}`, all},
		{`{"listen_address": ":0"}`, Metrics{CollectionTime: time.Minute, ListenAddress: ":0"}},
	} {
		cfg, err := Load("t.json", []byte(metricsConfig("telemetry/metrics", c.ns)), nil)
		if err != nil {
			t.Errorf("%s: %v", c.ns, err)
			continue
		}
		if cfg.Metrics == nil || *cfg.Metrics != c.want {
			t.Errorf("%s:\n got %+v\nwant %+v", c.ns, cfg.Metrics, c.want)
		}
		if len(cfg.Warnings) != 0 {
			t.Errorf("%s: warnings %v", c.ns, cfg.Warnings)
		}
	}
	cfg, err := Load("t.json", []byte(metricsConfig("telemetry/logging", `{"level": "INFO", "stdout": true}`)), nil)
	if err != nil || cfg.Metrics != nil {
		t.Errorf("absent namespace: Metrics = %+v, err %v; want nil", cfg.Metrics, err)
	}
}

// The legacy name loads with a warning, as KrakenD aliases it.
func TestMetricsLegacyName(t *testing.T) {
	cfg, err := Load("t.json", []byte(metricsConfig("github_com/devopsfaith/krakend-metrics", `{"collection_time": "2s"}`)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Metrics == nil || cfg.Metrics.CollectionTime != 2*time.Second {
		t.Errorf("Metrics = %+v", cfg.Metrics)
	}
	want := `t.json:2:20: $.extra_config["github_com/devopsfaith/krakend-metrics"]: legacy namespace "github_com/devopsfaith/krakend-metrics" loaded as "telemetry/metrics", as KrakenD does; rename it to "telemetry/metrics"`
	if got := strings.Join(warningLines(cfg), "\n"); got != want {
		t.Errorf("warnings:\n got %s\nwant %s", got, want)
	}
}

func TestMetricsErrors(t *testing.T) {
	const p = `$.extra_config["telemetry/metrics"]`
	for _, c := range []struct {
		ns   string
		want string
	}{
		{`{"collection_time": "500ms"}`,
			`t.json:2:61: ` + p + `.collection_time: collection_time "500ms" is below 1s; each collection samples the runtime's memory statistics; use 1s or more (default 60s)`},
		{`{"collection_time": 60}`,
			`t.json:2:61: ` + p + `.collection_time: expected a duration string like "3s", got number; a bare number has no unit; write e.g. "500ms" or "3s"`},
		{`{"listen_address": "8090"}`,
			`t.json:2:60: ` + p + `.listen_address: invalid listen_address "8090": not host:port; use host:port or :port, e.g. ":8090" or "127.0.0.1:8090"`},
		{`{"listen_address": ":99999"}`,
			`t.json:2:60: ` + p + `.listen_address: invalid listen_address ":99999": the port must be a number from 0 to 65535; use host:port or :port, e.g. ":8090" or "127.0.0.1:8090"`},
		{`{"proxy_disabled": "yes"}`, `proxy_disabled`},
		{`{"router_disabeld": true}`, `did you mean "router_disabled"?`},
		{`[]`, `t.json:2:41: ` + p + `: expected an object, got array`},
	} {
		_, err := Load("t.json", []byte(metricsConfig("telemetry/metrics", c.ns)), nil)
		var errs Errors
		if !errors.As(err, &errs) {
			t.Errorf("%s: err %v, want load errors", c.ns, err)
			continue
		}
		if got := errs.Error(); !strings.Contains(got, c.want) {
			t.Errorf("%s:\n got %s\nwant %s", c.ns, got, c.want)
		}
	}
}

// The namespace applies at service scope only.
func TestMetricsScope(t *testing.T) {
	src := `{"version": 3, "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://h"], "url_pattern": "/x"}],
  "extra_config": {"telemetry/metrics": {}}}]}`
	cfg, err := Load("t.json", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(warningLines(cfg), "\n"); !strings.Contains(got, `"telemetry/metrics" ignored at endpoint scope`) {
		t.Errorf("warnings: %s", got)
	}
}
