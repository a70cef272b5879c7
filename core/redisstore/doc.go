// Package redisstore keeps the gateway's shared state in Redis, so that
// rate limits, HTTP cache entries and token revocations hold across a
// fleet (several server instances, or every execution environment of a
// Lambda function) instead of per process.
//
// Store implements stage.Store: a token bucket is one key checked and
// updated by one Lua script (GCRA, with Redis's own clock, so the hosts'
// clocks do not matter), one round trip per check. CacheStorage adapts a
// Store to the HTTP cache's storage seam.
//
// Nothing is dialled when a Store is made: the first command connects.
// Every command runs under a short deadline (Options.Timeout). When Redis
// is slow or down the store does not hang and does not panic: a local
// circuit breaker stops calling it for a moment after a run of failures,
// a warning is logged at most once per LogEvery, and each kind of state
// applies its failure policy: rate limits admit (fail open, the default)
// or refuse (Options.RateLimitFailClosed); cache lookups miss and cache
// writes are dropped; Get, Set and Delete return the error, so the
// revocation check, which fails closed, refuses the token.
package redisstore
