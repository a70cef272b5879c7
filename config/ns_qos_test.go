package config

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// Tests of the qos/ratelimit/router, qos/ratelimit/proxy and
// qos/circuit-breaker decoders: defaults, every option, and the exact
// diagnostics of what is refused.

// routerLimitConfig is a one-endpoint config (route /u/{id}) whose
// endpoint extra_config holds "qos/ratelimit/router": ns (line 3).
func routerLimitConfig(ns string) string {
	return fmt.Sprintf(`{"version": 3, "endpoints": [{"endpoint": "/u/{id}", "backend": [{"host": ["http://h"], "url_pattern": "/a"}],
  "extra_config": {
    "qos/ratelimit/router": %s}}]}`, ns)
}

// backendQoSConfig is a one-backend config whose backend extra_config
// holds the namespace name: ns (line 3).
func backendQoSConfig(name, ns string) string {
	return fmt.Sprintf(`{"version": 3, "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://h"], "url_pattern": "/a",
  "extra_config": {
    %q: %s}}]}]}`, name, ns)
}

func TestRouterRateLimitDecode(t *testing.T) {
	base := RouterRateLimit{Every: time.Second, NumShards: 2048, CleanupPeriod: time.Minute, CleanupThreads: 1}
	with := func(f func(r *RouterRateLimit)) RouterRateLimit {
		r := base
		f(&r)
		return r
	}
	cases := []struct {
		ns   string
		want RouterRateLimit
	}{
		{`{"max_rate": 10}`, with(func(r *RouterRateLimit) { r.MaxRate, r.Capacity, r.ClientCapacity = 10, 10, 1 })},
		{`{"max_rate": 0.5}`, with(func(r *RouterRateLimit) { r.MaxRate, r.Capacity, r.ClientCapacity = 0.5, 1, 1 })},
		{`{"max_rate": 5, "every": "10m"}`, with(func(r *RouterRateLimit) {
			r.MaxRate, r.Every, r.Capacity, r.ClientCapacity = 5, 10*time.Minute, 1, 1
		})},
		{`{"max_rate": 100, "every": "2s", "capacity": 7}`, with(func(r *RouterRateLimit) {
			r.MaxRate, r.Every, r.Capacity, r.ClientCapacity = 100, 2*time.Second, 7, 1
		})},
		// [H24]: the client capacity derives from client_max_rate.
		{`{"max_rate": 1, "client_max_rate": 20, "strategy": "ip"}`, with(func(r *RouterRateLimit) {
			r.MaxRate, r.Capacity, r.ClientMaxRate, r.ClientCapacity, r.Strategy = 1, 1, 20, 20, "ip"
		})},
		{`{"client_max_rate": 3, "client_capacity": 9, "strategy": "header", "key": "x-api-KEY"}`, with(func(r *RouterRateLimit) {
			r.ClientMaxRate, r.ClientCapacity, r.Capacity, r.Strategy, r.Key = 3, 9, 1, "header", "X-Api-Key"
		})},
		{`{"client_max_rate": 3, "strategy": "param", "key": "id", "num_shards": 16, "cleanup_period": "5m", "cleanup_threads": 2, "@c": 1}`,
			with(func(r *RouterRateLimit) {
				r.ClientMaxRate, r.ClientCapacity, r.Capacity, r.Strategy, r.Key = 3, 3, 1, "param", "id"
				r.NumShards, r.CleanupPeriod, r.CleanupThreads = 16, 5*time.Minute, 2
			})},
	}
	for _, c := range cases {
		cfg, err := Load("t.json", []byte(routerLimitConfig(c.ns)), nil)
		if err != nil {
			t.Errorf("%s: %v", c.ns, err)
			continue
		}
		got := cfg.Endpoints[0].RateLimit
		if got == nil || *got != c.want {
			t.Errorf("%s:\n got %+v\nwant %+v", c.ns, got, c.want)
		}
		if len(cfg.Warnings) != 0 {
			t.Errorf("%s: warnings %v", c.ns, cfg.Warnings)
		}
	}
}

