package config

import (
	"reflect"
	"testing"
	"time"
)

// Tests of the security/cors, security/http and security/bot-detector
// decoders: defaults, every option, and the exact diagnostics of what is
// refused.

func TestWebsecDefaults(t *testing.T) {
	cfg := mustLoad(t, `{"version": 3, "extra_config": {
  "security/cors": {},
  "security/http": {},
  "security/bot-detector": {}
}}`)
	wantCORS := &CORS{
		AllowOrigins:         []string{"*"},
		AllowMethods:         []string{"GET", "HEAD", "POST"},
		ExposeHeaders:        []string{"Content-Length", "Content-Type"},
		OptionsSuccessStatus: 204,
	}
	if !reflect.DeepEqual(cfg.CORS, wantCORS) {
		t.Errorf("CORS = %+v, want %+v", cfg.CORS, wantCORS)
	}
	if !reflect.DeepEqual(cfg.HTTPSecure, &HTTPSecure{}) {
		t.Errorf("HTTPSecure = %+v, want zero", cfg.HTTPSecure)
	}
	if !reflect.DeepEqual(cfg.BotDetector, &BotDetector{}) {
		t.Errorf("BotDetector = %+v, want zero", cfg.BotDetector)
	}
	if len(cfg.Warnings) != 0 {
		t.Errorf("warnings: %v", warningLines(cfg))
	}
}

func TestWebsecEveryOption(t *testing.T) {
	cfg := mustLoad(t, `{"version": 3, "extra_config": {
  "security/cors": {"allow_origins": ["https://app.example.com", "https://*.example.org", "null"],
    "allow_methods": ["get", "PUT"], "allow_headers": ["Authorization", "*"], "expose_headers": [],
    "allow_credentials": true, "max_age": "12h", "options_passthrough": true,
    "options_success_status": 200, "allow_private_network": true, "debug": true, "@comment": "x"},
  "security/http": {"allowed_hosts": ["api\\.example\\.com(:443)?"], "allowed_hosts_are_regex": true,
    "host_proxy_headers": ["X-Forwarded-Host"], "sts_seconds": 31536000, "sts_include_subdomains": true,
    "force_sts_header": true, "frame_deny": true, "custom_frame_options_value": "SAMEORIGIN",
    "content_type_nosniff": true, "browser_xss_filter": true, "content_security_policy": "default-src 'self'",
    "referrer_policy": "same-origin", "ssl_redirect": true, "ssl_host": "secure.example.com:8443",
    "ssl_proxy_headers": {"X-Forwarded-Proto": "https", "_Odd": "on"}, "is_development": true},
  "security/bot-detector": {"allow": ["MyBot/1.0"], "deny": ["BadBot"], "patterns": ["(?i)crawler", "spider\\d+"],
    "empty_user_agent_is_bot": true, "cache_size": 1000}
},
"endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://h"], "url_pattern": "/a"}],
  "extra_config": {"security/bot-detector": {"deny": ["x"]}}}]}`)
	wantCORS := &CORS{
		AllowOrigins:         []string{"https://app.example.com", "https://*.example.org", "null"},
		AllowMethods:         []string{"GET", "PUT"},
		AllowHeaders:         []string{"Authorization", "*"},
		AllowCredentials:     true,
		MaxAge:               12 * time.Hour,
		OptionsPassthrough:   true,
		OptionsSuccessStatus: 200,
		AllowPrivateNetwork:  true,
		Debug:                true,
	}
	if !reflect.DeepEqual(cfg.CORS, wantCORS) {
		t.Errorf("CORS = %+v\nwant %+v", cfg.CORS, wantCORS)
	}
	wantSec := &HTTPSecure{
		AllowedHosts: []string{`api\.example\.com(:443)?`}, AllowedHostsAreRegex: true,
		HostProxyHeaders: []string{"X-Forwarded-Host"}, STSSeconds: 31536000, STSIncludeSubdomains: true,
		ForceSTSHeader: true, FrameDeny: true, CustomFrameOptionsValue: "SAMEORIGIN", ContentTypeNosniff: true,
		BrowserXSSFilter: true, ContentSecurityPolicy: "default-src 'self'", ReferrerPolicy: "same-origin",
		SSLRedirect: true, SSLHost: "secure.example.com:8443",
		SSLProxyHeaders: []HeaderMatch{{"X-Forwarded-Proto", "https"}, {"_Odd", "on"}},
		IsDevelopment:   true,
	}
	if !reflect.DeepEqual(cfg.HTTPSecure, wantSec) {
		t.Errorf("HTTPSecure = %+v\nwant %+v", cfg.HTTPSecure, wantSec)
	}
	wantBot := &BotDetector{Allow: []string{"MyBot/1.0"}, Deny: []string{"BadBot"},
		Patterns: []string{"(?i)crawler", `spider\d+`}, EmptyUserAgentIsBot: true, CacheSize: 1000}
	if !reflect.DeepEqual(cfg.BotDetector, wantBot) {
		t.Errorf("BotDetector = %+v\nwant %+v", cfg.BotDetector, wantBot)
	}
	if got := cfg.Endpoints[0].BotDetector; !reflect.DeepEqual(got, &BotDetector{Deny: []string{"x"}}) {
		t.Errorf("endpoint BotDetector = %+v", got)
	}
	if len(cfg.Warnings) != 0 {
		t.Errorf("warnings: %v", warningLines(cfg))
	}
}

