package config

import (
	"strings"
	"testing"
	"time"
)

// TestShadowAndConcurrentLoad: accepted values land in the model, with the
// lint warnings the spec asks for.
func TestShadowAndConcurrentLoad(t *testing.T) {
	cfg, err := Load("t.json", []byte(`{
  "version": 3,
  "host": ["http://h"],
  "endpoints": [{"endpoint": "/a", "concurrent_calls": "3", "backend": [
    {"url_pattern": "/m"},
    {"url_pattern": "/s", "method": "HEAD", "extra_config": {"proxy": {"shadow": true, "shadow_timeout": "250ms"}}},
    {"url_pattern": "/t", "method": "OPTIONS", "extra_config": {"proxy": {"shadow": false, "shadow_timeout": "1s"}}},
    {"url_pattern": "/u", "shadow_timeout": "1s"}
  ]}]
}`), nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	e := cfg.Endpoints[0]
	if e.ConcurrentCalls != 3 {
		t.Errorf("ConcurrentCalls = %d, want 3", e.ConcurrentCalls)
	}
	b := e.Backends
	if b[0].Shadow || !b[1].Shadow || b[1].ShadowTimeout != 250*time.Millisecond || b[2].Shadow || b[2].ShadowTimeout != 0 {
		t.Errorf("shadow fields: %v %v / %v %v / %v %v", b[0].Shadow, b[0].ShadowTimeout, b[1].Shadow, b[1].ShadowTimeout, b[2].Shadow, b[2].ShadowTimeout)
	}
	var got []string
	for _, w := range cfg.Warnings {
		got = append(got, w.String())
	}
	want := []string{
		`t.json:4:56: $.endpoints[0].concurrent_calls: converted "3" to 3, as KrakenD does; write the number without quotes`,
		`t.json:7:110: $.endpoints[0].backend[2].extra_config.proxy.shadow_timeout: shadow_timeout has no effect without "shadow": true, as KrakenD does; remove it, or mark the backend as a shadow`,
		`t.json:8:27: $.endpoints[0].backend[3].shadow_timeout: unknown key "shadow_timeout" ignored, as KrakenD does`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings differ\ngot:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Best-effort shadows are a Lambda matter: sam generate says so, a
	// server run does not lint it.
	if note := cfg.LambdaStateNote(); note != "shadow traffic (1 backend) is best-effort: shadow calls still running when the response is ready are cancelled" {
		t.Errorf("LambdaStateNote = %q", note)
	}
}

// TestShadowAndConcurrentRefused: the load errors of §12.4 and §17.17.
func TestShadowAndConcurrentRefused(t *testing.T) {
	for _, tc := range []brokenCase{
		{
			name: "all_shadows",
			json: `{
  "version": 3,
  "host": ["http://h"],
  "endpoints": [{"endpoint": "/a", "backend": [
    {"url_pattern": "/s", "extra_config": {"proxy": {"shadow": true}}},
    {"url_pattern": "/t", "extra_config": {"proxy": {"shadow": true}}}
  ]}]
}`,
			want: []string{
				`t.json:4:47: $.endpoints[0].backend: every backend is a shadow, so no backend answers the client; keep at least one backend without "shadow": true`,
			},
		},
		{
			name: "shadow_noop",
			json: `{
  "version": 3,
  "host": ["http://h"],
  "endpoints": [{"endpoint": "/a", "output_encoding": "no-op", "backend": [
    {"url_pattern": "/s", "extra_config": {"proxy": {"shadow": true}}}
  ]}]
}`,
			want: []string{
				`t.json:4:75: $.endpoints[0].backend: a shadow backend cannot serve an output_encoding "no-op" endpoint; the passthrough needs a backend whose response reaches the client`,
			},
		},
		{
			name: "bad_values",
			json: `{
  "version": 3,
  "host": ["http://h"],
  "endpoints": [{"endpoint": "/a", "backend": [
    {"url_pattern": "/m"},
    {"url_pattern": "/s", "extra_config": {"proxy": {"shadow": "true", "shadow_timeout": "0s"}}},
    {"url_pattern": "/t", "extra_config": {"proxy": {"shadow": true, "shadow_timeout": 5, "shadow_timout": "1s"}}}
  ]}]
}`,
			want: []string{
				`t.json:6:64: $.endpoints[0].backend[1].extra_config.proxy.shadow: expected true or false, got string; booleans are not strings; remove the quotes`,
				`t.json:6:90: $.endpoints[0].backend[1].extra_config.proxy.shadow_timeout: timeout must be greater than 0; remove the key to bound shadow calls by the endpoint timeout`,
				`t.json:7:88: $.endpoints[0].backend[2].extra_config.proxy.shadow_timeout: expected a duration string like "3s", got number; a bare number has no unit; write e.g. "500ms" or "3s"`,
				`t.json:7:91: $.endpoints[0].backend[2].extra_config.proxy.shadow_timout: unknown key; did you mean "shadow_timeout"?`,
			},
		},
		{
			name: "concurrent_methods",
			json: `{
  "version": 3,
  "host": ["http://h"],
  "endpoints": [
    {"endpoint": "/a", "method": "POST", "concurrent_calls": 2, "backend": [{"url_pattern": "/m"}]},
    {"endpoint": "/b", "concurrent_calls": 2, "backend": [{"url_pattern": "/m"},
      {"url_pattern": "/s", "method": "DELETE", "extra_config": {"proxy": {"shadow": true}}}]},
    {"endpoint": "/c", "concurrent_calls": 1.5, "backend": [{"url_pattern": "/m"}]}
  ]
}`,
			want: []string{
				`t.json:5:62: $.endpoints[0].concurrent_calls: concurrent_calls 2 needs every backend method to be GET, HEAD or OPTIONS; $.endpoints[0].backend[0] uses POST; identical copies of a request that is not idempotent are never sent; set concurrent_calls to 1`,
				`t.json:6:44: $.endpoints[1].concurrent_calls: concurrent_calls 2 needs every backend method to be GET, HEAD or OPTIONS; $.endpoints[1].backend[1] uses DELETE; identical copies of a request that is not idempotent are never sent; set concurrent_calls to 1`,
				`t.json:8:44: $.endpoints[2].concurrent_calls: expected an integer, got 1.5`,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) { checkBroken(t, tc) })
	}
}
