package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/tributary-gw/tributary/core/stage"
	"github.com/tributary-gw/tributary/internal/authorizer"
	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// Fixed token limits.
const (
	// MaxTokenBytes caps a token; a longer one is refused before parsing.
	MaxTokenBytes = 8 << 10
	// MaxKidBytes caps a kid.
	MaxKidBytes = 256
)

// Propagation copies one claim into a backend request header.
type Propagation struct {
	// Claim is the claim's dot path, split.
	Claim []string
	// Header is the canonical header name.
	Header string
}

// Options configure a Validator. The zero value of each optional field is
// its documented default.
type Options struct {
	// Alg is the only accepted algorithm, e.g. "RS256". Required.
	Alg string
	// Keys is the key set; shared by validators naming the same JWKS.
	Keys *KeySet
	// Issuer is the required iss; "" checks nothing.
	Issuer string
	// Audience are values aud must all contain.
	Audience []string
	// RolesKey is the split path of the roles claim; nil for none.
	RolesKey []string
	// Roles are the accepted roles; one must be present (403 otherwise).
	Roles []string
	// ScopesKey is the split path of the scopes claim; nil for none.
	ScopesKey []string
	// Scopes are the required scopes (403 when they do not match).
	Scopes []string
	// ScopesAll requires every scope instead of any one.
	ScopesAll bool
	// Propagate are the claim headers, in order.
	Propagate []Propagation
	// PreserveArray sends array claims as several header values.
	PreserveArray bool
	// HeaderName is the canonical token header. Default "Authorization".
	HeaderName string
	// CookieKey is the cookie read when the header is absent; "" for none.
	CookieKey string
	// Leeway is the clock skew allowed for exp, nbf and iat.
	Leeway time.Duration
	// Debug logs each rejection at debug level (never the token).
	Debug bool
	// URLClaims are the top-level claims the endpoint's url_pattern
	// placeholders need; a token lacking one is refused with 403.
	URLClaims []string
	// Cache enables the verified-token cache when non-nil.
	Cache *CacheOptions
	// AuthorizerClaims takes the claims from the API Gateway authorizer
	// the Lambda adapter put in the request context
	// (internal/authorizer) instead of validating a token; Keys may then
	// be nil. A request without them is refused with 401.
	AuthorizerClaims bool
	// Now replaces time.Now (tests).
	Now func() time.Time
}

// Validator is the auth/validator stage: it checks the request's bearer
// token and, on success, sets the Exchange's Claims and the claim headers
// for the backends. It is safe for concurrent use.
type Validator struct {
	o         Options
	algs      []jose.SignatureAlgorithm
	cache     *tokenCache
	now       func() time.Time
	missing   *stage.Reply
	invalid   *stage.Reply
	forbidden *stage.Reply
	twoTokens *stage.Reply
}

// hashSize is the least HMAC key size of each HS algorithm.
var hashSize = map[string]int{"HS256": 32, "HS384": 48, "HS512": 64}

// New builds a Validator.
func New(o Options) (*Validator, error) {
	switch o.Alg {
	case "EdDSA", "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512":
	default:
		return nil, fmt.Errorf("unsupported algorithm %q", o.Alg)
	}
	if o.Keys == nil && !o.AuthorizerClaims {
		return nil, errors.New("no key set")
	}
	if o.HeaderName == "" {
		o.HeaderName = "Authorization"
	}
	if o.Leeway > 5*time.Minute {
		return nil, errors.New("leeway over 5m")
	}
	v := &Validator{o: o, algs: []jose.SignatureAlgorithm{jose.SignatureAlgorithm(o.Alg)}, now: o.Now}
	if v.now == nil {
		v.now = time.Now
	}
	if o.Cache != nil {
		v.cache = newTokenCache(*o.Cache)
	}
	if o.Keys != nil && o.Keys.url == "" && hashSize[o.Alg] > 0 {
		for kid, k := range o.Keys.keys {
			if b, ok := k.Key.([]byte); ok && len(b) < hashSize[o.Alg] {
				return nil, fmt.Errorf("key %q is %d bytes; %s needs at least %d", kid, len(b), o.Alg, hashSize[o.Alg])
			}
		}
	}
	bearer := http.Header{"Www-Authenticate": {"Bearer"}}
	v.missing = &stage.Reply{Status: http.StatusUnauthorized, Header: bearer, Code: "invalid_token", Message: "missing or invalid token"}
	v.invalid = v.missing
	v.forbidden = &stage.Reply{Status: http.StatusForbidden, Code: "forbidden", Message: "the token does not grant access to this route"}
	v.twoTokens = &stage.Reply{Status: http.StatusBadRequest, Code: "ambiguous_credentials", Message: "more than one " + o.HeaderName + " header"}
	return v, nil
}

