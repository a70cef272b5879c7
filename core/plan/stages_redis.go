//go:build !tributary_noredis

package plan

import (
	"crypto/tls"
	"net"
	"os"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/cache"
	"github.com/tributary-gw/tributary/core/redisstore"
	"github.com/tributary-gw/tributary/core/revoke"
	"github.com/tributary-gw/tributary/core/stage"
)

// checkSharedStore reports why this binary cannot serve the config's
// tributary.shared_store: never, as it links the Redis client (see
// stages_redis_off.go for the build without it).
func (c *compiler) checkSharedStore() error { return nil }

// sharedStore returns the Redis store of tributary.shared_store, made on
// first use (nothing is dialled until a request needs it); nil when the
// state stays in the process.
func (c *compiler) sharedStore() *redisstore.Store {
	r := c.cfg.Redis
	if r == nil || r.Shared == nil || r.Shared.Pool == nil {
		return nil
	}
	v, err := c.memo("redis:shared", func() (any, error) { return newRedisStore(r.Shared) })
	if err != nil {
		return nil // unreachable: the loader validated the address
	}
	return v.(*redisstore.Store)
}

// newRedisStore makes the store s describes. The credentials are read from
// the environment variables s names, here and nowhere else.
func newRedisStore(s *config.SharedStore) (*redisstore.Store, error) {
	o := redisstore.Options{
		Address:             s.Pool.Address,
		DB:                  s.Pool.DB,
		ClientName:          s.Pool.ClientName,
		PoolSize:            s.PoolSize,
		Timeout:             s.Timeout,
		Prefix:              s.KeyPrefix,
		RateLimitFailClosed: s.RateLimitFailClosed,
	}
	if s.UsernameEnv != "" {
		o.Username = os.Getenv(s.UsernameEnv)
	}
	if s.PasswordEnv != "" {
		o.Password = os.Getenv(s.PasswordEnv)
	}
	if s.TLS {
		name := s.TLSServerName
		if name == "" {
			name, _, _ = net.SplitHostPort(s.Pool.Address)
		}
		o.TLS = &tls.Config{MinVersion: tls.VersionTLS12, ServerName: name}
	}
	return redisstore.New(o)
}

// rateLimitStore is the store of the rate-limit buckets: Redis when the
// shared store keeps them, else the process.
func (c *compiler) rateLimitStore() stage.Store {
	if s := c.sharedStore(); s != nil && c.cfg.Redis.Shared.RateLimits {
		return s
	}
	return stage.NewMemory(stage.MemoryOptions{})
}

// newRevocationList is the auth/revoker list r describes: an exact list
// in Redis, shared by the fleet, when the shared store keeps revocations;
// else the per-process Bloom filter.
func (c *compiler) newRevocationList(r *config.Revoker) (revoke.List, error) {
	if s := c.sharedStore(); s != nil && c.cfg.Redis.Shared.Revocations {
		return revoke.NewStoreList(s, "revoke:", r.TTL)
	}
	return revoke.NewBloom(revoke.Options{N: r.N, P: r.P, TTL: r.TTL})
}

// newHTTPCache is one qos/http-cache store named name ("shared", or the
// backend's name for a private cache): its entries live in Redis when the
// shared store keeps them, else in a bounded in-process LRU.
func (c *compiler) newHTTPCache(name string, items, size int) *cache.Store {
	if s := c.sharedStore(); s != nil && c.cfg.Redis.Shared.HTTPCache {
		return cache.NewStore(cache.Options{Storage: redisstore.NewCacheStorage(s, "hc:"+name+"|", c.cfg.Redis.Shared.CacheMaxEntryBytes)})
	}
	return cache.NewStore(cache.Options{MaxItems: items, MaxSize: size})
}
