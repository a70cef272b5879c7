package config

import (
	"math"
	"regexp"
	"strings"
	"time"

	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// CORS is the "security/cors" namespace (§17.9), with defaults applied.
type CORS struct {
	// AllowOrigins are the allowed origins: exact origins, patterns with
	// one "*" for one or more hostname characters, "null", or "*" for any.
	// Default ["*"].
	AllowOrigins []string
	// AllowMethods are the methods granted, upper-cased. Default
	// GET, HEAD, POST.
	AllowMethods []string
	// AllowHeaders are the request headers a preflight may name; "*"
	// allows any. Default (also for an empty list) Accept, Content-Type,
	// X-Requested-With.
	AllowHeaders []string
	// ExposeHeaders are listed in Access-Control-Expose-Headers. Default
	// Content-Length, Content-Type; an explicit empty list sends none.
	ExposeHeaders []string
	// AllowCredentials sends Access-Control-Allow-Credentials: true.
	// Default false; refused together with any-origin.
	AllowCredentials bool
	// MaxAge is sent as Access-Control-Max-Age in whole seconds; 0 omits
	// it. Default 0.
	MaxAge time.Duration
	// OptionsPassthrough lets preflights continue to the router after
	// the CORS headers are set. Default false.
	OptionsPassthrough bool
	// OptionsSuccessStatus is the status of an answered preflight.
	// Default 204.
	OptionsSuccessStatus int
	// AllowPrivateNetwork answers Access-Control-Request-Private-Network.
	// Default false.
	AllowPrivateNetwork bool
	// Debug logs CORS decisions at DEBUG level. Default false.
	Debug bool
}

// HTTPSecure is the "security/http" namespace (§17.10).
type HTTPSecure struct {
	// AllowedHosts, when not empty, are the only hosts served (400
	// host_not_allowed otherwise). Default none (any host).
	AllowedHosts []string
	// AllowedHostsAreRegex reads AllowedHosts as RE2 patterns anchored at
	// both ends. Default false.
	AllowedHostsAreRegex bool
	// HostProxyHeaders are checked instead of Host when present. Default
	// none.
	HostProxyHeaders []string
	// STSSeconds > 0 sends Strict-Transport-Security: max-age=N on HTTPS
	// requests. Default 0.
	STSSeconds int64
	// STSIncludeSubdomains adds "; includeSubDomains". Default false.
	STSIncludeSubdomains bool
	// ForceSTSHeader sends the HSTS header on plain HTTP too. Default
	// false.
	ForceSTSHeader bool
	// FrameDeny sends X-Frame-Options: DENY. Default false.
	FrameDeny bool
	// CustomFrameOptionsValue replaces DENY when set. Default "".
	CustomFrameOptionsValue string
	// ContentTypeNosniff sends X-Content-Type-Options: nosniff. Default
	// false.
	ContentTypeNosniff bool
	// BrowserXSSFilter sends X-XSS-Protection: 1; mode=block. Default
	// false.
	BrowserXSSFilter bool
	// ContentSecurityPolicy is sent as Content-Security-Policy when set.
	// Default "".
	ContentSecurityPolicy string
	// ReferrerPolicy is sent as Referrer-Policy when set. Default "".
	ReferrerPolicy string
	// SSLRedirect answers plain-HTTP requests with 301 to https. Default
	// false.
	SSLRedirect bool
	// SSLHost is the redirect target's host; "" keeps the request's Host.
	// Default "".
	SSLHost string
	// SSLProxyHeaders mark a request as HTTPS when one of these headers
	// holds its value, in file order. Default none.
	SSLProxyHeaders []HeaderMatch
	// IsDevelopment disables the host check, the redirect and HSTS.
	// Default false.
	IsDevelopment bool
}

// HeaderMatch is a header name and the value that marks a request.
type HeaderMatch struct {
	// Name is the header name.
	Name string
	// Value is the value to compare with, case-insensitively.
	Value string
}

// BotDetector is the "security/bot-detector" namespace (§17.21).
type BotDetector struct {
	// Allow are User-Agent values always admitted (whole value). Default
	// none.
	Allow []string
	// Deny are User-Agent values rejected (whole value). Default none.
	Deny []string
	// Patterns are unanchored RE2 patterns; a match rejects the request.
	// Default none.
	Patterns []string
	// EmptyUserAgentIsBot rejects requests without a User-Agent. Default
	// false.
	EmptyUserAgentIsBot bool
	// CacheSize is the number of decisions kept in an LRU cache; 0 keeps
	// none. Default 0.
	CacheSize int
}

// Key tables of the three namespaces (did-you-mean candidates).
var (
	corsKeys = []string{"allow_origins", "allow_methods", "allow_headers", "expose_headers",
		"allow_credentials", "max_age", "options_passthrough", "options_success_status",
		"allow_private_network", "debug"}
	httpSecureKeys = []string{"allowed_hosts", "allowed_hosts_are_regex", "host_proxy_headers",
		"sts_seconds", "sts_include_subdomains", "force_sts_header", "frame_deny",
		"custom_frame_options_value", "content_type_nosniff", "browser_xss_filter",
		"content_security_policy", "referrer_policy", "ssl_redirect", "ssl_host", "ssl_proxy_headers",
		"is_development", "hpkp_public_key"}
	botDetectorKeys = []string{"allow", "deny", "patterns", "empty_user_agent_is_bot", "cache_size"}
)

// maxBotCache bounds cache_size: the cache holds one agent string per
// entry.
const maxBotCache = 1_000_000

// strictUnknown reports an unknown key inside a security namespace: always
// an error (§2.2 rule 1), renamed v2 keys and probable typos with a hint.
func (l *loader) strictUnknown(path string, m *member, valid []string) {
	p := keyPath(path, m.key)
	for _, r := range renamedV2Keys {
		if m.key == r[0] {
			l.errAt(m.pos, p, "key renamed in config v3", "use "+quoteJSON(r[1]))
			return
		}
	}
	if sug, _ := suggest(m.key, valid); sug != "" {
		l.errAt(m.pos, p, "unknown option "+quoteJSON(m.key), "did you mean "+quoteJSON(sug)+"?")
		return
	}
	l.errAt(m.pos, p, "unknown option "+quoteJSON(m.key), "")
}

// cors decodes "security/cors".
func (l *loader) cors(c *Config, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	o := &CORS{
		AllowOrigins:         []string{"*"},
		AllowMethods:         []string{"GET", "HEAD", "POST"},
		ExposeHeaders:        []string{"Content-Length", "Content-Type"},
		OptionsSuccessStatus: 204,
	}
	var origins, creds *member
	ok := true
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "allow_origins":
			origins = m
			list, good := l.strList(mv, path, m.key)
			ok = ok && good
			for i, s := range list {
				if s == "*" {
					continue
				}
				if err := checkOrigin(s); err != "" {
					l.errAt(mv.elems[i].pos, keyIndexPath(path, m.key, i), err, "")
					ok = false
				}
			}
			if len(list) == 0 {
				list = []string{"*"}
			}
			o.AllowOrigins = list
		case "allow_methods":
			list, good := l.strList(mv, path, m.key)
			ok = ok && good
			for i, s := range list {
				if !httpsyntax.IsToken(s) {
					l.errAt(mv.elems[i].pos, keyIndexPath(path, m.key, i), "invalid method "+quoteJSON(s), "")
					ok = false
				}
				list[i] = strings.ToUpper(s)
			}
			o.AllowMethods = list
		case "allow_headers":
			list, good := l.strList(mv, path, m.key)
			ok = good && l.headerNames(mv, path, m.key, list, true) && ok
			o.AllowHeaders = list
		case "expose_headers":
			list, good := l.strList(mv, path, m.key)
			ok = good && l.headerNames(mv, path, m.key, list, false) && ok
			o.ExposeHeaders = list
		case "allow_credentials":
			creds = m
			l.setBool(&o.AllowCredentials, mv, path, m.key)
		case "max_age":
			l.setDuration(&o.MaxAge, mv, path, m.key)
		case "options_passthrough":
			l.setBool(&o.OptionsPassthrough, mv, path, m.key)
		case "options_success_status":
			if n, good := l.intRange(mv, path, m.key, 200, 299); good {
				o.OptionsSuccessStatus = int(n)
			} else {
				ok = false
			}
		case "allow_private_network":
			l.setBool(&o.AllowPrivateNetwork, mv, path, m.key)
		case "debug":
			l.setBool(&o.Debug, mv, path, m.key)
		default:
			l.strictUnknown(path, m, corsKeys)
			ok = false
		}
	}
	if o.AllowCredentials && contains(o.AllowOrigins, "*") {
		pos, p := v.pos, path
		if creds != nil {
			pos, p = creds.pos, keyPath(path, creds.key)
		}
		hint := `list the trusted origins in allow_origins`
		if origins == nil {
			hint = `allow_origins defaults to ["*"]; ` + hint
		}
		l.errAt(pos, p, `allow_credentials cannot be combined with allow_origins "*": any site could read credentialed answers`, hint)
		ok = false
	}
	if ok {
		c.CORS = o
	}
}

