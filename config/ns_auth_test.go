package config

import (
	"encoding/base64"
	"os"
	"strings"
	"testing"
	"time"
)

// writeAuthFiles writes the JWKS files the auth/validator cases name into
// a temporary directory and makes it the working directory.
func writeAuthFiles(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	k32 := base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat("k", 32)))
	k16 := base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat("k", 16)))
	files := map[string]string{
		"hs.json":    `{"keys": [{"kty": "oct", "kid": "a", "k": "` + k32 + `"}]}`,
		"short.json": `{"keys": [{"kty": "oct", "kid": "s", "k": "` + k16 + `"}]}`,
		"empty.json": `{"keys": []}`,
		"bad.json":   `{"keys": `,
		"ca.pem":     "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
		"notca.pem":  "hello",
	}
	for name, body := range files {
		if err := os.WriteFile(name, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func TestValidatorDecoded(t *testing.T) {
	writeAuthFiles(t)
	src := `{
  "version": 3,
  "extra_config": {"auth/validator": {"shared_cache_duration": 60}},
  "endpoints": [{
    "endpoint": "/a/{id}",
    "input_headers": ["X-User", "x-roles"],
    "extra_config": {
      "auth/validator": {
        "alg": "ES256", "jwk_url": "https://idp.test/jwks", "cache": true, "cache_duration": 300,
        "failed_jwk_key_cooldown": "30s", "issuer": "https://idp.test", "audience": ["api", "b"],
        "roles_key": "realm.roles", "roles_key_is_nested": true, "roles": ["admin"],
        "scopes_key": "scope", "scopes": ["read"], "scopes_matcher": "all",
        "propagate_claims": [["sub", "x-user"], ["realm.roles", "X-Roles"]],
        "propagate_claims_preserve_array": true, "auth_header_name": "x-token", "cookie_key": "jwt",
        "leeway": "2s", "operation_debug": true, "key_identify_strategy": "kid", "jwk_local_ca": "ca.pem"
      },
      "tributary": {"jwt_cache": {"max_entries": 50, "ttl": "30s"}}
    },
    "backend": [{"host": ["http://h"], "url_pattern": "/u/{JWT.sub}/{id}"}]
  }, {
    "endpoint": "/b",
    "extra_config": {
      "tributary": {"jwt_cache": {}},
      "auth/validator": {"alg": "HS256", "jwk_local_path": "hs.json", "issuer": "i", "audience": ["a"]}
    },
    "backend": [{"host": ["http://h"], "url_pattern": "/b"}]
  }]
}`
	cfg, err := Load("t.json", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) != 0 {
		t.Fatalf("warnings: %v", cfg.Warnings)
	}
	if cfg.JWKSharedCacheDuration != time.Minute {
		t.Errorf("shared_cache_duration = %v", cfg.JWKSharedCacheDuration)
	}
	v := cfg.Endpoints[0].Validator
	if v == nil || v.Alg != "ES256" || v.JWKURL != "https://idp.test/jwks" || v.CacheDuration != 300*time.Second ||
		v.FailedJWKKeyCooldown != 30*time.Second || v.Issuer != "https://idp.test" || len(v.Audience) != 2 ||
		v.RolesKey != "realm.roles" || !v.RolesKeyIsNested || v.Roles[0] != "admin" || v.ScopesKey != "scope" ||
		!v.ScopesMatchAll || len(v.PropagateClaims) != 2 || v.PropagateClaims[0] != (ClaimHeader{"sub", "X-User"}) ||
		!v.PropagateClaimsPreserveArray || v.AuthHeaderName != "X-Token" || v.CookieKey != "jwt" ||
		v.Leeway != 2*time.Second || !v.OperationDebug || v.JWKLocalCA == nil || v.TokenCache == nil ||
		v.TokenCache.MaxEntries != 50 || v.TokenCache.TTL != 30*time.Second {
		t.Fatalf("validator = %+v", v)
	}
	v = cfg.Endpoints[1].Validator
	if v == nil || v.JWKLocal == nil || v.Alg != "HS256" || v.TokenCache == nil || v.TokenCache.MaxEntries != DefaultJWTCacheEntries ||
		v.Leeway != DefaultJWTLeeway || v.CacheDuration != DefaultJWKCacheDuration || v.AuthHeaderName != "Authorization" {
		t.Fatalf("validator = %+v", v)
	}
}

func TestValidatorWarnings(t *testing.T) {
	tc := warnCase{
		name: "validator_lint",
		json: `{
  "version": 3,
  "endpoints": [{
    "endpoint": "/a",
    "extra_config": {"auth/validator": {"jwk_url": "http://idp.test/jwks", "disable_jwk_security": true,
      "propagate_claims": [["sub", "X-User"]]}},
    "backend": [{"host": ["http://h"], "url_pattern": "/a"}]
  }]
}`,
		want: []string{
			`t.json:5:40: warning: $.endpoints[0].extra_config["auth/validator"]: keys are always cached for cache_duration (KrakenD fetches them on every request without cache); set "cache": true`,
			`t.json:5:40: warning: $.endpoints[0].extra_config["auth/validator"]: no issuer: tokens from any issuer the keys sign are accepted; set issuer`,
			`t.json:5:40: warning: $.endpoints[0].extra_config["auth/validator"]: no audience: tokens meant for other services are accepted; set audience`,
			`t.json:5:100: warning: $.endpoints[0].extra_config["auth/validator"].disable_jwk_security: JWKS may be fetched over plain http; serve the JWKS over https, with jwk_local_ca for a private CA`,
			`t.json:6:27: warning: $.endpoints[0].extra_config["auth/validator"].propagate_claims: claim header "X-User" is not in the endpoint's input_headers, so no backend receives it; add "X-User" to input_headers`,
		},
	}
	cfg, err := Load("t.json", []byte(tc.json), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range cfg.Warnings {
		got = append(got, strings.Replace(w.String(), ": ", ": warning: ", 1))
	}
	if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
		t.Errorf("warnings differ\ngot:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
	}
}

var validatorBroken = []brokenCase{
	{
		name: "validator_options",
		json: `{
  "version": 3,
  "extra_config": {"auth/validator": {"shared_cache_duration": 0, "issuer": "x", "shared_cache_duraton": 1}},
  "endpoints": [{
    "endpoint": "/a",
    "extra_config": {"auth/validator": {"alg": "none", "jwk_url": "http://idp.test/jwks", "leeway": "6m",
      "key_identify_strategy": "x5t", "scopes_matcher": "some", "secret_url": "x", "cypher_key": "y",
      "jwk_fingerprints": [], "cipher_suites": [], "propagate_claims": [["sub"], ["sub", "Host"], ["a..b", "X-A"], ["sub", "X-S"], ["x", "x-s"]],
      "auth_header_name": "bad header", "cache_duration": 0, "failed_jwk_key_cooldown": "0s", "algg": 1, "issuer": "i", "audience": ["a"]}},
    "backend": [{"host": ["http://h"], "url_pattern": "/a"}]
  }]
}`,
		want: []string{
			`t.json:3:64: $.extra_config["auth/validator"].shared_cache_duration: value 0 out of range; must be 1–604800`,
			`t.json:3:67: $.extra_config["auth/validator"].issuer: unknown key at service scope; valid at endpoint scope`,
			`t.json:3:82: $.extra_config["auth/validator"].shared_cache_duraton: unknown key; did you mean "shared_cache_duration"?`,
			`t.json:6:48: $.endpoints[0].extra_config["auth/validator"].alg: unsupported algorithm "none"; use one of EdDSA, HS256, HS384, HS512, RS256, RS384, RS512, ES256, ES384, ES512, PS256, PS384, PS512`,
			`t.json:6:67: $.endpoints[0].extra_config["auth/validator"].jwk_url: jwk_url must use https; set disable_jwk_security: true to allow http (not recommended)`,
			`t.json:6:101: $.endpoints[0].extra_config["auth/validator"].leeway: leeway "6m" is over the 5m maximum; clock skew beyond a few seconds points at a broken clock`,
			`t.json:7:32: $.endpoints[0].extra_config["auth/validator"].key_identify_strategy: key_identify_strategy "x5t" not supported; only "kid" is supported: keys are looked up by the token's kid`,
			`t.json:7:57: $.endpoints[0].extra_config["auth/validator"].scopes_matcher: unknown scopes_matcher "some"; use "any" or "all"`,
			`t.json:7:65: $.endpoints[0].extra_config["auth/validator"].secret_url: key "secret_url" not supported yet; secrets from URLs (secret_url) are not supported; use jwk_local_path or jwk_url`,
			`t.json:7:84: $.endpoints[0].extra_config["auth/validator"].cypher_key: key "cypher_key" not supported yet; encrypted local key sets are not supported; use jwk_local_path with a plain JWK set`,
			`t.json:8:7: $.endpoints[0].extra_config["auth/validator"].jwk_fingerprints: key "jwk_fingerprints" not supported yet; certificate pinning of the JWKS server is not supported; use jwk_local_ca`,
			`t.json:8:31: $.endpoints[0].extra_config["auth/validator"].cipher_suites: key "cipher_suites" not supported yet; the JWKS client uses Go's default TLS 1.2+ cipher suites`,
			`t.json:8:73: $.endpoints[0].extra_config["auth/validator"].propagate_claims[0]: expected a pair of strings ["claim", "header"]`,
			`t.json:8:90: $.endpoints[0].extra_config["auth/validator"].propagate_claims[1]: header "Host" cannot carry a claim; use an application header such as X-User`,
			`t.json:8:100: $.endpoints[0].extra_config["auth/validator"].propagate_claims[2]: invalid claim "a..b"; name a claim, or a dot path to a nested one`,
			`t.json:8:138: $.endpoints[0].extra_config["auth/validator"].propagate_claims[4]: header "X-S" already receives a claim`,
			`t.json:9:27: $.endpoints[0].extra_config["auth/validator"].auth_header_name: invalid header name "bad header"`,
			`t.json:9:59: $.endpoints[0].extra_config["auth/validator"].cache_duration: value 0 out of range; must be 1–604800`,
			`t.json:9:89: $.endpoints[0].extra_config["auth/validator"].failed_jwk_key_cooldown: 0 would remove a safety limit; omit the key for the default`,
			`t.json:9:95: $.endpoints[0].extra_config["auth/validator"].algg: unknown key; did you mean "alg"?`,
		},
	},
	{
		name: "validator_keys",
		json: `{
  "version": 3,
  "endpoints": [
    {"endpoint": "/a", "extra_config": {"auth/validator": {"alg": "HS256", "jwk_local_path": "short.json", "cache": true, "issuer": "i", "audience": ["a"]}},
     "backend": [{"host": ["http://h"], "url_pattern": "/a"}]},
    {"endpoint": "/b", "extra_config": {"auth/validator": {"jwk_local_path": "empty.json", "issuer": "i", "audience": ["a"]}},
     "backend": [{"host": ["http://h"], "url_pattern": "/b"}]},
    {"endpoint": "/c", "extra_config": {"auth/validator": {"jwk_local_path": "bad.json", "jwk_local_ca": "notca.pem", "issuer": "i", "audience": ["a"]}},
     "backend": [{"host": ["http://h"], "url_pattern": "/c"}]},
    {"endpoint": "/d", "extra_config": {"auth/validator": {"jwk_local_path": "missing.json", "issuer": "i", "audience": ["a"]}},
     "backend": [{"host": ["http://h"], "url_pattern": "/d"}]},
    {"endpoint": "/e", "extra_config": {"auth/validator": {"issuer": "i", "audience": ["a"], "roles": ["r"]}},
     "backend": [{"host": ["http://h"], "url_pattern": "/e"}]},
    {"endpoint": "/f", "extra_config": {"auth/validator": {"jwk_url": "ftp://x/y", "issuer": "i", "audience": ["a"]}},
     "backend": [{"host": ["http://h"], "url_pattern": "/f"}]}
  ]
}`,
		want: []string{
			`t.json:4:94: $.endpoints[0].extra_config["auth/validator"].jwk_local_path: key "s" is 16 bytes; HS256 needs at least 32; a shorter HMAC secret can be brute-forced`,
			`t.json:4:117: $.endpoints[0].extra_config["auth/validator"].cache: cache could not be used with jwk_local_path; local keys are read once at load; remove cache`,
			`t.json:6:78: $.endpoints[1].extra_config["auth/validator"].jwk_local_path: file "empty.json" holds no keys; a JWK set is {"keys": [...]}`,
			`t.json:8:78: $.endpoints[2].extra_config["auth/validator"].jwk_local_path: file "bad.json" is not a JWK set: unexpected end of JSON input`,
			`t.json:8:106: $.endpoints[2].extra_config["auth/validator"].jwk_local_ca: file "notca.pem" holds no PEM certificate`,
			`t.json:10:78: $.endpoints[3].extra_config["auth/validator"].jwk_local_path: cannot read "missing.json": no such file or directory`,
			`t.json:12:59: $.endpoints[4].extra_config["auth/validator"].roles: roles without roles_key; name the claim that holds the roles`,
			`t.json:12:59: $.endpoints[4].extra_config["auth/validator"]: missing jwk_url or jwk_local_path; name the JWKS that holds the signing keys`,
			`t.json:14:71: $.endpoints[5].extra_config["auth/validator"].jwk_url: invalid jwk_url "ftp://x/y"; use an absolute https:// URL`,
		},
	},
	{
		name: "jwt_placeholders_and_cache",
		json: `{
  "version": 3,
  "endpoints": [
    {"endpoint": "/a", "extra_config": {"tributary": {"jwt_cache": {"ttl": "2h", "max_entries": 0, "size": 1}}},
     "backend": [{"host": ["http://h"], "url_pattern": "/a/{JWT.sub}"}]},
    {"endpoint": "/b", "extra_config": {"auth/validator": {"jwk_local_path": "hs.json", "alg": "HS256", "issuer": "i", "audience": ["a"]}},
     "backend": [{"host": ["http://h"], "url_pattern": "/b/{JWT.org.id}?t={JWT.}"}]}
  ]
}`,
		want: []string{
			`t.json:4:68: $.endpoints[0].extra_config.tributary.jwt_cache: tributary.jwt_cache needs auth/validator on the endpoint; add an auth/validator namespace, or remove the option`,
			`t.json:4:76: $.endpoints[0].extra_config.tributary.jwt_cache.ttl: ttl "2h" is over the 1h maximum`,
			`t.json:4:97: $.endpoints[0].extra_config.tributary.jwt_cache.max_entries: value 0 out of range; must be 1–1000000`,
			`t.json:4:100: $.endpoints[0].extra_config.tributary.jwt_cache.size: unknown option "size"`,
			`t.json:5:56: $.endpoints[0].backend[0].url_pattern: placeholder {JWT.sub} needs auth/validator on the endpoint`,
			`t.json:7:56: $.endpoints[1].backend[0].url_pattern: placeholder {JWT.org.id}: nested claims cannot be used in url_pattern; only top-level claims can`,
			`t.json:7:56: $.endpoints[1].backend[0].url_pattern: placeholder {JWT.} names no claim; write e.g. {JWT.sub}`,
		},
	},
}

func TestValidatorBroken(t *testing.T) {
	writeAuthFiles(t)
	for _, tc := range validatorBroken {
		t.Run(tc.name, func(t *testing.T) { checkBroken(t, tc) })
	}
}

func TestValidatorAuthorizerClaims(t *testing.T) {
	writeAuthFiles(t)
	src := `{
  "version": 3,
  "endpoints": [
    {"endpoint": "/a", "input_headers": ["X-User"],
     "extra_config": {"auth/validator": {"issuer": "i", "audience": ["a"], "roles_key": "groups", "roles": ["r"],
       "propagate_claims": [["sub", "X-User"]]}, "tributary": {"jwt_authorizer_claims": true}},
     "backend": [{"host": ["http://h"], "url_pattern": "/a/{JWT.sub}"}]},
    {"endpoint": "/b",
     "extra_config": {"tributary": {"jwt_authorizer_claims": true},
       "auth/validator": {"jwk_local_path": "hs.json", "alg": "HS256", "issuer": "i", "audience": ["a"]}},
     "backend": [{"host": ["http://h"], "url_pattern": "/b"}]},
    {"endpoint": "/c",
     "extra_config": {"tributary": {"jwt_authorizer_claims": false},
       "auth/validator": {"jwk_local_path": "hs.json", "alg": "HS256", "issuer": "i", "audience": ["a"]}},
     "backend": [{"host": ["http://h"], "url_pattern": "/c"}]}
  ]
}`
	cfg, err := Load("t.json", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range cfg.Warnings {
		got = append(got, w.String())
	}
	want := `t.json:9:62: $.endpoints[1].extra_config.tributary.jwt_authorizer_claims: jwk_url and jwk_local_path are not used: the claims come from the API Gateway authorizer; remove them, or remove jwt_authorizer_claims to validate tokens here`
	if strings.Join(got, "\n") != want {
		t.Fatalf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
	if eps := cfg.AuthorizerClaimsEndpoints(); strings.Join(eps, ",") != "GET /a,GET /b" {
		t.Fatalf("AuthorizerClaimsEndpoints = %v", eps)
	}
	checkBroken(t, brokenCase{
		name: "authorizer_without_validator",
		json: `{"version": 3, "endpoints": [{"endpoint": "/a", "extra_config": {"tributary": {"jwt_authorizer_claims": true}},
  "backend": [{"host": ["http://h"], "url_pattern": "/a"}]}]}`,
		want: []string{
			`t.json:1:105: $.endpoints[0].extra_config.tributary.jwt_authorizer_claims: tributary.jwt_authorizer_claims needs auth/validator on the endpoint; add an auth/validator namespace, or remove the option`,
		},
	})
}
