package conformance

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// signerKeys are the signing keys of the auth/signer cases, by algorithm.
var signerKeys = func() map[string]any {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return map[string]any{"HS256": []byte("conformance-hmac-secret-32-bytes"), "RS256": rk, "ES256": ek}
}()

// privateJWKS is a JWK set holding key under kid, with private parts.
func privateJWKS(t *testing.T, kid string, key any) string {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key, KeyID: kid}}})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func verifyKey(key any) any {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return &k.PublicKey
	case *ecdsa.PrivateKey:
		return &k.PublicKey
	}
	return key
}

// signerCase builds a case from its JSON text.
func signerCase(t *testing.T, name, text string) *goldenCase {
	t.Helper()
	c := &goldenCase{name: "signer/" + name}
	if err := json.Unmarshal([]byte(text), c); err != nil {
		t.Fatalf("case %s: %v", name, err)
	}
	if err := c.validate(); err != nil {
		t.Fatalf("case %s: %v", name, err)
	}
	return c
}

// runSignerCase runs c through the HTTP transport, checks its expectation
// and the invariants, and returns what the client received.
func runSignerCase(t *testing.T, c *goldenCase) *observed {
	obs, _ := runSignerCaseGateway(t, c)
	return obs
}

// runSignerCaseGateway is runSignerCase, also returning the gateway (its
// logs).
func runSignerCaseGateway(t *testing.T, c *goldenCase) (*observed, *gateway) {
	t.Helper()
	backends := startBackends(t, c.Backends)
	gw := buildGateway(t, c, backends.urls)
	send := httpTransport.start(t, gw.handler, gw.cfg)
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	obs, err := send(ctx, &c.Request)
	if err != nil {
		t.Fatalf("sending the request: %v", err)
	}
	checkExpect(t, c, obs, backends)
	checkInvariants(t, c, obs, backends, gw)
	return obs, gw
}

// TestSignerSignsWhatValidates signs a response member with HS256, RS256
// and ES256, compact and full, through a real server, and verifies the
// result with go-jose: the claims are the backend's object, byte for byte.
// Listed keys that are missing or hold no object, and unlisted keys, pass
// through unchanged (§17.18). The key set is fetched once per
// plan.Compile, and the HTTP runner compiles twice (gateway and server).
func TestSignerSignsWhatValidates(t *testing.T) {
	for _, alg := range []string{"HS256", "RS256", "ES256"} {
		for _, full := range []bool{false, true} {
			name := alg + "-compact"
			if full {
				name = alg + "-full"
			}
			t.Run(name, func(t *testing.T) {
				key := signerKeys[alg]
				fullText := "false"
				if full {
					fullText = "true"
				}
				c := signerCase(t, name, `{
  "doc": "§17.18: auth/signer replaces listed object members with their JWS",
  "backends": {
    "keys": {"routes": {"GET /jwks": {"headers": {"Content-Type": "application/json"}, "body": `+privateJWKS(t, "sig-1", key)+`}}},
    "api": {"routes": {"GET /data": {"headers": {"Content-Type": "application/json"},
      "body": {"token": {"sub": "u1", "exp": 1900000000, "roles": ["a", "b"]}, "str": "plain", "arr": [{"x": 1}], "num": 7, "other": {"keep": true}}}}}
  },
  "config": {"version": 3, "endpoints": [{"endpoint": "/signed", "backend": [{"host": ["{{api}}"], "url_pattern": "/data"}],
    "extra_config": {"auth/signer": {"alg": "`+alg+`", "kid": "sig-1", "jwk_url": "{{keys}}/jwks", "disable_jwk_security": true,
      "keys_to_sign": ["token", "missing", "str", "arr", "num"], "full": `+fullText+`}}}]},
  "request": {"path": "/signed"},
  "expect": {"status": 200, "headers": {"X-Tributary-Completed": "true"}, "backend_calls": {"keys": 2, "api": 1}}
}`)
				obs := runSignerCase(t, c)
				var doc map[string]json.RawMessage
				if err := json.Unmarshal(obs.body, &doc); err != nil {
					t.Fatalf("body %s: %v", obs.body, err)
				}
				for k, want := range map[string]string{"str": `"plain"`, "arr": `[{"x":1}]`, "num": `7`, "other": `{"keep":true}`} {
					if string(doc[k]) != want {
						t.Errorf("%s = %s, want it unchanged: %s", k, doc[k], want)
					}
				}
				if _, ok := doc["missing"]; ok {
					t.Errorf("a missing key was added")
				}
				var jws string
				if err := json.Unmarshal(doc["token"], &jws); err != nil {
					t.Fatalf("token = %s, not a string", doc["token"])
				}
				algs := []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)}
				var obj *jose.JSONWebSignature
				var err error
				if full {
					obj, err = jose.ParseSignedJSON(jws, algs)
				} else {
					if strings.Count(jws, ".") != 2 {
						t.Fatalf("token %q is not a compact JWS", jws)
					}
					obj, err = jose.ParseSignedCompact(jws, algs)
				}
				if err != nil {
					t.Fatal(err)
				}
				claims, err := obj.Verify(verifyKey(key))
				if err != nil {
					t.Fatalf("the signature does not verify: %v", err)
				}
				if want := `{"sub":"u1","exp":1900000000,"roles":["a","b"]}`; string(claims) != want {
					t.Errorf("claims = %s, want %s", claims, want)
				}
				if kid := obj.Signatures[0].Header.KeyID; kid != "sig-1" {
					t.Errorf("kid = %q", kid)
				}
			})
		}
	}
}

