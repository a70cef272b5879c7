package config

import "math"

// Bounds of the qos/http-cache options.
const (
	// MinHTTPCacheSize is the smallest max_size accepted, in bytes.
	MinHTTPCacheSize = 1024
	// MaxHTTPCacheSize is the largest max_size accepted, in bytes (1 TiB).
	MaxHTTPCacheSize = 1 << 40
)

// HTTPCache is the "qos/http-cache" namespace (§17.7): a cache of this
// backend's GET and HEAD responses, bounded by entries and bytes.
type HTTPCache struct {
	// Shared puts the entries in the one store every backend with
	// shared: true uses, under one bound. Default false: a store of this
	// backend's own.
	Shared bool
	// MaxItems bounds the entries of the store (≥ 1). 0 (absent) means
	// the default, 1000. Given together with MaxSize.
	MaxItems int
	// MaxSize bounds the bytes of the store (≥ 1024). 0 (absent) means
	// the default, 16 MiB. Given together with MaxItems.
	MaxSize int64
}

// httpCache decodes "qos/http-cache".
func (l *loader) httpCache(b *Backend, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	hc := &HTTPCache{}
	var items, size *member
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "shared":
			l.setBool(&hc.Shared, mv, path, m.key)
		case "max_items":
			items = m
			if n, ok := l.intRange(mv, path, m.key, 1, math.MaxInt32); ok {
				hc.MaxItems = int(n)
			}
		case "max_size":
			size = m
			if n, ok := l.intRange(mv, path, m.key, MinHTTPCacheSize, MaxHTTPCacheSize); ok {
				hc.MaxSize = n
			}
		default:
			l.unknownKey(objHTTPCache, path, m)
		}
	}
	switch {
	case items != nil && size == nil:
		l.errAt(items.pos, keyPath(path, items.key), "max_items without max_size", `give both, e.g. "max_items": 1000, "max_size": 16777216`)
	case size != nil && items == nil:
		l.errAt(size.pos, keyPath(path, size.key), "max_size without max_items", `give both, e.g. "max_items": 1000, "max_size": 16777216`)
	}
	b.HTTPCache = hc
}
