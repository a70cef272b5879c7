// Package auth validates JSON Web Tokens for the auth/validator namespace.
//
// A Validator is a stage.Endpoint: it extracts the bearer token (header or
// cookie), refuses anything over MaxTokenBytes or not in compact JWS form
// before parsing, checks the header (the algorithm must be the configured
// one, a kid is required, crit extensions are refused, jku/x5u/jwk/x5c are
// never used), looks the kid up in a KeySet, checks that the key type fits
// the algorithm, verifies the signature with go-jose (which is given the
// one allowed algorithm), then checks exp (required), nbf, iat, iss, aud,
// roles and scopes. Verified claims keep their numbers' exact digits.
//
// A KeySet fetches a JWKS on first use (never at start-up), over a client
// with a timeout, a size cap and no redirects, caches it for its TTL,
// refreshes it once per cool-down for unknown kids, keeps the last good
// keys for StaleFor when a refresh fails, and lets one fetch run at a
// time. It is shared by every validator naming the same URL.
//
// This package imports the standard library, go-jose, core/stage and
// internal packages only.
package auth