// checkOrigin validates one allow_origins entry other than "*"; it
// returns the problem, or "".
func checkOrigin(o string) string {
	if o == "null" {
		return ""
	}
	scheme, rest, found := strings.Cut(o, "://")
	if !found || scheme == "" || rest == "" {
		return "origin " + quoteJSON(o) + ` must be scheme://host[:port], "null" or "*"`
	}
	if strings.Count(rest, "*") > 1 {
		return "origin " + quoteJSON(o) + ` has more than one "*"`
	}
	for i := 0; i < len(rest); i++ {
		switch c := rest[i]; {
		case c == '/' || c == '?' || c == '#':
			return "origin " + quoteJSON(o) + " must not have a path, query or fragment (an Origin header never has one)"
		case c == '@':
			return "origin " + quoteJSON(o) + " must not have user information"
		case c <= ' ' || c >= 0x7f || c == ',' || c == '\\':
			return "origin " + quoteJSON(o) + " holds a character no origin has"
		}
	}
	for i := 0; i < len(scheme); i++ {
		c := scheme[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.') {
			return "origin " + quoteJSON(o) + " has an invalid scheme"
		}
	}
	return ""
}

// httpSecure decodes "security/http".
func (l *loader) httpSecure(c *Config, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	o := &HTTPSecure{}
	ok := true
	var hosts *member
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "allowed_hosts":
			hosts = m
			list, good := l.strList(mv, path, m.key)
			ok = ok && good
			o.AllowedHosts = list
		case "allowed_hosts_are_regex":
			l.setBool(&o.AllowedHostsAreRegex, mv, path, m.key)
		case "host_proxy_headers":
			list, good := l.strList(mv, path, m.key)
			ok = good && l.headerNames(mv, path, m.key, list, false) && ok
			o.HostProxyHeaders = list
		case "sts_seconds":
			if n, good := l.intRange(mv, path, m.key, 0, math.MaxInt32); good {
				o.STSSeconds = n
			} else {
				ok = false
			}
		case "sts_include_subdomains":
			l.setBool(&o.STSIncludeSubdomains, mv, path, m.key)
		case "force_sts_header":
			l.setBool(&o.ForceSTSHeader, mv, path, m.key)
		case "frame_deny":
			l.setBool(&o.FrameDeny, mv, path, m.key)
		case "custom_frame_options_value":
			ok = l.headerValue(&o.CustomFrameOptionsValue, mv, path, m.key) && ok
		case "content_type_nosniff":
			l.setBool(&o.ContentTypeNosniff, mv, path, m.key)
		case "browser_xss_filter":
			l.setBool(&o.BrowserXSSFilter, mv, path, m.key)
		case "content_security_policy":
			ok = l.headerValue(&o.ContentSecurityPolicy, mv, path, m.key) && ok
		case "referrer_policy":
			ok = l.headerValue(&o.ReferrerPolicy, mv, path, m.key) && ok
		case "ssl_redirect":
			l.setBool(&o.SSLRedirect, mv, path, m.key)
		case "ssl_host":
			if s, good := l.str(mv, path, m.key); good {
				if s != "" && !bareHost(s) {
					l.errNode(mv, keyPath(path, m.key), "ssl_host "+quoteJSON(s)+" must be a bare host[:port]",
						`write "api.example.com", without scheme or path`)
					ok = false
				}
				o.SSLHost = s
			}
		case "ssl_proxy_headers":
			ok = l.sslProxyHeaders(o, mv, path, m.key) && ok
		case "is_development":
			l.setBool(&o.IsDevelopment, mv, path, m.key)
		default:
			if strings.HasPrefix(m.key, "hpkp_") {
				l.errAt(m.pos, keyPath(path, m.key), "option "+quoteJSON(m.key)+" not supported: HTTP public key pinning is obsolete and browsers ignore it",
					"remove it")
				ok = false
				continue
			}
			l.strictUnknown(path, m, httpSecureKeys)
			ok = false
		}
	}
	if hosts != nil && o.AllowedHostsAreRegex {
		for i, h := range o.AllowedHosts {
			if _, err := regexp.Compile(h); err != nil {
				l.errAt(hosts.val.elems[i].pos, keyIndexPath(path, hosts.key, i), "invalid host pattern "+quoteJSON(h)+": "+err.Error(), "")
				ok = false
			}
		}
	}
	if ok {
		c.HTTPSecure = o
	}
}

