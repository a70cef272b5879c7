package config

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/tributary-gw/tributary/internal/dotpath"
	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// Defaults and bounds of auth/validator (§17.8).
const (
	// DefaultJWKCacheDuration is cache_duration and shared_cache_duration.
	DefaultJWKCacheDuration = 900 * time.Second
	// DefaultJWKCooldown is failed_jwk_key_cooldown.
	DefaultJWKCooldown = 60 * time.Second
	// DefaultJWTLeeway is leeway.
	DefaultJWTLeeway = time.Second
	// MaxJWTLeeway bounds leeway.
	MaxJWTLeeway = 5 * time.Minute
	// DefaultJWTCacheEntries and DefaultJWTCacheTTL are the verified-token
	// cache defaults (tributary.jwt_cache).
	DefaultJWTCacheEntries = 10000
	DefaultJWTCacheTTL     = time.Minute
	// maxLocalJWKSBytes caps a jwk_local_path file.
	maxLocalJWKSBytes = 1 << 20
	// maxJWKCacheSeconds bounds cache_duration (one week).
	maxJWKCacheSeconds = 7 * 24 * 3600
)

// Validator is the endpoint "auth/validator" namespace (§17.8), with
// defaults applied.
type Validator struct {
	// JSONPath locates the namespace, e.g.
	// "$.endpoints[0].extra_config.auth/validator".
	JSONPath string
	// Pos is the position of the namespace value.
	Pos Position

	// Alg is the only accepted token algorithm (alg). Default "RS256".
	Alg string
	// JWKURL is the JWKS address (jwk_url); "" when JWKLocal is used.
	JWKURL string
	// JWKLocalPath is jwk_local_path as written; JWKLocal holds the file,
	// read at load. It takes precedence over JWKURL.
	JWKLocalPath string
	// JWKLocal is the content of jwk_local_path, nil when unset.
	JWKLocal []byte
	// JWKLocalCA is the PEM content of jwk_local_ca, added to the system
	// pool for the JWKS fetch; nil when unset.
	JWKLocalCA []byte
	// DisableJWKSecurity allows an http:// JWKURL (disable_jwk_security).
	// Default false.
	DisableJWKSecurity bool
	// Cache is the cache flag as written. Keys are always cached.
	Cache bool
	// CacheDuration is how long fetched keys are used (cache_duration).
	// Default 15m.
	CacheDuration time.Duration
	// FailedJWKKeyCooldown spaces refetches caused by unknown key ids
	// (failed_jwk_key_cooldown). Default 60s.
	FailedJWKKeyCooldown time.Duration
	// Issuer is the required iss (issuer); "" checks nothing.
	Issuer string
	// Audience are the values aud must all contain (audience).
	Audience []string
	// RolesKey is the claim holding roles (roles_key); a dot path when
	// RolesKeyIsNested.
	RolesKey string
	// RolesKeyIsNested reads RolesKey as a dot path (roles_key_is_nested).
	RolesKeyIsNested bool
	// Roles are the accepted roles (roles); one must be present.
	Roles []string
	// ScopesKey is the claim holding scopes (scopes_key); a dot path when it
	// contains ".".
	ScopesKey string
	// Scopes are the required scopes (scopes).
	Scopes []string
	// ScopesMatchAll requires every scope (scopes_matcher "all"); the
	// default "any" requires one.
	ScopesMatchAll bool
	// PropagateClaims copy claims into backend request headers
	// (propagate_claims), in file order.
	PropagateClaims []ClaimHeader
	// PropagateClaimsPreserveArray sends arrays as several header values
	// (propagate_claims_preserve_array). Default false: joined with ",".
	PropagateClaimsPreserveArray bool
	// AuthHeaderName is the header holding the token, canonical form.
	// Default "Authorization".
	AuthHeaderName string
	// CookieKey is the cookie read when the header is absent; "" for none.
	CookieKey string
	// Leeway is the clock skew allowed for exp, nbf and iat (leeway).
	// Default 1s, at most 5m.
	Leeway time.Duration
	// OperationDebug logs validation failures at debug level
	// (operation_debug). Default false.
	OperationDebug bool
	// TokenCache is the Tributary-only verified-token cache
	// (tributary.jwt_cache); nil when off (the default).
	TokenCache *JWTCache
	// AuthorizerClaims takes the claims from the API Gateway authorizer of
	// the Lambda event instead of validating a token
	// (tributary.jwt_authorizer_claims, Tributary-only). Default false.
	// Such an endpoint answers 401 to every request that did not come
	// through a REST or HTTP API event with an authorizer, so server mode
	// refuses it (AuthorizerClaimsEndpoints).
	AuthorizerClaims bool

	// fromTributary is set while only tributary.jwt_cache has been seen:
	// the namespace itself may come later in the same extra_config.
	fromTributary bool
	// tributaryPos locates tributary.jwt_cache for diagnostics.
	tributaryPos  Position
	tributaryPath string
	// propPos locates propagate_claims for the input_headers lint.
	propPos Position
	// missingKeys records a namespace without jwk_url or jwk_local_path,
	// an error unless AuthorizerClaims.
	missingKeys bool
}

