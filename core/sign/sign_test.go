package sign

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// testKeys are one private key per algorithm family, generated once.
var testKeys = func() map[string]any {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	_, edk, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	return map[string]any{
		"HS256": []byte("0123456789abcdef0123456789abcdef"),
		"RS256": rk,
		"PS256": rk,
		"ES256": ek,
		"EdDSA": edk,
	}
}()

// keySet marshals keys (kid → key) as a JWK set.
func keySet(t testing.TB, keys map[string]any) []byte {
	t.Helper()
	var set jose.JSONWebKeySet
	for kid, k := range keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: k, KeyID: kid})
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func publicOf(k any) any {
	switch k := k.(type) {
	case *rsa.PrivateKey:
		return &k.PublicKey
	case *ecdsa.PrivateKey:
		return &k.PublicKey
	case ed25519.PrivateKey:
		return k.Public()
	}
	return k
}

func TestSignVerifies(t *testing.T) {
	claims := []byte(`{"sub":"u1","n":1.50,"nested":{"a":[1,2]}}`)
	for alg, key := range testKeys {
		for _, full := range []bool{false, true} {
			name := alg + "/compact"
			if full {
				name = alg + "/full"
			}
			t.Run(name, func(t *testing.T) {
				set, err := ParseKeySet(keySet(t, map[string]any{"k1": key, "other": testKeys["HS256"]}))
				if err != nil {
					t.Fatal(err)
				}
				s, err := New(set, Options{Alg: alg, KeyID: "k1", Full: full})
				if err != nil {
					t.Fatal(err)
				}
				v, err := s.Sign(claims)
				if err != nil {
					t.Fatal(err)
				}
				var text string
				if err := json.Unmarshal(v, &text); err != nil {
					t.Fatalf("Sign returned %s, not a JSON string: %v", v, err)
				}
				var obj *jose.JSONWebSignature
				if full {
					var doc map[string]json.RawMessage
					if err := json.Unmarshal([]byte(text), &doc); err != nil {
						t.Fatalf("full serialisation %q is not a JSON object: %v", text, err)
					}
					for _, k := range []string{"payload", "protected", "signature"} {
						if _, ok := doc[k]; !ok {
							t.Errorf("full serialisation lacks %q: %s", k, text)
						}
					}
					obj, err = jose.ParseSignedJSON(text, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
				} else {
					if strings.Count(text, ".") != 2 {
						t.Fatalf("compact serialisation %q has not 3 parts", text)
					}
					obj, err = jose.ParseSignedCompact(text, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
				}
				if err != nil {
					t.Fatal(err)
				}
				if kid := obj.Signatures[0].Header.KeyID; kid != "k1" {
					t.Errorf("kid = %q, want k1", kid)
				}
				payload, err := obj.Verify(publicOf(key))
				if err != nil {
					t.Fatalf("verify: %v", err)
				}
				if string(payload) != string(claims) {
					t.Errorf("payload = %s, want %s", payload, claims)
				}
			})
		}
	}
}

func TestNewRefusesKeys(t *testing.T) {
	rk := testKeys["RS256"].(*rsa.PrivateKey)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		key  any
		alg  string
		kid  string
		want string
	}{
		{"missing kid", rk, "RS256", "nope", "no key with kid"},
		{"public key", &rk.PublicKey, "RS256", "k1", "RSA private key"},
		{"short hmac", []byte("short"), "HS256", "k1", "at least 32 bytes"},
		{"short hmac 512", make([]byte, 32), "HS512", "k1", "at least 64 bytes"},
		{"rsa as hmac", rk, "HS256", "k1", "symmetric"},
		{"hmac as rsa", make([]byte, 64), "RS256", "k1", "RSA private key"},
		{"small rsa", small, "RS256", "k1", "at least 2048"},
		{"wrong curve", p384, "ES256", "k1", "P-256"},
		{"ec as eddsa", p384, "EdDSA", "k1", "Ed25519"},
		{"none", make([]byte, 64), "none", "k1", "unsupported"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			set, err := ParseKeySet(keySet(t, map[string]any{"k1": c.key}))
			if err != nil {
				t.Fatal(err)
			}
			_, err = New(set, Options{Alg: c.alg, KeyID: c.kid})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to mention %q", err, c.want)
			}
		})
	}
}

func TestParseKeySetBounds(t *testing.T) {
	for name, data := range map[string]string{
		"not json":   `{`,
		"no keys":    `{}`,
		"bad key":    `{"keys":[{"kty":"RSA","n":"x"}]}`,
		"oversize":   `{"keys":[],"pad":"` + strings.Repeat("a", MaxKeySetBytes) + `"}`,
		"array root": `[]`,
	} {
		if _, err := ParseKeySet([]byte(data)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	many := map[string]any{}
	for i := range MaxKeys + 1 {
		many["k"+strings.Repeat("x", i)] = make([]byte, 32)
	}
	if _, err := ParseKeySet(keySet(t, many)); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("%d keys: err = %v", MaxKeys+1, err)
	}
}

func TestFetchKeySet(t *testing.T) {
	set := keySet(t, map[string]any{"k1": testKeys["HS256"]})
	mux := http.NewServeMux()
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) { w.Write(set) })
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/jwks", http.StatusFound) })
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat(" ", MaxKeySetBytes+10)))
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	ctx := context.Background()

	got, err := FetchKeySet(ctx, srv.URL+"/jwks", FetchOptions{Insecure: true})
	if err != nil || string(got) != string(set) {
		t.Fatalf("fetch: %v", err)
	}
	if _, err := FetchKeySet(ctx, srv.URL+"/jwks", FetchOptions{}); err == nil || !strings.Contains(err.Error(), "https") {
		t.Errorf("http without Insecure: err = %v", err)
	}
	if _, err := FetchKeySet(ctx, srv.URL+"/redirect", FetchOptions{Insecure: true}); err == nil || !strings.Contains(err.Error(), "302") {
		t.Errorf("redirect: err = %v", err)
	}
	if _, err := FetchKeySet(ctx, srv.URL+"/huge", FetchOptions{Insecure: true}); err == nil || !strings.Contains(err.Error(), "larger") {
		t.Errorf("huge: err = %v", err)
	}
	if _, err := FetchKeySet(ctx, srv.URL+"/slow", FetchOptions{Insecure: true, Timeout: 50 * time.Millisecond}); err == nil {
		t.Errorf("slow: accepted")
	}
	if _, err := FetchKeySet(ctx, "ftp://x/jwks", FetchOptions{Insecure: true}); err == nil {
		t.Errorf("ftp: accepted")
	}

	tls := httptest.NewTLSServer(mux)
	defer tls.Close()
	pool := tls.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	if got, err := FetchKeySet(ctx, tls.URL+"/jwks", FetchOptions{RootCAs: pool}); err != nil || string(got) != string(set) {
		t.Errorf("https with the test CA: %v", err)
	}
	if _, err := FetchKeySet(ctx, tls.URL+"/jwks", FetchOptions{}); err == nil {
		t.Errorf("https with an unknown CA: accepted")
	}
}

func BenchmarkSign(b *testing.B) {
	claims := []byte(`{"sub":"u1","exp":1900000000,"roles":["a","b"]}`)
	for _, alg := range []string{"HS256", "RS256", "ES256", "EdDSA"} {
		b.Run(alg, func(b *testing.B) {
			set, err := ParseKeySet(keySet(b, map[string]any{"k": testKeys[alg]}))
			if err != nil {
				b.Fatal(err)
			}
			s, err := New(set, Options{Alg: alg, KeyID: "k"})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Sign(claims); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
