package plan

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/revoke"
	"github.com/tributary-gw/tributary/core/stage"
)

// adminSecret and its SHA-256, as the config holds it.
const (
	adminSecret = "admin-secret"
	adminDigest = "16175223c8ddce5ace0493c948569c211b03c4c6bb3d3e484434999448cffe01"
)

func revokerConfig(t *testing.T, extra string) *config.Config {
	t.Helper()
	cfg := load(t, `{"version": 3, "extra_config": {
  "auth/revoker": {"N": 1000, "P": 0.000001, "TTL": 3600, "token_keys": ["jti", "sub"]}`+extra+`},
 "endpoints": [{"endpoint": "/api", "backend": [{"host": ["http://127.0.0.1:9"], "url_pattern": "/x"}]}]}`)
	// The endpoint validates tokens (the revocation check follows the
	// validator); the validator's own stage is not needed here.
	cfg.Endpoints[0].Validator = &config.Validator{}
	return cfg
}

func exchange(method, path, query string, h http.Header, claims map[string]any) *stage.Exchange {
	if h == nil {
		h = http.Header{}
	}
	return &stage.Exchange{Method: method, RawPath: path, RawQuery: query, Header: h, ClientIP: "127.0.0.1",
		Claims: claims, Log: slog.New(slog.DiscardHandler)}
}

func TestRevokerStage(t *testing.T) {
	cfg := revokerConfig(t, "")
	c := &compiler{cfg: cfg}
	s, err := c.revokerStage(cfg.Endpoints[0])
	if err != nil || s == nil {
		t.Fatalf("revokerStage: %v, %v", s, err)
	}
	list, _ := c.revocations()
	ctx := context.Background()
	list.Add(ctx, revoke.Key("jti", "abc"))
	list.Add(ctx, revoke.Key("sub", "42"))

	for _, tc := range []struct {
		claims  map[string]any
		revoked bool
	}{
		{nil, false},
		{map[string]any{"jti": "abc"}, true},
		{map[string]any{"jti": "abd", "sub": "u"}, false},
		{map[string]any{"jti": "x", "sub": json.Number("42")}, true},
		{map[string]any{"sub": 42.0}, true},
		{map[string]any{"jti": []any{"abc"}}, false},
		{map[string]any{"other": "abc"}, false},
	} {
		rep := s.Run(ctx, exchange("GET", "/api", "", nil, tc.claims))
		if (rep != nil) != tc.revoked {
			t.Errorf("claims %v: reply %+v, want revoked=%v", tc.claims, rep, tc.revoked)
			continue
		}
		if rep != nil && (rep.Status != 401 || rep.Code != "invalid_token" || rep.Header.Get("WWW-Authenticate") != "Bearer") {
			t.Errorf("reply %+v", rep)
		}
	}
	// An endpoint without a validator has no revocation check.
	if s, _ := c.revokerStage(&config.Endpoint{}); s != nil {
		t.Error("a revocation check without a validator")
	}
}