// ClaimHeader is one propagate_claims tuple.
type ClaimHeader struct {
	// Claim is the claim name, a dot path for nested claims.
	Claim string
	// Header is the backend request header, canonical form.
	Header string
}

// JWTCache is the verified-token cache of tributary.jwt_cache.
type JWTCache struct {
	// MaxEntries bounds the cache (max_entries). Default 10000.
	MaxEntries int
	// TTL is the longest time a verified token is reused (ttl), never past
	// its exp. Default 1m.
	TTL time.Duration
}

// hmacMinKey is the shortest HMAC key for each HS algorithm.
var hmacMinKey = map[string]int{"HS256": 32, "HS384": 48, "HS512": 64}

// jwtAlgs are the accepted alg values.
var jwtAlgs = []string{"EdDSA", "HS256", "HS384", "HS512", "RS256", "RS384", "RS512",
	"ES256", "ES384", "ES512", "PS256", "PS384", "PS512"}

// validator decodes the endpoint "auth/validator".
func (l *loader) validator(e *Endpoint, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	val := e.Validator
	if val == nil {
		val = &Validator{}
	}
	tc, ac, tpos, tpath := val.TokenCache, val.AuthorizerClaims, val.tributaryPos, val.tributaryPath
	*val = Validator{
		JSONPath:             path,
		Pos:                  v.pos,
		Alg:                  "RS256",
		CacheDuration:        DefaultJWKCacheDuration,
		FailedJWKKeyCooldown: DefaultJWKCooldown,
		AuthHeaderName:       "Authorization",
		Leeway:               DefaultJWTLeeway,
		TokenCache:           tc,
		AuthorizerClaims:     ac,
		tributaryPos:         tpos,
		tributaryPath:        tpath,
	}
	var urlNode, localNode, cacheNode, insecureNode, propNode *node
	var issuerSet, audienceSet bool
	ok := true
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "alg":
			if s, good := l.str(mv, path, m.key); good {
				if contains(jwtAlgs, s) {
					val.Alg = s
				} else {
					hint := "use one of " + strings.Join(jwtAlgs, ", ")
					if sug, _ := suggest(s, jwtAlgs); sug != "" {
						hint = "did you mean " + quoteJSON(sug) + "?"
					}
					l.errNode(mv, keyPath(path, m.key), "unsupported algorithm "+quoteJSON(s), hint)
					ok = false
				}
			} else {
				ok = false
			}
		case "jwk_url":
			if s, good := l.str(mv, path, m.key); good {
				val.JWKURL, urlNode = s, mv
			} else {
				ok = false
			}
		case "jwk_local_path":
			if s, good := l.str(mv, path, m.key); good {
				val.JWKLocalPath, localNode = s, mv
			} else {
				ok = false
			}
		case "jwk_local_ca":
			if s, good := l.str(mv, path, m.key); good {
				val.JWKLocalCA = l.readAuthFile(mv, keyPath(path, m.key), s, maxLocalJWKSBytes)
				if val.JWKLocalCA != nil && !strings.Contains(string(val.JWKLocalCA), "-----BEGIN CERTIFICATE-----") {
					l.errNode(mv, keyPath(path, m.key), "file "+quoteJSON(s)+" holds no PEM certificate", "")
					val.JWKLocalCA = nil
				}
			}
		case "disable_jwk_security":
			if b, good := l.boolean(mv, path, m.key); good && b {
				val.DisableJWKSecurity, insecureNode = true, mv
			}
		case "cache":
			if b, good := l.boolean(mv, path, m.key); good {
				val.Cache, cacheNode = b, mv
			}
		case "cache_duration":
			if n, good := l.intRange(mv, path, m.key, 1, maxJWKCacheSeconds); good {
				val.CacheDuration = time.Duration(n) * time.Second
			}
		case "failed_jwk_key_cooldown":
			if d, good := l.limitDuration(mv, path, m.key); good {
				val.FailedJWKKeyCooldown = d
			}
		case "issuer":
			if s, good := l.str(mv, path, m.key); good {
				val.Issuer, issuerSet = s, s != ""
			}
		case "audience":
			if list, good := l.strList(mv, path, m.key); good {
				val.Audience, audienceSet = list, len(list) > 0
			}
		case "roles_key":
			if s, good := l.str(mv, path, m.key); good {
				val.RolesKey = s
			}
		case "roles_key_is_nested":
			l.setBool(&val.RolesKeyIsNested, mv, path, m.key)
		case "roles":
			if list, good := l.strList(mv, path, m.key); good {
				val.Roles = list
			}
		case "scopes_key":
			if s, good := l.str(mv, path, m.key); good {
				val.ScopesKey = s
			}
		case "scopes":
			if list, good := l.strList(mv, path, m.key); good {
				val.Scopes = list
			}
		case "scopes_matcher":
			if s, good := l.str(mv, path, m.key); good {
				switch s {
				case "any":
				case "all":
					val.ScopesMatchAll = true
				default:
					l.errNode(mv, keyPath(path, m.key), "unknown scopes_matcher "+quoteJSON(s), `use "any" or "all"`)
				}
			}
		case "propagate_claims":
			propNode = mv
			val.PropagateClaims = l.propagateClaims(mv, path, m.key)
		case "propagate_claims_preserve_array":
			l.setBool(&val.PropagateClaimsPreserveArray, mv, path, m.key)
		case "auth_header_name":
			if s, good := l.str(mv, path, m.key); good {
				if !httpsyntax.IsToken(s) {
					l.errNode(mv, keyPath(path, m.key), "invalid header name "+quoteJSON(s), "")
				} else {
					val.AuthHeaderName = http.CanonicalHeaderKey(s)
				}
			}
		case "cookie_key":
			if s, good := l.str(mv, path, m.key); good {
				if !httpsyntax.IsToken(s) {
					l.errNode(mv, keyPath(path, m.key), "invalid cookie name "+quoteJSON(s), "")
				} else {
					val.CookieKey = s
				}
			}
		case "leeway":
			if d, good := l.duration(mv, path, m.key); good {
				if d > MaxJWTLeeway {
					l.errNode(mv, keyPath(path, m.key), "leeway "+quoteJSON(mv.text)+" is over the 5m maximum",
						"clock skew beyond a few seconds points at a broken clock")
				} else {
					val.Leeway = d
				}
			}
		case "operation_debug":
			l.setBool(&val.OperationDebug, mv, path, m.key)
		case "key_identify_strategy":
			if s, good := l.str(mv, path, m.key); good && s != "kid" {
				l.errNode(mv, keyPath(path, m.key), "key_identify_strategy "+quoteJSON(s)+" not supported",
					`only "kid" is supported: keys are looked up by the token's kid`)
			}
		case "shared_cache_duration":
			l.errAt(m.pos, keyPath(path, m.key), "unknown key at endpoint scope", "valid at service scope")
		default:
			l.unknownKey(objValidator, path, m)
		}
	}
	loc := func(n *node, k string) (*node, string) {
		if n == nil {
			return v, path
		}
		return n, keyPath(path, k)
	}
	switch {
	case localNode != nil:
		val.JWKLocal = l.readAuthFile(localNode, keyPath(path, "jwk_local_path"), val.JWKLocalPath, maxLocalJWKSBytes)
		if val.JWKLocal != nil {
			l.checkLocalJWKS(localNode, keyPath(path, "jwk_local_path"), val)
		}
		if cacheNode != nil && val.Cache {
			l.errNode(cacheNode, keyPath(path, "cache"), "cache could not be used with jwk_local_path",
				"local keys are read once at load; remove cache")
		}
		if urlNode != nil {
			l.warnAt(urlNode.pos, keyPath(path, "jwk_url"), "jwk_url ignored: jwk_local_path takes precedence", "remove one of them")
			val.JWKURL = ""
		}
	case urlNode != nil:
		l.checkJWKURL(urlNode, keyPath(path, "jwk_url"), val)
		if !val.Cache {
			n, p := loc(cacheNode, "cache")
			l.warnAt(n.pos, p, "keys are always cached for cache_duration (KrakenD fetches them on every request without cache)",
				`set "cache": true`)
		}
	case ok:
		val.missingKeys = true
	}
	if insecureNode != nil {
		l.warnAt(insecureNode.pos, keyPath(path, "disable_jwk_security"), "JWKS may be fetched over plain http",
			"serve the JWKS over https, with jwk_local_ca for a private CA")
	}
	if !issuerSet {
		l.warnAt(v.pos, path, "no issuer: tokens from any issuer the keys sign are accepted", "set issuer")
	}
	if !audienceSet {
		l.warnAt(v.pos, path, "no audience: tokens meant for other services are accepted", "set audience")
	}
	if val.RolesKey != "" {
		if val.RolesKeyIsNested {
			if dotpath.Check(val.RolesKey) != nil {
				l.errNode(v, keyPath(path, "roles_key"), "invalid dot path "+quoteJSON(val.RolesKey), "")
			}
		}
	} else if len(val.Roles) > 0 {
		l.errNode(v, keyPath(path, "roles"), "roles without roles_key", "name the claim that holds the roles")
	}
	if val.ScopesKey != "" && strings.Contains(val.ScopesKey, ".") && dotpath.Check(val.ScopesKey) != nil {
		l.errNode(v, keyPath(path, "scopes_key"), "invalid dot path "+quoteJSON(val.ScopesKey), "")
	}
	if val.ScopesKey == "" && len(val.Scopes) > 0 {
		l.errNode(v, keyPath(path, "scopes"), "scopes without scopes_key", "name the claim that holds the scopes")
	}
	if propNode != nil {
		val.propPos = propNode.pos
	}
	val.fromTributary = false
	e.Validator = val
}

