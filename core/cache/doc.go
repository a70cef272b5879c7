// Package cache is the qos/http-cache backend cache: a shared HTTP cache
// (RFC 9111 storage and freshness rules, no heuristics, no revalidation)
// of backend responses, bounded by entries and bytes, that makes one
// backend call for concurrent misses of one key.
//
// Stage adapts it to the executor's backend stages (core/stage). The
// entries live behind Storage; LRU is the in-process one. The storage
// seam is narrower than stage.Store on purpose: an LRU bounded in bytes
// and a hit path that allocates nothing need the entries as values, not
// as encoded bytes with a TTL. A fleet-wide storage implements Storage
// (encoding entries as it sees fit) without the stage changing.
package cache
