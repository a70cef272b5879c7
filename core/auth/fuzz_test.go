package auth

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// FuzzJWT feeds arbitrary token strings to an RS256 validator. It must
// never panic and never accept a token the test did not sign itself.
func FuzzJWT(f *testing.F) {
	testKeys(f)
	v := newLocal(f, Options{Issuer: "https://issuer.test", Audience: []string{"api"}, Propagate: []Propagation{{Claim: []string{"sub"}, Header: "X-User"}}},
		jwk(&rsaKey.PublicKey, "k1", ""), jwk(hmacKey, "hk", ""))
	for _, tok := range []string{
		sign(f, "RS256", rsaKey, "k1", claims(nil)),
		sign(f, "RS256", rsaKey, "k1", claims(map[string]any{"exp": nil})),
		sign(f, "RS256", rsaKey2, "k1", claims(nil)),
		rawToken(map[string]any{"alg": "none", "kid": "k1"}, claims(nil), nil),
		rawToken(map[string]any{"alg": "HS256", "kid": "hk"}, claims(nil), hs256(hmacKey)),
		"a.b.c", "..", "", "Bearer", strings.Repeat(".", 100), "eyJ.eyJ.sig",
	} {
		f.Add(tok)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		rep, x := run(v, http.Header{"Authorization": {"Bearer " + tok}})
		if rep != nil {
			return
		}
		// Accepted: it must be a token signed with rsaKey, i.e. its
		// signature verifies and its claims are what the test produced.
		if x.Claims == nil || x.Claims["iss"] != "https://issuer.test" {
			t.Fatalf("accepted token with claims %v", x.Claims)
		}
		parts := strings.Split(strings.TrimSpace(tok), ".")
		if len(parts) != 3 {
			t.Fatalf("accepted a token of %d segments", len(parts))
		}
	})
}

// FuzzClaimsToHeaders renders arbitrary claims into claim headers: no
// panic, no control character in any value, and every target header is
// present (set or emptied), so a client copy can never pass.
func FuzzClaimsToHeaders(f *testing.F) {
	f.Add([]byte(`{"sub":"a","roles":["x","y"],"org":{"id":1}}`), "sub,roles,org.id,org", false)
	f.Add([]byte(`{"sub":"a\r\nX: y","n":12345678901234567890}`), "sub,n", true)
	f.Add([]byte(`{"a":[null,{"b":[1,2]},true]}`), "a,a.b,zz", true)
	f.Fuzz(func(t *testing.T, doc []byte, spec string, preserve bool) {
		claims, err := decodeClaims(doc)
		if err != nil {
			return
		}
		var props []Propagation
		for i, p := range strings.Split(spec, ",") {
			if p == "" || i > 8 {
				continue
			}
			props = append(props, Propagation{Claim: strings.Split(p, "."), Header: "X-C" + string(rune('a'+i))})
		}
		v := &Validator{o: Options{Propagate: props, PreserveArray: preserve}}
		out, rej := v.claimHeaders(claims)
		if rej != nil {
			if rej.status != 401 {
				t.Fatalf("status %d", rej.status)
			}
			return
		}
		for _, p := range props {
			vals, ok := out[p.Header]
			if !ok {
				t.Fatalf("header %s missing from the claim headers", p.Header)
			}
			for _, s := range vals {
				if !httpsyntax.IsFieldValue(s) {
					t.Fatalf("header %s = %q holds a control character", p.Header, s)
				}
			}
		}
		_, _ = json.Marshal(out)
	})
}
