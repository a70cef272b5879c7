package config

import (
	"fmt"
	"testing"
)

// Tests of the qos/http-cache decoder: defaults, every option, and the
// exact diagnostics of what is refused.

// httpCacheConfig is a one-backend config whose backend extra_config
// holds "qos/http-cache": ns (written on line 3).
func httpCacheConfig(ns string) string {
	return fmt.Sprintf(`{"version": 3, "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://h"], "url_pattern": "/a",
  "extra_config": {
    "qos/http-cache": %s}}]}]}`, ns)
}

func TestHTTPCacheDecode(t *testing.T) {
	cases := []struct {
		ns   string
		want HTTPCache
	}{
		{`{}`, HTTPCache{}},
		{`{"shared": true}`, HTTPCache{Shared: true}},
		{`{"shared": false, "max_items": 1, "max_size": 1024, "@comment": "x"}`, HTTPCache{MaxItems: 1, MaxSize: 1024}},
		{`{"shared": true, "max_items": 50000, "max_size": 268435456}`, HTTPCache{Shared: true, MaxItems: 50000, MaxSize: 256 << 20}},
	}
	for _, c := range cases {
		cfg, err := Load("t.json", []byte(httpCacheConfig(c.ns)), nil)
		if err != nil {
			t.Errorf("%s: %v", c.ns, err)
			continue
		}
		got := cfg.Endpoints[0].Backends[0].HTTPCache
		if got == nil || *got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.ns, got, c.want)
		}
		if len(cfg.Warnings) != 0 {
			t.Errorf("%s: warnings %v", c.ns, cfg.Warnings)
		}
	}
	// Absent: nil, nothing compiled.
	cfg, err := Load("t.json", []byte(`{"version": 3, "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://h"], "url_pattern": "/a"}]}]}`), nil)
	if err != nil || cfg.Endpoints[0].Backends[0].HTTPCache != nil {
		t.Errorf("absent namespace: %v, %+v", err, cfg)
	}
}

func TestHTTPCacheBroken(t *testing.T) {
	cases := []brokenCase{
		{
			name: "httpcache_max_items_alone",
			json: httpCacheConfig(`{"max_items": 10}`),
			want: []string{`t.json:3:24: $.endpoints[0].backend[0].extra_config["qos/http-cache"].max_items: max_items without max_size; give both, e.g. "max_items": 1000, "max_size": 16777216`},
		},
		{
			name: "httpcache_max_size_alone",
			json: httpCacheConfig(`{"max_size": 4096}`),
			want: []string{`t.json:3:24: $.endpoints[0].backend[0].extra_config["qos/http-cache"].max_size: max_size without max_items; give both, e.g. "max_items": 1000, "max_size": 16777216`},
		},
		{
			name: "httpcache_ranges",
			json: httpCacheConfig(`{"max_items": 0, "max_size": 1023}`),
			want: []string{
				`t.json:3:37: $.endpoints[0].backend[0].extra_config["qos/http-cache"].max_items: value 0 out of range; must be 1–2147483647`,
				`t.json:3:52: $.endpoints[0].backend[0].extra_config["qos/http-cache"].max_size: value 1023 out of range; must be 1024–1099511627776`,
			},
		},
		{
			name: "httpcache_types",
			json: httpCacheConfig(`{"shared": "yes", "max_items": 1.5, "max_size": "big"}`),
			want: []string{
				`t.json:3:34: $.endpoints[0].backend[0].extra_config["qos/http-cache"].shared: expected true or false, got string`,
				`t.json:3:54: $.endpoints[0].backend[0].extra_config["qos/http-cache"].max_items: expected an integer, got 1.5`,
				`t.json:3:71: $.endpoints[0].backend[0].extra_config["qos/http-cache"].max_size: expected an integer, got string`,
			},
		},
		{
			name: "httpcache_unknown_and_typo",
			json: httpCacheConfig(`{"ttl": "1m", "sharde": true}`),
			want: []string{
				`t.json:3:24: $.endpoints[0].backend[0].extra_config["qos/http-cache"].ttl: unknown option "ttl"`,
				`t.json:3:37: $.endpoints[0].backend[0].extra_config["qos/http-cache"].sharde: unknown key; did you mean "shared"?`,
			},
		},
		{
			name: "httpcache_not_object",
			json: httpCacheConfig(`true`),
			want: []string{`t.json:3:23: $.endpoints[0].backend[0].extra_config["qos/http-cache"]: expected an object, got boolean`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkBroken(t, tc) })
	}
}
