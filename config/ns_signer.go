package config

import (
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// maxSignerFileBytes caps the files auth/signer reads at load (the key set
// and its CA): the same cap as a fetched key set.
const maxSignerFileBytes = 150000

// Signer is the endpoint "auth/signer" namespace (§17.18), with defaults
// applied. The key set is parsed, and jwk_url fetched, when the plan is
// compiled: a key that cannot be loaded is a load error.
type Signer struct {
	// JSONPath locates the namespace, e.g.
	// "$.endpoints[0].extra_config.auth/signer".
	JSONPath string
	// Pos is the position of the namespace value.
	Pos Position

	// Alg is the signature algorithm (alg). Default "RS256".
	Alg string
	// KeyID is the kid of the signing key in the set (kid). Required.
	KeyID string
	// JWKURL is the key set address (jwk_url); "" when JWKLocal is used.
	JWKURL string
	// JWKLocalPath is jwk_local_path as written, relative to the working
	// directory; it takes precedence over JWKURL.
	JWKLocalPath string
	// JWKLocal is the content of jwk_local_path, read at load; nil when
	// unset.
	JWKLocal []byte
	// JWKLocalCA is the PEM content of jwk_local_ca, trusted for the
	// jwk_url fetch instead of the system roots; nil when unset.
	JWKLocalCA []byte
	// DisableJWKSecurity allows an http:// JWKURL (disable_jwk_security).
	// Default false.
	DisableJWKSecurity bool
	// KeysToSign are the top-level response keys whose object values are
	// signed (keys_to_sign), in file order, duplicates removed. Required.
	KeysToSign []string
	// Full selects the JWS JSON serialisation, sent as a string (full).
	// Default false: the compact serialisation.
	Full bool
	// Leeway is accepted and has no effect on signing (leeway).
	Leeway time.Duration
}

// ClientCredentials is the backend "auth/client-credentials" namespace
// (§17.19), with defaults applied.
type ClientCredentials struct {
	// JSONPath locates the namespace.
	JSONPath string
	// Pos is the position of the namespace value.
	Pos Position

	// ClientID is client_id. Required.
	ClientID string
	// ClientSecret is client_secret. Required. Never logged.
	ClientSecret string
	// TokenURL is the token endpoint (token_url): https, or http on a
	// loopback address. Required.
	TokenURL string
	// Scopes are the comma-separated scopes entries, trimmed, empty ones
	// dropped; sent joined with one space.
	Scopes []string
	// EndpointParams are extra form fields (endpoint_params), by name.
	EndpointParams map[string][]string
	// Audience is sent as the audience form field; "" for none.
	Audience string
	// IsDisabled turns the namespace off (is_disabled). Default false.
	IsDisabled bool
}

// signerAlgs are the accepted auth/signer alg values.
var signerAlgs = []string{"EdDSA", "HS256", "HS384", "HS512", "RS256", "RS384", "RS512",
	"ES256", "ES384", "ES512", "PS256", "PS384", "PS512"}

// signer decodes "auth/signer".
func (l *loader) signer(e *Endpoint, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	s := &Signer{JSONPath: path, Pos: v.pos, Alg: "RS256"}
	var kidNode, keysNode, urlNode, localNode, caNode *node
	caName := ""
	ok := true
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "alg":
			if a, good := l.str(mv, path, m.key); good {
				if !contains(signerAlgs, a) {
					hint := "one of " + signerQuotedList(signerAlgs)
					if a == "none" {
						hint = "unsigned tokens are never produced"
					}
					l.errNode(mv, keyPath(path, m.key), "unsupported alg "+quoteJSON(a), hint)
					ok = false
				} else {
					s.Alg = a
				}
			} else {
				ok = false
			}
		case "kid":
			kidNode = mv
			if k, good := l.str(mv, path, m.key); good {
				s.KeyID = k
			} else {
				ok = false
			}
		case "jwk_url":
			urlNode = mv
			if u, good := l.str(mv, path, m.key); good {
				s.JWKURL = u
			} else {
				ok = false
			}
		case "jwk_local_path":
			localNode = mv
			if p, good := l.str(mv, path, m.key); good {
				s.JWKLocalPath = p
			} else {
				ok = false
			}
		case "jwk_local_ca":
			caNode = mv
			if p, good := l.str(mv, path, m.key); good {
				caName = p
			} else {
				ok = false
			}
		case "disable_jwk_security":
			l.setBool(&s.DisableJWKSecurity, mv, path, m.key)
		case "keys_to_sign":
			keysNode = mv
			if list, good := l.strList(mv, path, m.key); good {
				s.KeysToSign = signerDedup(list)
			} else {
				ok = false
			}
		case "full":
			l.setBool(&s.Full, mv, path, m.key)
		case "leeway":
			l.setDuration(&s.Leeway, mv, path, m.key)
		default:
			l.unknownKey(objSigner, path, m)
		}
	}
	switch {
	case kidNode == nil:
		l.errNode(v, path, `missing required key "kid"`, "name the signing key of the key set")
		ok = false
	case s.KeyID == "" && kidNode.kind == kindString:
		l.errNode(kidNode, keyPath(path, "kid"), "empty kid", "name the signing key of the key set")
		ok = false
	}
	switch {
	case keysNode == nil:
		l.errNode(v, path, `missing required key "keys_to_sign"`, "list the top-level response keys to sign")
		ok = false
	case len(s.KeysToSign) == 0 && keysNode.kind == kindArray && len(keysNode.elems) == 0:
		l.errNode(keysNode, keyPath(path, "keys_to_sign"), "keys_to_sign is empty", "list the top-level response keys to sign")
		ok = false
	}
	switch {
	case localNode != nil && s.JWKLocalPath != "":
		if urlNode != nil {
			l.warnAt(urlNode.pos, keyPath(path, "jwk_url"), "jwk_url ignored: jwk_local_path takes precedence", "remove one of them")
			s.JWKURL = ""
		}
		if s.JWKLocal = l.readSignerFile(localNode, keyPath(path, "jwk_local_path"), s.JWKLocalPath); s.JWKLocal == nil {
			ok = false
		}
	case urlNode != nil && s.JWKURL != "":
		if !l.checkSignerURL(urlNode, keyPath(path, "jwk_url"), s) {
			ok = false
		}
	case localNode == nil && urlNode == nil:
		l.errNode(v, path, "missing jwk_url or jwk_local_path", "name the JWK set that holds the signing key")
		ok = false
	default:
		n := localNode
		if n == nil {
			n = urlNode
		}
		l.errNode(n, path, "empty key set location", "set jwk_url or jwk_local_path")
		ok = false
	}
	if caNode != nil && caName != "" {
		if s.JWKLocalCA = l.readSignerFile(caNode, keyPath(path, "jwk_local_ca"), caName); s.JWKLocalCA == nil {
			ok = false
		}
	}
	if ok {
		e.Signer = s
	}
}

