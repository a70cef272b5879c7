package auth

import (
	"crypto/sha256"
	"math"
	"sync"
	"time"
)

// CacheOptions configure the verified-token cache.
type CacheOptions struct {
	// MaxEntries bounds the cache. Default 10000.
	MaxEntries int
	// TTL is the longest a verified token is reused, never past its exp.
	// Default 1m.
	TTL time.Duration
}

// tokenCache keeps the claims of tokens whose signature was verified,
// keyed by the SHA-256 of the whole token, until min(exp, TTL). An entry
// is valid only for the key set generation it was verified with, so a
// JWKS refresh or key rotation drops every entry.
type tokenCache struct {
	max int
	ttl time.Duration

	mu      sync.Mutex
	entries map[[sha256.Size]byte]cached
}

type cached struct {
	claims map[string]any
	until  time.Time
	gen    uint64
}

func newTokenCache(o CacheOptions) *tokenCache {
	if o.MaxEntries <= 0 {
		o.MaxEntries = 10000
	}
	if o.TTL <= 0 {
		o.TTL = time.Minute
	}
	return &tokenCache{max: o.MaxEntries, ttl: o.TTL, entries: make(map[[sha256.Size]byte]cached)}
}

// get returns the cached claims of token when the entry is still valid.
func (c *tokenCache) get(token string, now time.Time, gen uint64) (map[string]any, bool) {
	k := sha256.Sum256([]byte(token))
	c.mu.Lock()
	e, ok := c.entries[k]
	if ok && (e.gen != gen || !now.Before(e.until)) {
		delete(c.entries, k)
		ok = false
	}
	c.mu.Unlock()
	return e.claims, ok
}

// put stores verified claims until min(exp, now+TTL).
func (c *tokenCache) put(token string, claims map[string]any, now time.Time, exp float64, gen uint64) {
	until := now.Add(c.ttl)
	if exp < unixSeconds(until) {
		sec := math.Floor(exp)
		until = time.Unix(int64(sec), int64((exp-sec)*1e9))
	}
	if !now.Before(until) {
		return
	}
	k := sha256.Sum256([]byte(token))
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		c.evict(now)
	}
	c.entries[k] = cached{claims: claims, until: until, gen: gen}
}

// evict drops expired entries, or, when none has expired, about a tenth of
// the cache (map order: arbitrary entries).
func (c *tokenCache) evict(now time.Time) {
	n := 0
	for k, e := range c.entries {
		if !now.Before(e.until) {
			delete(c.entries, k)
			n++
		}
	}
	if n > 0 {
		return
	}
	drop := max(1, c.max/10)
	for k := range c.entries {
		delete(c.entries, k)
		if drop--; drop == 0 {
			return
		}
	}
}

// Len reports the number of cached tokens (tests).
func (c *tokenCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