// readAuthFile reads a file named by the validator at load time, capped at
// limit bytes; nil after reporting a problem.
func (l *loader) readAuthFile(n *node, path, name string, limit int64) []byte {
	if name == "" {
		l.errNode(n, path, "empty file name", "")
		return nil
	}
	f, err := os.Open(name)
	if err != nil {
		l.errNode(n, path, "cannot read "+quoteJSON(name)+": "+errText(err), "")
		return nil
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		l.errNode(n, path, "cannot read "+quoteJSON(name)+": "+errText(err), "")
		return nil
	}
	if int64(len(b)) > limit {
		l.errNode(n, path, "file "+quoteJSON(name)+" is larger than "+strconv.FormatInt(limit, 10)+" bytes", "")
		return nil
	}
	return b
}

// errText is an error's text without the operation prefix os adds twice.
func errText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// checkJWKURL checks jwk_url: an absolute https URL, or http with
// disable_jwk_security.
func (l *loader) checkJWKURL(n *node, path string, val *Validator) {
	u, err := url.Parse(val.JWKURL)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" || (u.Scheme != "https" && u.Scheme != "http") {
		l.errNode(n, path, "invalid jwk_url "+quoteJSON(val.JWKURL), "use an absolute https:// URL")
		return
	}
	if u.Scheme == "http" && !val.DisableJWKSecurity {
		l.errNode(n, path, "jwk_url must use https", "set disable_jwk_security: true to allow http (not recommended)")
	}
}

