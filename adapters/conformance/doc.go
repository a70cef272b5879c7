// Package conformance holds the golden cases run against every transport:
// one config, a set of canned backends on loopback and one client request
// per case, with the exact response the spec (krakend-compat.md,
// security.md) says the gateway must give. The package has no code outside
// its tests; it is the one package allowed to import several adapters.
//
// # Layout
//
//	testdata/cases/<area>/<name>.json   one golden case each
//	testdata/broken/<name>.json         a config the loader must refuse
//	testdata/broken/<name>.err          the exact diagnostics for it, one per
//	                                    line, as `tributary check` prints them
//	                                    (the file name is "<name>.json")
//
// Every case runs through every transport (today: the HTTP runner, a real
// loopback server built by httpadapter.NewServer and a real client; the
// fasthttp runner, the same client in front of fasthttpadapter.NewServer,
// which takes every case the HTTP runner takes and also compares its
// answer with the HTTP runner's, byte for byte but Date and fresh request
// ids). A
// runner is transport-neutral: it gets the gateway's http.Handler and the
// loaded config, and turns a case's request into the status, headers and
// body a client of that transport receives. The canned backends, the
// config, the expectations and the invariant checks are shared. Every
// gateway under test is built the same way (config.Load, plan.Compile,
// exec.New, httpadapter.New with a fixed clock and version "conformance"),
// and a runner presents the client as 127.0.0.1 (the peer address, or the
// event's source IP), so expectations such as X-Forwarded-For: 127.0.0.1
// hold on every transport.
//
// Run the suite with `go test ./adapters/conformance/`; rewrite the .err
// files after a deliberate change of wording with
// `go test ./adapters/conformance/ -run TestBrokenConfigs -args -update-broken`
// and review the diff.
//
// # Case format
//
// A case file is one JSON object; unknown fields are an error.
//
//	{
//	  "doc": "what this proves, with the spec section (§12.1)",
//	  "transports": ["http"],
//	  "backends": {
//	    "users": {
//	      "refuse": false,
//	      "routes": {
//	        "GET /users/42": {
//	          "status": 200,
//	          "headers": {"Content-Type": "application/json", "Set-Cookie": ["a=1", "b=2"]},
//	          "body": {"any": "json"},
//	          "raw_body": "text", "raw_body_b64": "…",
//	          "gzip": false, "delay_ms": 0, "repeat_body_bytes": 0,
//	          "raw_response": "HTTP/1.1 200 OK\r\n…"
//	        }
//	      }
//	    }
//	  },
//	  "config": {"version": 3, "endpoints": [{"backend": [{"host": ["{{users}}"]}]}]},
//	  "request": {"method": "GET", "path": "/frontpage/42?locale=es",
//	              "raw_request_target": "/frontpage/..", "headers": {"Authorization": ["Bearer x"]},
//	              "body": "…", "body_b64": "…", "repeat_body_bytes": 0, "chunked": false},
//	  "expect": {
//	    "status": 200,
//	    "headers": {"X-Tributary-Completed": "true", "Cache-Control": null},
//	    "body": {"…": "…"}, "raw_body": "…", "raw_body_b64": "…",
//	    "body_error": "bad_gateway", "body_contains": ["…"], "gunzip_body": false,
//	    "backend_calls": {"users": 1, "users GET /users/42": 1},
//	    "backend_saw": {"users": {"method": "GET", "path": "/v1/users/a%20b", "query": "src=gw&lang=en",
//	                              "headers": {"X-Forwarded-For": "127.0.0.1", "Cookie": null},
//	                              "body": "…", "content_length": 0}},
//	    "max_latency_ms": 600
//	  }
//	}
//
// Top level:
//
//   - doc (required): what the case proves, naming the spec section.
//   - transports: the runners the case applies to (default: all). A case
//     that needs a raw TCP request target lists only "http".
//   - backends: canned backends by name. Each runs on its own loopback
//     server and records every request it receives.
//   - config (required): a KrakenD v3 config. The string "{{name}}"
//     anywhere in it stands for the base URL of the backend called name
//     ("http://127.0.0.1:port"). It is loaded with config.Load and compiled
//     with plan.Compile, exactly as `tributary run` does.
//   - request (required) and expect (required): below.
//
// A backend:
//
//   - routes: canned responses keyed by "METHOD /raw/path" (the path as the
//     backend receives it, percent-encoding kept, without the query), or
//     by "*" for every request no other route matches. A request that
//     matches nothing gets 404 {"harness":"no route"} and is still recorded.
//   - refuse: the backend's address refuses connections (a port that was
//     listened on and closed); routes are then ignored.
//
// A canned response:
//
//   - status: the status code (default 200).
//   - headers: header values, a string or a list of strings (repeated
//     header lines, e.g. Set-Cookie). "{{name}}" in a value is replaced by
//     that backend's base URL (for Location).
//   - body: a JSON value sent exactly as written in the case file, key
//     order, number literals and whitespace included; or raw_body: the
//     bytes of a string ("{{name}}" substituted); or raw_body_b64: bytes
//     given in standard base64. At most one of the three; none sends an
//     empty body.
//   - gzip: compress the body with gzip and send Content-Encoding: gzip.
//     Bodies are built once, when the backends start, never on the
//     request path.
//     Without it, a Content-Encoding in headers is sent over plain bytes
//     (a bad gzip stream).
//   - delay_ms: wait this long before the status line. The wait ends early
//     when the gateway gives up on the request, so a long delay is a
//     backend that hangs.
//   - repeat_body_bytes: when positive, the body bytes are repeated until
//     exactly this many bytes are sent (before gzip), for oversize bodies
//     and gzip bombs.
//   - raw_response: bytes written verbatim on the hijacked connection,
//     which is then closed (broken framing); the other fields are ignored
//     except delay_ms.
//
// The request:
//
//   - method: the request method (default GET).
//   - path: the request target in origin form, path and query, sent by a
//     real net/http client. It must survive net/url parsing unchanged; a
//     target that would not (a raw "\", "%zz", a bare "%") goes in
//     raw_request_target instead.
//   - raw_request_target: a request target written verbatim on a raw TCP
//     connection (HTTP transport only; list "transports": ["http"]).
//     Exactly one of path and raw_request_target is set.
//   - headers: header lines to send, a string or a list per name. "Host"
//     sets the request's Host.
//   - body, body_b64: the request body as text or base64; with
//     repeat_body_bytes it is repeated until exactly that many bytes are
//     sent. With chunked the body is sent with Transfer-Encoding: chunked
//     instead of a Content-Length.
//
// The expectation (every field optional except status):
//
//   - status: the exact status code.
//   - headers: for each name, the exact list of values (a string is a
//     one-value list); null means the header must be absent. Headers not
//     named are not checked.
//   - body: the body must equal, byte for byte, the compact encoding of
//     this JSON value as written (key order, number literals and string
//     escapes kept): write it the way the spec says the gateway emits it.
//     raw_body / raw_body_b64: the exact body bytes. body_error: the body
//     is a gateway error document {"error": <this>, "message": <string>}
//     with Content-Type application/json; charset=utf-8. body_contains:
//     substrings the body must contain. gunzip_body: the body is gzip and
//     is decompressed before it is compared.
//   - backend_calls: request counts by backend name ("users") or by backend
//     and route key ("users GET /users/42"). When present, every backend it
//     does not name must have received no request at all.
//   - backend_saw: keyed like backend_calls; every request recorded under
//     the key must match, and at least one must exist. method, path (raw,
//     without the query), query (raw) and body are exact; content_length
//     is the Content-Length the backend received; headers work as in
//     expect.headers (null = absent).
//   - max_latency_ms: an upper bound on the time the response took.
//
// # Invariants
//
// Besides its own expectation, every response is checked against
// security.md §7 and a few rules that hold for every case:
//
//   - Content-Length is present and equals the body length; no
//     Transfer-Encoding is used; a HEAD answer has no body.
//   - A 200 with a JSON content type is valid JSON (except no-op
//     passthrough of a backend's own bytes); gateway error bodies are
//     valid JSON.
//   - X-Tributary-Completed is "true" or "false", "true" only on a 200, and
//     "false" on gateway errors; a response that is not complete carries
//     no Cache-Control (no-op passthrough excepted: the backend's own
//     header passes through, §13).
//   - Gateway rejections (a 4xx whose error code is invalid_path,
//     invalid_query, not_found, method_not_allowed, payload_too_large,
//     uri_too_long, headers_too_large, bad_request or
//     ambiguous_credentials) contacted no backend.
//   - The latency stays under the largest endpoint timeout plus 250 ms.
//   - The gateway logged no panic.
//   - No KrakenD banner (X-KrakenD, X-KrakenD-Completed) is sent [T1].
//   - Every request a backend received carried that backend's own Host
//     (security.md §2 rule 1) and its whole body with an exact
//     Content-Length, never chunked ([H15]).
package conformance
