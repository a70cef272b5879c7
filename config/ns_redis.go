package config

import (
	"math"
	"net"
	"os"
	"strconv"
	"time"
)

// Bounds and defaults of the shared store.
const (
	// DefaultSharedStoreTimeout bounds one Redis command by default.
	DefaultSharedStoreTimeout = 50 * time.Millisecond
	// MaxSharedStoreTimeout is the longest accepted timeout: a request
	// waits at most this long per Redis command.
	MaxSharedStoreTimeout = 5 * time.Second
	// DefaultCacheMaxEntryBytes bounds one HTTP cache entry in Redis.
	DefaultCacheMaxEntryBytes = 1 << 20
	// MaxCacheMaxEntryBytes is the largest accepted entry bound.
	MaxCacheMaxEntryBytes = 64 << 20
)

// Redis is the service "redis" namespace (named connection pools, in
// KrakenD Enterprise's syntax) together with tributary.shared_store,
// which selects the pool that keeps the gateway's shared state.
type Redis struct {
	// JSONPath locates the "redis" namespace ("" when only shared_store
	// was given).
	JSONPath string
	// Pos is the position of the namespace value.
	Pos Position
	// Pools are the declared connection pools (connection_pools), in
	// file order.
	Pools []RedisPool
	// Shared is tributary.shared_store; nil when the gateway keeps its
	// state in process. When set, Shared.Pool is resolved.
	Shared *SharedStore
}

// RedisPool is one entry of redis.connection_pools.
type RedisPool struct {
	// JSONPath locates the entry.
	JSONPath string
	// Pos is the position of the entry.
	Pos Position
	// Name identifies the pool (name). Required, unique.
	Name string
	// Address is the server's host:port (address). Required.
	Address string
	// DB is the database number (db, or the older spelling database).
	// Default 0.
	DB int
	// ClientName names the connections on the server (client_name).
	// Default "".
	ClientName string
}

// SharedStore is tributary.shared_store: the gateway's stateful stages
// (rate limits, HTTP cache, revocations) keep their state in a Redis pool
// instead of the process, so that limits hold across a fleet.
type SharedStore struct {
	// JSONPath locates the option.
	JSONPath string
	// Pos is the position of the option value.
	Pos Position
	// PoolName is the connection pool used (connection_pool); it may be
	// omitted when exactly one pool is declared.
	PoolName string
	// Pool is the resolved pool.
	Pool *RedisPool
	// Timeout bounds every Redis command (timeout). Default 50ms, at
	// most 5s.
	Timeout time.Duration
	// RateLimitFailClosed makes rate limits refuse requests while Redis
	// cannot answer (rate_limit_failure: "fail_closed"). Default
	// "fail_open": they admit.
	RateLimitFailClosed bool
	// HTTPCache keeps qos/http-cache entries in Redis (http_cache).
	// Default true.
	HTTPCache bool
	// Revocations keeps the auth/revoker list in Redis (revoker), exact
	// and fleet-wide. Default true.
	Revocations bool
	// RateLimits keeps the rate-limit buckets in Redis (rate_limits).
	// Default true.
	RateLimits bool
	// KeyPrefix is put before every key (key_prefix). Default
	// "tributary:<name>:" with the root name, or "tributary:".
	KeyPrefix string
	// UsernameEnv and PasswordEnv name the environment variables holding
	// the AUTH/ACL credentials (username_env, password_env). The values
	// are read when the plan is compiled and never logged. Default: no
	// authentication.
	UsernameEnv, PasswordEnv string
	// TLS connects over TLS (tls), verifying the server against the
	// system roots. Default false.
	TLS bool
	// TLSServerName overrides the name verified (tls_server_name).
	// Default: the address's host.
	TLSServerName string
	// PoolSize caps the open connections per process (pool_size).
	// Default: the client library's, 10 per CPU.
	PoolSize int
	// CacheMaxEntryBytes is the largest HTTP cache entry stored in Redis
	// (cache_max_entry_bytes). Default 1 MiB.
	CacheMaxEntryBytes int
}

// redisKeys are the keys of redis.connection_pools entries.
var redisPoolKeys = []string{"name", "address", "db", "database", "client_name"}

