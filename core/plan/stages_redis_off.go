//go:build tributary_noredis

package plan

import (
	"errors"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/cache"
	"github.com/tributary-gw/tributary/core/revoke"
	"github.com/tributary-gw/tributary/core/stage"
)

// The shared-store builders of a binary built with the tributary_noredis
// tag, which leaves the Redis client (go-redis) out: a config with
// tributary.shared_store is refused at load, never served with its state
// kept per process instead.

var errNoRedis = errors.New("this binary was built without Redis support (build tag tributary_noredis, which the Lambda builds add unless `tributary sam generate -c CONFIG -o template.yaml` found tributary.shared_store in CONFIG); regenerate the template from this config, or build with FUNCTION_TAGS set without tributary_noredis")

// checkSharedStore refuses a config that keeps its state in Redis.
func (c *compiler) checkSharedStore() error {
	if r := c.cfg.Redis; r != nil && r.Shared != nil {
		return errNoRedis
	}
	return nil
}

// rateLimitStore keeps the rate-limit buckets in the process.
func (c *compiler) rateLimitStore() stage.Store {
	return stage.NewMemory(stage.MemoryOptions{})
}

// newRevocationList is the per-process Bloom filter r describes.
func (c *compiler) newRevocationList(r *config.Revoker) (revoke.List, error) {
	return revoke.NewBloom(revoke.Options{N: r.N, P: r.P, TTL: r.TTL})
}

// newHTTPCache is a bounded in-process LRU.
func (c *compiler) newHTTPCache(_ string, items, size int) *cache.Store {
	return cache.NewStore(cache.Options{MaxItems: items, MaxSize: size})
}
