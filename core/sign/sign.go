// Package sign signs members of a response as JWS (auth/signer): it loads a
// JWK set holding private or symmetric keys, from a file or over HTTPS with
// the same bounds as any key-set fetch (timeout, size cap, no redirects),
// picks the configured key and signs JSON objects with it, in compact or
// JSON ("full") serialisation.
//
// The package knows nothing of the gateway's request pipeline; core/plan
// adapts a Signer to the response stage of package stage.
package sign

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// Limits on key sets (the same as for any fetched key set).
const (
	// MaxKeySetBytes is the largest key set accepted, from a file or a URL.
	MaxKeySetBytes = 150000
	// MaxKeys is the largest number of keys in a set.
	MaxKeys = 100
	// MinRSABits is the smallest RSA modulus accepted for signing.
	MinRSABits = 2048
)

// Options configure a Signer.
type Options struct {
	// Alg is the signature algorithm: EdDSA, HS256, HS384, HS512, RS256,
	// RS384, RS512, ES256, ES384, ES512, PS256, PS384 or PS512.
	Alg string
	// KeyID is the "kid" of the key to sign with; it must be in the set.
	KeyID string
	// Full selects the JWS JSON serialisation (an object with payload,
	// protected and signature) instead of the compact one.
	Full bool
}

// Signer signs JSON objects with one key. It is safe for concurrent use.
type Signer struct {
	signer jose.Signer
	full   bool
}

// KeySet is a parsed JWK set.
type KeySet = jose.JSONWebKeySet

// ParseKeySet decodes a JWK set, refusing oversize sets, more than MaxKeys
// keys and keys go-jose cannot read.
func ParseKeySet(data []byte) (*KeySet, error) {
	if len(data) > MaxKeySetBytes {
		return nil, fmt.Errorf("key set larger than %d bytes", MaxKeySetBytes)
	}
	var probe struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("not a JWK set: %w", err)
	}
	if probe.Keys == nil {
		return nil, errors.New(`not a JWK set: no "keys" array`)
	}
	if len(probe.Keys) > MaxKeys {
		return nil, fmt.Errorf("key set holds %d keys; the limit is %d", len(probe.Keys), MaxKeys)
	}
	set := &jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, 0, len(probe.Keys))}
	for i, raw := range probe.Keys {
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(raw); err != nil {
			return nil, fmt.Errorf("key %d: %w", i, err)
		}
		set.Keys = append(set.Keys, k)
	}
	return set, nil
}

// New returns a Signer for the key o.KeyID of set. The key must be a
// private or symmetric key that fits o.Alg: an oct key at least as long as
// the hash for HS*, an RSA private key of at least MinRSABits for RS*/PS*,
// an EC private key on the algorithm's curve for ES*, an Ed25519 private
// key for EdDSA.
func New(set *KeySet, o Options) (*Signer, error) {
	if set == nil {
		return nil, errors.New("no key set")
	}
	keys := set.Key(o.KeyID)
	switch len(keys) {
	case 0:
		return nil, fmt.Errorf("no key with kid %q in the key set", o.KeyID)
	case 1:
	default:
		return nil, fmt.Errorf("%d keys have kid %q in the key set", len(keys), o.KeyID)
	}
	k := keys[0]
	if err := fits(&k, o.Alg); err != nil {
		return nil, fmt.Errorf("key %q: %w", o.KeyID, err)
	}
	opts := (&jose.SignerOptions{}).WithHeader(jose.HeaderKey("kid"), o.KeyID)
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(o.Alg), Key: k.Key}, opts)
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", o.KeyID, err)
	}
	return &Signer{signer: s, full: o.Full}, nil
}

// fits checks that k can sign with alg.
func fits(k *jose.JSONWebKey, alg string) error {
	if k.Algorithm != "" && k.Algorithm != alg {
		return fmt.Errorf("the key is for %s, not %s", k.Algorithm, alg)
	}
	if k.Use != "" && k.Use != "sig" {
		return fmt.Errorf("the key's use is %q, not \"sig\"", k.Use)
	}
	switch {
	case strings.HasPrefix(alg, "HS"):
		b, ok := k.Key.([]byte)
		if !ok {
			return fmt.Errorf("%s needs a symmetric (oct) key", alg)
		}
		if need := hashBytes(alg); len(b) < need {
			return fmt.Errorf("%s needs a key of at least %d bytes, got %d", alg, need, len(b))
		}
	case strings.HasPrefix(alg, "RS"), strings.HasPrefix(alg, "PS"):
		rk, ok := k.Key.(*rsa.PrivateKey)
		if !ok {
			return fmt.Errorf("%s needs an RSA private key", alg)
		}
		if rk.N.BitLen() < MinRSABits {
			return fmt.Errorf("RSA key of %d bits; at least %d are needed", rk.N.BitLen(), MinRSABits)
		}
	case strings.HasPrefix(alg, "ES"):
		ek, ok := k.Key.(*ecdsa.PrivateKey)
		if !ok {
			return fmt.Errorf("%s needs an EC private key", alg)
		}
		if want := curveOf(alg); ek.Curve != want {
			return fmt.Errorf("%s needs a key on %s, got %s", alg, want.Params().Name, ek.Curve.Params().Name)
		}
	case alg == "EdDSA":
		if _, ok := k.Key.(ed25519.PrivateKey); !ok {
			return errors.New("EdDSA needs an Ed25519 private key")
		}
	default:
		return fmt.Errorf("unsupported algorithm %q", alg)
	}
	return nil
}

func hashBytes(alg string) int {
	switch alg[2:] {
	case "384":
		return 48
	case "512":
		return 64
	}
	return 32
}

func curveOf(alg string) elliptic.Curve {
	switch alg {
	case "ES384":
		return elliptic.P384()
	case "ES512":
		return elliptic.P521()
	}
	return elliptic.P256()
}

// Sign signs claims, the compact JSON text of an object, and returns the
// JSON value that replaces it: a string holding the compact serialisation
// (header.payload.signature), or, with Options.Full, a string holding the
// JWS JSON serialisation.
func (s *Signer) Sign(claims []byte) ([]byte, error) {
	obj, err := s.signer.Sign(claims)
	if err != nil {
		return nil, err
	}
	var text string
	if s.full {
		text = obj.FullSerialize()
	} else if text, err = obj.CompactSerialize(); err != nil {
		return nil, err
	}
	return json.Marshal(text)
}
