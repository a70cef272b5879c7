// Package backend is the only package that talks to backends over HTTP.
//
// A [Client] wraps one tuned [net/http.Transport] shared by every backend of a
// gateway (security.md §2 rule 7). Plain http:// calls take a lean HTTP/1.1
// fast path with its own keep-alive pool and a strict RFC 9112 response
// parser (see fastTransport); https and the rare cases it does not cover
// go through the transport. [Client.Do] performs one outbound call
// bounded by the caller's context (the backend budget, krakend-compat.md §15),
// reads the whole response body under a size cap counted after
// decompression (§9 step 2), refuses content codings other than gzip and
// identity, and follows redirects only when the backend opts in (§17.16).
//
// Every error returned by Do names the call ("GET http://h/x: …") and wraps
// its cause, so callers classify it with [errors.Is] against the sentinel
// errors of this package and with [IsTimeout].
package backend
