package config

import (
	"strings"
	"testing"
	"time"
)

func TestRedisDecode(t *testing.T) {
	cfg := mustLoad(t, `{"version": 3, "name": "edge", "extra_config": {
  "redis": {"connection_pools": [{"name": "a", "address": "10.0.0.1:6379"}, {"name": "b", "address": "cache.example.com:6380", "db": 2, "client_name": "gw"}]},
  "tributary": {"shared_store": {"connection_pool": "b", "timeout": "80ms", "rate_limit_failure": "fail_closed", "http_cache": false,
     "tls": true, "tls_server_name": "cache.example.com", "pool_size": 20, "cache_max_entry_bytes": 4096}}},
 "endpoints": [{"endpoint": "/s", "backend": [{"host": ["http://h"], "url_pattern": "/x"}]}]}`)
	r := cfg.Redis
	if r == nil || len(r.Pools) != 2 || r.Shared == nil {
		t.Fatalf("Redis = %+v", r)
	}
	s := r.Shared
	if s.Pool == nil || s.Pool.Name != "b" || s.Pool.Address != "cache.example.com:6380" || s.Pool.DB != 2 || s.Pool.ClientName != "gw" {
		t.Fatalf("pool = %+v", s.Pool)
	}
	if s.Timeout != 80*time.Millisecond || !s.RateLimitFailClosed || s.HTTPCache || !s.Revocations || !s.RateLimits ||
		!s.TLS || s.TLSServerName != "cache.example.com" || s.PoolSize != 20 || s.CacheMaxEntryBytes != 4096 {
		t.Fatalf("shared store = %+v", s)
	}
	if s.KeyPrefix != "tributary:edge:" {
		t.Fatalf("key prefix %q", s.KeyPrefix)
	}
	// One pool: connection_pool may be left out; defaults apply; the
	// older "database" spelling is accepted.
	cfg = mustLoad(t, revokerService(`"redis": {"connection_pools": [{"name": "only", "address": "127.0.0.1:6379", "database": 1}]},
  "tributary": {"shared_store": {"key_prefix": "x:"}}`))
	s = cfg.Redis.Shared
	if s.Pool == nil || s.Pool.DB != 1 || s.Timeout != DefaultSharedStoreTimeout || s.RateLimitFailClosed || !s.HTTPCache ||
		s.KeyPrefix != "x:" || s.CacheMaxEntryBytes != DefaultCacheMaxEntryBytes {
		t.Fatalf("shared store = %+v", s)
	}
	// No Redis at all: nothing.
	if cfg := mustLoad(t, revokerService(`"tributary": {}`)); cfg.Redis != nil {
		t.Fatalf("Redis = %+v without the namespace", cfg.Redis)
	}
}

func TestRedisWarnings(t *testing.T) {
	cfg := mustLoad(t, revokerService(`"redis": {"connection_pools": [{"name": "a", "address": "h:1"}]}`))
	got := strings.Join(warningLines(cfg), "\n")
	if !strings.Contains(got, "Redis connection pools are declared but nothing uses them") {
		t.Fatalf("warnings: %s", got)
	}
	cfg = mustLoad(t, revokerService(`"redis": {"connection_pools": [{"name": "a", "address": "h:1"}]},
  "tributary": {"shared_store": {"password_env": "TRIBUTARY_TEST_SURELY_UNSET_VAR"}}`))
	got = strings.Join(warningLines(cfg), "\n")
	if !strings.Contains(got, "environment variable TRIBUTARY_TEST_SURELY_UNSET_VAR is not set") {
		t.Fatalf("warnings: %s", got)
	}
}

func TestRedisBrokenGolden(t *testing.T) {
	for _, tc := range []brokenCase{
		{name: "pools", json: revokerService(`"redis": {"connection_pools": [{"name": "a", "address": "h:1"}, {"address": "nohost", "pasword": "x"}, {"name": "a", "address": "h:2"}], "clusters": []}`), want: []string{
			`t.json:1:97: $.extra_config.redis.connection_pools[1]: missing required key "name"`,
			`t.json:1:109: $.extra_config.redis.connection_pools[1].address: invalid address "nohost"; use host:port, e.g. "my-redis.example.com:6379"`,
			`t.json:1:119: $.extra_config.redis.connection_pools[1].pasword: unknown option "pasword"`,
			`t.json:1:136: $.extra_config.redis.connection_pools[2]: pool name "a" is declared twice`,
			`t.json:1:170: $.extra_config.redis.clusters: Redis Cluster is not supported; use a single primary (connection_pools), e.g. an ElastiCache replication group's primary endpoint`,
		}},
		{name: "shared_store", json: revokerService(`"redis": {"connection_pools": [{"name": "a", "address": "h:1"}]},
  "tributary": {"shared_store": {"connection_pool": "b", "timeout": "10s"}}`), want: []string{
			`t.json:2:69: $.extra_config.tributary.shared_store.timeout: timeout "10s" is above the 5s maximum; every request waits up to this long per Redis command`,
		}},
		{name: "unknown_pool", json: revokerService(`"redis": {"connection_pools": [{"name": "a", "address": "h:1"}]},
  "tributary": {"shared_store": {"connection_pool": "b", "rate_limit_failure": "closed", "timout": "1s"}}`), want: []string{
			`t.json:2:80: $.extra_config.tributary.shared_store.rate_limit_failure: unknown policy "closed"; use "fail_open" or "fail_closed"`,
			`t.json:2:90: $.extra_config.tributary.shared_store.timout: unknown option "timout"; did you mean "timeout"?`,
		}},
		{name: "no_pool", json: revokerService(`"tributary": {"shared_store": {"connection_pool": "b"}}`), want: []string{
			`t.json:1:63: $.extra_config.tributary.shared_store.connection_pool: no Redis connection pool named "b"; declare it in the service "redis" namespace, under connection_pools`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { checkBroken(t, tc) })
	}
}

func TestRedisRateLimitNamespaceHint(t *testing.T) {
	checkBroken(t, brokenCase{json: `{"version": 3, "endpoints": [{"endpoint": "/s", "backend": [{"host": ["http://h"], "url_pattern": "/x"}],
  "extra_config": {"qos/ratelimit/router/redis": {"connection_name": "state", "max_rate": 10}}}]}`, want: []string{
		`t.json:2:20: $.endpoints[0].extra_config["qos/ratelimit/router/redis"]: namespace "qos/ratelimit/router/redis" not supported (KrakenD Enterprise feature); use "qos/ratelimit/router" with tributary.shared_store: its buckets then live in Redis, shared by every instance`,
	}})
}
