package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Test keys, generated once per test binary.
var (
	keysOnce sync.Once
	rsaKey   *rsa.PrivateKey
	rsaKey2  *rsa.PrivateKey
	ecKey    *ecdsa.PrivateKey
	edPub    ed25519.PublicKey
	edKey    ed25519.PrivateKey
	hmacKey  = []byte("0123456789abcdef0123456789abcdef") // 32 bytes
)

func testKeys(t testing.TB) {
	t.Helper()
	keysOnce.Do(func() {
		var err error
		if rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if rsaKey2, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if ecKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			panic(err)
		}
		if edPub, edKey, err = ed25519.GenerateKey(rand.Reader); err != nil {
			panic(err)
		}
	})
}

// testNow is the fixed clock of the tests.
var testNow = time.Unix(1_800_000_000, 0)

// sign makes a compact JWS of claims with key under alg and kid.
func sign(t testing.TB, alg string, key any, kid string, claims map[string]any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg), Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
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

// rawToken builds a token from a header and claims by hand, signed with
// sig (nil: an empty signature).
func rawToken(header, claims map[string]any, sig func(input []byte) []byte) string {
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	input := b64(h) + "." + b64(c)
	s := []byte{}
	if sig != nil {
		s = sig([]byte(input))
	}
	return input + "." + b64(s)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// hs256 signs with HMAC-SHA256.
func hs256(key []byte) func([]byte) []byte {
	return func(in []byte) []byte {
		m := hmac.New(sha256.New, key)
		m.Write(in)
		return m.Sum(nil)
	}
}

// rs256 signs with RSA PKCS#1 v1.5 SHA-256.
func rs256(k *rsa.PrivateKey) func([]byte) []byte {
	return func(in []byte) []byte {
		d := sha256.Sum256(in)
		s, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, d[:])
		if err != nil {
			panic(err)
		}
		return s
	}
}

// claims returns valid claims for the test clock, with extra merged in.
func claims(extra map[string]any) map[string]any {
	c := map[string]any{
		"iss": "https://issuer.test",
		"aud": []string{"api", "other"},
		"sub": "user-1",
		"exp": testNow.Add(time.Hour).Unix(),
		"iat": testNow.Add(-time.Minute).Unix(),
	}
	for k, v := range extra {
		if v == nil {
			delete(c, k)
			continue
		}
		c[k] = v
	}
	return c
}

// jwk is a public JWK document for key.
func jwk(key any, kid, alg string) jose.JSONWebKey {
	return jose.JSONWebKey{Key: key, KeyID: kid, Algorithm: alg, Use: "sig"}
}

// jwksDoc marshals a JWK set.
func jwksDoc(t testing.TB, keys ...jose.JSONWebKey) []byte {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jwksServer is a JWKS over TLS on loopback whose answer tests change.
type jwksServer struct {
	*httptest.Server
	hits  atomic.Int64
	mu    sync.Mutex
	body  []byte
	state string // "", "down", "slow", "redirect", "huge"
}

func newJWKSServer(t testing.TB, body []byte) *jwksServer {
	t.Helper()
	s := &jwksServer{body: body}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		s.mu.Lock()
		body, state := s.body, s.state
		s.mu.Unlock()
		switch state {
		case "down":
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		case "slow":
			select {
			case <-time.After(3 * FetchTimeout):
			case <-r.Context().Done():
			}
			return
		case "redirect":
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
			return
		case "huge":
			w.Header().Set("Content-Type", "application/json")
			pad := make([]byte, MaxJWKSBytes)
			for i := range pad {
				pad[i] = ' '
			}
			w.Write(pad)
			w.Write(body)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) set(state string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state = state
	if body != nil {
		s.body = body
	}
}

// caPEM is the server's certificate as PEM, for KeySetOptions.CA.
func (s *jwksServer) caPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