// sharedStoreKeys are the keys of tributary.shared_store.
var sharedStoreKeys = []string{"connection_pool", "timeout", "rate_limit_failure", "http_cache", "revoker",
	"rate_limits", "key_prefix", "username_env", "password_env", "tls", "tls_server_name", "pool_size",
	"cache_max_entry_bytes"}

// redisNamespace decodes the service "redis" namespace.
func (l *loader) redisNamespace(c *Config, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	if c.Redis == nil {
		c.Redis = &Redis{}
	}
	c.Redis.JSONPath, c.Redis.Pos = path, v.pos
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "connection_pools":
			if mv.kind != kindArray {
				l.wrongType(mv, path, m.key, "an array of objects", "")
				continue
			}
			for i := range mv.elems {
				if p, ok := l.redisPool(&mv.elems[i], keyIndexPath(path, m.key, i)); ok {
					for _, q := range c.Redis.Pools {
						if q.Name == p.Name {
							l.errNode(&mv.elems[i], p.JSONPath, "pool name "+quoteJSON(p.Name)+" is declared twice", "")
							ok = false
						}
					}
					if ok {
						c.Redis.Pools = append(c.Redis.Pools, p)
					}
				}
			}
		case "clusters":
			l.errAt(m.pos, keyPath(path, m.key), "Redis Cluster is not supported",
				"use a single primary (connection_pools), e.g. an ElastiCache replication group's primary endpoint")
		default:
			l.strictUnknown(path, m, []string{"connection_pools", "clusters"})
		}
	}
}

// redisPool decodes one connection pool.
func (l *loader) redisPool(v *node, path string) (RedisPool, bool) {
	p := RedisPool{JSONPath: path, Pos: v.pos}
	if v.kind != kindObject {
		l.errNode(v, path, "expected an object, got "+v.kind.String(), "")
		return p, false
	}
	ok := true
	var haveName, haveAddr bool
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "name":
			haveName = true
			if s, good := l.str(mv, path, m.key); good && s != "" {
				p.Name = s
			} else {
				if good {
					l.errNode(mv, keyPath(path, m.key), "empty pool name", "")
				}
				ok = false
			}
		case "address":
			haveAddr = true
			s, good := l.str(mv, path, m.key)
			if good {
				if host, port, err := net.SplitHostPort(s); err != nil || host == "" || !validPort(port) {
					l.errNode(mv, keyPath(path, m.key), "invalid address "+quoteJSON(s), `use host:port, e.g. "my-redis.example.com:6379"`)
					good = false
				}
			}
			if good {
				p.Address = s
			} else {
				ok = false
			}
		case "db", "database":
			if n, good := l.intRange(mv, path, m.key, 0, math.MaxInt32); good {
				p.DB = int(n)
			} else {
				ok = false
			}
		case "client_name":
			if s, good := l.str(mv, path, m.key); good {
				p.ClientName = s
			} else {
				ok = false
			}
		default:
			l.strictUnknown(path, m, redisPoolKeys)
			ok = false
		}
	}
	if !haveName {
		l.errNode(v, path, `missing required key "name"`, "")
		ok = false
	}
	if !haveAddr {
		l.errNode(v, path, `missing required key "address"`, "")
		ok = false
	}
	return p, ok
}

// validPort reports a decimal port 1–65535.
func validPort(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 1 && n <= 65535
}

