package config

import "strings"

// Keys of the schema-defined objects, for unknown-key diagnostics. Every
// object walker decodes its valid keys in a switch and hands any other
// non-comment key to unknownKey, which says whether the key was renamed,
// is not supported, belongs to another scope, or is simply unknown (with a
// "did you mean" hint).

// objKind names a schema-defined object.
type objKind uint8

const (
	objService objKind = iota
	objEndpoint
	objBackend
	objClientTLS
	objClientCert
	objServerTLS
	objRouter
	objLogging
	objProxyEndpoint
	objProxyBackend
	objBackendHTTP
	objTributaryService
	objTributaryEndpoint
	objTributaryBackend
	objSigner
	objClientCredentials
	objRevoker
	objRevokeAdmin
	objValidator
	objValidatorService
	objJWTCache
	objRateLimitRouter
	objRateLimitProxy
	objCircuitBreaker
	objHTTPCache
	objLua
	objLambda
	objGraphQL
	objProxyStatic
	objFlatmapOp
	objMetrics
	objRequestID
	objAccessLog
	objGELF
	objLogstash
	objInflux
	objLambdaMetrics
	objOTel
	objOTelExporters
	objOTLP
	objPrometheus
	objOTelLayers
	objOTelLayer
	objOTelBackend
	objOTelStage
	objOpenCensus
	objOpenCensusLayers
	objOpenCensusExporters
	objOCAgent
	objJaeger
)

// keyNote is a key with an optional hint.
type keyNote struct {
	key  string
	hint string
}

// objSchema lists an object's keys by status.
type objSchema struct {
	// valid are the keys the walker accepts (the did-you-mean candidates).
	valid []string
	// renamed are v2-era keys and the v3 name each became.
	renamed [][2]string
	// gap are known KrakenD CE keys Tributary does not implement yet.
	gap []keyNote
	// enterprise are KrakenD Enterprise-only keys.
	enterprise []keyNote
}

