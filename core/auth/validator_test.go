package auth

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/tributary-gw/tributary/core/stage"
	"github.com/tributary-gw/tributary/internal/authorizer"
)

// newLocal builds a validator over a local JWKS holding keys.
func newLocal(t testing.TB, o Options, keys ...jose.JSONWebKey) *Validator {
	t.Helper()
	ks, err := NewKeySet(KeySetOptions{Local: jwksDoc(t, keys...)})
	if err != nil {
		t.Fatal(err)
	}
	o.Keys = ks
	if o.Alg == "" {
		o.Alg = "RS256"
	}
	if o.Now == nil {
		o.Now = func() time.Time { return testNow }
	}
	v, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// run validates a request carrying h and returns the reply and exchange.
func run(v *Validator, h http.Header) (*stage.Reply, *stage.Exchange) {
	x := &stage.Exchange{Header: h, Log: slog.New(slog.DiscardHandler)}
	return v.Run(context.Background(), x), x
}

func bearer(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }

func status(r *stage.Reply) int {
	if r == nil {
		return 200
	}
	return r.Status
}

func TestAlgorithmsAccepted(t *testing.T) {
	testKeys(t)
	cases := []struct {
		alg      string
		signWith any
		pub      any
	}{
		{"RS256", rsaKey, &rsaKey.PublicKey},
		{"RS512", rsaKey, &rsaKey.PublicKey},
		{"PS256", rsaKey, &rsaKey.PublicKey},
		{"ES256", ecKey, &ecKey.PublicKey},
		{"EdDSA", edKey, edPub},
		{"HS256", hmacKey, hmacKey},
	}
	for _, c := range cases {
		t.Run(c.alg, func(t *testing.T) {
			v := newLocal(t, Options{Alg: c.alg, Issuer: "https://issuer.test", Audience: []string{"api"}}, jwk(c.pub, "k1", ""))
			tok := sign(t, c.alg, c.signWith, "k1", claims(map[string]any{"n": json.Number("12345678901234567890")}))
			rep, x := run(v, bearer(tok))
			if rep != nil {
				t.Fatalf("valid %s token refused: %+v", c.alg, rep)
			}
			if x.Claims["sub"] != "user-1" || x.Claims["n"] != json.Number("12345678901234567890") {
				t.Fatalf("claims = %v", x.Claims)
			}
		})
	}
}

func TestHostileTokens(t *testing.T) {
	testKeys(t)
	v := newLocal(t, Options{Issuer: "https://issuer.test", Audience: []string{"api", "other"}},
		jwk(&rsaKey.PublicKey, "k1", "RS256"), jwk(hmacKey, "hk", ""))
	good := func(extra map[string]any) string { return sign(t, "RS256", rsaKey, "k1", claims(extra)) }
	pubDER, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	hdr := func(alg, kid string) map[string]any {
		h := map[string]any{"alg": alg, "typ": "JWT"}
		if kid != "" {
			h["kid"] = kid
		}
		return h
	}
	cases := []struct {
		name   string
		h      http.Header
		status int
	}{
		{"valid", bearer(good(nil)), 200},
		{"lower-case bearer", http.Header{"Authorization": {"bearer " + good(nil)}}, 200},
		{"no bearer prefix", http.Header{"Authorization": {good(nil)}}, 200},
		{"no token", http.Header{}, 401},
		{"empty header", http.Header{"Authorization": {"Bearer "}}, 401},
		{"two Authorization headers", http.Header{"Authorization": {"Bearer " + good(nil), "Bearer " + good(nil)}}, 400},
		{"alg none", bearer(rawToken(hdr("none", "k1"), claims(nil), nil)), 401},
		{"HS256 signed with the RSA public key", bearer(rawToken(hdr("HS256", "k1"), claims(nil), hs256(pubDER))), 401},
		{"HS256 with an HMAC key, RS256 configured", bearer(rawToken(hdr("HS256", "hk"), claims(nil), hs256(hmacKey))), 401},
		{"RS256 header naming the HMAC key", bearer(rawToken(hdr("RS256", "hk"), claims(nil), rs256(rsaKey))), 401},
		{"alg mismatch RS512", bearer(sign(t, "RS512", rsaKey, "k1", claims(nil))), 401},
		{"missing kid", bearer(rawToken(hdr("RS256", ""), claims(nil), rs256(rsaKey))), 401},
		{"numeric kid", bearer(rawToken(map[string]any{"alg": "RS256", "kid": 1}, claims(nil), rs256(rsaKey))), 401},
		{"long kid", bearer(rawToken(hdr("RS256", strings.Repeat("k", 257)), claims(nil), rs256(rsaKey))), 401},
		{"unknown kid", bearer(rawToken(hdr("RS256", "nope"), claims(nil), rs256(rsaKey))), 401},
		{"wrong key", bearer(sign(t, "RS256", rsaKey2, "k1", claims(nil))), 401},
		{"JWE (5 segments)", bearer("eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d"), 401},
		{"enc header", bearer(rawToken(map[string]any{"alg": "RS256", "kid": "k1", "enc": "A256GCM"}, claims(nil), rs256(rsaKey))), 401},
		{"oversized", bearer(strings.Repeat(".", 1<<20)), 401},
		{"oversized valid-looking", bearer(good(map[string]any{"pad": strings.Repeat("x", 9000)})), 401},
		{"crit", bearer(rawToken(map[string]any{"alg": "RS256", "kid": "k1", "crit": []string{"exp"}, "exp": 1}, claims(nil), rs256(rsaKey))), 401},
		{"crit b64", bearer(rawToken(map[string]any{"alg": "RS256", "kid": "k1", "crit": []string{"b64"}, "b64": true}, claims(nil), rs256(rsaKey))), 401},
		{"b64 without crit", bearer(rawToken(map[string]any{"alg": "RS256", "kid": "k1", "b64": false}, claims(nil), rs256(rsaKey))), 401},
		{"jku ignored", bearer(rawToken(map[string]any{"alg": "RS256", "kid": "k1", "jku": "https://evil.test/jwks"}, claims(nil), rs256(rsaKey))), 200},
		{"expired", bearer(good(map[string]any{"exp": testNow.Add(-2 * time.Second).Unix()})), 401},
		{"expired within leeway", bearer(good(map[string]any{"exp": testNow.Unix()})), 200},
		{"missing exp", bearer(good(map[string]any{"exp": nil})), 401},
		{"string exp", bearer(good(map[string]any{"exp": "9999999999"})), 401},
		{"nbf in the future", bearer(good(map[string]any{"nbf": testNow.Add(time.Minute).Unix()})), 401},
		{"iat in the future", bearer(good(map[string]any{"iat": testNow.Add(time.Minute).Unix()})), 401},
		{"nbf past", bearer(good(map[string]any{"nbf": testNow.Add(-time.Minute).Unix()})), 200},
		{"wrong iss", bearer(good(map[string]any{"iss": "https://evil.test"})), 401},
		{"numeric iss", bearer(good(map[string]any{"iss": 7})), 401},
		{"missing iss", bearer(good(map[string]any{"iss": nil})), 401},
		{"aud lacks one", bearer(good(map[string]any{"aud": "api"})), 401},
		{"aud wrong type", bearer(good(map[string]any{"aud": []any{"api", 1}})), 401},
		{"missing aud", bearer(good(map[string]any{"aud": nil})), 401},
		{"numeric sub", bearer(good(map[string]any{"sub": 42})), 401},
		{"payload not an object", bearer(rawToken(hdr("RS256", "k1"), nil, rs256(rsaKey))), 401},
		{"bad base64 header", bearer("!!!." + strings.SplitN(good(nil), ".", 2)[1]), 401},
		{"tampered payload", bearer(func() string {
			p := strings.Split(good(nil), ".")
			c, _ := json.Marshal(claims(map[string]any{"sub": "admin"}))
			return p[0] + "." + b64(c) + "." + p[2]
		}()), 401},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep, x := run(v, c.h)
			if got := status(rep); got != c.status {
				t.Fatalf("status = %d, want %d (%+v)", got, c.status, rep)
			}
			if c.status == 401 {
				if rep.Code != "invalid_token" || rep.Header.Get("WWW-Authenticate") != "Bearer" {
					t.Fatalf("401 reply = %+v", rep)
				}
				if x.Claims != nil {
					t.Fatal("claims set on a refused token")
				}
			}
		})
	}
}