// TestSignerRefusesIncomplete: nothing is signed unless every backend
// succeeded: partial data and no data are both 400 signing_failed, never
// the backend's own status (§17.18, §14.4).
func TestSignerRefusesIncomplete(t *testing.T) {
	jwks := privateJWKS(t, "k", signerKeys["HS256"])
	for name, backends := range map[string]string{
		"partial": `[{"host": ["{{api}}"], "url_pattern": "/ok"}, {"host": ["{{down}}"], "url_pattern": "/x"}]`,
		"no-data": `[{"host": ["{{api}}"], "url_pattern": "/fail", "extra_config": {"backend/http": {"return_error_code": true}}}]`,
		"error-data": `[{"host": ["{{api}}"], "url_pattern": "/ok"},
		               {"host": ["{{api}}"], "url_pattern": "/fail", "extra_config": {"backend/http": {"return_error_details": "f"}}}]`,
	} {
		t.Run(name, func(t *testing.T) {
			c := signerCase(t, name, `{
  "doc": "§17.18: an incomplete result is never signed",
  "backends": {
    "keys": {"routes": {"GET /jwks": {"body": `+jwks+`}}},
    "api": {"routes": {"GET /ok": {"body": {"token": {"sub": "u1"}}}, "GET /fail": {"status": 418, "body": {"token": {"sub": "u1"}}}}},
    "down": {"refuse": true}
  },
  "config": {"version": 3, "endpoints": [{"endpoint": "/signed", "backend": `+backends+`,
    "extra_config": {"auth/signer": {"alg": "HS256", "kid": "k", "jwk_url": "{{keys}}/jwks", "disable_jwk_security": true, "keys_to_sign": ["token"]}}}]},
  "request": {"path": "/signed"},
  "expect": {"status": 400, "body_error": "signing_failed", "headers": {"X-Tributary-Completed": "false"}}
}`)
			obs := runSignerCase(t, c)
			if strings.Contains(string(obs.body), "u1") {
				t.Errorf("the unsigned data leaked: %s", obs.body)
			}
		})
	}
}