// checkLocalJWKS checks the shape of a local JWKS: a JSON object with a
// "keys" array, at most 100 keys, and HMAC keys at least as long as the
// configured algorithm's hash. Full key parsing happens when the plan is
// compiled.
func (l *loader) checkLocalJWKS(n *node, path string, val *Validator) {
	var doc struct {
		Keys []struct {
			Kty string `json:"kty"`
			Kid string `json:"kid"`
			K   string `json:"k"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(val.JWKLocal, &doc); err != nil {
		l.errNode(n, path, "file "+quoteJSON(val.JWKLocalPath)+" is not a JWK set: "+err.Error(), "")
		val.JWKLocal = nil
		return
	}
	switch {
	case len(doc.Keys) == 0:
		l.errNode(n, path, "file "+quoteJSON(val.JWKLocalPath)+" holds no keys", `a JWK set is {"keys": [...]}`)
		val.JWKLocal = nil
		return
	case len(doc.Keys) > 100:
		l.errNode(n, path, "file "+quoteJSON(val.JWKLocalPath)+" holds more than 100 keys", "")
		val.JWKLocal = nil
		return
	}
	least, hmac := hmacMinKey[val.Alg]
	if !hmac {
		return
	}
	for _, k := range doc.Keys {
		if k.Kty != "oct" {
			continue
		}
		raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.K, "="))
		if err != nil {
			l.errNode(n, path, "key "+quoteJSON(k.Kid)+": invalid base64url in k", "")
			continue
		}
		if len(raw) < least {
			l.errNode(n, path, "key "+quoteJSON(k.Kid)+" is "+itoa(len(raw))+" bytes; "+val.Alg+" needs at least "+itoa(least),
				"a shorter HMAC secret can be brute-forced")
		}
	}
}

// propagateClaims decodes propagate_claims: [[claim, header], ...].
func (l *loader) propagateClaims(v *node, base, key string) []ClaimHeader {
	if v.kind != kindArray {
		l.wrongType(v, base, key, `an array of ["claim", "header"] pairs`, "")
		return nil
	}
	var out []ClaimHeader
	seen := map[string]bool{}
	for i := range v.elems {
		e := &v.elems[i]
		p := keyIndexPath(base, key, i)
		if e.kind != kindArray || len(e.elems) != 2 || e.elems[0].kind != kindString || e.elems[1].kind != kindString {
			l.errAt(e.pos, p, "expected a pair of strings [\"claim\", \"header\"]", "")
			continue
		}
		claim, header := e.elems[0].text, e.elems[1].text
		if dotpath.Check(claim) != nil {
			l.errAt(e.elems[0].pos, p, "invalid claim "+quoteJSON(claim), "name a claim, or a dot path to a nested one")
			continue
		}
		if !httpsyntax.IsToken(header) {
			l.errAt(e.elems[1].pos, p, "invalid header name "+quoteJSON(header), "")
			continue
		}
		h := http.CanonicalHeaderKey(header)
		if httpsyntax.IsHopByHop(h) || h == "Host" || h == "Content-Length" || h == "Cookie" ||
			h == "Authorization" || h == "User-Agent" || strings.HasPrefix(h, "X-Forwarded-") || h == "Forwarded" {
			l.errAt(e.elems[1].pos, p, "header "+quoteJSON(h)+" cannot carry a claim", "use an application header such as X-User")
			continue
		}
		if seen[h] {
			l.errAt(e.elems[1].pos, p, "header "+quoteJSON(h)+" already receives a claim", "")
			continue
		}
		seen[h] = true
		out = append(out, ClaimHeader{Claim: claim, Header: h})
	}
	return out
}

// warnUnlistedClaimHeaders warns about propagate_claims headers the
// endpoint's input_headers do not allow: as in KrakenD they do not reach
// backends (§7.1).
func (l *loader) warnUnlistedClaimHeaders(e *Endpoint, pos Position, path string, list []ClaimHeader) {
	allowed := e.InputHeaders
	for _, c := range list {
		if headerAllowed(allowed, c.Header) {
			continue
		}
		l.warnAt(pos, path, "claim header "+quoteJSON(c.Header)+" is not in the endpoint's input_headers, so no backend receives it",
			"add "+quoteJSON(c.Header)+" to input_headers")
	}
}

// headerAllowed reports whether an endpoint input_headers list lets name
// through.
func headerAllowed(list []string, name string) bool {
	for _, h := range list {
		if h == "*" || http.CanonicalHeaderKey(h) == name {
			return true
		}
	}
	return false
}

// validatorService decodes the service "auth/validator": only
// shared_cache_duration.
func (l *loader) validatorService(c *Config, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	for m := range v.schemaMembers() {
		switch m.key {
		case "shared_cache_duration":
			if n, ok := l.intRange(&m.val, path, m.key, 1, maxJWKCacheSeconds); ok {
				c.JWKSharedCacheDuration = time.Duration(n) * time.Second
			}
		default:
			if contains(schemaOf(objValidator).valid, m.key) {
				l.errAt(m.pos, keyPath(path, m.key), "unknown key at service scope", "valid at endpoint scope")
				continue
			}
			l.unknownKey(objValidatorService, path, m)
		}
	}
}

// validatorTributary decodes the endpoint tributary options of the
// validator: jwt_cache and jwt_authorizer_claims. Both need the endpoint's
// auth/validator, checked by checkValidator.
func (l *loader) validatorTributary(e *Endpoint, v *node, base, key string) {
	if key == "jwt_authorizer_claims" {
		on, ok := l.boolean(v, base, key)
		if !ok || !on {
			return
		}
		l.validatorStub(e, v, keyPath(base, key)).AuthorizerClaims = true
		return
	}
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	tc := &JWTCache{MaxEntries: DefaultJWTCacheEntries, TTL: DefaultJWTCacheTTL}
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "max_entries":
			if n, ok := l.intRange(mv, path, m.key, 1, 1_000_000); ok {
				tc.MaxEntries = int(n)
			}
		case "ttl":
			if d, ok := l.limitDuration(mv, path, m.key); ok {
				if d > time.Hour {
					l.errNode(mv, keyPath(path, m.key), "ttl "+quoteJSON(mv.text)+" is over the 1h maximum", "")
				} else {
					tc.TTL = d
				}
			}
		default:
			l.unknownKey(objJWTCache, path, m)
		}
	}
	l.validatorStub(e, v, path).TokenCache = tc
}

// validatorStub returns e's validator, creating a placeholder when the
// auth/validator namespace has not been decoded (yet), and records where
// the tributary option is.
func (l *loader) validatorStub(e *Endpoint, v *node, path string) *Validator {
	if e.Validator == nil {
		e.Validator = &Validator{fromTributary: true}
	}
	e.Validator.tributaryPos, e.Validator.tributaryPath = v.pos, path
	return e.Validator
}

// AuthorizerClaimsEndpoints lists the endpoints ("METHOD /path") whose
// validator takes its claims from an API Gateway authorizer. Only Lambda
// events carry those claims, so a server refuses to start with any.
func (c *Config) AuthorizerClaimsEndpoints() []string {
	var out []string
	for _, e := range c.Endpoints {
		if e.Validator != nil && e.Validator.AuthorizerClaims {
			out = append(out, e.Method+" "+e.Path)
		}
	}
	return out
}

// checkValidator runs once the endpoint's own keys are decoded (its
// extra_config and input_headers, in whatever order the file has them):
// tributary.jwt_cache without auth/validator is an error, and claim headers
// the endpoint does not forward are worth a warning.
func (l *loader) checkValidator(e *Endpoint) {
	val := e.Validator
	if val == nil {
		return
	}
	if val.fromTributary {
		l.errAt(val.tributaryPos, val.tributaryPath, "tributary."+val.tributaryPath[strings.LastIndexByte(val.tributaryPath, '.')+1:]+" needs auth/validator on the endpoint",
			"add an auth/validator namespace, or remove the option")
		e.Validator = nil
		return
	}
	switch {
	case val.missingKeys && !val.AuthorizerClaims:
		l.errAt(val.Pos, val.JSONPath, "missing jwk_url or jwk_local_path", "name the JWKS that holds the signing keys")
	case val.AuthorizerClaims && (val.JWKURL != "" || val.JWKLocal != nil):
		l.warnAt(val.tributaryPos, val.tributaryPath, "jwk_url and jwk_local_path are not used: the claims come from the API Gateway authorizer",
			"remove them, or remove jwt_authorizer_claims to validate tokens here")
	}
	if len(val.PropagateClaims) > 0 {
		l.warnUnlistedClaimHeaders(e, val.propPos, keyPath(val.JSONPath, "propagate_claims"), val.PropagateClaims)
	}
}

// validatorSchema is the key table of the auth/validator objects.
func validatorSchema(k objKind) objSchema {
	switch k {
	case objValidator:
		return objSchema{
			valid: []string{"alg", "jwk_url", "jwk_local_path", "jwk_local_ca", "disable_jwk_security", "cache",
				"cache_duration", "failed_jwk_key_cooldown", "issuer", "audience", "roles_key", "roles_key_is_nested",
				"roles", "scopes_key", "scopes", "scopes_matcher", "propagate_claims", "propagate_claims_preserve_array",
				"auth_header_name", "cookie_key", "leeway", "operation_debug", "key_identify_strategy"},
			gap: []keyNote{
				{"secret_url", "secrets from URLs (secret_url) are not supported; use jwk_local_path or jwk_url"},
				{"cypher_key", "encrypted local key sets are not supported; use jwk_local_path with a plain JWK set"},
				{"jwk_fingerprints", "certificate pinning of the JWKS server is not supported; use jwk_local_ca"},
				{"cipher_suites", "the JWKS client uses Go's default TLS 1.2+ cipher suites"},
			},
		}
	case objValidatorService:
		return objSchema{valid: []string{"shared_cache_duration"}}
	default: // objJWTCache
		return objSchema{valid: []string{"max_entries", "ttl"}}
	}
}