// sharedStore decodes tributary.shared_store.
func (l *loader) sharedStore(c *Config, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	s := &SharedStore{JSONPath: path, Pos: v.pos, Timeout: DefaultSharedStoreTimeout, HTTPCache: true,
		Revocations: true, RateLimits: true, CacheMaxEntryBytes: DefaultCacheMaxEntryBytes}
	ok := true
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "connection_pool":
			if str, good := l.str(mv, path, m.key); good {
				s.PoolName = str
			} else {
				ok = false
			}
		case "timeout":
			d, good := l.limitDuration(mv, path, m.key)
			if good && d > MaxSharedStoreTimeout {
				l.errNode(mv, keyPath(path, m.key), "timeout "+quoteJSON(mv.text)+" is above the 5s maximum",
					"every request waits up to this long per Redis command")
				good = false
			}
			if good {
				s.Timeout = d
			} else {
				ok = false
			}
		case "rate_limit_failure":
			str, good := l.str(mv, path, m.key)
			switch {
			case !good:
				ok = false
			case str == "fail_open":
			case str == "fail_closed":
				s.RateLimitFailClosed = true
			default:
				l.errNode(mv, keyPath(path, m.key), "unknown policy "+quoteJSON(str), `use "fail_open" or "fail_closed"`)
				ok = false
			}
		case "http_cache":
			ok = l.boolInto(&s.HTTPCache, mv, path, m.key) && ok
		case "revoker":
			ok = l.boolInto(&s.Revocations, mv, path, m.key) && ok
		case "rate_limits":
			ok = l.boolInto(&s.RateLimits, mv, path, m.key) && ok
		case "key_prefix":
			if str, good := l.str(mv, path, m.key); good && len(str) <= 128 {
				s.KeyPrefix = str
			} else {
				if good {
					l.errNode(mv, keyPath(path, m.key), "key_prefix is longer than 128 bytes", "")
				}
				ok = false
			}
		case "username_env", "password_env":
			str, good := l.str(mv, path, m.key)
			if good && str == "" {
				l.errNode(mv, keyPath(path, m.key), "empty variable name", "")
				good = false
			}
			if !good {
				ok = false
				continue
			}
			if m.key == "username_env" {
				s.UsernameEnv = str
			} else {
				s.PasswordEnv = str
			}
			if _, set := os.LookupEnv(str); !set {
				l.warnAt(mv.pos, keyPath(path, m.key), "environment variable "+str+" is not set",
					"the connections will not authenticate until it is")
			}
		case "tls":
			ok = l.boolInto(&s.TLS, mv, path, m.key) && ok
		case "tls_server_name":
			if str, good := l.str(mv, path, m.key); good {
				s.TLSServerName = str
			} else {
				ok = false
			}
		case "pool_size":
			if n, good := l.intRange(mv, path, m.key, 1, 10_000); good {
				s.PoolSize = int(n)
			} else {
				ok = false
			}
		case "cache_max_entry_bytes":
			if n, good := l.intRange(mv, path, m.key, 1024, MaxCacheMaxEntryBytes); good {
				s.CacheMaxEntryBytes = int(n)
			} else {
				ok = false
			}
		default:
			l.strictUnknown(path, m, sharedStoreKeys)
			ok = false
		}
	}
	if !ok {
		return
	}
	if c.Redis == nil {
		c.Redis = &Redis{}
	}
	c.Redis.Shared = s
}

// resolveRedis runs once the service namespaces are decoded: it binds
// shared_store to its pool and applies the default key prefix.
func (l *loader) resolveRedis(c *Config) {
	r := c.Redis
	if r == nil {
		return
	}
	s := r.Shared
	if s == nil {
		if len(r.Pools) > 0 {
			l.warnAt(r.Pos, r.JSONPath, "Redis connection pools are declared but nothing uses them",
				"set tributary.shared_store to keep rate limits, cache entries and revocations in Redis")
		}
		return
	}
	switch {
	case s.PoolName == "" && len(r.Pools) == 1:
		s.Pool = &r.Pools[0]
	case s.PoolName == "":
		l.errAt(s.Pos, s.JSONPath, `missing required key "connection_pool"`,
			`name one of the pools of the "redis" namespace`)
	default:
		for i := range r.Pools {
			if r.Pools[i].Name == s.PoolName {
				s.Pool = &r.Pools[i]
			}
		}
		if s.Pool == nil {
			l.errAt(s.Pos, keyPath(s.JSONPath, "connection_pool"), "no Redis connection pool named "+quoteJSON(s.PoolName),
				`declare it in the service "redis" namespace, under connection_pools`)
		}
	}
	if s.KeyPrefix == "" {
		s.KeyPrefix = "tributary:"
		if c.Name != "" {
			s.KeyPrefix += c.Name + ":"
		}
	}
}

// boolInto decodes a boolean into dst and reports whether it was one.
func (l *loader) boolInto(dst *bool, v *node, base, key string) bool {
	b, ok := l.boolean(v, base, key)
	if ok {
		*dst = b
	}
	return ok
}