func TestHMACKeyTooShort(t *testing.T) {
	ks, err := NewKeySet(KeySetOptions{Local: jwksDoc(t, jwk([]byte("short"), "hk", ""))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{Alg: "HS256", Keys: ks}); err == nil {
		t.Fatal("a 5-byte HS256 key was accepted")
	}
}

func TestCookieAndCustomHeader(t *testing.T) {
	testKeys(t)
	tok := sign(t, "RS256", rsaKey, "k1", claims(nil))
	v := newLocal(t, Options{HeaderName: "X-Token", CookieKey: "jwt"}, jwk(&rsaKey.PublicKey, "k1", ""))
	if rep, _ := run(v, http.Header{"X-Token": {tok}}); rep != nil {
		t.Fatalf("custom header refused: %+v", rep)
	}
	if rep, _ := run(v, bearer(tok)); status(rep) != 401 {
		t.Fatal("Authorization consulted although auth_header_name names another header")
	}
	if rep, _ := run(v, http.Header{"Cookie": {"a=b; jwt=" + tok}}); rep != nil {
		t.Fatalf("cookie refused: %+v", rep)
	}
	if rep, _ := run(v, http.Header{"X-Token": {"garbage"}, "Cookie": {"jwt=" + tok}}); status(rep) != 401 {
		t.Fatal("the cookie won over the header")
	}
}

func TestRolesAndScopes(t *testing.T) {
	testKeys(t)
	key := jwk(&rsaKey.PublicKey, "k1", "")
	tok := func(extra map[string]any) http.Header { return bearer(sign(t, "RS256", rsaKey, "k1", claims(extra))) }
	roles := newLocal(t, Options{RolesKey: []string{"realm", "roles"}, Roles: []string{"admin"}}, key)
	anyScope := newLocal(t, Options{ScopesKey: []string{"scope"}, Scopes: []string{"read", "write"}}, key)
	allScopes := newLocal(t, Options{ScopesKey: []string{"scope"}, Scopes: []string{"read", "write"}, ScopesAll: true}, key)
	cases := []struct {
		name   string
		v      *Validator
		h      http.Header
		status int
	}{
		{"role present", roles, tok(map[string]any{"realm": map[string]any{"roles": []any{"user", "admin"}}}), 200},
		{"role absent", roles, tok(map[string]any{"realm": map[string]any{"roles": []any{"user"}}}), 403},
		{"roles of odd types", roles, tok(map[string]any{"realm": map[string]any{"roles": []any{1, map[string]any{"x": 2}}}}), 403},
		{"roles claim missing", roles, tok(nil), 403},
		{"roles claim an object", roles, tok(map[string]any{"realm": map[string]any{"roles": map[string]any{"admin": true}}}), 403},
		{"any scope, string", anyScope, tok(map[string]any{"scope": "profile write"}), 200},
		{"any scope, array", anyScope, tok(map[string]any{"scope": []any{"read"}}), 200},
		{"any scope, none", anyScope, tok(map[string]any{"scope": "profile"}), 403},
		{"all scopes", allScopes, tok(map[string]any{"scope": "write read"}), 200},
		{"all scopes, one missing", allScopes, tok(map[string]any{"scope": "read"}), 403},
		{"scopes wrong type", allScopes, tok(map[string]any{"scope": 12}), 403},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep, _ := run(c.v, c.h)
			if got := status(rep); got != c.status {
				t.Fatalf("status = %d, want %d", got, c.status)
			}
			if c.status == 403 && rep.Code != "forbidden" {
				t.Fatalf("403 reply = %+v", rep)
			}
		})
	}
}

