package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Tests of telemetry/logging's syslog options and of the telemetry/gelf,
// telemetry/logstash and telemetry/influx decoders: defaults, every option,
// the rules between namespaces and the exact diagnostics.

// sinksConfig is a one-endpoint config whose service extra_config holds the
// members in ns (line 2).
func sinksConfig(ns string) string {
	return fmt.Sprintf(`{"version": 3, "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://h"], "url_pattern": "/x"}]}],
  "extra_config": {%s}}`, ns)
}

const sinksLogging = `"telemetry/logging": {"level": "INFO", "stdout": true}`

func loadErrLines(t *testing.T, src string) []string {
	t.Helper()
	_, err := Load("t.json", []byte(src), nil)
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("want load errors, got %v", err)
	}
	out := make([]string, len(errs))
	for i, d := range errs {
		out[i] = d.String()
	}
	return out
}

func TestLoggingSyslog(t *testing.T) {
	cfg, err := Load("t.json", []byte(sinksConfig(`"telemetry/logging": {"level": "INFO", "syslog": true}`)), nil)
	if err != nil {
		t.Fatal(err)
	}
	lg := cfg.Logging
	if !lg.Syslog || lg.SyslogFacility != "local3" || lg.Stdout {
		t.Errorf("logging = %+v, want syslog on local3", lg)
	}
	if got, want := lg.SyslogAt.String(), `t.json:2:69: $.extra_config["telemetry/logging"].syslog: `; got != want {
		t.Errorf("SyslogAt = %q, want %q", got, want)
	}
	if len(cfg.Warnings) != 0 { // syslog is a sink: nothing is discarded
		t.Errorf("warnings %v", cfg.Warnings)
	}
	for _, f := range []string{"local0", "local7", "user", "daemon"} {
		cfg, err := Load("t.json", []byte(sinksConfig(`"telemetry/logging": {"level": "INFO", "syslog": true, "syslog_facility": "`+f+`"}`)), nil)
		if err != nil || cfg.Logging.SyslogFacility != f {
			t.Errorf("%s: facility %q, err %v", f, cfg.Logging.SyslogFacility, err)
		}
	}
	cfg, err = Load("t.json", []byte(sinksConfig(`"telemetry/logging": {"level": "INFO", "stdout": true, "syslog": false, "syslog_facility": "user"}`)), nil)
	if err != nil || cfg.Logging.Syslog || cfg.Logging.SyslogAt != (Diagnostic{}) {
		t.Errorf("syslog false: %+v, err %v", cfg.Logging, err)
	}
	got := loadErrLines(t, sinksConfig(`"telemetry/logging": {"level": "INFO", "syslog": "yes", "syslog_facility": "kern"}`))
	want := []string{
		`t.json:2:69: $.extra_config["telemetry/logging"].syslog: expected true or false, got string`,
		`t.json:2:95: $.extra_config["telemetry/logging"].syslog_facility: unknown syslog facility "kern"; use local0 … local7, user or daemon`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n got %s\nwant %s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestGELFAndLogstashDecode(t *testing.T) {
	cfg, err := Load("t.json", []byte(sinksConfig(sinksLogging+`, "telemetry/gelf": {"address": "graylog:12201", "enable_tcp": true},
  "telemetry/logstash": {"enabled": true}`)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if g := cfg.GELF; g == nil || g.Address != "graylog:12201" || !g.TCP || g.JSONPath != `$.extra_config["telemetry/gelf"]` {
		t.Errorf("GELF = %+v", cfg.GELF)
	}
	if cfg.Logstash == nil || !cfg.Logstash.Enabled || cfg.Logging.Format != "logstash" {
		t.Errorf("Logstash = %+v, format %q", cfg.Logstash, cfg.Logging.Format)
	}
	// Declared before telemetry/logging: the format still switches; enabled
	// false changes nothing; UDP is the default.
	cfg, err = Load("t.json", []byte(sinksConfig(`"telemetry/logstash": {"enabled": true}, "telemetry/gelf": {"address": "[::1]:12201"}, `+sinksLogging)), nil)
	if err != nil || cfg.Logging.Format != "logstash" || cfg.GELF.TCP {
		t.Errorf("format %q, gelf %+v, err %v", cfg.Logging.Format, cfg.GELF, err)
	}
	cfg, err = Load("t.json", []byte(sinksConfig(`"telemetry/logstash": {"enabled": false}, `+sinksLogging)), nil)
	if err != nil || cfg.Logging.Format != "default" {
		t.Errorf("enabled false: format %q, err %v", cfg.Logging.Format, err)
	}
	// KrakenD's legacy names, aliased.
	cfg, err = Load("t.json", []byte(sinksConfig(`"github_com/devopsfaith/krakend-gelf": {"address": "g:1"},
  "github_com/devopsfaith/krakend-gologging": {"level": "INFO", "stdout": true}`)), nil)
	if err != nil || cfg.GELF == nil || cfg.GELF.Address != "g:1" {
		t.Errorf("legacy: gelf %+v, err %v", cfg.GELF, err)
	}
}

func TestInfluxDecode(t *testing.T) {
	cfg, err := Load("t.json", []byte(sinksConfig(`"telemetry/metrics": {}, "telemetry/influx": {"address": "http://influx:8086/", "ttl": "25s"}`)), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Influx{Address: "http://influx:8086", TTL: 25 * time.Second, DB: "krakend",
		Pos: cfg.Influx.Pos, JSONPath: `$.extra_config["telemetry/influx"]`}
	if *cfg.Influx != want {
		t.Errorf("Influx = %+v, want %+v", *cfg.Influx, want)
	}
	cfg, err = Load("t.json", []byte(sinksConfig(`"telemetry/metrics": {}, "telemetry/influx": {"address": "https://i.example:8443/base", "ttl": "1m",
  "buffer_size": 0, "db": "gw", "username": "u", "password": "p"}`)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if in := cfg.Influx; in.Address != "https://i.example:8443/base" || in.TTL != time.Minute || in.DB != "gw" ||
		in.Username != "u" || in.Password != "p" || len(cfg.Warnings) != 0 {
		t.Errorf("Influx = %+v, warnings %v", *in, cfg.Warnings)
	}
	cfg, err = Load("t.json", []byte(sinksConfig(`"telemetry/metrics": {}, "telemetry/influx": {"address": "http://i:8086", "ttl": "5s", "buffer_size": 10}`)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(warningLines(cfg), "\n"); !strings.Contains(w, `.buffer_size: buffer_size has no effect: a failed push is dropped, never retried; remove it`) {
		t.Errorf("warnings: %s", w)
	}
}

func TestLogSinkErrors(t *testing.T) {
	const g, ls, in = `$.extra_config["telemetry/gelf"]`, `$.extra_config["telemetry/logstash"]`, `$.extra_config["telemetry/influx"]`
	for _, c := range []struct {
		ns   string
		want []string
	}{
		{`"telemetry/gelf": {"address": "g:1"}`, []string{
			`t.json:2:38: ` + g + `: telemetry/gelf requires telemetry/logging; add "telemetry/logging", e.g. {"level": "INFO", "stdout": true}`}},
		{`"telemetry/logstash": {"enabled": true}`, []string{
			`t.json:2:42: ` + ls + `: telemetry/logstash requires telemetry/logging; add "telemetry/logging", e.g. {"level": "INFO", "stdout": true}`}},
		{`"telemetry/influx": {"address": "http://i:8086", "ttl": "5s"}`, []string{
			`t.json:2:40: ` + in + `: telemetry/influx requires telemetry/metrics; add "telemetry/metrics": {} (it keeps the counters that are pushed)`}},
		{sinksLogging + `, "telemetry/gelf": {}`, []string{
			`t.json:2:94: ` + g + `: missing required key "address"; the GELF input's host:port, e.g. "graylog:12201"`}},
		{sinksLogging + `, "telemetry/gelf": {"address": "graylog", "enable_tcp": "true", "level": 1}`, []string{
			`t.json:2:106: ` + g + `.address: invalid GELF address "graylog": not host:port; use host:port, e.g. "graylog:12201"`,
			`t.json:2:131: ` + g + `.enable_tcp: expected true or false, got string; booleans are not strings; remove the quotes`,
			`t.json:2:139: ` + g + `.level: unknown option "level"`}},
		{sinksLogging + `, "telemetry/gelf": {"address": ":0", "adress": 1}`, []string{
			`t.json:2:106: ` + g + `.address: invalid GELF address ":0": the host is missing; use host:port, e.g. "graylog:12201"`,
			`t.json:2:112: ` + g + `.adress: unknown key; did you mean "address"?`}},
		{sinksLogging + `, "telemetry/logstash": {"enabled": 1, "format": "x"}`, []string{
			`t.json:2:110: ` + ls + `.enabled: expected true or false, got number`,
			`t.json:2:113: ` + ls + `.format: unknown option "format"`}},
		{`"telemetry/metrics": {}, "telemetry/influx": {}`, []string{
			`t.json:2:65: ` + in + `: missing required key "address"; the InfluxDB base URL, e.g. "http://influxdb:8086"`,
			`t.json:2:65: ` + in + `: missing required key "ttl"; the push period, e.g. "30s"`}},
		{`"telemetry/metrics": {}, "telemetry/influx": {"address": "influx:8086", "ttl": "100ms", "buffer_size": -1, "db": ""}`, []string{
			`t.json:2:77: ` + in + `.address: invalid InfluxDB address "influx:8086": the scheme must be http or https; use the server's base URL, e.g. "http://influxdb:8086"`,
			`t.json:2:99: ` + in + `.ttl: ttl "100ms" is below 1s; each push renders every metric and makes one request; use 1s or more, e.g. "30s"`,
			`t.json:2:123: ` + in + `.buffer_size: value -1 out of range; must be 0–1048576`,
			`t.json:2:133: ` + in + `.db: empty database name; omit the key for "krakend"`}},
		{`"telemetry/metrics": {}, "telemetry/influx": {"address": "http://u:p@i:8086", "ttl": 5, "password": 1, "token": "t"}`, []string{
			`t.json:2:77: ` + in + `.address: invalid InfluxDB address "http://u:p@i:8086": credentials in the URL would end up in logs; use username and password; use the server's base URL, e.g. "http://influxdb:8086"`,
			`t.json:2:105: ` + in + `.ttl: expected a duration string like "3s", got number; a bare number has no unit; write e.g. "500ms" or "3s"`,
			`t.json:2:120: ` + in + `.password: expected a string, got number`,
			`t.json:2:123: ` + in + `.token: unknown option "token"`}},
		{`"telemetry/metrics": {}, "telemetry/influx": {"address": "http://i:8086?db=x", "ttl": "5s"}`, []string{
			`t.json:2:77: ` + in + `.address: invalid InfluxDB address "http://i:8086?db=x": a query or fragment is not allowed; use the server's base URL, e.g. "http://influxdb:8086"`}},
	} {
		got := loadErrLines(t, sinksConfig(c.ns))
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s:\n got %s\nwant %s", c.ns, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
		}
	}
}

// The namespaces apply at service scope only; elsewhere they are ignored
// with a warning, as KrakenD does.
func TestLogSinksScope(t *testing.T) {
	cfg, err := Load("t.json", []byte(`{"version": 3, "endpoints": [{"endpoint": "/a", "extra_config": {"telemetry/gelf": {"address": "g:1"}},
  "backend": [{"host": ["http://h"], "url_pattern": "/x"}]}]}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	w := strings.Join(warningLines(cfg), "\n")
	if cfg.GELF != nil || !strings.Contains(w, `"telemetry/gelf" ignored at endpoint scope, as KrakenD does; valid at service scope`) {
		t.Errorf("gelf %+v, warnings %s", cfg.GELF, w)
	}
}

// Lines with nowhere to go are warned about; GELF or syslog is somewhere.
func TestLoggingDiscardWarning(t *testing.T) {
	const want = `t.json:2:41: $.extra_config["telemetry/logging"]: application logs are discarded (stdout is not true); set "stdout": true`
	cfg, err := Load("t.json", []byte(sinksConfig(`"telemetry/logging": {"level": "INFO"}`)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(warningLines(cfg), "\n"); got != want {
		t.Errorf("warnings:\n got %s\nwant %s", got, want)
	}
	for _, ns := range []string{
		`"telemetry/logging": {"level": "INFO"}, "telemetry/gelf": {"address": "g:1"}`,
		`"telemetry/gelf": {"address": "g:1"}, "telemetry/logging": {"level": "INFO"}`,
		`"telemetry/logging": {"level": "INFO", "syslog": true}`,
	} {
		cfg, err := Load("t.json", []byte(sinksConfig(ns)), nil)
		if err != nil || len(cfg.Warnings) != 0 {
			t.Errorf("%s: err %v, warnings %v", ns, err, warningLines(cfg))
		}
	}
}