func TestRouterRateLimitWarnings(t *testing.T) {
	for _, c := range []struct {
		ns   string
		want string
	}{
		{`{"client_max_rate": 3, "strategy": "ip", "key": "x-real-ip"}`,
			`t.json:3:77: $.endpoints[0].extra_config["qos/ratelimit/router"].key: the client address is read from the X-Real-Ip header, which clients can set; use it only when a trusted proxy sets that header and drops the client's copy`},
		{`{"client_max_rate": 3, "strategy": "ip", "capacity": 4}`,
			`t.json:3:82: $.endpoints[0].extra_config["qos/ratelimit/router"].capacity: capacity has no effect without max_rate`},
		{`{"max_rate": 3, "client_capacity": 4}`,
			`t.json:3:64: $.endpoints[0].extra_config["qos/ratelimit/router"].client_capacity: client_capacity has no effect without client_max_rate`},
		{`{"max_rate": 3, "strategy": "ip"}`,
			`t.json:3:57: $.endpoints[0].extra_config["qos/ratelimit/router"].strategy: strategy has no effect without client_max_rate`},
	} {
		cfg, err := Load("t.json", []byte(routerLimitConfig(c.ns)), nil)
		if err != nil {
			t.Errorf("%s: %v", c.ns, err)
			continue
		}
		if got := strings.Join(warningLines(cfg), "\n"); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.ns, got, c.want)
		}
	}
}

func TestRouterRateLimitBroken(t *testing.T) {
	p := `$.endpoints[0].extra_config["qos/ratelimit/router"]`
	cases := []brokenCase{
		{name: "no_rate", json: routerLimitConfig(`{"every": "1s"}`),
			want: []string{`t.json:3:29: ` + p + `: no rate set; set max_rate (the whole endpoint), client_max_rate (each client), or both`}},
		{name: "zero_rates", json: routerLimitConfig(`{"max_rate": 0, "client_max_rate": 0}`),
			want: []string{`t.json:3:29: ` + p + `: no rate set; set max_rate (the whole endpoint), client_max_rate (each client), or both`}},
		{name: "negative", json: routerLimitConfig(`{"max_rate": -1}`),
			want: []string{`t.json:3:42: ` + p + `.max_rate: rate -1 must not be negative`}},
		{name: "string_rate", json: routerLimitConfig(`{"max_rate": "10"}`),
			want: []string{`t.json:3:42: ` + p + `.max_rate: expected a number, got string; numbers are not strings; remove the quotes`}},
		{name: "huge_rate", json: routerLimitConfig(`{"max_rate": 1e300}`),
			want: []string{`t.json:3:42: ` + p + `.max_rate: rate 1e300 out of range; must be at most 1e9`}},
		{name: "every_too_short", json: routerLimitConfig(`{"max_rate": 1, "every": "500ms"}`),
			want: []string{`t.json:3:54: ` + p + `.every: every "500ms" is shorter than 1s; KrakenD silently uses 1s; write "1s" or longer`}},
		{name: "every_bare_number", json: routerLimitConfig(`{"max_rate": 1, "every": 1}`),
			want: []string{`t.json:3:54: ` + p + `.every: expected a duration string like "3s", got number; a bare number has no unit; write e.g. "500ms" or "3s"`}},
		{name: "capacity_zero", json: routerLimitConfig(`{"max_rate": 1, "capacity": 0}`),
			want: []string{`t.json:3:57: ` + p + `.capacity: value 0 out of range; must be 1–1000000000`}},
		{name: "no_strategy", json: routerLimitConfig(`{"client_max_rate": 1}`),
			want: []string{`t.json:3:29: ` + p + `: client_max_rate needs a strategy; add "strategy": "ip", "header" or "param" (KrakenD silently skips the client limit)`}},
		{name: "bad_strategy", json: routerLimitConfig(`{"client_max_rate": 1, "strategy": "headr"}`),
			want: []string{`t.json:3:64: ` + p + `.strategy: unknown strategy "headr"; did you mean "header"?`}},
		{name: "header_without_key", json: routerLimitConfig(`{"client_max_rate": 1, "strategy": "header"}`),
			want: []string{`t.json:3:29: ` + p + `: strategy "header" needs a key; name the header, e.g. "key": "X-Api-Key"`}},
		{name: "bad_header_key", json: routerLimitConfig(`{"client_max_rate": 1, "strategy": "header", "key": "a b"}`),
			want: []string{`t.json:3:81: ` + p + `.key: invalid header name "a b"`}},
		{name: "param_without_key", json: routerLimitConfig(`{"client_max_rate": 1, "strategy": "param"}`),
			want: []string{`t.json:3:29: ` + p + `: strategy "param" needs a key; name a placeholder of the endpoint, e.g. "key": "id_user"`}},
		{name: "unknown_and_typo", json: routerLimitConfig(`{"max_rate": 1, "burst": 2, "max_rates": 3}`),
			want: []string{
				`t.json:3:45: ` + p + `.burst: unknown option "burst"`,
				`t.json:3:57: ` + p + `.max_rates: unknown key; did you mean "max_rate"?`,
			}},
		{name: "v2_names", json: routerLimitConfig(`{"maxRate": 1, "clientMaxRate": 2}`),
			want: []string{
				`t.json:3:30: ` + p + `.maxRate: key renamed in config v3; use "max_rate"`,
				`t.json:3:44: ` + p + `.clientMaxRate: key renamed in config v3; use "client_max_rate"`,
			}},
		{name: "not_object", json: routerLimitConfig(`[]`),
			want: []string{`t.json:3:29: ` + p + `: expected an object, got array`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkBroken(t, tc) })
	}
}

