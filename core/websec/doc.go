// Package websec holds the browser-facing protections of the gateway:
// CORS (security/cors), security response headers with the host
// allow-list and the HTTPS redirect (security/http), and the User-Agent
// bot detector (security/bot-detector).
//
// Each feature is compiled once from plain options into an immutable value
// that implements stage.Endpoint; core/plan wires them into the pipeline.
// Matching work that can be done at compile time is: origin patterns are
// split into a prefix and a suffix, header and method lists are
// normalised, regular expressions are compiled once. Per request the
// stages allocate nothing beyond the response headers they add, and they
// never read or keep the request body.
//
// The package imports only the standard library, core/stage and
// internal/httpsyntax.
package websec
