// Package httpsyntax holds the rules of HTTP syntax that every layer
// applies alike: tokens and field values (RFC 9110), the hop-by-hop header
// names, percent-encoding's hex digits and unreserved bytes, and the
// request limits every transport enforces. It imports only the standard
// library, so the config loader, the core and both adapters share it
// without importing each other.
package httpsyntax

// MaxHeaderFields caps the number of header fields in one request
// (security.md §3). Every field line counts, Host included, and a name
// sent several times counts once per value. Over the cap the answer is
// 431 headers_too_large, "more than 128 header fields", on every
// transport.
const MaxHeaderFields = 128