func TestPropagateClaims(t *testing.T) {
	testKeys(t)
	key := jwk(&rsaKey.PublicKey, "k1", "")
	props := []Propagation{
		{Claim: []string{"sub"}, Header: "X-User"},
		{Claim: []string{"roles"}, Header: "X-Roles"},
		{Claim: []string{"n"}, Header: "X-N"},
		{Claim: []string{"org", "id"}, Header: "X-Org"},
		{Claim: []string{"org"}, Header: "X-Org-Json"},
		{Claim: []string{"missing"}, Header: "X-Missing"},
		{Claim: []string{"nul"}, Header: "X-Null"},
	}
	c := claims(map[string]any{"roles": []any{"admin", "user"}, "n": json.Number("1.5e3"),
		"org": map[string]any{"id": 7}, "nul": "placeholder"})
	c["nul"] = nil
	tok := sign(t, "RS256", rsaKey, "k1", c)

	v := newLocal(t, Options{Propagate: props}, key)
	rep, x := run(v, bearer(tok))
	if rep != nil {
		t.Fatalf("refused: %+v", rep)
	}
	want := map[string][]string{"X-User": {"user-1"}, "X-Roles": {"admin,user"}, "X-N": {"1.5e3"},
		"X-Org": {"7"}, "X-Org-Json": {`{"id":7}`}, "X-Missing": nil, "X-Null": nil}
	for k, w := range want {
		got, ok := x.Forward[k]
		if !ok || strings.Join(got, "|") != strings.Join(w, "|") || (w == nil) != (got == nil) {
			t.Errorf("%s = %q (present %v), want %q", k, got, ok, w)
		}
	}

	v = newLocal(t, Options{Propagate: props, PreserveArray: true}, key)
	_, x = run(v, bearer(tok))
	if got := x.Forward["X-Roles"]; len(got) != 2 || got[0] != "admin" || got[1] != "user" {
		t.Errorf("preserved array = %q", got)
	}

	ctl := sign(t, "RS256", rsaKey, "k1", claims(map[string]any{"sub": "a\r\nX-Admin: 1"}))
	if rep, _ := run(v, bearer(ctl)); status(rep) != 401 {
		t.Fatalf("control characters in a claim header: status %d", status(rep))
	}
}