// schemaOf returns the key table of an object kind. It is only called on
// the error path, so building the slices each time costs nothing that
// matters.
func schemaOf(k objKind) objSchema {
	switch k {
	case objService:
		return objSchema{
			valid: []string{"version", "name", "port", "listen_ip", "endpoints", "host", "timeout", "cache_ttl",
				"output_encoding", "extra_config", "debug_endpoint", "echo_endpoint", "client_tls",
				"allow_insecure_connections", "read_header_timeout", "read_timeout", "write_timeout",
				"idle_timeout", "max_header_bytes", "max_shutdown_wait_time", "disable_keep_alives",
				"disable_compression", "max_idle_connections", "max_idle_connections_per_host",
				"idle_connection_timeout", "response_header_timeout", "expect_continue_timeout",
				"dialer_timeout", "dialer_fallback_delay", "dialer_keep_alive", "tls", "disable_rest",
				"sequential_start", "use_h2c", "plugin"},
			gap: []keyNote{
				{"async_agent", ""},
				{"dns_cache_ttl", ""},
			},
		}
	case objEndpoint:
		return objSchema{
			valid: []string{"endpoint", "method", "backend", "timeout", "cache_ttl", "concurrent_calls",
				"input_headers", "input_query_strings", "output_encoding", "extra_config"},
			renamed: [][2]string{{"headers_to_pass", "input_headers"}, {"querystring_params", "input_query_strings"}},
		}
	case objBackend:
		return objSchema{
			valid: []string{"url_pattern", "host", "method", "encoding", "is_collection", "target", "allow",
				"deny", "mapping", "group", "input_headers", "input_query_strings", "sd", "sd_scheme",
				"disable_host_sanitize", "extra_config", "timeout"},
			renamed: [][2]string{{"whitelist", "allow"}, {"blacklist", "deny"},
				{"headers_to_pass", "input_headers"}, {"querystring_params", "input_query_strings"}},
		}
	case objClientTLS:
		return objSchema{
			valid: []string{"allow_insecure_connections", "ca_certs", "disable_system_ca_pool",
				"min_version", "max_version", "client_certs"},
			gap: []keyNote{{"cipher_suites", ""}, {"curve_preferences", ""}, {"prefer_server_cipher_suites", ""}},
		}
	case objClientCert:
		return objSchema{valid: []string{"certificate", "private_key"}}
	case objServerTLS:
		return objSchema{valid: []string{"disabled"}}
	case objRouter:
		return objSchema{
			valid: []string{"return_error_msg", "disable_health", "health_path", "disable_access_log",
				"logger_skip_paths", "auto_options", "disable_redirect_trailing_slash",
				"disable_redirect_fixed_path", "disable_handle_method_not_allowed", "forwarded_by_client_ip",
				"trusted_proxies", "remote_ip_headers", "disable_path_decoding", "hide_version_header",
				"error_body", "max_multipart_memory", "remove_extra_slash", "app_engine", "use_h2c"},
			enterprise: []keyNote{
				{"max_payload", `for a body cap use "tributary": {"max_request_body_bytes": N}`},
				{"decompress_gzip", ""},
				{"disable_gzip", ""},
			},
		}
	case objLogging:
		return objSchema{
			valid: []string{"level", "prefix", "stdout", "format", "syslog", "syslog_facility"},
			gap:   []keyNote{{"custom_format", ""}},
		}
	case objProxyEndpoint:
		return objSchema{
			valid: []string{"sequential", "force_sandboxed_request", "static", "flatmap_filter",
				"sequential_propagated_params"},
			gap: []keyNote{{"combiner", "it needs a custom KrakenD build"}},
		}
	case objProxyBackend:
		return objSchema{
			valid: []string{"shadow", "shadow_timeout", "flatmap_filter"},
		}
	case objProxyStatic:
		return objSchema{valid: []string{"strategy", "data"}}
	case objFlatmapOp:
		return objSchema{valid: []string{"type", "args"}}
	case objMetrics:
		return objSchema{valid: []string{"collection_time", "listen_address", "proxy_disabled", "router_disabled",
			"backend_disabled", "endpoint_disabled"}}
	case objOTel, objOTelExporters, objOTLP, objPrometheus, objOTelLayers, objOTelLayer, objOTelBackend,
		objOTelStage, objOpenCensus, objOpenCensusLayers, objOpenCensusExporters, objOCAgent, objJaeger:
		return otelSchema(k)
	case objLambdaMetrics:
		return objSchema{valid: []string{"namespace", "dimensions", "backends"}}
	case objGELF:
		return objSchema{valid: []string{"address", "enable_tcp"}}
	case objLogstash:
		return objSchema{valid: []string{"enabled"}}
	case objInflux:
		return objSchema{valid: []string{"address", "ttl", "buffer_size", "db", "username", "password"}}
	case objBackendHTTP:
		return objSchema{valid: []string{"return_error_code", "return_error_details"}}
	case objTributaryService:
		return objSchema{valid: []string{"max_request_body_bytes", "max_backend_response_bytes", "version_header",
			"revoke_admin", "shared_store", "catch_all_routes", "request_id", "access_log", "lambda_metrics", "trusted_trace_sources", "server"}}
	case objRequestID:
		return objSchema{valid: []string{"header", "trust_client", "echo", "forward"}}
	case objAccessLog:
		return objSchema{valid: []string{"query_values", "redact_query"}}
	case objTributaryEndpoint:
		return objSchema{valid: []string{"max_request_body_bytes", "jwt_cache", "jwt_authorizer_claims", "merge"}}
	case objValidator, objValidatorService, objJWTCache:
		return validatorSchema(k)
	case objRateLimitRouter:
		return objSchema{valid: []string{"max_rate", "capacity", "client_max_rate", "client_capacity", "every",
			"strategy", "key", "num_shards", "cleanup_period", "cleanup_threads"}}
	case objRateLimitProxy:
		return objSchema{valid: []string{"max_rate", "capacity", "every"}}
	case objCircuitBreaker:
		return objSchema{valid: []string{"interval", "timeout", "max_errors", "name", "log_status_change"}}
	case objHTTPCache:
		return objSchema{valid: []string{"shared", "max_items", "max_size"}}
	case objLua:
		return objSchema{valid: luaKeys}
	case objLambda:
		return objSchema{valid: []string{"function_name", "function_param_name", "region", "endpoint", "max_retries"}}
	case objGraphQL:
		return objSchema{valid: []string{"type", "query", "query_path", "variables", "operationName"}}
	case objSigner:
		return objSchema{
			valid: []string{"alg", "kid", "jwk_url", "jwk_local_path", "jwk_local_ca", "disable_jwk_security",
				"keys_to_sign", "full", "leeway"},
			gap: []keyNote{{"secret_url", ""}, {"cypher_key", ""}, {"jwk_fingerprints", ""}, {"cipher_suites", ""}},
		}
	case objClientCredentials:
		return objSchema{valid: []string{"client_id", "client_secret", "token_url", "scopes", "endpoint_params",
			"audience", "is_disabled"}}
	case objRevokeAdmin:
		return objSchema{valid: []string{"path", "secret_sha256"}}
	case objRevoker:
		return objSchema{valid: []string{"N", "P", "hash_name", "TTL", "token_keys", "port"}}
	default: // objTributaryBackend
		return objSchema{
			valid: []string{"max_response_bytes", "follow_redirects", "max_redirects", "redirect_hosts",
				"lambda_event", "lambda_unwrap", "target_arrays"},
		}
	}
}