func TestRevokeAdmin(t *testing.T) {
	cfg := revokerConfig(t, `, "tributary": {"revoke_admin": {"secret_sha256": "`+adminDigest+`"}}`)
	c := &compiler{cfg: cfg}
	admin, err := c.revokeAdminStage()
	if err != nil || admin == nil {
		t.Fatalf("revokeAdminStage: %v, %v", admin, err)
	}
	check, _ := c.revokerStage(cfg.Endpoints[0])
	ctx := context.Background()
	bearer := func(s string) http.Header { return http.Header{"Authorization": {"Bearer " + s}} }

	for _, tc := range []struct {
		name   string
		x      *stage.Exchange
		status int
		code   string
	}{
		{"other path", exchange("POST", "/api", "claim=jti&value=a", bearer(adminSecret), nil), 0, ""},
		{"GET", exchange("GET", "/__revoke", "", bearer(adminSecret), nil), 405, "method_not_allowed"},
		{"no secret", exchange("POST", "/__revoke", "claim=jti&value=a", nil, nil), 401, "invalid_token"},
		{"wrong secret", exchange("POST", "/__revoke", "claim=jti&value=a", bearer("admin-secreT"), nil), 401, "invalid_token"},
		{"two headers", exchange("POST", "/__revoke", "claim=jti&value=a",
			http.Header{"Authorization": {"Bearer " + adminSecret, "Bearer " + adminSecret}}, nil), 401, "invalid_token"},
		{"basic scheme", exchange("POST", "/__revoke", "claim=jti&value=a", http.Header{"Authorization": {"Basic " + adminSecret}}, nil), 401, "invalid_token"},
		{"unknown claim", exchange("POST", "/__revoke", "claim=email&value=a", bearer(adminSecret), nil), 400, "bad_request"},
		{"no value", exchange("POST", "/__revoke", "claim=jti", bearer(adminSecret), nil), 400, "bad_request"},
		{"two values", exchange("POST", "/__revoke", "claim=jti&value=a&value=b", bearer(adminSecret), nil), 400, "bad_request"},
		{"bad query", exchange("POST", "/__revoke", "claim=jti&value=%zz", bearer(adminSecret), nil), 400, "bad_request"},
	} {
		rep := admin.Run(ctx, tc.x)
		switch {
		case tc.status == 0 && rep != nil:
			t.Errorf("%s: answered %+v", tc.name, rep)
		case tc.status != 0 && (rep == nil || rep.Status != tc.status || rep.Code != tc.code):
			t.Errorf("%s: reply %+v, want %d %s", tc.name, rep, tc.status, tc.code)
		}
	}
	// Over plain HTTP from another host the secret would cross the network
	// in clear: refused before it is even checked.
	remote := exchange("POST", "/__revoke", "claim=jti&value=a", bearer(adminSecret), nil)
	remote.ClientIP = "203.0.113.9"
	if rep := admin.Run(ctx, remote); rep == nil || rep.Status != 403 {
		t.Errorf("plain http from a remote client: %+v", rep)
	}
	if rep := check.Run(ctx, exchange("GET", "/api", "", nil, map[string]any{"jti": "a"})); rep != nil {
		t.Fatal("revoked before any successful admin call")
	}

	ok := exchange("POST", "/__revoke", "claim=jti&value=tok%2F1", bearer(adminSecret), nil)
	rep := admin.Run(ctx, ok)
	if rep == nil || rep.Status != 200 || string(rep.Body) != `{"revoked":"jti-tok/1"}` {
		t.Fatalf("admin call: %+v", rep)
	}
	remote.TLS = true
	remote.RawQuery = "claim=sub&value=u2"
	if rep := admin.Run(ctx, remote); rep == nil || rep.Status != 200 {
		t.Fatalf("admin call over TLS: %+v", rep)
	}
	for _, claims := range []map[string]any{{"jti": "tok/1"}, {"jti": "zz", "sub": "u2"}} {
		if rep := check.Run(ctx, exchange("GET", "/api", "", nil, claims)); rep == nil || rep.Status != 401 {
			t.Errorf("claims %v: not revoked after the admin call", claims)
		}
	}
}

func TestRevokerCompileErrors(t *testing.T) {
	cfg := load(t, `{"version": 3, "extra_config": {"tributary": {"revoke_admin": {"secret_sha256": "`+adminDigest+`"}}},
 "endpoints": [{"endpoint": "/api", "backend": [{"host": ["http://127.0.0.1:9"], "url_pattern": "/x"}]}]}`)
	if _, err := Compile(cfg); err == nil || !strings.Contains(err.Error(), `needs the "auth/revoker" namespace`) {
		t.Errorf("admin without auth/revoker: %v", err)
	}
	cfg = load(t, `{"version": 3, "extra_config": {"tributary": {"revoke_admin": {"path": "/api", "secret_sha256": "`+adminDigest+`"}},
  "auth/revoker": {"N": 10, "P": 0.1, "TTL": 60, "token_keys": ["jti"]}},
 "endpoints": [{"endpoint": "/api", "backend": [{"host": ["http://127.0.0.1:9"], "url_pattern": "/x"}]}]}`)
	if _, err := Compile(cfg); err == nil || !strings.Contains(err.Error(), `is also the endpoint GET /api`) {
		t.Errorf("admin path on an endpoint: %v", err)
	}
	cfg = load(t, `{"version": 3, "extra_config": {"auth/revoker": {"N": 100000000, "P": 1e-12, "TTL": 60, "token_keys": ["jti"]}},
 "endpoints": [{"endpoint": "/api", "backend": [{"host": ["http://127.0.0.1:9"], "url_pattern": "/x"}]}]}`)
	cfg.Endpoints[0].Validator = &config.Validator{}
	c := &compiler{cfg: cfg}
	if _, err := c.revokerStage(cfg.Endpoints[0]); err == nil || !strings.Contains(err.Error(), "MiB") {
		t.Errorf("oversize filter: %v", err)
	}
}