func TestWebsecEmptyListsFallBack(t *testing.T) {
	cfg := mustLoad(t, `{"version": 3, "extra_config": {"security/cors": {"allow_origins": [], "allow_headers": []}}}`)
	if !reflect.DeepEqual(cfg.CORS.AllowOrigins, []string{"*"}) || len(cfg.CORS.AllowHeaders) != 0 {
		t.Errorf("CORS = %+v", cfg.CORS)
	}
}

func TestWebsecBroken(t *testing.T) {
	for _, tc := range []brokenCase{
		{
			name: "cors_star_with_credentials",
			json: `{"version": 3, "extra_config": {"security/cors": {"allow_credentials": true}}}`,
			want: []string{
				`t.json:1:51: $.extra_config["security/cors"].allow_credentials: allow_credentials cannot be combined with allow_origins "*": any site could read credentialed answers; allow_origins defaults to ["*"]; list the trusted origins in allow_origins`,
			},
		},
		{
			name: "cors_explicit_star_with_credentials",
			json: `{"version": 3, "extra_config": {"security/cors": {"allow_origins": ["https://a.example", "*"], "allow_credentials": true}}}`,
			want: []string{
				`t.json:1:96: $.extra_config["security/cors"].allow_credentials: allow_credentials cannot be combined with allow_origins "*": any site could read credentialed answers; list the trusted origins in allow_origins`,
			},
		},
		{
			name: "cors_bad_values",
			json: `{"version": 3, "extra_config": {"security/cors": {
  "allow_origins": ["https://a.example/", "a.example", "https://*.*.example", "https://u@a.example"],
  "allow_methods": ["GE T"], "allow_headers": ["Bad Header"], "expose_headers": ["X-A"],
  "max_age": 600, "options_success_status": 404, "allow_origin": ["x"], "maxAge": "1h", "zzz": 1}}}`,
			want: []string{
				`t.json:2:21: $.extra_config["security/cors"].allow_origins[0]: origin "https://a.example/" must not have a path, query or fragment (an Origin header never has one)`,
				`t.json:2:43: $.extra_config["security/cors"].allow_origins[1]: origin "a.example" must be scheme://host[:port], "null" or "*"`,
				`t.json:2:56: $.extra_config["security/cors"].allow_origins[2]: origin "https://*.*.example" has more than one "*"`,
				`t.json:2:79: $.extra_config["security/cors"].allow_origins[3]: origin "https://u@a.example" must not have user information`,
				`t.json:3:21: $.extra_config["security/cors"].allow_methods[0]: invalid method "GE T"`,
				`t.json:3:48: $.extra_config["security/cors"].allow_headers[0]: invalid header name "Bad Header"`,
				`t.json:4:14: $.extra_config["security/cors"].max_age: expected a duration string like "3s", got number; a bare number has no unit; write e.g. "500ms" or "3s"`,
				`t.json:4:45: $.extra_config["security/cors"].options_success_status: value 404 out of range; must be 200–299`,
				`t.json:4:50: $.extra_config["security/cors"].allow_origin: unknown option "allow_origin"; did you mean "allow_origins"?`,
				`t.json:4:73: $.extra_config["security/cors"].maxAge: unknown option "maxAge"; did you mean "max_age"?`,
				`t.json:4:89: $.extra_config["security/cors"].zzz: unknown option "zzz"`,
			},
		},
		{
			name: "http_bad_values",
			json: `{"version": 3, "extra_config": {"security/http": {
  "allowed_hosts": ["a(", "ok"], "allowed_hosts_are_regex": true, "hpkp_public_key": "pin-sha256=\"x\"",
  "ssl_host": "https://a.example", "content_security_policy": "a\nb", "sts_seconds": -1,
  "ssl_proxy_headers": {"X Proto": "https", "X-P": 1}, "frame_deni": true, "host_proxy_headers": ["a b"]}}}`,
			want: []string{
				`t.json:2:21: $.extra_config["security/http"].allowed_hosts[0]: invalid host pattern "a(": error parsing regexp: missing closing ): ` + "`a(`",
				`t.json:2:67: $.extra_config["security/http"].hpkp_public_key: option "hpkp_public_key" not supported: HTTP public key pinning is obsolete and browsers ignore it; remove it`,
				`t.json:3:15: $.extra_config["security/http"].ssl_host: ssl_host "https://a.example" must be a bare host[:port]; write "api.example.com", without scheme or path`,
				`t.json:3:63: $.extra_config["security/http"].content_security_policy: value cannot be sent in a header (control character or line break)`,
				`t.json:3:86: $.extra_config["security/http"].sts_seconds: value -1 out of range; must be 0–2147483647`,
				`t.json:4:25: $.extra_config["security/http"].ssl_proxy_headers["X Proto"]: invalid header name "X Proto"`,
				`t.json:4:52: $.extra_config["security/http"].ssl_proxy_headers["X-P"]: expected a string, got number`,
				`t.json:4:56: $.extra_config["security/http"].frame_deni: unknown option "frame_deni"; did you mean "frame_deny"?`,
				`t.json:4:99: $.extra_config["security/http"].host_proxy_headers[0]: invalid header name "a b"`,
			},
		},
		{
			name: "bot_bad_values",
			json: `{"version": 3, "extra_config": {"security/bot-detector": {"patterns": ["ok", "a[", "(?P<x"], "cacheSize": 10, "cache_size": -1}},
"endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://h"], "url_pattern": "/a"}],
  "extra_config": {"security/bot-detector": {"deny": "BadBot", "patern": []}}}]}`,
			want: []string{
				`t.json:1:78: $.extra_config["security/bot-detector"].patterns[1]: invalid pattern "a[": error parsing regexp: missing closing ]: ` + "`[`" + `; patterns are RE2 regular expressions`,
				`t.json:1:84: $.extra_config["security/bot-detector"].patterns[2]: invalid pattern "(?P<x": error parsing regexp: invalid named capture: ` + "`(?P<x`" + `; patterns are RE2 regular expressions`,
				`t.json:1:94: $.extra_config["security/bot-detector"].cacheSize: key renamed in config v3; use "cache_size"`,
				`t.json:1:125: $.extra_config["security/bot-detector"].cache_size: value -1 out of range; must be 0–1000000`,
				`t.json:3:54: $.endpoints[0].extra_config["security/bot-detector"].deny: expected an array of strings, got string; wrap it in brackets: ["BadBot"]`,
				`t.json:3:64: $.endpoints[0].extra_config["security/bot-detector"].patern: unknown option "patern"; did you mean "patterns"?`,
			},
		},
		{
			name: "scopes",
			json: `{"version": 3, "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://h"], "url_pattern": "/a",
  "extra_config": {"security/bot-detector": {}}}],
  "extra_config": {"security/cors": {}, "security/http": {}}}]}`,
			want: []string{
				`t.json:2:20: $.endpoints[0].backend[0].extra_config["security/bot-detector"]: namespace "security/bot-detector" is not valid at backend scope; valid at service or endpoint scope`,
				`t.json:3:20: $.endpoints[0].extra_config["security/cors"]: namespace "security/cors" at endpoint scope not supported (KrakenD Enterprise feature); valid at service scope`,
				`t.json:3:41: $.endpoints[0].extra_config["security/http"]: namespace "security/http" is not valid at endpoint scope; valid at service scope`,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) { checkBroken(t, tc) })
	}
}
