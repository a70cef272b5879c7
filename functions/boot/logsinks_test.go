package boot_test

import (
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/functions/boot"
	"github.com/tributary-gw/tributary/internal/influxtest"
)

// A function has no local syslog: "syslog": true fails init with a
// diagnostic at the key.
func TestNewRefusesSyslog(t *testing.T) {
	path := writeFile(t, "syslog.json", `{"version": 3,
  "extra_config": {"telemetry/logging": {"level": "INFO", "stdout": true, "syslog": true}},
  "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://127.0.0.1:1"], "url_pattern": "/a"}]}]}`)
	_, err := boot.New([]string{"TRIBUTARY_CONFIG=" + path}, nil, boot.Options{})
	if err == nil {
		t.Fatal("init succeeded")
	}
	want := path + `:2:85: $.extra_config["telemetry/logging"].syslog: no syslog in Lambda: a function has no local syslog socket; remove "syslog" or set it to false; a function's standard output already goes to CloudWatch Logs`
	if got := boot.Describe(err); got != want {
		t.Errorf("error:\n got %s\nwant %s", got, want)
	}
	// "syslog": false (KrakenD's boilerplate) loads.
	path = writeFile(t, "nosyslog.json", `{"version": 3,
  "extra_config": {"telemetry/logging": {"level": "INFO", "stdout": true, "syslog": false, "syslog_facility": "local3"}},
  "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://127.0.0.1:1"], "url_pattern": "/a"}]}]}`)
	if _, err := boot.New([]string{"TRIBUTARY_CONFIG=" + path}, nil, boot.Options{}); err != nil {
		t.Fatal(err)
	}
}

// A function pushes telemetry/influx from the after-invoke flush, once
// ttl has passed since the last push, with the requests it served.
func TestLambdaInfluxPush(t *testing.T) {
	rx := influxtest.New()
	defer rx.Close()
	backend := usersBackend(t)
	path := writeFile(t, "influx.json", `{"version": 3,
  "extra_config": {"telemetry/metrics": {"endpoint_disabled": true},
    "telemetry/influx": {"address": "`+rx.URL+`", "ttl": "1s", "db": "fn"}},
  "endpoints": [{"endpoint": "/users/{id}", "backend": [{"host": ["`+backend+`"], "url_pattern": "/u/{id}"}]}]}`)
	a, err := boot.New([]string{"TRIBUTARY_CONFIG=" + path}, nil, boot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r := call(t, a, v2Event("GET", "/users/1", "")); r.StatusCode != 200 {
		t.Fatalf("status %d", r.StatusCode)
	}
	if n := len(rx.Writes()); n != 0 { // ttl has not passed
		t.Fatalf("%d writes before ttl", n)
	}
	time.Sleep(1100 * time.Millisecond) // let ttl pass (not a timing assertion)
	if r := call(t, a, v2Event("GET", "/users/2", "")); r.StatusCode != 200 {
		t.Fatalf("status %d", r.StatusCode)
	}
	ws := rx.Writes()
	if len(ws) != 1 {
		t.Fatalf("%d writes after the second invocation, want 1", len(ws))
	}
	found := false
	for _, p := range ws[0].Points {
		if p.Measurement == "responses" && p.Tags["name"] == "/users/{id}" && p.Tags["status"] == "200" {
			found = p.Fields["total"] == "2i"
		}
	}
	if !found || ws[0].DB != "fn" {
		t.Errorf("db %q, points %+v", ws[0].DB, ws[0].Points)
	}
	if strings.Join(ws[0].Bad, "") != "" {
		t.Errorf("bad lines %q", ws[0].Bad)
	}
}

// A function's log lines reach the GELF input before the invocation
// returns.
func TestLambdaGELFFlushed(t *testing.T) {
	rx, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer rx.Close()
	backend := usersBackend(t)
	path := writeFile(t, "gelf.json", `{"version": 3,
  "extra_config": {"telemetry/logging": {"level": "INFO"}, "telemetry/gelf": {"address": "`+rx.LocalAddr().String()+`"}},
  "endpoints": [{"endpoint": "/users/{id}", "backend": [{"host": ["`+backend+`"], "url_pattern": "/u/{id}"}]}]}`)
	a, err := boot.New([]string{"TRIBUTARY_CONFIG=" + path}, nil, boot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r := call(t, a, v2Event("GET", "/users/1", "")); r.StatusCode != 200 {
		t.Fatalf("status %d", r.StatusCode)
	}
	buf := make([]byte, 65536)
	for {
		// Loopback UDP delivers on send: what was flushed is already here.
		_ = rx.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		n, _, err := rx.ReadFrom(buf)
		if err != nil {
			t.Fatalf("no access line in GELF when the invocation returned: %v", err)
		}
		var m map[string]any
		if json.Unmarshal(buf[:n], &m) == nil && m["short_message"] == "request" {
			if m["_route"] != "/users/{id}" {
				t.Errorf("access line %s", buf[:n])
			}
			return
		}
	}
}
