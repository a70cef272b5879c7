package config

// backendExtras are the backend/http values cross-checked after the walk.
type backendExtras struct {
	returnErrorCode    *node
	codeAt             at
	returnErrorDetails *node
	detailsAt          at
}

// backendExtra decodes the backend extra_config.
func (l *loader) backendExtra(b *Backend, v *node, path string) backendExtras {
	var ext backendExtras
	if !l.object(v, path, "extra_config") {
		return ext
	}
	base := keyPath(path, "extra_config")
	for _, m := range l.namespaces(scopeBackend, base, v) {
		switch m.name {
		case "backend/http":
			l.backendHTTP(b, &m.val, base, m.key, &ext)
		case "proxy":
			l.proxyBackend(b, &m.val, base, m.key)
		case "tributary":
			l.tributaryBackend(b, &m.val, base, m.key)
		case "qos/ratelimit/proxy":
			l.proxyRateLimit(b, &m.val, base, m.key)
		case "qos/circuit-breaker":
			l.circuitBreaker(b, &m.val, base, m.key)
		case "qos/http-cache":
			l.httpCache(b, &m.val, base, m.key)
		case "auth/client-credentials":
			l.clientCredentials(b, &m.val, base, m.key)
		case "modifier/lua-backend":
			b.LuaBackend = l.lua(m.name, &m.val, base, m.key)
		case "modifier/martian":
			l.martianNamespace(b, &m.val, base, m.key)
		case "validation/cel":
			b.CEL = l.celChecks(&m.val, base, m.key, true)
		case "backend/lambda":
			l.lambdaNS(b, &m.val, base, m.key)
		case "backend/graphql":
			l.graphqlNS(b, &m.val, base, m.key)
		}
	}
	return ext
}

// backendHTTP decodes "backend/http" (§14.3).
func (l *loader) backendHTTP(b *Backend, v *node, base, key string, ext *backendExtras) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "return_error_code":
			if on, ok := l.boolean(mv, path, m.key); ok {
				b.ReturnErrorCode = on
				if on {
					ext.returnErrorCode, ext.codeAt = mv, at{path, m.key}
				}
			}
		case "return_error_details":
			if s, ok := l.str(mv, path, m.key); ok {
				if s == "" {
					l.errNode(mv, keyPath(path, m.key), "empty return_error_details alias", `name it, e.g. "promos" gives "error_promos"`)
				} else {
					b.ReturnErrorDetails = s
					ext.returnErrorDetails, ext.detailsAt = mv, at{path, m.key}
				}
			}
		default:
			l.unknownKey(objBackendHTTP, path, m)
		}
	}
}

// proxyBackend decodes the backend "proxy" namespace (§17.2): shadow and
// shadow_timeout (§17.17).
func (l *loader) proxyBackend(b *Backend, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	var timeout *node
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "shadow":
			if on, ok := l.boolean(mv, path, m.key); ok {
				b.Shadow = on
			}
		case "shadow_timeout":
			if d, ok := l.positiveTimeout(mv, path, m.key,
				"remove the key to bound shadow calls by the endpoint timeout"); ok {
				b.ShadowTimeout, timeout = d, mv
			}
		case "flatmap_filter":
			b.Flatmap = l.flatmapFilter(mv, path, m.key)
		default:
			l.unknownKey(objProxyBackend, path, m)
		}
	}
	// A shadow is best-effort on Lambda only: LambdaStateNote says so where
	// a Lambda deployment is generated, not as a lint of every run.
	if !b.Shadow && timeout != nil {
		b.ShadowTimeout = 0
		l.warnAt(timeout.pos, keyPath(path, "shadow_timeout"), "shadow_timeout has no effect without \"shadow\": true, as KrakenD does",
			"remove it, or mark the backend as a shadow")
	}
}

// tributaryBackend decodes the backend "tributary" namespace (§17.16).
func (l *loader) tributaryBackend(b *Backend, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "max_response_bytes":
			if n, ok := l.limitInt(mv, path, m.key, MaxBackendResponseBytesLimit); ok {
				b.MaxResponseBytes = n
			}
		case "follow_redirects":
			l.setBool(&b.FollowRedirects, mv, path, m.key)
		case "max_redirects":
			if n, ok := l.intRange(mv, path, m.key, 1, 10); ok {
				b.MaxRedirects = int(n)
			}
		case "redirect_hosts":
			hosts, _ := l.hostList(mv, path, m.key)
			b.RedirectHosts = hosts
		case "lambda_event", "lambda_unwrap":
			l.lambdaOption(b, mv, path, m.key)
		case "target_arrays":
			l.setBool(&b.TargetArrays, mv, path, m.key)
		default:
			l.unknownKey(objTributaryBackend, path, m)
		}
	}
}
