package conformance

import (
	"encoding/json"
	"strings"
	"testing"
)

// celJWTConfig is the endpoint of the validation/cel JWT cases (§17.22):
// an RS256 validator, one JWT expression (run right after the token is
// accepted) and one expression naming both JWT and req_ (run in both
// phases).
const celJWTConfig = `{
  "version": 3,
  "timeout": "2s",
  "endpoints": [{
    "endpoint": "/orders/{id}",
    "extra_config": {
      "auth/validator": {"alg": "RS256", "jwk_url": "{{jwks}}", "jwk_local_ca": "{{ca}}",
        "issuer": "https://issuer.test", "audience": ["api"]},
      "validation/cel": [
        {"check_expr": "'admin' in JWT.roles"},
        {"check_expr": "JWT.sub == 'user 1' && req_params.Id != '0'"}
      ]
    },
    "backend": [{"host": ["{{users}}"], "url_pattern": "/orders/{id}"}]
  }]
}`

// celJWTCases are the validation/cel JWT cases, with tokens signed now.
func (f *authFixture) celJWTCases(t *testing.T) []*goldenCase {
	t.Helper()
	type spec struct {
		name, doc, path, token, expect string
	}
	specs := []spec{
		{"jwt_true", "JWT expressions that hold let the request through (§17.22)",
			"/orders/5", f.token(t, "RS256", nil),
			`{"status": 200, "body": {"ok": true}, "backend_calls": {"users": 1}}`},
		{"jwt_false", "a false JWT expression answers 401 invalid_token like an invalid token, with no backend call (§17.22, §14.4)",
			"/orders/5", f.token(t, "RS256", map[string]any{"roles": []string{"user"}}),
			`{"status": 401, "headers": {"WWW-Authenticate": "Bearer"}, "body_error": "invalid_token", "backend_calls": {"users": 0}}`},
		{"jwt_and_req_false", "an expression naming JWT and req_ runs in both phases; false on the request → 401 from the JWT phase (§17.22)",
			"/orders/0", f.token(t, "RS256", nil),
			`{"status": 401, "body_error": "invalid_token", "backend_calls": {"users": 0}}`},
		{"jwt_wrong_subject", "a claim the expression compares differs → 401 (§17.22)",
			"/orders/5", f.token(t, "RS256", map[string]any{"sub": "mallory"}),
			`{"status": 401, "body_error": "invalid_token", "backend_calls": {"users": 0}}`},
	}
	var out []*goldenCase
	cfg := strings.NewReplacer("{{jwks}}", f.jwks.URL+"/jwks", "{{ca}}", f.ca).Replace(celJWTConfig)
	for _, s := range specs {
		src := `{"doc": ` + quote(s.doc) + `,
  "backends": {"users": {"routes": {"*": {"headers": {"Content-Type": "application/json"}, "body": {"ok": true}}}}},
  "config": ` + cfg + `,
  "request": {"method": "GET", "path": ` + quote(s.path) + `, "headers": {"Authorization": ` + quote("Bearer "+s.token) + `}},
  "expect": ` + s.expect + `}`
		dec := json.NewDecoder(strings.NewReader(src))
		dec.DisallowUnknownFields()
		c := &goldenCase{name: "validation/" + s.name}
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

// TestCELJWTHTTP runs the validation/cel JWT cases through the HTTP runner.
func TestCELJWTHTTP(t *testing.T) {
	f := newAuthFixture(t)
	for _, c := range f.celJWTCases(t) {
		t.Run(c.name, func(t *testing.T) { runCase(t, httpTransport, c) })
	}
}

// TestCELJWTLambda runs the same cases through every Lambda trigger.
func TestCELJWTLambda(t *testing.T) {
	rieBin, bootstrap := lamEmulator(t, "GATEWAY_BOOTSTRAP")
	f := newAuthFixture(t)
	slots := make(chan struct{}, lamSlots)
	for _, c := range f.celJWTCases(t) {
		t.Run(c.name, func(t *testing.T) { lamRunCase(t, rieBin, bootstrap, c, slots) })
	}
}
