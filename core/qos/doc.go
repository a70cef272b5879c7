// Package qos holds the traffic-control stages: the endpoint rate limit
// (qos/ratelimit/router), the backend rate limit (qos/ratelimit/proxy) and
// the circuit breaker (qos/circuit-breaker).
//
// Rate limits are token buckets kept in a stage.Store, so the same limiter
// counts per process with the in-process store and fleet-wide with a
// shared one. Keys are namespaced by the limiter kind, the endpoint
// (method and template) and, for client limits, the client key. With the
// in-process store (stage.Memory) keys are built in a stack buffer and a
// check does not allocate.
//
// The circuit breaker keeps its state in the process: it answers "is this
// backend healthy from here?", needs an atomic read-modify-write on every
// call, and its probe slot belongs to one call in flight. It counts only
// the backend's own faults (5xx, timeouts, connection errors, undecodable
// or oversize bodies); 1xx/3xx/4xx responses, calls the client abandoned
// and calls a local stage stopped (a rate limit) are not counted.
//
// The package imports only the standard library and core/stage.
package qos