// rejection is why a token was refused; its text goes to debug logs only.
type rejection struct {
	status int
	reason string
}

// Run validates the request's token (stage.Endpoint).
func (v *Validator) Run(ctx context.Context, x *stage.Exchange) *stage.Reply {
	claims, rej := v.check(ctx, x.Header)
	if rej == nil {
		rej = v.apply(x, claims)
	}
	if rej == nil {
		return nil
	}
	if v.o.Debug && x.Log != nil {
		x.Log.LogAttrs(ctx, slog.LevelDebug, "auth/validator rejected the request",
			slog.String("route", x.Route), slog.Int("status", rej.status), slog.String("reason", rej.reason))
	}
	switch rej.status {
	case http.StatusBadRequest:
		return v.twoTokens
	case http.StatusForbidden:
		if strings.HasPrefix(rej.reason, "token lacks claim ") {
			return &stage.Reply{Status: http.StatusForbidden, Code: "forbidden", Message: rej.reason + " required by the route"}
		}
		return v.forbidden
	}
	return v.invalid
}

// check validates the token in h and returns its verified claims (steps
// 1–6), or why it was refused: 400 for two token headers, 401 for a
// missing or invalid token, 403 for missing roles or scopes.
func (v *Validator) check(ctx context.Context, h http.Header) (map[string]any, *rejection) {
	if v.o.AuthorizerClaims {
		return v.fromAuthorizer(ctx)
	}
	token, rej := v.extract(h)
	if rej != nil {
		return nil, rej
	}
	if len(token) > MaxTokenBytes {
		return nil, &rejection{401, "token longer than 8 KiB"}
	}
	if strings.Count(token, ".") != 2 {
		return nil, &rejection{401, "not a compact JWS (a JWE or malformed token)"}
	}
	now := v.now()
	var claims map[string]any
	if v.cache != nil {
		if c, ok := v.cache.get(token, now, v.o.Keys.Generation()); ok {
			claims = c
		}
	}
	if claims == nil {
		var exp float64
		var gen uint64
		claims, exp, gen, rej = v.verify(ctx, token, now)
		if rej != nil {
			return nil, rej
		}
		if v.cache != nil {
			v.cache.put(token, claims, now, exp, gen)
		}
	} else if rej := v.checkTimes(claims, now); rej != nil {
		return nil, rej
	}
	if rej := v.checkClaims(claims); rej != nil {
		return nil, rej
	}
	if rej := v.checkGrants(claims); rej != nil {
		return nil, rej
	}
	return claims, nil
}

// fromAuthorizer takes the claims an API Gateway authorizer verified from
// the request context, then checks iss, aud, roles and scopes as for a
// token. Client headers are never consulted.
func (v *Validator) fromAuthorizer(ctx context.Context) (map[string]any, *rejection) {
	raw, ok := authorizer.FromContext(ctx)
	if !ok {
		return nil, &rejection{401, "no API Gateway authorizer claims in the event"}
	}
	claims, ok := authorizer.Claims(raw)
	if !ok {
		return nil, &rejection{401, "the API Gateway authorizer holds no claims object"}
	}
	if rej := v.checkClaims(claims); rej != nil {
		return nil, rej
	}
	if rej := v.checkGrants(claims); rej != nil {
		return nil, rej
	}
	return claims, nil
}

// extract finds the token: the configured header (an optional
// case-insensitive "Bearer " prefix stripped), else the cookie.
func (v *Validator) extract(h http.Header) (string, *rejection) {
	vals := h[v.o.HeaderName]
	switch {
	case len(vals) > 1:
		return "", &rejection{400, "more than one token header"}
	case len(vals) == 1:
		t := strings.TrimSpace(vals[0])
		if len(t) >= 7 && strings.EqualFold(t[:7], "bearer ") {
			t = strings.TrimLeft(t[7:], " ")
		}
		if t == "" {
			return "", &rejection{401, "empty token header"}
		}
		return t, nil
	}
	if v.o.CookieKey != "" {
		for _, line := range h["Cookie"] {
			cookies, err := http.ParseCookie(line)
			if err != nil {
				continue
			}
			for _, c := range cookies {
				if c.Name == v.o.CookieKey && c.Value != "" {
					return c.Value, nil
				}
			}
		}
	}
	return "", &rejection{401, "no token"}
}