func TestProxyRateLimitDecode(t *testing.T) {
	for _, c := range []struct {
		ns   string
		want ProxyRateLimit
	}{
		{`{"max_rate": 10, "capacity": 5}`, ProxyRateLimit{MaxRate: 10, Capacity: 5, Every: time.Second}},
		{`{"max_rate": 0.5, "capacity": 1, "every": "1m"}`, ProxyRateLimit{MaxRate: 0.5, Capacity: 1, Every: time.Minute}},
	} {
		cfg, err := Load("t.json", []byte(backendQoSConfig("qos/ratelimit/proxy", c.ns)), nil)
		if err != nil {
			t.Errorf("%s: %v", c.ns, err)
			continue
		}
		if got := cfg.Endpoints[0].Backends[0].RateLimit; got == nil || *got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.ns, got, c.want)
		}
	}
}

func TestProxyRateLimitBroken(t *testing.T) {
	p := `$.endpoints[0].backend[0].extra_config["qos/ratelimit/proxy"]`
	cfg := func(ns string) string { return backendQoSConfig("qos/ratelimit/proxy", ns) }
	cases := []brokenCase{
		{name: "no_rate", json: cfg(`{"capacity": 1}`),
			want: []string{`t.json:3:28: ` + p + `: missing required key "max_rate"; the calls allowed per every (default 1s)`}},
		{name: "zero_rate", json: cfg(`{"max_rate": 0, "capacity": 1}`),
			want: []string{`t.json:3:41: ` + p + `.max_rate: max_rate must be greater than 0; remove the namespace to call the backend without a limit`}},
		{name: "no_capacity", json: cfg(`{"max_rate": 1}`),
			want: []string{`t.json:3:28: ` + p + `: missing required key "capacity"; the bucket size: how many calls may burst at once`}},
		{name: "every", json: cfg(`{"max_rate": 1, "capacity": 1, "every": "0s"}`),
			want: []string{`t.json:3:68: ` + p + `.every: every "0s" is shorter than 1s; KrakenD silently uses 1s; write "1s" or longer`}},
		{name: "client_keys", json: cfg(`{"max_rate": 1, "capacity": 1, "strategy": "ip"}`),
			want: []string{`t.json:3:59: ` + p + `.strategy: unknown option "strategy"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkBroken(t, tc) })
	}
}

func TestCircuitBreakerDecode(t *testing.T) {
	for _, c := range []struct {
		ns   string
		want CircuitBreaker
	}{
		{`{"interval": 60, "timeout": 10, "max_errors": 1}`, CircuitBreaker{Interval: time.Minute, Timeout: 10 * time.Second, MaxErrors: 1}},
		{`{"interval": 1, "timeout": 1, "max_errors": 5, "name": "users", "log_status_change": true}`,
			CircuitBreaker{Interval: time.Second, Timeout: time.Second, MaxErrors: 5, Name: "users", LogStatusChange: true}},
	} {
		cfg, err := Load("t.json", []byte(backendQoSConfig("qos/circuit-breaker", c.ns)), nil)
		if err != nil {
			t.Errorf("%s: %v", c.ns, err)
			continue
		}
		if got := cfg.Endpoints[0].Backends[0].CircuitBreaker; got == nil || *got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.ns, got, c.want)
		}
	}
}

func TestCircuitBreakerBroken(t *testing.T) {
	p := `$.endpoints[0].backend[0].extra_config["qos/circuit-breaker"]`
	cfg := func(ns string) string { return backendQoSConfig("qos/circuit-breaker", ns) }
	cases := []brokenCase{
		{name: "missing", json: cfg(`{}`),
			want: []string{
				`t.json:3:28: ` + p + `: missing required key "interval"; the window, in whole seconds, over which failures are counted`,
				`t.json:3:28: ` + p + `: missing required key "timeout"; how long, in whole seconds, the breaker stays open`,
				`t.json:3:28: ` + p + `: missing required key "max_errors"; the breaker opens after more than this many consecutive failures`,
			}},
		{name: "zero", json: cfg(`{"interval": 0, "timeout": 1, "max_errors": 0}`),
			want: []string{
				`t.json:3:41: ` + p + `.interval: value 0 out of range; must be 1–86400`,
				`t.json:3:72: ` + p + `.max_errors: value 0 out of range; must be 1–1000000`,
			}},
		{name: "duration_string", json: cfg(`{"interval": "60s", "timeout": 1, "max_errors": 1}`),
			want: []string{`t.json:3:41: ` + p + `.interval: expected whole seconds as an integer, got a string; write a number of seconds, e.g. 60 (not a duration string)`}},
		{name: "typo_and_v2", json: cfg(`{"interval": 1, "timeout": 1, "max_errors": 1, "maxErrors": 1, "nmae": "x"}`),
			want: []string{
				`t.json:3:75: ` + p + `.maxErrors: key renamed in config v3; use "max_errors"`,
				`t.json:3:91: ` + p + `.nmae: unknown key; did you mean "name"?`,
			}},
		{name: "log_string", json: cfg(`{"interval": 1, "timeout": 1, "max_errors": 1, "log_status_change": "true"}`),
			want: []string{`t.json:3:96: ` + p + `.log_status_change: expected true or false, got string; booleans are not strings; remove the quotes`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkBroken(t, tc) })
	}
}

// TestQoSWrongScope checks rule 3 for the QoS namespaces: an error.
func TestQoSWrongScope(t *testing.T) {
	checkBroken(t, brokenCase{name: "scope", json: `{"version": 3, "extra_config": {"qos/circuit-breaker": {}},
  "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://h"], "url_pattern": "/a"}]}]}`,
		want: []string{`t.json:1:33: $.extra_config["qos/circuit-breaker"]: namespace "qos/circuit-breaker" is not valid at service scope; valid at backend scope`}})
}

// TestLambdaStateNote checks the note sam generate prints.
func TestLambdaStateNote(t *testing.T) {
	cfg, err := Load("t.json", []byte(routerLimitConfig(`{"max_rate": 1}`)), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "rate limits (qos/ratelimit/router on 1 endpoint) count per Lambda execution environment: " +
		"N warm environments admit about N times the configured rate; for a hard limit use API Gateway throttling, usage plans or WAF"
	if got := cfg.LambdaStateNote(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	cfg, err = Load("t.json", []byte(backendQoSConfig("qos/circuit-breaker", `{"interval": 1, "timeout": 1, "max_errors": 1}`)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.LambdaStateNote(); got != "circuit breakers (1 backend) open and close in each execution environment on their own" {
		t.Errorf("breaker note: %s", got)
	}
	cfg, err = Load("t.json", []byte(backendQoSConfig("x", `{}`)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.LambdaStateNote(); got != "" {
		t.Errorf("no QoS: %q", got)
	}
}
