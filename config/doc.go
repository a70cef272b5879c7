// Package config loads Tributary's KrakenD-compatible ("version": 3) gateway
// configuration. Together with the doc comments of [Config], [Endpoint],
// [Backend], [Router], [Logging] and [ClientTLS], this page is the config
// reference; the behavioural spec is krakend-compat.md.
//
// # Loading
//
// [Load] (and [LoadFile], which reads a file or the [Bundled] demo config)
// is the one loader used by `tributary run`, `tributary check` and Lambda
// init. Loading is strict: the JSON text is tokenised once with positions,
// decoded against the schema, validated, and every problem is reported at
// once as a [Diagnostic] of the form
//
//	file:line:col: $.json.path: problem; hint
//
// Lines and columns are 1-based; columns count bytes (a leading UTF-8 BOM
// is skipped but its bytes are counted, as Go's compiler does). Paths use
// "$", ".key", "[i]" and ["key"] for keys that are not identifiers, e.g.
// $.endpoints[3].extra_config["backend/http"].return_error_code. A problem
// without a position of its own (a missing required key, a bad environment
// override, FC_ENABLE) points at the enclosing object, 1:1 and "$" for the
// root. The error returned is an [Errors] value sorted by position. Only a
// JSON syntax error stops the checks early. At most 1000 errors are listed,
// followed by a count of the rest.
//
// The returned [Config] is fully resolved: every default is filled in and
// every value inherited from the service level has been copied down, so
// consumers never re-derive defaults. A Config is never mutated after Load
// returns. Lint warnings are in Config.Warnings, sorted by position; they
// never make Load fail (`check --lint` makes them fatal).
//
// # File format
//
//   - UTF-8 JSON holding one object. A UTF-8 BOM is skipped; UTF-16/32 and
//     invalid UTF-8 are errors. JSON has no comments: use comment keys.
//   - Comment keys, those starting with "@", "$", "_" or "#" (such as
//     "@comment" and "$schema"), are skipped on schema-defined objects.
//     In free-form maps (mapping, the router.error_body bodies) they are data.
//   - Duplicate keys are errors at every level, free-form maps included.
//   - "version" is required and must be the integer 3.
//   - Types are exact: durations are Go duration strings ("1500ms", "2s",
//     "1m"); sizes and counts are integer literals; booleans are true or
//     false, never strings. null is never accepted in place of a value.
//   - Limits (security.md §3): the file is at most 16 MiB ([MaxFileBytes]),
//     nesting at most 128 levels, at most 10 000 endpoints
//     ([MaxEndpoints]) and 64 backends per endpoint
//     ([MaxBackendsPerEndpoint]).
//
// # Errors and warnings
//
// The loading policy (krakend-compat.md §2.2) is strict where strictness
// protects the user and as lenient as KrakenD where a refusal would only
// stop a working config.
//
// Load errors, besides syntax and type errors: probable typos of a valid
// key (a case-insensitive match, or within edit distance 2, with a "did you
// mean" hint naming the closest); v2-era keys renamed in v3
// (headers_to_pass → input_headers, querystring_params →
// input_query_strings, whitelist → allow, blacklist → deny, and the option
// renames such as maxRate → max_rate); any unknown option of the tributary
// namespace; known but unsupported keys, options and namespaces ("not
// supported yet", or "not supported (KrakenD Enterprise feature)"); legacy
// namespace names KrakenD does not alias ("renamed to ..."); Go plugins
// (the root "plugin" object and plugin/* namespaces, named); unknown
// namespaces that are probable typos or start with auth/, security/ or
// qos/; auth/, security/ and qos/ namespaces at the wrong scope;
// out-of-range values; a "0s" timeout or an explicit 0 for a hardening
// limit; bad route templates, reserved paths and routes of identical shape
// (overlapping templates of different shapes load, §4.3); undefined
// url_pattern placeholders; endpoints without backends; invalid hosts;
// no-op endpoints with several backends; return_error_code together with
// return_error_details; overlapping allow entries; mapping targets that
// contain "." or repeat; trusted_proxies without forwarded_by_client_ip.
//
// Warnings (KrakenD loads these; Config.Warnings): other unknown keys
// ("ignored, as KrakenD does"); legacy namespace names in KrakenD's alias
// table, which are then decoded as the current name; documentation/*
// namespaces; other unknown namespaces; known namespaces at a scope where
// they do not apply; integers written as base-10 strings or as true/false
// (converted, then range-checked); unknown backend encodings (decoded as
// json, with a did-you-mean); encoding "no-op" under a non-no-op endpoint
// (the response is discarded) and an explicit encoding under a no-op
// endpoint (ignored), with their shaping keys ignored.
//
// # Environment
//
// Load never reads the process environment; the caller passes it. An
// existing root-level scalar key can be overridden with TRIBUTARY_<KEY> or
// KRAKEND_<KEY> (the key upper-cased; TRIBUTARY_ wins). The value is parsed
// with the type the key has in the file (string, number, or true/false) and
// is then validated like the file value; diagnostics about it name the
// variable. Keys absent from the file are not created, and "version" is
// never overridden. TRIBUTARY_CONFIG, TRIBUTARY_ENDPOINT,
// TRIBUTARY_BASE_PATH, TRIBUTARY_INTEGRATION_TIMEOUT and TRIBUTARY_STRICT
// are settings, not overrides. A bad override value is an error at the key
// it overrides. A variable that overrides nothing is a warning when it
// names a root key the file does not set, or is a probable typo of an
// override or a setting (TRIBUTARY_TIMOUT: did you mean TRIBUTARY_TIMEOUT?).
// A non-empty FC_ENABLE makes the file a Flexible Config template, rendered
// before everything else (flexible.go); binaries built with the
// tributary_nofc tag, the Lambda functions, refuse it.
//
// # Namespaces
//
// extra_config namespaces decoded into the model in this release, each
// in its own file (ns_*.go) with its type: at service scope "router",
// "telemetry/logging", "tributary", "security/cors", "security/http",
// "security/bot-detector", "auth/revoker", "auth/validator", "telemetry/metrics"
// (shared_cache_duration), "modifier/lua-endpoint", "redis"; at endpoint
// scope "proxy", "tributary", "auth/validator", "auth/signer",
// "qos/ratelimit/router", "security/bot-detector", "validation/json-schema",
// "validation/cel", the Lua namespaces; at backend scope "backend/http",
// "proxy", "tributary", "qos/ratelimit/proxy", "qos/circuit-breaker",
// "qos/http-cache", "auth/client-credentials", "modifier/martian",
// "validation/cel", "modifier/lua-backend", "backend/lambda",
// "backend/graphql". The telemetry namespaces other than logging are
// rejected as "not supported yet" at their own scope; a namespace at the
// wrong scope is ignored with a warning, except the auth/, security/ and
// qos/ ones, which are errors.
//
// The backend "timeout" (a KrakenD Enterprise key) is implemented: each
// call of that backend ends at min(call start + timeout, the endpoint's
// budget). disable_host_sanitize keeps the backend's hosts as written: no
// scheme is added, and a base path is kept in front of url_pattern (a
// trailing "/" is not supported yet).
//
// # Normalisations and lint warnings
//
// As KrakenD does, a missing leading "/" on endpoint and url_pattern is
// added, a scheme-less host gets "http://", methods are upper-cased and
// backend encodings lower-cased; each normalisation is a lint warning. The
// other warnings: allow together with deny; a group name used by two
// backends of one endpoint; return_error_code on an endpoint with several
// backends; input_headers ["*"]; allow_insecure_connections; a POST, PUT or
// PATCH endpoint whose input_headers omit Content-Type; telemetry/logging
// without stdout (logs discarded); a timeout of 29s or more.
package config