// siblingScopes lists, for the three main objects and the tributary
// namespace, the other objects whose keys are worth a "valid at X scope"
// hint.
func siblingScopes(k objKind) []objKind {
	switch k {
	case objService:
		return []objKind{objEndpoint, objBackend}
	case objEndpoint:
		return []objKind{objBackend, objService}
	case objBackend:
		return []objKind{objEndpoint, objService}
	case objTributaryService:
		return []objKind{objTributaryEndpoint, objTributaryBackend}
	case objTributaryEndpoint:
		return []objKind{objTributaryBackend, objTributaryService}
	case objTributaryBackend:
		return []objKind{objTributaryEndpoint, objTributaryService}
	}
	return nil
}

func scopeName(k objKind) string {
	switch k {
	case objService, objTributaryService:
		return "service"
	case objEndpoint, objTributaryEndpoint:
		return "endpoint"
	default:
		return "backend"
	}
}

// renamedV2Keys are the keys renamed by config v3 (krakend-compat.md §2.2
// rule 1, §18.2), each with its v3 name. They are refused in every
// schema-defined object: a v2 file carries them wherever the old name was
// valid, and loading it as if the key were absent would change behaviour.
var renamedV2Keys = [...][2]string{
	{"headers_to_pass", "input_headers"}, {"querystring_params", "input_query_strings"},
	{"whitelist", "allow"}, {"blacklist", "deny"},
	{"maxRate", "max_rate"}, {"clientMaxRate", "client_max_rate"}, {"clientCapacity", "client_capacity"},
	{"maxErrors", "max_errors"}, {"logStatusChange", "log_status_change"},
	{"jwk-url", "jwk_url"}, {"propagate-claims", "propagate_claims"}, {"keys-to-sign", "keys_to_sign"},
	{"cacheSize", "cache_size"}, {"HashName", "hash_name"}, {"TokenKeys", "token_keys"},
	{"denylist", "deny"}, {"allowlist", "allow"},
}

// strictObject reports the objects whose unknown keys are errors rather
// than warnings (§2.2 rule 1): the tributary namespace. (The auth/*,
// security/* and qos/* namespaces are not decoded in this release; using
// them is already a "not supported yet" error.)
func strictObject(k objKind) bool {
	switch k {
	case objLambdaMetrics:
		return true
	case objSigner, objClientCredentials, objRevoker, objRevokeAdmin:
		return true
	case objGELF, objLogstash, objInflux:
		return true
	case objTributaryService, objTributaryEndpoint, objTributaryBackend, objValidator, objValidatorService, objJWTCache,
		objRateLimitRouter, objRateLimitProxy, objCircuitBreaker,
		objHTTPCache, objRequestID, objAccessLog:
		return true
	}
	return false
}

