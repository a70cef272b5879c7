// Package httpsyntax holds the rules of HTTP request syntax that every
// transport applies alike. It imports only the standard library, so both
// adapters can share it without importing each other or the core.
package httpsyntax

// MaxHeaderFields caps the number of header fields in one request
// (security.md §3). Every field line counts, Host included, and a name
// sent several times counts once per value. Over the cap the answer is
// 431 headers_too_large, "more than 128 header fields", on every
// transport.
const MaxHeaderFields = 128
