package conformance

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/tributary-gw/tributary/adapters/lambdaadapter"
)

// authConfig is the endpoint the auth/validator cases call (§17.8): an RS256
// validator over a JWKS served on loopback over TLS, with roles, claim
// headers and a {JWT.sub} placeholder.
const authConfig = `{
  "version": 3,
  "timeout": "2s",
  "endpoints": [{
    "endpoint": "/me/{id}",
    "input_headers": ["X-User", "X-Roles", "X-Email"],
    "extra_config": {"auth/validator": {
      "alg": "RS256", "jwk_url": "{{jwks}}", "jwk_local_ca": "{{ca}}", "cache": true,
      "issuer": "https://issuer.test", "audience": ["api"],
      "roles_key": "roles", "roles": ["user"],
      "propagate_claims": [["sub", "X-User"], ["roles", "X-Roles"], ["email", "X-Email"]]
    }},
    "backend": [{"host": ["{{users}}"], "url_pattern": "/users/{JWT.sub}/{id}"}]
  }]
}`

// authFixture is the signing key and the JWKS server of the auth cases.
type authFixture struct {
	key   *rsa.PrivateKey
	jwks  *httptest.Server
	ca    string
	fetch atomic.Int64
}

func newAuthFixture(t *testing.T) *authFixture {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := &authFixture{key: key}
	doc, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	if err != nil {
		t.Fatal(err)
	}
	f.jwks = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.fetch.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(doc)
	}))
	t.Cleanup(f.jwks.Close)
	f.ca = filepath.Join(t.TempDir(), "jwks-ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.jwks.Certificate().Raw})
	if err := os.WriteFile(f.ca, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// token signs claims (valid defaults merged with extra; a nil value
// deletes a claim) with the fixture key.
func (f *authFixture) token(t *testing.T, alg string, extra map[string]any) string {
	t.Helper()
	now := time.Now()
	c := map[string]any{"iss": "https://issuer.test", "aud": "api", "sub": "user 1",
		"roles": []string{"user", "admin"}, "exp": now.Add(time.Hour).Unix(), "iat": now.Unix()}
	for k, v := range extra {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	payload, _ := json.Marshal(c)
	if alg == "none" {
		h, _ := json.Marshal(map[string]string{"alg": "none", "kid": "k1"})
		return b64url(h) + "." + b64url(payload) + "."
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg), Key: f.key},
		(&jose.SignerOptions{}).WithHeader("kid", "k1"))
	if err != nil {
		t.Fatal(err)
	}
	jws, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// cases are the auth/validator golden cases, with tokens signed now and
// the fixture's JWKS URL and CA file in the config.
func (f *authFixture) cases(t *testing.T) []*goldenCase {
	t.Helper()
	valid := f.token(t, "RS256", nil)
	type spec struct {
		name    string
		doc     string
		headers map[string]any
		expect  string
	}
	specs := []spec{
		{"valid", "a valid token reaches the backend with its claims as headers and in the URL; client copies of claim headers are replaced (§17.8, §7.1, §6.2)",
			map[string]any{"Authorization": "Bearer " + valid, "X-User": "admin", "X-Email": "boss@example.com"},
			`{"status": 200, "headers": {"X-Tributary-Completed": "true"}, "body": {"ok": true},
			  "backend_saw": {"users": {"path": "/users/user%201/42",
			    "headers": {"X-User": "user 1", "X-Roles": "user,admin", "X-Email": null, "Authorization": null}}}}`},
		{"url_claim_escaped", "a claim in url_pattern is escaped like client input and never re-scanned (§6.4, security.md §2 rule 2)",
			map[string]any{"Authorization": "Bearer " + f.token(t, "RS256", map[string]any{"sub": "../admin?x={id}#"})},
			`{"status": 200, "body": {"ok": true},
			  "backend_saw": {"users": {"path": "/users/..%2Fadmin%3Fx%3D%7Bid%7D%23/42", "headers": {"X-User": "../admin?x={id}#"}}}}`},
		{"missing", "no token: 401 invalid_token with WWW-Authenticate: Bearer, no backend call (§17.8)",
			map[string]any{"X-User": "admin"},
			`{"status": 401, "headers": {"WWW-Authenticate": "Bearer"}, "body_error": "invalid_token", "backend_calls": {"users": 0}}`},
		{"alg_none", "alg none is refused with 401 (§17.8 step 2, security.md §5 E)",
			map[string]any{"Authorization": "Bearer " + f.token(t, "none", nil)},
			`{"status": 401, "headers": {"WWW-Authenticate": "Bearer"}, "body_error": "invalid_token", "backend_calls": {"users": 0}}`},
		{"alg_mismatch", "a token signed with another algorithm than the configured one is refused (§17.8 step 2)",
			map[string]any{"Authorization": "Bearer " + f.token(t, "RS512", nil)},
			`{"status": 401, "body_error": "invalid_token", "backend_calls": {"users": 0}}`},
		{"expired", "an expired token is refused (§17.8 step 5)",
			map[string]any{"Authorization": "Bearer " + f.token(t, "RS256", map[string]any{"exp": time.Now().Add(-time.Hour).Unix()})},
			`{"status": 401, "body_error": "invalid_token", "backend_calls": {"users": 0}}`},
		{"no_exp", "a validly signed token without exp is refused (§17.8 step 5)",
			map[string]any{"Authorization": "Bearer " + f.token(t, "RS256", map[string]any{"exp": nil})},
			`{"status": 401, "body_error": "invalid_token", "backend_calls": {"users": 0}}`},
		{"wrong_audience", "every configured audience must be in aud (§17.8)",
			map[string]any{"Authorization": "Bearer " + f.token(t, "RS256", map[string]any{"aud": "other"})},
			`{"status": 401, "body_error": "invalid_token", "backend_calls": {"users": 0}}`},
		{"oversized", "a token over 8 KiB is refused before parsing (§17.8 step 1)",
			map[string]any{"Authorization": "Bearer " + strings.Repeat("a.", 5000)},
			`{"status": 401, "body_error": "invalid_token", "backend_calls": {"users": 0}}`},
		{"role_missing", "a token without an accepted role gets 403 (§17.8 step 6)",
			map[string]any{"Authorization": "Bearer " + f.token(t, "RS256", map[string]any{"roles": []any{"guest", 1, map[string]any{"x": 2}}})},
			`{"status": 403, "body_error": "forbidden", "backend_calls": {"users": 0}}`},
		{"url_claim_missing", "a token lacking the claim {JWT.sub} needs gets 403 (§6.2)",
			map[string]any{"Authorization": "Bearer " + f.token(t, "RS256", map[string]any{"sub": nil})},
			`{"status": 403, "body_error": "forbidden", "backend_calls": {"users": 0}}`},
		{"two_authorization_headers", "two Authorization headers are a 400 (§17.8 step 1)",
			map[string]any{"Authorization": []string{"Bearer " + valid, "Bearer " + valid}},
			`{"status": 400, "body_error": "ambiguous_credentials", "backend_calls": {"users": 0}}`},
	}
	var out []*goldenCase
	for _, s := range specs {
		hdr, _ := json.Marshal(s.headers)
		cfg := strings.NewReplacer("{{jwks}}", f.jwks.URL+"/jwks", "{{ca}}", f.ca).Replace(authConfig)
		src := `{"doc": ` + quote(s.doc) + `,
  "backends": {"users": {"routes": {"*": {"headers": {"Content-Type": "application/json"}, "body": {"ok": true}}}}},
  "config": ` + cfg + `,
  "request": {"method": "GET", "path": "/me/42", "headers": ` + string(hdr) + `},
  "expect": ` + s.expect + `}`
		dec := json.NewDecoder(strings.NewReader(src))
		dec.DisallowUnknownFields()
		c := &goldenCase{name: "auth/" + s.name}
		if err := dec.Decode(c); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if err := c.validate(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		out = append(out, c)
	}
	return out
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestAuthHTTP runs the auth/validator cases through the HTTP runner.
func TestAuthHTTP(t *testing.T) {
	f := newAuthFixture(t)
	for _, c := range f.cases(t) {
		t.Run(c.name, func(t *testing.T) { runCase(t, httpTransport, c) })
	}
	if f.fetch.Load() == 0 {
		t.Fatal("the JWKS was never fetched")
	}
}

// TestAuthLambda runs the same cases through every Lambda trigger under
// the emulator and compares each answer with the HTTP server's.
func TestAuthLambda(t *testing.T) {
	rieBin, bootstrap := lamEmulator(t, "GATEWAY_BOOTSTRAP")
	f := newAuthFixture(t)
	slots := make(chan struct{}, lamSlots)
	for _, c := range f.cases(t) {
		t.Run(c.name, func(t *testing.T) { lamRunCase(t, rieBin, bootstrap, c, slots) })
	}
}

// authorizerConfig takes its claims from the API Gateway authorizer
// (tributary.jwt_authorizer_claims).
const authorizerConfig = `{
  "version": 3,
  "endpoints": [{
    "endpoint": "/me", "input_headers": ["X-User"],
    "extra_config": {
      "auth/validator": {"issuer": "https://issuer.test", "audience": ["api"], "roles_key": "groups", "roles": ["user"],
        "propagate_claims": [["sub", "X-User"]]},
      "tributary": {"jwt_authorizer_claims": true}
    },
    "backend": [{"host": ["{{users}}"], "url_pattern": "/users/{JWT.sub}"}]
  }]
}`

// TestAuthLambdaAuthorizer sends HTTP API v2 and REST v1 events carrying
// authorizer claims through the real Lambda adapter in front of the
// gateway: the claims are used, and the same request over HTTP (no
// authorizer) is refused.
func TestAuthLambdaAuthorizer(t *testing.T) {
	c := &goldenCase{name: "auth/authorizer", Doc: "§17.8", Config: json.RawMessage(authorizerConfig),
		Backends: map[string]cannedBackend{"users": {Routes: map[string]*cannedResponse{"*": {
			Headers: map[string]headerValues{"Content-Type": headerList("application/json")}, Body: json.RawMessage(`{"ok":true}`)}}}}}
	backends := startBackends(t, c.Backends)
	gw := buildGateway(t, c, backends.urls)
	a := lambdaadapter.New(gw.handler, lambdaadapter.Options{})
	claims := `{"iss": "https://issuer.test", "aud": "api", "sub": "u 1", "groups": ["user"]}`
	events := map[string]string{
		"v2": `{"version": "2.0", "rawPath": "/me", "rawQueryString": "", "headers": {"host": "x.test", "x-user": "evil"},
		  "requestContext": {"domainName": "x.test", "stage": "$default", "http": {"method": "GET", "path": "/me", "sourceIp": "127.0.0.1"},
		    "authorizer": {"jwt": {"claims": ` + claims + `, "scopes": null}}}, "isBase64Encoded": false}`,
		"v1": `{"resource": "/{proxy+}", "path": "/me", "httpMethod": "GET", "headers": {"Host": "x.test"},
		  "multiValueHeaders": {"Host": ["x.test"], "X-User": ["evil"]},
		  "requestContext": {"stage": "prod", "domainName": "x.test", "identity": {"sourceIp": "127.0.0.1"},
		    "authorizer": {"claims": ` + claims + `}}, "body": null, "isBase64Encoded": false}`,
		"v2 no authorizer": `{"version": "2.0", "rawPath": "/me", "rawQueryString": "", "headers": {"host": "x.test"},
		  "requestContext": {"domainName": "x.test", "stage": "$default", "http": {"method": "GET", "path": "/me", "sourceIp": "127.0.0.1"}},
		  "isBase64Encoded": false}`,
	}
	for name, ev := range events {
		t.Run(name, func(t *testing.T) {
			before := len(backends.calls("users"))
			out, err := a.Handle(context.Background(), json.RawMessage(ev))
			if err != nil {
				t.Fatal(err)
			}
			var reply struct {
				StatusCode int `json:"statusCode"`
			}
			if err := json.NewDecoder(out).Decode(&reply); err != nil {
				t.Fatal(err)
			}
			calls := backends.calls("users")[before:]
			if name == "v2 no authorizer" {
				if reply.StatusCode != 401 || len(calls) != 0 {
					t.Fatalf("status %d, %d backend calls", reply.StatusCode, len(calls))
				}
				return
			}
			if reply.StatusCode != 200 || len(calls) != 1 {
				t.Fatalf("status %d, %d backend calls", reply.StatusCode, len(calls))
			}
			if got := calls[0].path; got != "/users/u%201" {
				t.Errorf("backend path %q", got)
			}
			if got := calls[0].header.Values("X-User"); len(got) != 1 || got[0] != "u 1" {
				t.Errorf("backend X-User %q", got)
			}
		})
	}
	// Server mode: no authorizer can exist, so the endpoint refuses.
	send := startHTTP(t, gw.handler, gw.cfg)
	obs, err := send(context.Background(), &caseRequest{Method: "GET", Path: "/me", Headers: map[string]headerValues{"X-User": headerList("u")}})
	if err != nil {
		t.Fatal(err)
	}
	if obs.status != 401 {
		t.Fatalf("server mode status %d, want 401", obs.status)
	}
}
