package main

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// header is one request header a scenario's requests carry.
type header struct {
	// Name is the header name.
	Name string
	// Value is the header value.
	Value string
}

// validHeaders reports an error when a header could break the request
// framing the generators build (an empty name, a name with a separator,
// or a CR, LF or NUL anywhere).
func validHeaders(hs []header) error {
	for _, h := range hs {
		if h.Name == "" || strings.ContainsAny(h.Name, " \t:\r\n\x00") || strings.ContainsAny(h.Value, "\r\n\x00") {
			return fmt.Errorf("request header %q: not a valid header line", h.Name)
		}
	}
	return nil
}

// Claims and key of the secured scenarios. The token is accepted by the
// validator the scenarios configure, and by nothing else.
const (
	jwtKeyID    = "loadtest-rs256"
	jwtIssuer   = "https://idp.loadtest.invalid/"
	jwtAudience = "loadtest-api"
	jwtRolesKey = "roles"
	jwtRole     = "customer"
	// jwtLifetime puts exp far beyond any run.
	jwtLifetime = 24 * time.Hour
	// jwtKeyBits is the RSA key size: the validator's minimum.
	jwtKeyBits = 2048
	// jwksFile is the JWK set's file name in the harness's work dir.
	jwksFile = "jwks.json"
)

// authFixture is the key material of the secured scenarios: a JWK set file
// holding the public key and one RS256 token signed with the private key.
type authFixture struct {
	// JWKPath is the JWK set file (jwk_local_path).
	JWKPath string
	// Token is the compact RS256 token the generators send.
	Token string
}

// newAuthFixture generates a fresh 2048-bit RSA key, writes its public JWK
// set into dir and signs one token valid from now to now+jwtLifetime.
func newAuthFixture(dir string, now time.Time) (*authFixture, error) {
	key, err := rsa.GenerateKey(rand.Reader, jwtKeyBits)
	if err != nil {
		return nil, fmt.Errorf("generating the RSA key: %w", err)
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &key.PublicKey, KeyID: jwtKeyID, Algorithm: string(jose.RS256), Use: "sig"},
	}}
	data, err := json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("encoding the JWK set: %w", err)
	}
	path := filepath.Join(dir, jwksFile)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return nil, fmt.Errorf("writing %s: %w", path, err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: jwtKeyID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, fmt.Errorf("RS256 signer: %w", err)
	}
	claims, err := json.Marshal(map[string]any{
		"iss": jwtIssuer, "aud": []string{jwtAudience}, "sub": "user-1",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(jwtLifetime).Unix(),
		jwtRolesKey: []string{jwtRole, "reader"},
	})
	if err != nil {
		return nil, fmt.Errorf("encoding the claims: %w", err)
	}
	jws, err := signer.Sign(claims)
	if err != nil {
		return nil, fmt.Errorf("signing the token: %w", err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		return nil, fmt.Errorf("serializing the token: %w", err)
	}
	return &authFixture{JWKPath: path, Token: tok}, nil
}

// requestHeaders returns the headers every request of sc carries: its
// static list, then the bearer token when it needs one. fx may be nil for
// a scenario without a token.
func requestHeaders(sc scenario, fx *authFixture) ([]header, error) {
	hs := append([]header(nil), sc.Headers...)
	if sc.Token {
		if fx == nil {
			return nil, fmt.Errorf("scenario %s needs a token and none was generated", sc.Name)
		}
		hs = append(hs, header{Name: "Authorization", Value: "Bearer " + fx.Token})
	}
	return hs, validHeaders(hs)
}