// checkSignerURL checks auth/signer's jwk_url: an absolute https URL, or
// http with disable_jwk_security (then with a warning).
func (l *loader) checkSignerURL(n *node, path string, s *Signer) bool {
	u, err := url.Parse(s.JWKURL)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" || (u.Scheme != "https" && u.Scheme != "http") {
		l.errNode(n, path, "invalid jwk_url "+quoteJSON(s.JWKURL), "use an absolute https:// URL")
		return false
	}
	if u.Scheme == "http" {
		if !s.DisableJWKSecurity {
			l.errNode(n, path, "jwk_url must use https", "set disable_jwk_security: true to allow http (not recommended)")
			return false
		}
		l.warnAt(n.pos, path, "the signing keys are fetched over plain http", "serve the key set over https")
	}
	return true
}

// readSignerFile reads a file auth/signer names, capped; nil after
// reporting a problem.
func (l *loader) readSignerFile(n *node, path, name string) []byte {
	f, err := os.Open(name)
	if err != nil {
		l.errNode(n, path, "cannot read "+quoteJSON(name)+": "+signerErrText(err), "")
		return nil
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSignerFileBytes+1))
	switch {
	case err != nil:
		l.errNode(n, path, "cannot read "+quoteJSON(name)+": "+signerErrText(err), "")
		return nil
	case len(b) > maxSignerFileBytes:
		l.errNode(n, path, "file "+quoteJSON(name)+" is larger than "+strconv.Itoa(maxSignerFileBytes)+" bytes", "")
		return nil
	case len(b) == 0:
		l.errNode(n, path, "file "+quoteJSON(name)+" is empty", "")
		return nil
	}
	return b
}

