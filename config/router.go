package config

import (
	"math"
	"net/netip"
	"strings"

	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// router decodes the service "router" namespace (§17.3).
func (l *loader) router(c *Config, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	r := &c.Router
	var trusted *member
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "return_error_msg":
			l.setBool(&r.ReturnErrorMsg, mv, path, m.key)
		case "disable_health":
			l.setBool(&r.DisableHealth, mv, path, m.key)
		case "health_path":
			if s, ok := l.str(mv, path, m.key); ok && l.healthPath(mv, keyPath(path, m.key), s) {
				r.HealthPath = s
			}
		case "disable_access_log":
			l.setBool(&r.DisableAccessLog, mv, path, m.key)
		case "logger_skip_paths":
			list, _ := l.strList(mv, path, m.key)
			for j, p := range list {
				if !strings.HasPrefix(p, "/") {
					l.errAt(mv.elems[j].pos, keyIndexPath(path, m.key, j), "path "+quoteJSON(p)+` must start with "/"`, "")
				}
			}
			r.LoggerSkipPaths = list
		case "auto_options":
			l.setBool(&r.AutoOptions, mv, path, m.key)
		case "disable_redirect_trailing_slash":
			l.setBool(&r.DisableRedirectTrailingSlash, mv, path, m.key)
		case "disable_redirect_fixed_path":
			l.setBool(&r.DisableRedirectFixedPath, mv, path, m.key)
		case "disable_handle_method_not_allowed":
			l.setBool(&r.DisableHandleMethodNotAllowed, mv, path, m.key)
		case "forwarded_by_client_ip":
			l.setBool(&r.ForwardedByClientIP, mv, path, m.key)
		case "trusted_proxies":
			trusted = m
			r.TrustedProxies = l.trustedProxies(mv, path, m.key)
		case "remote_ip_headers":
			if list, ok := l.strList(mv, path, m.key); ok {
				if len(list) == 0 {
					l.errNode(mv, keyPath(path, m.key), "empty list", "remove the key for the default [\"X-Forwarded-For\", \"X-Real-Ip\"]")
				} else if l.headerNames(mv, path, m.key, list, false) {
					r.RemoteIPHeaders = list
				}
			}
		case "disable_path_decoding":
			l.setBool(&r.DisablePathDecoding, mv, path, m.key)
		case "hide_version_header":
			l.setBool(&r.HideVersionHeader, mv, path, m.key)
		case "error_body":
			l.errorBody(r, mv, path, m.key)
		case "max_multipart_memory":
			l.intRange(mv, path, m.key, 0, math.MaxInt64) // accepted, no effect
		case "remove_extra_slash", "app_engine", "use_h2c":
			l.gapFlag(mv, path, m.key, "")
		default:
			l.unknownKey(objRouter, path, m)
		}
	}
	if trusted != nil && len(r.TrustedProxies) > 0 && !r.ForwardedByClientIP {
		l.errAt(trusted.pos, keyPath(path, trusted.key), "trusted_proxies has no effect without forwarded_by_client_ip",
			`set "forwarded_by_client_ip": true, or remove trusted_proxies`)
	}
}

// healthPath validates router.health_path: a template without placeholders.
func (l *loader) healthPath(v *node, path, s string) bool {
	if !strings.HasPrefix(s, "/") {
		l.errNode(v, path, "health_path "+quoteJSON(s)+` must start with "/"`, "")
		return false
	}
	params, problem := parseTemplate(s)
	if problem == "" && len(params) > 0 {
		problem = "health_path must not contain placeholders"
	}
	if problem != "" {
		l.errNode(v, path, problem, "")
		return false
	}
	return true
}

// trustedProxies decodes IPs and CIDRs; single addresses become
// full-length prefixes and prefixes are masked.
func (l *loader) trustedProxies(v *node, base, key string) []netip.Prefix {
	list, _ := l.strList(v, base, key)
	var out []netip.Prefix
	for i, s := range list {
		var p netip.Prefix
		var err error
		if strings.Contains(s, "/") {
			p, err = netip.ParsePrefix(s)
			p = p.Masked()
		} else {
			var a netip.Addr
			if a, err = netip.ParseAddr(s); err == nil {
				p = netip.PrefixFrom(a, a.BitLen())
			}
		}
		if err != nil {
			l.errAt(v.elems[i].pos, keyIndexPath(base, key, i), "invalid IP address or CIDR "+quoteJSON(s),
				`use e.g. "10.0.0.1" or "10.0.0.0/8"`)
			continue
		}
		out = append(out, p)
	}
	return out
}

// headerNames checks that every entry is a valid header name; star allows
// the "*" wildcard. It reports whether all entries are valid.
func (l *loader) headerNames(v *node, base, key string, list []string, star bool) bool {
	ok := true
	for i, h := range list {
		if star && h == "*" {
			continue
		}
		if !httpsyntax.IsToken(h) {
			l.errAt(v.elems[i].pos, keyIndexPath(base, key, i), "invalid header name "+quoteJSON(h), "")
			ok = false
		}
	}
	return ok
}

// errorBody decodes router.error_body: {"404": {...}, "405": {...}}. Its
// own keys are a schema (comment keys skipped); the bodies are free-form
// JSON, kept whole, comment-like keys included.
func (l *loader) errorBody(r *Router, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	for m := range v.schemaMembers() {
		mp := keyPath(path, m.key)
		if m.key != "404" && m.key != "405" {
			l.errAt(m.pos, mp, "unsupported error_body status "+quoteJSON(m.key), `only "404" and "405" bodies can be replaced`)
			continue
		}
		if m.val.kind != kindObject {
			l.errNode(&m.val, mp, "expected a JSON object, got "+m.val.kind.String(), "")
			continue
		}
		body := appendCompact(nil, &m.val, 0)
		if m.key == "404" {
			r.ErrorBody404 = body
		} else {
			r.ErrorBody405 = body
		}
	}
}