// unknownKey reports a key that the walker of a k object did not accept
// (krakend-compat.md §2.2 rule 1): a renamed v2 key, a known but
// unsupported key, or a probable typo of a valid key is an error, and so
// is any unknown key of a strict object; anything else is a warning,
// because KrakenD ignores it.
func (l *loader) unknownKey(k objKind, base string, m *member) {
	s := schemaOf(k)
	path := keyPath(base, m.key)
	for _, r := range s.renamed {
		if m.key == r[0] {
			l.errAt(m.pos, path, "key renamed in config v3", "use "+quoteJSON(r[1]))
			return
		}
	}
	for _, r := range renamedV2Keys {
		if m.key == r[0] {
			l.errAt(m.pos, path, "key renamed in config v3", "use "+quoteJSON(r[1]))
			return
		}
	}
	for _, g := range s.gap {
		if m.key == g.key {
			l.errAt(m.pos, path, "key "+quoteJSON(m.key)+" not supported yet", g.hint)
			return
		}
	}
	for _, g := range s.enterprise {
		if m.key == g.key {
			l.errAt(m.pos, path, "key "+quoteJSON(m.key)+" not supported (KrakenD Enterprise feature)", g.hint)
			return
		}
	}
	if sug, _ := suggest(m.key, s.candidates()); sug != "" {
		l.errAt(m.pos, path, "unknown key", "did you mean "+quoteJSON(sug)+"?")
		return
	}
	scopeHint := ""
	for _, other := range siblingScopes(k) {
		if contains(schemaOf(other).valid, m.key) {
			scopeHint = "valid at " + scopeName(other) + " scope"
			break
		}
	}
	if strictObject(k) {
		if scopeHint != "" {
			l.errAt(m.pos, path, "unknown key at "+scopeName(k)+" scope", scopeHint)
		} else {
			l.errAt(m.pos, path, "unknown option "+quoteJSON(m.key), "")
		}
		return
	}
	l.warnAt(m.pos, path, "unknown key "+quoteJSON(m.key)+" ignored, as KrakenD does", scopeHint)
}

// candidates lists every key the spec names for the object, valid ones
// first and then the known-but-unsupported ones, in table order: the
// did-you-mean candidates of rule 1.
func (s objSchema) candidates() []string {
	out := make([]string, 0, len(s.valid)+len(s.gap)+len(s.enterprise))
	out = append(out, s.valid...)
	for _, g := range s.gap {
		out = append(out, g.key)
	}
	for _, g := range s.enterprise {
		out = append(out, g.key)
	}
	return out
}

// suggest returns the candidate closest to key: a case-insensitive match
// (exact reports this case), else the candidate at the smallest edit
// distance, at most 2, compared case-insensitively (ties: the first in
// candidates order), else "".
func suggest(key string, candidates []string) (best string, exact bool) {
	for _, c := range candidates {
		if strings.EqualFold(c, key) {
			return c, true
		}
	}
	const maxDist = 2
	bestDist := maxDist + 1
	lk := strings.ToLower(key)
	for _, c := range candidates {
		if d := editDistance(lk, strings.ToLower(c), maxDist); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best, false
}

// editDistance is the Levenshtein distance between a and b over bytes, or
// limit+1 when it is larger than limit.
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	const maxLen = 64
	if len(a) > maxLen || len(b) > maxLen {
		return limit + 1
	}
	var rowA, rowB [maxLen + 1]int
	prev, cur := rowA[:len(b)+1], rowB[:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	if prev[len(b)] > limit {
		return limit + 1
	}
	return prev[len(b)]
}
