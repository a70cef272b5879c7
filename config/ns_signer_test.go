package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// signerEndpoint wraps an auth/signer object in a one-endpoint config.
func signerEndpoint(ns string) string {
	return `{"version": 3, "endpoints": [{"endpoint": "/s", "backend": [{"host": ["http://h"], "url_pattern": "/x"}],
 "extra_config": {"auth/signer": ` + ns + `}}]}`
}

// ccBackend wraps an auth/client-credentials object in a one-backend
// config.
func ccBackend(ns string) string {
	return `{"version": 3, "endpoints": [{"endpoint": "/s", "backend": [{"host": ["http://h"], "url_pattern": "/x",
 "extra_config": {"auth/client-credentials": ` + ns + `}}]}]}`
}

func TestSignerDecode(t *testing.T) {
	dir := t.TempDir()
	keys := filepath.Join(dir, "keys.json")
	if err := os.WriteFile(keys, []byte(`{"keys":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := mustLoad(t, signerEndpoint(`{"alg": "HS256", "kid": "k1", "jwk_local_path": "`+keys+`",
  "keys_to_sign": ["a", "b", "a"], "full": true, "leeway": "5s"}`))
	s := cfg.Endpoints[0].Signer
	want := &Signer{JSONPath: `$.endpoints[0].extra_config["auth/signer"]`, Pos: s.Pos, Alg: "HS256", KeyID: "k1",
		JWKLocalPath: keys, JWKLocal: []byte(`{"keys":[]}`), KeysToSign: []string{"a", "b"}, Full: true, Leeway: 5 * time.Second}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("Signer = %+v\nwant %+v", s, want)
	}
	cfg = mustLoad(t, signerEndpoint(`{"kid": "k1", "jwk_url": "https://keys.example/jwks", "keys_to_sign": ["a"]}`))
	if s := cfg.Endpoints[0].Signer; s.Alg != "RS256" || s.JWKURL != "https://keys.example/jwks" || s.Full {
		t.Fatalf("defaults: %+v", s)
	}
}

func TestSignerWarnings(t *testing.T) {
	dir := t.TempDir()
	keys := filepath.Join(dir, "keys.json")
	os.WriteFile(keys, []byte(`{"keys":[]}`), 0o600)
	cfg := mustLoad(t, signerEndpoint(`{"kid": "k1", "jwk_url": "http://keys.example/jwks", "disable_jwk_security": true, "keys_to_sign": ["a"]}`))
	if got := strings.Join(warningLines(cfg), "\n"); got != `t.json:2:59: $.endpoints[0].extra_config["auth/signer"].jwk_url: the signing keys are fetched over plain http; serve the key set over https` {
		t.Errorf("warnings:\n%s", got)
	}
	cfg = mustLoad(t, signerEndpoint(`{"kid": "k1", "jwk_url": "https://k/jwks", "jwk_local_path": "`+keys+`", "keys_to_sign": ["a"]}`))
	if got := strings.Join(warningLines(cfg), "\n"); got != `t.json:2:59: $.endpoints[0].extra_config["auth/signer"].jwk_url: jwk_url ignored: jwk_local_path takes precedence; remove one of them` {
		t.Errorf("warnings:\n%s", got)
	}
	if s := cfg.Endpoints[0].Signer; s.JWKURL != "" || s.JWKLocal == nil {
		t.Errorf("precedence: %+v", s)
	}
}

func TestSignerBrokenGolden(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.json")
	os.WriteFile(big, make([]byte, maxSignerFileBytes+1), 0o600)
	for _, tc := range []brokenCase{
		{name: "missing_required", json: signerEndpoint(`{"alg": "HS256"}`), want: []string{
			`t.json:2:34: $.endpoints[0].extra_config["auth/signer"]: missing required key "kid"; name the signing key of the key set`,
			`t.json:2:34: $.endpoints[0].extra_config["auth/signer"]: missing required key "keys_to_sign"; list the top-level response keys to sign`,
			`t.json:2:34: $.endpoints[0].extra_config["auth/signer"]: missing jwk_url or jwk_local_path; name the JWK set that holds the signing key`,
		}},
		{name: "bad_values", json: signerEndpoint(`{"alg": "none", "kid": "", "jwk_url": "http://k/jwks", "keys_to_sign": [], "full": "true"}`), want: []string{
			`t.json:2:42: $.endpoints[0].extra_config["auth/signer"].alg: unsupported alg "none"; unsigned tokens are never produced`,
			`t.json:2:57: $.endpoints[0].extra_config["auth/signer"].kid: empty kid; name the signing key of the key set`,
			`t.json:2:72: $.endpoints[0].extra_config["auth/signer"].jwk_url: jwk_url must use https; set disable_jwk_security: true to allow http (not recommended)`,
			`t.json:2:105: $.endpoints[0].extra_config["auth/signer"].keys_to_sign: keys_to_sign is empty; list the top-level response keys to sign`,
			`t.json:2:117: $.endpoints[0].extra_config["auth/signer"].full: expected true or false, got string; booleans are not strings; remove the quotes`,
		}},
		{name: "empty_kid_and_keys", json: signerEndpoint(`{"kid": "", "jwk_url": "https://k/jwks", "keys_to_sign": []}`), want: []string{
			`t.json:2:42: $.endpoints[0].extra_config["auth/signer"].kid: empty kid; name the signing key of the key set`,
			`t.json:2:91: $.endpoints[0].extra_config["auth/signer"].keys_to_sign: keys_to_sign is empty; list the top-level response keys to sign`,
		}},
		{name: "unsupported_and_typo", json: signerEndpoint(`{"kid": "k", "jwk_url": "https://k/jwks", "keys_to_sign": ["a"], "secret_url": "x", "keys-to-sign": ["a"], "ful": true, "zzz": 1}`), want: []string{
			`t.json:2:99: $.endpoints[0].extra_config["auth/signer"].secret_url: key "secret_url" not supported yet`,
			`t.json:2:118: $.endpoints[0].extra_config["auth/signer"]["keys-to-sign"]: key renamed in config v3; use "keys_to_sign"`,
			`t.json:2:141: $.endpoints[0].extra_config["auth/signer"].ful: unknown key; did you mean "full"?`,
			`t.json:2:154: $.endpoints[0].extra_config["auth/signer"].zzz: unknown option "zzz"`,
		}},
		{name: "unreadable_files", json: signerEndpoint(`{"kid": "k", "jwk_local_path": "/nonexistent/keys.json", "jwk_local_ca": "` + big + `", "keys_to_sign": ["a"]}`), want: []string{
			`t.json:2:65: $.endpoints[0].extra_config["auth/signer"].jwk_local_path: cannot read "/nonexistent/keys.json": no such file or directory`,
			`t.json:2:107: $.endpoints[0].extra_config["auth/signer"].jwk_local_ca: file "` + big + `" is larger than 150000 bytes`,
		}},
		{name: "wrong_scope", json: `{"version": 3, "extra_config": {"auth/signer": {}}, "endpoints": [{"endpoint": "/s", "backend": [{"host": ["http://h"], "url_pattern": "/x"}]}]}`, want: []string{
			`t.json:1:33: $.extra_config["auth/signer"]: namespace "auth/signer" is not valid at service scope; valid at endpoint scope`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { checkBroken(t, tc) })
	}
}

func TestClientCredentialsDecode(t *testing.T) {
	cfg := mustLoad(t, ccBackend(`{"client_id": "id", "client_secret": "sec", "token_url": "https://idp.example/token",
  "scopes": " read, ,write ", "audience": "api", "endpoint_params": {"resource": ["r1", "r2"], "one": "v"}}`))
	cc := cfg.Endpoints[0].Backends[0].ClientCredentials
	want := &ClientCredentials{JSONPath: `$.endpoints[0].backend[0].extra_config["auth/client-credentials"]`, Pos: cc.Pos,
		ClientID: "id", ClientSecret: "sec", TokenURL: "https://idp.example/token", Scopes: []string{"read", "write"},
		EndpointParams: map[string][]string{"resource": {"r1", "r2"}, "one": {"v"}}, Audience: "api"}
	if !reflect.DeepEqual(cc, want) {
		t.Fatalf("ClientCredentials = %+v\nwant %+v", cc, want)
	}
	for _, u := range []string{"http://127.0.0.1:9/t", "http://localhost/t", "http://[::1]:8080/t"} {
		if cfg := mustLoad(t, ccBackend(`{"client_id": "id", "client_secret": "s", "token_url": "`+u+`"}`)); cfg.Endpoints[0].Backends[0].ClientCredentials == nil {
			t.Errorf("%s: not loaded", u)
		}
	}
	cfg = mustLoad(t, ccBackend(`{"client_id": "id", "client_secret": "s", "token_url": "https://x/t", "is_disabled": true}`))
	if cfg.Endpoints[0].Backends[0].ClientCredentials != nil {
		t.Errorf("is_disabled: the namespace is still on")
	}
}

func TestClientCredentialsBrokenGolden(t *testing.T) {
	for _, tc := range []brokenCase{
		{name: "missing", json: ccBackend(`{"client_id": ""}`), want: []string{
			`t.json:2:46: $.endpoints[0].backend[0].extra_config["auth/client-credentials"]: missing required key "client_secret"`,
			`t.json:2:46: $.endpoints[0].backend[0].extra_config["auth/client-credentials"]: missing required key "token_url"`,
			`t.json:2:60: $.endpoints[0].backend[0].extra_config["auth/client-credentials"].client_id: empty client_id`,
		}},
		{name: "http_token_url", json: ccBackend(`{"client_id": "i", "client_secret": "s", "token_url": "http://idp.example/token"}`), want: []string{
			`t.json:2:100: $.endpoints[0].backend[0].extra_config["auth/client-credentials"].token_url: token_url must use https; the client secret would cross the network in clear; http is accepted only for loopback addresses`,
		}},
		{name: "reserved_params_and_typo", json: ccBackend(`{"client_id": "i", "client_secret": "s", "token_url": "https://x/t", "endpoint_params": {"scope": ["a"], "n": [1]}, "scope": "a"}`), want: []string{
			`t.json:2:135: $.endpoints[0].backend[0].extra_config["auth/client-credentials"].endpoint_params.scope: form field "scope" is set by the token request itself; use client_id, client_secret or scopes`,
			`t.json:2:157: $.endpoints[0].backend[0].extra_config["auth/client-credentials"].endpoint_params.n[0]: expected a string, got number`,
			`t.json:2:162: $.endpoints[0].backend[0].extra_config["auth/client-credentials"].scope: unknown key; did you mean "scopes"?`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { checkBroken(t, tc) })
	}
}
