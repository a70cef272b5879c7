package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"hash"
	"math/big"
	"strings"
	"sync"
	"time"
)

// The fast path of verify. A compact token whose three segments are
// canonical base64url and whose protected header is a flat object of
// plain strings (alg, kid and optionally typ and cty: what every issuer
// sends) is checked here without the general JOSE parser: the header is
// read by a tiny decoder, the segments are decoded into one pooled
// buffer, and the signature is checked with crypto/rsa, crypto/ecdsa,
// crypto/ed25519 or crypto/hmac directly, against the key the JWK set
// parser produced. Anything else (another header member, an escape or a
// non-ASCII byte in the header, non-canonical base64, a header or
// signature of unusual size) goes to the general path, which decides
// exactly as before; so the fast path only ever answers tokens the general
// path would answer the same way.

// maxFastHeader is the largest decoded protected header the fast path
// reads (on the stack); a larger one takes the general path.
const maxFastHeader = 512

// maxFastSignature is the largest decoded signature the fast path reads
// (RSA 4096 is 512 bytes).
const maxFastSignature = 1024

// strictB64 decodes base64url without padding and refuses non-zero
// trailing bits, so that a segment it accepts is the canonical encoding of
// what it decodes to: the signing input is then the token's own text.
var strictB64 = base64.RawURLEncoding.Strict()

// scratch is the per-validation buffer: the signing input followed by
// the decoded payload.
type scratch struct{ b []byte }

// scratchPool holds scratch buffers; buffers grown past maxScratch are
// dropped rather than kept.
var scratchPool = sync.Pool{New: func() any { return &scratch{b: make([]byte, 0, 2048)} }}

const maxScratch = 64 << 10

// verifyCompact runs verify's steps on the fast path. handled is false
// when the token is not one the fast path reads; the caller then takes
// the general path. token has exactly two dots.
func (v *Validator) verifyCompact(ctx context.Context, token string, now time.Time) (claims map[string]any, exp float64, gen uint64, rej *rejection, handled bool) {
	if strings.ContainsAny(token, "\r\n") {
		// Go's base64 decoders skip CR and LF: leave such a token to the
		// general path, which treats it as before.
		return nil, 0, 0, nil, false
	}
	i := strings.IndexByte(token, '.')
	j := i + 1 + strings.IndexByte(token[i+1:], '.')
	hseg, pseg, sseg := token[:i], token[i+1:j], token[j+1:]
	if strictB64.DecodedLen(len(hseg)) > maxFastHeader || strictB64.DecodedLen(len(sseg)) > maxFastSignature {
		return nil, 0, 0, nil, false
	}

	sc := scratchPool.Get().(*scratch)
	defer func() {
		if cap(sc.b) <= maxScratch {
			scratchPool.Put(sc)
		}
	}()
	// The token's text (its first two segments are the signing input),
	// then room for the payload and the signature, decoded.
	plen, slen := strictB64.DecodedLen(len(pseg)), strictB64.DecodedLen(len(sseg))
	need := len(token) + plen + slen
	if cap(sc.b) < need {
		sc.b = make([]byte, 0, need)
	}
	buf := append(sc.b[:0], token...)
	input, sigText := buf[:j], buf[j+1:]
	rest := buf[len(token):need]

	var hbuf [maxFastHeader]byte
	n, err := strictB64.Decode(hbuf[:], input[:i])
	if err != nil {
		return nil, 0, 0, nil, false
	}
	alg, kid, ok := parseCompactHeader(hbuf[:n])
	if !ok {
		return nil, 0, 0, nil, false
	}
	payload := rest[:plen]
	if n, err = strictB64.Decode(payload, input[i+1:]); err != nil {
		return nil, 0, 0, nil, false
	}
	payload = payload[:n]
	sig := rest[plen : plen+slen]
	if n, err = strictB64.Decode(sig, sigText); err != nil {
		return nil, 0, 0, nil, false
	}
	sig = sig[:n]

	// The checks of the general path, in its order.
	switch {
	case string(alg) != v.o.Alg:
		return nil, 0, 0, &rejection{401, "algorithm does not match the configuration"}, true
	case kid == "":
		return nil, 0, 0, &rejection{401, "no kid"}, true
	case len(kid) > MaxKidBytes:
		return nil, 0, 0, &rejection{401, "kid longer than 256 bytes"}, true
	}
	jwk, gen, err := v.o.Keys.Key(ctx, kid)
	if err != nil {
		return nil, 0, 0, &rejection{401, "key lookup: " + err.Error()}, true
	}
	if !keyFits(v.o.Alg, jwk) {
		return nil, 0, 0, &rejection{401, "the key's type does not fit the algorithm"}, true
	}
	if !verifySignature(v.o.Alg, jwk.Key, input, sig) {
		return nil, 0, 0, &rejection{401, "bad signature"}, true
	}
	if claims, err = decodeClaimsFast(payload); err != nil {
		return nil, 0, 0, &rejection{401, err.Error()}, true
	}
	if rej := v.checkTimes(claims, now); rej != nil {
		return nil, 0, 0, rej, true
	}
	exp, _, _ = numericDate(claims, "exp")
	return claims, exp, gen, nil, true
}

