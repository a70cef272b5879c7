package plan

import (
	"fmt"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/cache"
	"github.com/tributary-gw/tributary/core/stage"
)

// httpCacheStage compiles b's qos/http-cache; nil when it is not
// configured. A private cache gets a store of its own; every backend with
// shared: true uses the one shared store, whose bound is the max_items and
// max_size those backends give (they must agree) or the default.
func (c *compiler) httpCacheStage(e *config.Endpoint, b *config.Backend) (stage.Backend, error) {
	hc := b.HTTPCache
	if hc == nil {
		return nil, nil
	}
	// The live response of a no-op endpoint keeps its content coding;
	// every other backend gets it decoded, within its size cap.
	o := cache.StageOptions{MaxBody: b.MaxResponseBytes, KeepEncoding: e.OutputEncoding == config.OutputNoOp}
	if !hc.Shared {
		return cache.NewStage(c.newHTTPCache(backendName(e, b), hc.MaxItems, int(hc.MaxSize)), o), nil
	}
	v, err := c.memo("httpcache:shared", func() (any, error) {
		items, size, err := sharedCacheBound(c.cfg)
		if err != nil {
			return nil, err
		}
		return c.newHTTPCache("shared", items, size), nil
	})
	if err != nil {
		return nil, err
	}
	return cache.NewStage(v.(*cache.Store), o), nil
}

// sharedCacheBound is the bound of the shared store: the max_items and
// max_size of the shared caches that give them, which must all agree;
// 0, 0 (the defaults) when none does.
func sharedCacheBound(cfg *config.Config) (items, size int, err error) {
	var from string
	for _, e := range cfg.Endpoints {
		for _, b := range e.Backends {
			hc := b.HTTPCache
			if hc == nil || !hc.Shared || hc.MaxItems == 0 {
				continue
			}
			at := b.JSONPath
			if from == "" {
				items, size, from = hc.MaxItems, int(hc.MaxSize), at
				continue
			}
			if hc.MaxItems != items || int(hc.MaxSize) != size {
				return 0, 0, fmt.Errorf("the shared cache has one bound, but %s gives max_items %d, max_size %d and %s gives max_items %d, max_size %d",
					from, items, size, at, hc.MaxItems, hc.MaxSize)
			}
		}
	}
	return items, size, nil
}