// header is the part of a JOSE header the validator looks at before the
// signature is checked.
type header struct {
	Alg  any             `json:"alg"`
	Kid  any             `json:"kid"`
	Crit json.RawMessage `json:"crit"`
	Enc  any             `json:"enc"`
	B64  any             `json:"b64"`
}

// verify runs steps 2–5 on a compact token: header, key, signature and
// time claims. It returns the claims, exp and the key set generation.
func (v *Validator) verify(ctx context.Context, token string, now time.Time) (map[string]any, float64, uint64, *rejection) {
	if claims, exp, gen, rej, handled := v.verifyCompact(ctx, token, now); handled {
		return claims, exp, gen, rej
	}
	return v.verifyJOSE(ctx, token, now)
}

// verifyJOSE is verify's general path: any token the fast path
// (verifyCompact) does not read is parsed and verified by go-jose.
func (v *Validator) verifyJOSE(ctx context.Context, token string, now time.Time) (map[string]any, float64, uint64, *rejection) {
	seg := token[:strings.IndexByte(token, '.')]
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return nil, 0, 0, &rejection{401, "header is not base64url"}
	}
	var hd header
	if err := json.Unmarshal(raw, &hd); err != nil {
		return nil, 0, 0, &rejection{401, "header is not a JSON object"}
	}
	alg, _ := hd.Alg.(string)
	switch {
	case hd.Enc != nil:
		return nil, 0, 0, &rejection{401, "encrypted token"}
	case alg != v.o.Alg:
		return nil, 0, 0, &rejection{401, "algorithm does not match the configuration"}
	case hd.Crit != nil:
		return nil, 0, 0, &rejection{401, "critical header extension not understood"}
	case hd.B64 != nil:
		return nil, 0, 0, &rejection{401, "unencoded payload option (b64) not accepted"}
	}
	kid, ok := hd.Kid.(string)
	switch {
	case !ok || kid == "":
		return nil, 0, 0, &rejection{401, "no kid"}
	case len(kid) > MaxKidBytes:
		return nil, 0, 0, &rejection{401, "kid longer than 256 bytes"}
	}
	jwk, gen, err := v.o.Keys.Key(ctx, kid)
	if err != nil {
		return nil, 0, 0, &rejection{401, "key lookup: " + err.Error()}
	}
	if !keyFits(v.o.Alg, jwk) {
		return nil, 0, 0, &rejection{401, "the key's type does not fit the algorithm"}
	}
	jws, err := jose.ParseSignedCompact(token, v.algs)
	if err != nil {
		return nil, 0, 0, &rejection{401, "malformed token"}
	}
	payload, err := jws.Verify(jwk.Key)
	if err != nil {
		return nil, 0, 0, &rejection{401, "bad signature"}
	}
	claims, err := decodeClaims(payload)
	if err != nil {
		return nil, 0, 0, &rejection{401, err.Error()}
	}
	if rej := v.checkTimes(claims, now); rej != nil {
		return nil, 0, 0, rej
	}
	exp, _, _ := numericDate(claims, "exp")
	return claims, exp, gen, nil
}

// keyFits reports whether k may verify alg: the key type must be the one
// the algorithm names (no public key used as an HMAC secret), EC keys on
// the algorithm's curve, RSA keys of 2048 bits or more, HMAC secrets at
// least as long as the hash, and a key's own alg, when it states one,
// equal to alg.
func keyFits(alg string, k jose.JSONWebKey) bool {
	if k.Algorithm != "" && k.Algorithm != alg {
		return false
	}
	switch alg {
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
		pk, ok := k.Key.(*rsa.PublicKey)
		return ok && pk.N.BitLen() >= 2048
	case "ES256", "ES384", "ES512":
		pk, ok := k.Key.(*ecdsa.PublicKey)
		if !ok {
			return false
		}
		want := map[string]elliptic.Curve{"ES256": elliptic.P256(), "ES384": elliptic.P384(), "ES512": elliptic.P521()}[alg]
		return pk.Curve == want
	case "EdDSA":
		_, ok := k.Key.(ed25519.PublicKey)
		return ok
	case "HS256", "HS384", "HS512":
		b, ok := k.Key.([]byte)
		return ok && len(b) >= hashSize[alg]
	}
	return false
}