// parseCompactHeader reads a protected header the fast path accepts: one
// JSON object whose members are alg, kid, typ or cty, each at most once,
// each a string of printable ASCII without escapes. ok is false for
// anything else, including valid JSON of another shape.
func parseCompactHeader(b []byte) (alg []byte, kid string, ok bool) {
	p := skipSpace(b, 0)
	if p >= len(b) || b[p] != '{' {
		return nil, "", false
	}
	p = skipSpace(b, p+1)
	if p < len(b) && b[p] == '}' {
		return nil, "", skipSpace(b, p+1) == len(b)
	}
	var seen [4]bool
	for {
		var key, val []byte
		if key, p, ok = plainString(b, p); !ok {
			return nil, "", false
		}
		if p = skipSpace(b, p); p >= len(b) || b[p] != ':' {
			return nil, "", false
		}
		if val, p, ok = plainString(b, skipSpace(b, p+1)); !ok {
			return nil, "", false
		}
		var slot int
		switch string(key) {
		case "alg":
			slot, alg = 0, val
		case "kid":
			slot, kid = 1, string(val)
		case "typ":
			slot = 2
		case "cty":
			slot = 3
		default:
			return nil, "", false
		}
		if seen[slot] {
			return nil, "", false
		}
		seen[slot] = true
		if p = skipSpace(b, p); p >= len(b) {
			return nil, "", false
		}
		switch b[p] {
		case ',':
			p = skipSpace(b, p+1)
		case '}':
			if skipSpace(b, p+1) != len(b) {
				return nil, "", false
			}
			return alg, kid, true
		default:
			return nil, "", false
		}
	}
}

// plainString reads a JSON string starting at b[p] that holds printable
// ASCII only and no escape; it returns its content and the position after
// the closing quote.
func plainString(b []byte, p int) ([]byte, int, bool) {
	if p >= len(b) || b[p] != '"' {
		return nil, p, false
	}
	for q := p + 1; q < len(b); q++ {
		switch c := b[q]; {
		case c == '"':
			return b[p+1 : q], q + 1, true
		case c == '\\' || c < 0x20 || c >= 0x7f:
			return nil, p, false
		}
	}
	return nil, p, false
}

// skipSpace returns the position of the first byte at or after p that is
// not JSON whitespace.
func skipSpace(b []byte, p int) int {
	for p < len(b) && (b[p] == ' ' || b[p] == '\t' || b[p] == '\n' || b[p] == '\r') {
		p++
	}
	return p
}

// verifySignature checks sig over input for alg with key, the way the
// general JOSE path does: RSA PKCS #1 v1.5 or PSS (salt length from the
// signature), ECDSA with r‖s of the curve's fixed size, Ed25519, or an
// HMAC of at least the hash's size compared in constant time. keyFits has
// already matched the key's type to alg.
func verifySignature(alg string, key any, input, sig []byte) bool {
	switch alg {
	case "RS256", "PS256", "ES256", "HS256":
	case "RS384", "PS384", "ES384", "HS384":
	case "RS512", "PS512", "ES512", "HS512":
	case "EdDSA":
		pk, ok := key.(ed25519.PublicKey)
		return ok && len(pk) == ed25519.PublicKeySize && ed25519.Verify(pk, input, sig)
	default:
		return false
	}
	h, digest := hashOf(alg[2:], input)
	switch alg[:2] {
	case "RS":
		pk, ok := key.(*rsa.PublicKey)
		return ok && pk != nil && rsa.VerifyPKCS1v15(pk, h, digest, sig) == nil
	case "PS":
		pk, ok := key.(*rsa.PublicKey)
		return ok && pk != nil && rsa.VerifyPSS(pk, h, digest, sig, nil) == nil
	case "ES":
		pk, ok := key.(*ecdsa.PublicKey)
		if !ok || pk == nil {
			return false
		}
		size := 32
		switch h {
		case crypto.SHA384:
			size = 48
		case crypto.SHA512:
			size = 66
		}
		if len(sig) != 2*size {
			return false
		}
		r := new(big.Int).SetBytes(sig[:size])
		s := new(big.Int).SetBytes(sig[size:])
		return ecdsa.Verify(pk, digest, r, s)
	case "HS":
		secret, ok := key.([]byte)
		if !ok || len(secret) < h.Size() {
			return false
		}
		var newHash func() hash.Hash
		switch h {
		case crypto.SHA256:
			newHash = sha256.New
		case crypto.SHA384:
			newHash = sha512.New384
		default:
			newHash = sha512.New
		}
		mac := hmac.New(newHash, secret)
		mac.Write(input)
		var sum [sha512.Size]byte
		return hmac.Equal(mac.Sum(sum[:0]), sig)
	}
	return false
}

// hashOf returns the hash of the bit size bits ("256", "384", "512") and
// input's digest under it.
func hashOf(bits string, input []byte) (crypto.Hash, []byte) {
	switch bits {
	case "384":
		d := sha512.Sum384(input)
		return crypto.SHA384, d[:]
	case "512":
		d := sha512.Sum512(input)
		return crypto.SHA512, d[:]
	}
	d := sha256.Sum256(input)
	return crypto.SHA256, d[:]
}
