// Package stage is the seam every request-pipeline feature plugs into.
//
// A feature configured in a KrakenD file — CORS, security headers, bot
// detection, JWT validation, revocation, rate limits, JSON Schema or CEL
// validation, Lua, martian modifiers at the endpoint; rate limits, circuit
// breakers, the HTTP cache, concurrent and shadow calls, client
// credentials, signing at the backend — is compiled by core/plan into a
// small value with one method, and core/exec runs those values in the
// documented order in one visible loop, the same for every transport:
//
//	service   Edge stages     before routing              §8 stages 3–4: security/cors preflight,
//	                                                      security/http, service bot-detector
//	endpoint  Endpoint stages after the route, the path   §8 stages 7–9: auth/validator and
//	                          params, the query and the   auth/revoker, qos/ratelimit/router
//	                          body are validated          (client bucket, then endpoint),
//	                                                      validation/json-schema and /cel;
//	                                                      endpoint bot-detector, lua-endpoint
//	backend   Backend stages  before each backend call    §9 request side, in this order:
//	                                                      qos/http-cache lookup,
//	                                                      qos/ratelimit/proxy, qos/circuit-breaker,
//	                                                      auth/client-credentials, martian
//
// Within a level, core/plan orders the stages as krakend-compat.md §8 and
// §9 give; the executor never sorts or looks inside them. A stage that ends
// a request returns a *Reply (401, 403, 429, a preflight answer …); a
// backend stage that fails a call returns an error, which makes that
// backend failed for the merge and the status rules, exactly like a
// transport error. Headers a stage puts in Exchange.Respond are added to
// whatever answer the request gets, errors and 404s included (CORS,
// security headers).
//
// Stages that keep state (token buckets, breaker counts, cache entries,
// revocations) keep it in a Store. NewMemory is the in-process default; a
// shared store (Redis) makes the same stages fleet-wide without the
// executor knowing.
//
// A feature's logic lives in the core leaf for its concern (core/auth,
// core/qos, …) with its own types; the stage value that adapts it to this
// package is compiled in core/plan. This package imports only the standard
// library.
package stage