// TestClientCredentialsSecretsNotLogged: a token endpoint that refuses the
// client and echoes its credentials in the error body makes the backend
// fail (502, the backend is not called), and neither the secret nor the
// echoed body reaches the logs. On success the token is not logged
// either.
func TestClientCredentialsSecretsNotLogged(t *testing.T) {
	const secret = "very-secret-value-123"
	for name, idp := range map[string]string{
		"refused": `{"POST /token": {"status": 401, "headers": {"Content-Type": "application/json"},
		  "body": {"error": "invalid_client", "error_description": "bad secret very-secret-value-123", "token": "leaked-token-456"}}}`,
		"granted": `{"POST /token": {"headers": {"Content-Type": "application/json"}, "body": {"access_token": "leaked-token-456", "expires_in": 60}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			status := "502"
			calls := `"idp": 1, "api": 0`
			if name == "granted" {
				status, calls = "200", `"idp": 1, "api": 1`
			}
			c := signerCase(t, "cc-"+name, `{
  "doc": "§17.19: secrets never logged",
  "backends": {"idp": {"routes": `+idp+`}, "api": {"routes": {"GET /data": {"body": {"ok": true}}}}},
  "config": {"version": 3, "extra_config": {"telemetry/logging": {"level": "DEBUG"}, "router": {"return_error_msg": true}},
    "endpoints": [{"endpoint": "/cc", "backend": [{"host": ["{{api}}"], "url_pattern": "/data",
    "extra_config": {"auth/client-credentials": {"client_id": "id", "client_secret": "`+secret+`", "token_url": "{{idp}}/token"}}}]}]},
  "request": {"path": "/cc"},
  "expect": {"status": `+status+`, "backend_calls": {`+calls+`}}
}`)
			obs, gw := runSignerCaseGateway(t, c)
			logs := gw.logs.String()
			for _, s := range []string{secret, "leaked-token-456", "bad secret"} {
				if strings.Contains(logs, s) {
					t.Errorf("the logs hold %q:\n%s", s, logs)
				}
				if strings.Contains(string(obs.body), s) {
					t.Errorf("the response holds %q: %s", s, obs.body)
				}
			}
			if name == "refused" && !strings.Contains(logs, "401") {
				t.Errorf("the failure is not logged with its status:\n%s", logs)
			}
		})
	}
}

// publicJWKS is the public half of privateJWKS.
func publicJWKS(t *testing.T, kid string, key any) string {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: verifyKey(key), KeyID: kid, Algorithm: "RS256", Use: "sig"}}})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSignedTokenValidatesAndRevokes: a token Tributary signs on one
// endpoint (auth/signer) is accepted by auth/validator on another; after
// its jti is revoked through the admin path (tributary.revoke_admin), the
// same token is refused with 401 (§17.18, §17.8, §17.20).
func TestSignedTokenValidatesAndRevokes(t *testing.T) {
	key := signerKeys["RS256"]
	c := signerCase(t, "sign-validate-revoke", `{
  "doc": "§17.18 + §17.8 + §17.20 end to end",
  "backends": {
    "keys": {"routes": {
      "GET /private": {"headers": {"Content-Type": "application/json"}, "body": `+privateJWKS(t, "sig-1", key)+`},
      "GET /public": {"headers": {"Content-Type": "application/json"}, "body": `+publicJWKS(t, "sig-1", key)+`}}},
    "api": {"routes": {
      "GET /issue": {"headers": {"Content-Type": "application/json"},
        "body": {"token": {"sub": "u1", "jti": "j-1", "iss": "tributary-test", "aud": "api", "exp": 4102444800}}},
      "GET /data": {"headers": {"Content-Type": "application/json"}, "body": {"secret": "data"}}}}
  },
  "config": {"version": 3,
    "extra_config": {
      "auth/revoker": {"N": 1000, "P": 0.000001, "TTL": 3600, "token_keys": ["jti"]},
      "tributary": {"revoke_admin": {"secret_sha256": "16175223c8ddce5ace0493c948569c211b03c4c6bb3d3e484434999448cffe01"}}},
    "endpoints": [
      {"endpoint": "/issue", "backend": [{"host": ["{{api}}"], "url_pattern": "/issue"}],
       "extra_config": {"auth/signer": {"alg": "RS256", "kid": "sig-1", "jwk_url": "{{keys}}/private", "disable_jwk_security": true, "keys_to_sign": ["token"]}}},
      {"endpoint": "/data", "backend": [{"host": ["{{api}}"], "url_pattern": "/data"}],
       "extra_config": {"auth/validator": {"alg": "RS256", "jwk_url": "{{keys}}/public", "disable_jwk_security": true,
         "issuer": "tributary-test", "audience": ["api"]}}}]},
  "request": {"path": "/issue"},
  "expect": {"status": 200}
}`)
	backends := startBackends(t, c.Backends)
	gw := buildGateway(t, c, backends.urls)
	send := httpTransport.start(t, gw.handler, gw.cfg)
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	do := func(method, path string, headers map[string]headerValues) *observed {
		t.Helper()
		obs, err := send(ctx, &caseRequest{Method: method, Path: path, Headers: headers})
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		return obs
	}

	issued := do("GET", "/issue", nil)
	var doc struct{ Token string }
	if issued.status != 200 || json.Unmarshal(issued.body, &doc) != nil || strings.Count(doc.Token, ".") != 2 {
		t.Fatalf("/issue: %d %s", issued.status, issued.body)
	}
	bearer := map[string]headerValues{"Authorization": headerList("Bearer " + doc.Token)}
	if got := do("GET", "/data", bearer); got.status != 200 || string(got.body) != `{"secret":"data"}` {
		t.Fatalf("the signed token is not accepted: %d %s", got.status, got.body)
	}
	if got := do("GET", "/data", nil); got.status != 401 {
		t.Fatalf("no token: %d", got.status)
	}
	if got := do("POST", "/__revoke?claim=jti&value=j-1", map[string]headerValues{"Authorization": headerList("Bearer wrong")}); got.status != 401 {
		t.Fatalf("admin with a wrong secret: %d %s", got.status, got.body)
	}
	if got := do("GET", "/data", bearer); got.status != 200 {
		t.Fatalf("revoked by a refused admin call: %d", got.status)
	}
	admin := do("POST", "/__revoke?claim=jti&value=j-1", map[string]headerValues{"Authorization": headerList("Bearer admin-secret")})
	if admin.status != 200 || string(admin.body) != `{"revoked":"jti-j-1"}` {
		t.Fatalf("admin: %d %s", admin.status, admin.body)
	}
	got := do("GET", "/data", bearer)
	if got.status != 401 || got.header.Get("WWW-Authenticate") != "Bearer" {
		t.Fatalf("revoked token: %d %v %s", got.status, got.header, got.body)
	}
	checkErrorBody(t, got, got.body, "invalid_token")
	if n := len(backends.calls("api")); n != 3 {
		t.Errorf("api backend called %d times, want 3 (/issue, then /data twice before the revocation)", n)
	}
}