// signerErrText is an error's text without the operation and path os
// adds.
func signerErrText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// signerDedup drops repeated entries, keeping the first of each.
func signerDedup(list []string) []string {
	out := list[:0:0]
	for _, s := range list {
		if !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// signerQuotedList lists values as "a", "b", "c".
func signerQuotedList(values []string) string {
	b := make([]byte, 0, 16*len(values))
	for i, v := range values {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, quoteJSON(v)...)
	}
	return string(b)
}

// clientCredentials decodes "auth/client-credentials".
func (l *loader) clientCredentials(b *Backend, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	cc := &ClientCredentials{JSONPath: path, Pos: v.pos}
	var idNode, secretNode, urlNode *node
	ok := true
	str := func(dst *string, mv *node, k string) {
		if s, good := l.str(mv, path, k); good {
			*dst = s
		} else {
			ok = false
		}
	}
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "client_id":
			idNode = mv
			str(&cc.ClientID, mv, m.key)
		case "client_secret":
			secretNode = mv
			str(&cc.ClientSecret, mv, m.key)
		case "token_url":
			urlNode = mv
			str(&cc.TokenURL, mv, m.key)
		case "scopes":
			var s string
			str(&s, mv, m.key)
			cc.Scopes = splitScopes(s)
		case "audience":
			str(&cc.Audience, mv, m.key)
		case "endpoint_params":
			if params, good := l.endpointParams(mv, path, m.key); good {
				cc.EndpointParams = params
			} else {
				ok = false
			}
		case "is_disabled":
			l.setBool(&cc.IsDisabled, mv, path, m.key)
		default:
			l.unknownKey(objClientCredentials, path, m)
		}
	}
	for _, req := range []struct {
		n    *node
		name string
		val  string
	}{{idNode, "client_id", cc.ClientID}, {secretNode, "client_secret", cc.ClientSecret}, {urlNode, "token_url", cc.TokenURL}} {
		switch {
		case req.n == nil:
			l.errNode(v, path, "missing required key "+quoteJSON(req.name), "")
			ok = false
		case req.val == "" && req.n.kind == kindString:
			l.errNode(req.n, keyPath(path, req.name), "empty "+req.name, "")
			ok = false
		}
	}
	if urlNode != nil && cc.TokenURL != "" && !l.checkTokenURL(urlNode, keyPath(path, "token_url"), cc.TokenURL) {
		ok = false
	}
	if cc.Audience != "" {
		if _, dup := cc.EndpointParams["audience"]; dup {
			l.errNode(v, path, "audience is set twice: in audience and in endpoint_params", "keep one of them")
			ok = false
		}
	}
	if ok && !cc.IsDisabled {
		b.ClientCredentials = cc
	}
}

// splitScopes splits a comma-separated scopes value, trimming entries and
// dropping empty ones.
func splitScopes(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// reservedTokenFields are form fields the token request sets itself.
var reservedTokenFields = []string{"client_id", "client_secret", "grant_type", "scope"}

// endpointParams decodes endpoint_params: an object of string → []string
// (a single string is accepted as a one-element list).
func (l *loader) endpointParams(v *node, base, key string) (map[string][]string, bool) {
	if !l.object(v, base, key) {
		return nil, false
	}
	path := keyPath(base, key)
	out := make(map[string][]string, len(v.members))
	ok := true
	for i := range v.members {
		m := &v.members[i]
		if contains(reservedTokenFields, m.key) {
			l.errAt(m.pos, keyPath(path, m.key), "form field "+quoteJSON(m.key)+" is set by the token request itself",
				"use client_id, client_secret or scopes")
			ok = false
			continue
		}
		switch m.val.kind {
		case kindString:
			out[m.key] = []string{m.val.text}
		default:
			list, good := l.strList(&m.val, path, m.key)
			if !good {
				ok = false
				continue
			}
			out[m.key] = list
		}
	}
	return out, ok
}

// checkTokenURL checks token_url: an absolute https URL, or http to a
// loopback address.
func (l *loader) checkTokenURL(n *node, path, raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" || (u.Scheme != "https" && u.Scheme != "http") {
		l.errNode(n, path, "invalid token_url "+quoteJSON(raw), "use an absolute https:// URL")
		return false
	}
	if u.Scheme == "http" && !tokenURLLoopback(u.Hostname()) {
		l.errNode(n, path, "token_url must use https", "the client secret would cross the network in clear; http is accepted only for loopback addresses")
		return false
	}
	return true
}

// tokenURLLoopback reports localhost and loopback IP literals.
func tokenURLLoopback(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