// headerValue decodes a string that is sent as a header value.
func (l *loader) headerValue(dst *string, v *node, base, key string) bool {
	s, ok := l.str(v, base, key)
	if !ok {
		return false
	}
	if !httpsyntax.IsFieldValue(s) {
		l.errNode(v, keyPath(base, key), "value cannot be sent in a header (control character or line break)", "")
		return false
	}
	*dst = s
	return true
}

// bareHost reports whether s is a host[:port] without scheme, path or
// user information.
func bareHost(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`/\@?#%"<>{}|^`+"`", c) >= 0 {
			return false
		}
	}
	return true
}

// sslProxyHeaders decodes ssl_proxy_headers, a free-form map of header
// name to value (comment-like keys are header names too).
func (l *loader) sslProxyHeaders(o *HTTPSecure, v *node, base, key string) bool {
	if !l.object(v, base, key) {
		return false
	}
	path := keyPath(base, key)
	ok := true
	for i := range v.members {
		m := &v.members[i]
		if !httpsyntax.IsToken(m.key) {
			l.errAt(m.pos, keyPath(path, m.key), "invalid header name "+quoteJSON(m.key), "")
			ok = false
			continue
		}
		s, good := l.str(&m.val, path, m.key)
		if !good {
			ok = false
			continue
		}
		o.SSLProxyHeaders = append(o.SSLProxyHeaders, HeaderMatch{Name: m.key, Value: s})
	}
	return ok
}