func TestURLClaims(t *testing.T) {
	testKeys(t)
	v := newLocal(t, Options{URLClaims: []string{"tenant"}}, jwk(&rsaKey.PublicKey, "k1", ""))
	for _, c := range []struct {
		val    any
		status int
		text   string
	}{
		{"acme", 200, "acme"},
		{json.Number("12345678901234567890"), 200, "12345678901234567890"},
		{true, 200, "true"},
		{[]any{"a", json.Number("2")}, 200, "a,2"},
		{nil, 403, ""},
		{map[string]any{"x": 1}, 403, ""},
		{[]any{"a", map[string]any{}}, 403, ""},
	} {
		cl := claims(nil)
		if c.val != nil {
			cl["tenant"] = c.val
		}
		rep, x := run(v, bearer(sign(t, "RS256", rsaKey, "k1", cl)))
		if status(rep) != c.status {
			t.Fatalf("tenant %v: status %d, want %d", c.val, status(rep), c.status)
		}
		if c.status == 403 && !strings.Contains(rep.Message, "token lacks claim tenant") {
			t.Fatalf("403 message = %q", rep.Message)
		}
		if c.status == 200 {
			if got, _ := ClaimText(x.Claims, "tenant"); got != c.text {
				t.Fatalf("ClaimText = %q, want %q", got, c.text)
			}
		}
	}
}

