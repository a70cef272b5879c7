package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// revokerService wraps service extra_config members in a config.
func revokerService(extra string) string {
	return `{"version": 3, "extra_config": {` + extra + `},
 "endpoints": [{"endpoint": "/s", "backend": [{"host": ["http://h"], "url_pattern": "/x"}]}]}`
}

// adminDigest is the SHA-256 of "admin-secret".
const adminDigest = "16175223c8ddce5ace0493c948569c211b03c4c6bb3d3e484434999448cffe01"

func TestRevokerDecode(t *testing.T) {
	cfg := mustLoad(t, revokerService(`"tributary": {"revoke_admin": {"path": "/ops/revoke", "secret_sha256": "`+adminDigest+`"}},
  "auth/revoker": {"N": 1000, "P": 0.0001, "hash_name": "optimal", "TTL": 3600, "token_keys": ["jti", "sub", "jti"]}`))
	r := cfg.Revoker
	if !r.Configured() {
		t.Fatal("not configured")
	}
	if r.N != 1000 || r.P != 0.0001 || r.HashName != "optimal" || r.TTL != time.Hour || !reflect.DeepEqual(r.TokenKeys, []string{"jti", "sub"}) {
		t.Fatalf("Revoker = %+v", r)
	}
	if r.Admin == nil || r.Admin.Path != "/ops/revoke" || r.Admin.SecretSHA256[0] != 0x16 || r.Admin.SecretSHA256[31] != 0x01 {
		t.Fatalf("Admin = %+v", r.Admin)
	}
	// The namespace first, then the admin option: same result.
	cfg = mustLoad(t, revokerService(`"auth/revoker": {"N": 10, "P": 0.1, "TTL": 60, "token_keys": ["jti"]},
  "tributary": {"revoke_admin": {"secret_sha256": "`+adminDigest+`"}}`))
	if !cfg.Revoker.Configured() || cfg.Revoker.Admin == nil || cfg.Revoker.Admin.Path != "/__revoke" {
		t.Fatalf("Revoker = %+v", cfg.Revoker)
	}
	// Admin alone loads (the plan refuses it: nothing to fill).
	cfg = mustLoad(t, revokerService(`"tributary": {"revoke_admin": {"secret_sha256": "`+adminDigest+`"}}`))
	if cfg.Revoker.Configured() {
		t.Fatal("admin alone counts as auth/revoker")
	}
}

func TestRevokerWarnings(t *testing.T) {
	cfg := mustLoad(t, revokerService(`"auth/revoker": {"N": 10, "P": 0.1, "TTL": 60, "port": 1234}`))
	got := strings.Join(warningLines(cfg), "\n")
	want := `t.json:1:49: $.extra_config["auth/revoker"]: token_keys is empty: no token is ever found revoked; list claims, e.g. ["jti"]
t.json:1:88: $.extra_config["auth/revoker"].port: no RPC listener is opened for the revocation list; entries are added through Tributary's admin path (tributary.revoke_admin); see the docs`
	if got != want {
		t.Errorf("warnings:\n%s\nwant:\n%s", got, want)
	}
}

func TestRevokerBrokenGolden(t *testing.T) {
	for _, tc := range []brokenCase{
		{name: "missing", json: revokerService(`"auth/revoker": {"token_keys": ["jti"]}`), want: []string{
			`t.json:1:49: $.extra_config["auth/revoker"]: missing required key "N"`,
			`t.json:1:49: $.extra_config["auth/revoker"]: missing required key "P"`,
			`t.json:1:49: $.extra_config["auth/revoker"]: missing required key "TTL"`,
		}},
		{name: "bad_values", json: revokerService(`"auth/revoker": {"N": 0, "P": 1, "TTL": "60", "hash_name": "fast", "token_keys": [""], "ttl": 1}`), want: []string{
			`t.json:1:55: $.extra_config["auth/revoker"].N: value 0 out of range; must be 1–100000000`,
			`t.json:1:63: $.extra_config["auth/revoker"].P: P must be between 0 and 1 (exclusive), got 1; e.g. 0.0000001`,
			`t.json:1:92: $.extra_config["auth/revoker"].hash_name: unknown hash_name "fast"; use "default" or "optimal"`,
			`t.json:1:115: $.extra_config["auth/revoker"].token_keys[0]: empty claim name`,
			`t.json:1:120: $.extra_config["auth/revoker"].ttl: unknown key; did you mean "TTL"?`,
		}},
		{name: "tiny_p_and_types", json: revokerService(`"auth/revoker": {"N": 1.5, "P": 1e-20, "TTL": 0, "token_keys": "jti"}`), want: []string{
			`t.json:1:55: $.extra_config["auth/revoker"].N: expected an integer, got 1.5`,
			`t.json:1:65: $.extra_config["auth/revoker"].P: P 1e-20 is too small; the smallest accepted is 1e-12`,
			`t.json:1:79: $.extra_config["auth/revoker"].TTL: value 0 out of range; must be 1–31536000`,
			`t.json:1:96: $.extra_config["auth/revoker"].token_keys: expected an array of strings, got string; wrap it in brackets: ["jti"]`,
		}},
		{name: "admin_refusals", json: revokerService(`"tributary": {"revoke_admin": {"path": "/a/../b", "secret_sha256": "abc", "secret": "x"}}`), want: []string{
			`t.json:1:72: $.extra_config.tributary.revoke_admin.path: invalid admin path "/a/../b"; use a plain absolute path such as "/__revoke" (no placeholders, query, dot-segments or empty segments)`,
			`t.json:1:100: $.extra_config.tributary.revoke_admin.secret_sha256: secret_sha256 must be 64 hexadecimal digits; the SHA-256 of the admin secret, e.g. printf %s "$SECRET" | sha256sum`,
			`t.json:1:107: $.extra_config.tributary.revoke_admin.secret: unknown option "secret"`,
		}},
		{name: "admin_without_secret", json: revokerService(`"tributary": {"revoke_admin": {"path": "/{x}"}}`), want: []string{
			`t.json:1:63: $.extra_config.tributary.revoke_admin: missing required key "secret_sha256"; the admin path is never open without a secret`,
			`t.json:1:72: $.extra_config.tributary.revoke_admin.path: invalid admin path "/{x}"; use a plain absolute path such as "/__revoke" (no placeholders, query, dot-segments or empty segments)`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { checkBroken(t, tc) })
	}
}