// botDetector decodes "security/bot-detector" at either scope.
func (l *loader) botDetector(v *node, base, key string) *BotDetector {
	if !l.object(v, base, key) {
		return nil
	}
	path := keyPath(base, key)
	o := &BotDetector{}
	ok := true
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "allow":
			list, good := l.strList(mv, path, m.key)
			ok = ok && good
			o.Allow = list
		case "deny":
			list, good := l.strList(mv, path, m.key)
			ok = ok && good
			o.Deny = list
		case "patterns":
			list, good := l.strList(mv, path, m.key)
			ok = ok && good
			for i, p := range list {
				if _, err := regexp.Compile(p); err != nil {
					l.errAt(mv.elems[i].pos, keyIndexPath(path, m.key, i), "invalid pattern "+quoteJSON(p)+": "+err.Error(),
						"patterns are RE2 regular expressions")
					ok = false
				}
			}
			o.Patterns = list
		case "empty_user_agent_is_bot":
			l.setBool(&o.EmptyUserAgentIsBot, mv, path, m.key)
		case "cache_size":
			if n, good := l.intRange(mv, path, m.key, 0, maxBotCache); good {
				o.CacheSize = int(n)
			} else {
				ok = false
			}
		default:
			l.strictUnknown(path, m, botDetectorKeys)
			ok = false
		}
	}
	if !ok {
		return nil
	}
	return o
}
