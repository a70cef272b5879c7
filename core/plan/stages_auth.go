package plan

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/auth"
	"github.com/tributary-gw/tributary/core/stage"
	"github.com/tributary-gw/tributary/core/urltpl"
)

// validatorStage compiles e's auth/validator (the revocation check is
// its own stage); nil when e validates no token.
func (c *compiler) validatorStage(e *config.Endpoint) (stage.Endpoint, error) {
	v := e.Validator
	if v == nil {
		return nil, nil
	}
	var keys *auth.KeySet
	if !v.AuthorizerClaims {
		var err error
		if keys, err = c.keySet(v); err != nil {
			return nil, err
		}
	}
	o := auth.Options{
		AuthorizerClaims: v.AuthorizerClaims,
		Alg:              v.Alg,
		Keys:             keys,
		Issuer:           v.Issuer,
		Audience:         v.Audience,
		Roles:            v.Roles,
		Scopes:           v.Scopes,
		ScopesAll:        v.ScopesMatchAll,
		PreserveArray:    v.PropagateClaimsPreserveArray,
		HeaderName:       v.AuthHeaderName,
		CookieKey:        v.CookieKey,
		Leeway:           v.Leeway,
		Debug:            v.OperationDebug,
	}
	if v.RolesKey != "" {
		if v.RolesKeyIsNested {
			o.RolesKey = strings.Split(v.RolesKey, ".")
		} else {
			o.RolesKey = []string{v.RolesKey}
		}
	}
	if v.ScopesKey != "" {
		o.ScopesKey = strings.Split(v.ScopesKey, ".")
	}
	for _, p := range v.PropagateClaims {
		// As in KrakenD, a claim header reaches backends only when the
		// endpoint forwards that header; a client's copy of it never does.
		if !forwardsHeader(e.InputHeaders, p.Header) {
			continue
		}
		o.Propagate = append(o.Propagate, auth.Propagation{Claim: strings.Split(p.Claim, "."), Header: p.Header})
	}
	o.URLClaims = urlClaims(e)
	if tc := v.TokenCache; tc != nil {
		o.Cache = &auth.CacheOptions{MaxEntries: tc.MaxEntries, TTL: tc.TTL}
	}
	return auth.New(o)
}

// keySet returns the key set of v: one per JWKS URL for the whole plan
// (the first validator naming a URL sets its CA and cool-down; the TTL is
// the validator's cache_duration when it alone uses the URL, else the
// service's shared_cache_duration), or one per validator for local keys.
func (c *compiler) keySet(v *config.Validator) (*auth.KeySet, error) {
	if v.JWKLocal != nil {
		return auth.NewKeySet(auth.KeySetOptions{Local: v.JWKLocal})
	}
	ks, err := c.memo("jwks:"+v.JWKURL, func() (any, error) {
		ttl := v.CacheDuration
		if c.jwksUsers(v.JWKURL) > 1 {
			ttl = c.cfg.JWKSharedCacheDuration
			if ttl <= 0 {
				ttl = config.DefaultJWKCacheDuration
			}
		}
		return auth.NewKeySet(auth.KeySetOptions{URL: v.JWKURL, CA: v.JWKLocalCA, TTL: ttl, Cooldown: v.FailedJWKKeyCooldown})
	})
	if err != nil {
		return nil, fmt.Errorf("JWKS %s: %w", v.JWKURL, err)
	}
	return ks.(*auth.KeySet), nil
}

// jwksUsers counts the validators fetching keys from url.
func (c *compiler) jwksUsers(url string) int {
	n := 0
	for _, e := range c.cfg.Endpoints {
		if v := e.Validator; v != nil && v.JWKLocal == nil && v.JWKURL == url {
			n++
		}
	}
	return n
}

// forwardsHeader reports whether an endpoint's input_headers let name
// through to its backends.
func forwardsHeader(list []string, name string) bool {
	for _, h := range list {
		if h == "*" || http.CanonicalHeaderKey(h) == name {
			return true
		}
	}
	return false
}

// urlClaims lists the claims that e's url_pattern placeholders {JWT.x}
// need, each once.
func urlClaims(e *config.Endpoint) []string {
	var out []string
	for _, b := range e.Backends {
		tpl, err := urltpl.Compile(b.URLPattern)
		if err != nil {
			continue // reported when the backend is compiled
		}
		for _, n := range tpl.Names() {
			if claim, ok := strings.CutPrefix(n, "JWT."); ok && !claimListed(out, claim) {
				out = append(out, claim)
			}
		}
	}
	return out
}

func claimListed(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