func TestTokenCache(t *testing.T) {
	testKeys(t)
	clk := &clock{t: testNow}
	v := newLocal(t, Options{Now: clk.now, Audience: []string{"api"}, Cache: &CacheOptions{MaxEntries: 2, TTL: time.Minute}},
		jwk(&rsaKey.PublicKey, "k1", ""))
	tok := sign(t, "RS256", rsaKey, "k1", claims(map[string]any{"exp": testNow.Add(90 * time.Second).Unix()}))
	if rep, _ := run(v, bearer(tok)); rep != nil {
		t.Fatalf("refused: %+v", rep)
	}
	if v.cache.Len() != 1 {
		t.Fatalf("cache holds %d tokens", v.cache.Len())
	}
	if rep, _ := run(v, bearer(tok)); rep != nil {
		t.Fatalf("cached token refused: %+v", rep)
	}
	// Past exp: the cached claims are not reused.
	clk.add(2 * time.Minute)
	if rep, _ := run(v, bearer(tok)); status(rep) != 401 {
		t.Fatalf("expired cached token: status %d", status(rep))
	}
	// Bounded.
	for i := range 5 {
		tk := sign(t, "RS256", rsaKey, "k1", claims(map[string]any{"exp": clk.now().Add(time.Hour).Unix(), "jti": string(rune('a' + i))}))
		if rep, _ := run(v, bearer(tk)); rep != nil {
			t.Fatalf("refused: %+v", rep)
		}
		if v.cache.Len() > 2 {
			t.Fatalf("cache holds %d tokens, bound 2", v.cache.Len())
		}
	}
	// Audience is still checked on a cache hit.
	tk := sign(t, "RS256", rsaKey, "k1", claims(map[string]any{"exp": clk.now().Add(time.Hour).Unix(), "jti": "z"}))
	if rep, _ := run(v, bearer(tk)); rep != nil {
		t.Fatalf("refused: %+v", rep)
	}
	v.o.Audience = []string{"elsewhere"}
	if rep, _ := run(v, bearer(tk)); status(rep) != 401 {
		t.Fatalf("wrong audience accepted from the cache: %d", status(rep))
	}
}

func TestAuthorizerClaims(t *testing.T) {
	v, err := New(Options{Alg: "RS256", AuthorizerClaims: true, Issuer: "https://issuer.test",
		RolesKey: []string{"cognito:groups"}, Roles: []string{"admin"},
		Propagate: []Propagation{{Claim: []string{"sub"}, Header: "X-User"}}})
	if err != nil {
		t.Fatal(err)
	}
	runCtx := func(ctx context.Context, h http.Header) (*stage.Reply, *stage.Exchange) {
		x := &stage.Exchange{Header: h, Log: slog.New(slog.DiscardHandler)}
		return v.Run(ctx, x), x
	}
	good := authorizer.NewContext(context.Background(),
		[]byte(`{"jwt": {"claims": {"iss": "https://issuer.test", "sub": "u1", "cognito:groups": ["admin"]}}}`))
	rep, x := runCtx(good, http.Header{"X-User": {"evil"}})
	if rep != nil || x.Forward.Get("X-User") != "u1" || x.Claims["sub"] != "u1" {
		t.Fatalf("authorizer claims refused: %+v %v", rep, x.Forward)
	}
	// No authorizer (server mode, or a client-made header): 401, whatever
	// the headers say.
	if rep, _ := runCtx(context.Background(), http.Header{"Authorization": {"Bearer x"},
		"X-Authorizer": {`{"jwt":{"claims":{"sub":"evil"}}}`}}); status(rep) != 401 {
		t.Fatalf("status %d without authorizer claims", status(rep))
	}
	for raw, want := range map[string]int{
		`{"lambda": {"iss": "https://issuer.test", "cognito:groups": ["user"]}}`: 403,
		`{"claims": {"iss": "https://evil.test", "cognito:groups": ["admin"]}}`:  401,
		`{"jwt": {"claims": "x"}}`: 401,
	} {
		if rep, _ := runCtx(authorizer.NewContext(context.Background(), []byte(raw)), nil); status(rep) != want {
			t.Errorf("%s: status %d, want %d", raw, status(rep), want)
		}
	}
}