// checkTimes checks exp (required), nbf and iat against now with the
// leeway.
func (v *Validator) checkTimes(claims map[string]any, now time.Time) *rejection {
	t := unixSeconds(now)
	lw := v.o.Leeway.Seconds()
	exp, present, ok := numericDate(claims, "exp")
	switch {
	case !present:
		return &rejection{401, "no exp claim"}
	case !ok:
		return &rejection{401, "exp is not a number"}
	case t > exp+lw:
		return &rejection{401, "token expired"}
	}
	nbf, present, ok := numericDate(claims, "nbf")
	switch {
	case !ok:
		return &rejection{401, "nbf is not a number"}
	case present && t+lw < nbf:
		return &rejection{401, "token not valid yet (nbf)"}
	}
	iat, present, ok := numericDate(claims, "iat")
	switch {
	case !ok:
		return &rejection{401, "iat is not a number"}
	case present && t+lw < iat:
		return &rejection{401, "token issued in the future (iat)"}
	}
	return nil
}

// checkClaims checks the types of the registered string claims, iss and
// aud.
func (v *Validator) checkClaims(claims map[string]any) *rejection {
	for _, name := range [...]string{"iss", "sub", "jti"} {
		if c, ok := claims[name]; ok {
			if _, isStr := c.(string); !isStr {
				return &rejection{401, name + " is not a string"}
			}
		}
	}
	if v.o.Issuer != "" {
		if iss, _ := claims["iss"].(string); iss != v.o.Issuer {
			return &rejection{401, "issuer does not match"}
		}
	}
	if c, ok := claims["aud"]; ok {
		aud, good := audiences(c)
		if !good {
			return &rejection{401, "aud is not a string or an array of strings"}
		}
		for _, want := range v.o.Audience {
			found := false
			for _, a := range aud {
				if a == want {
					found = true
					break
				}
			}
			if !found {
				return &rejection{401, "audience does not match"}
			}
		}
	} else if len(v.o.Audience) > 0 {
		return &rejection{401, "no aud claim"}
	}
	return nil
}

// checkGrants checks roles and scopes (403 on mismatch).
func (v *Validator) checkGrants(claims map[string]any) *rejection {
	if len(v.o.Roles) > 0 {
		c, _ := lookup(claims, v.o.RolesKey)
		if !anyOf(stringSet(c, false), v.o.Roles) {
			return &rejection{403, "no accepted role"}
		}
	}
	if len(v.o.Scopes) > 0 {
		c, _ := lookup(claims, v.o.ScopesKey)
		have := stringSet(c, true)
		if v.o.ScopesAll {
			for _, s := range v.o.Scopes {
				if !anyOf(have, []string{s}) {
					return &rejection{403, "missing scope"}
				}
			}
		} else if !anyOf(have, v.o.Scopes) {
			return &rejection{403, "no accepted scope"}
		}
	}
	for _, name := range v.o.URLClaims {
		if _, ok := ClaimText(claims, name); !ok {
			return &rejection{403, "token lacks claim " + name}
		}
	}
	return nil
}

// anyOf reports whether have and want share a value.
func anyOf(have, want []string) bool {
	for _, h := range have {
		for _, w := range want {
			if h == w {
				return true
			}
		}
	}
	return false
}

// apply records the verified claims on x and sets the claim headers
// (step 7). Every target header is set, to nil when the claim is missing,
// so a client's own copy never reaches a backend. A value with control
// characters refuses the token.
func (v *Validator) apply(x *stage.Exchange, claims map[string]any) *rejection {
	if len(v.o.Propagate) > 0 {
		fwd, rej := v.claimHeaders(claims)
		if rej != nil {
			return rej
		}
		if x.Forward == nil {
			x.Forward = fwd
		} else {
			for k, vs := range fwd {
				x.Forward[k] = vs
			}
		}
	}
	x.Claims = claims
	return nil
}

// claimHeaders renders the propagate_claims headers of claims. Missing or
// null claims give a nil entry (the header is removed).
func (v *Validator) claimHeaders(claims map[string]any) (http.Header, *rejection) {
	out := make(http.Header, len(v.o.Propagate))
	for _, p := range v.o.Propagate {
		c, ok := lookup(claims, p.Claim)
		if !ok {
			out[p.Header] = nil
			continue
		}
		vals := headerValues(c, v.o.PreserveArray)
		for _, s := range vals {
			if !httpsyntax.IsFieldValue(s) {
				return nil, &rejection{401, "claim for header " + p.Header + " holds control characters"}
			}
		}
		if len(vals) == 0 {
			vals = nil
		}
		out[p.Header] = vals
	}
	return out, nil
}
