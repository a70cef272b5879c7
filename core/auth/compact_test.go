package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// agree checks that the fast path answers token as the general path does:
// when it handles the token, both accept it with equal claims and exp, or
// both refuse it with the same status. It reports whether the fast path
// handled the token.
func agree(t *testing.T, v *Validator, token string) bool {
	t.Helper()
	if strings.Count(token, ".") != 2 {
		return false
	}
	ctx := context.Background()
	fc, fexp, _, frej, handled := v.verifyCompact(ctx, token, testNow)
	jc, jexp, _, jrej := v.verifyJOSE(ctx, token, testNow)
	if !handled {
		return false
	}
	if (frej == nil) != (jrej == nil) {
		t.Fatalf("token %.80q: fast path rejection %v, general path %v", token, frej, jrej)
	}
	if frej != nil {
		if frej.status != jrej.status {
			t.Fatalf("token %.80q: fast path status %d, general path %d", token, frej.status, jrej.status)
		}
		return true
	}
	if !reflect.DeepEqual(fc, jc) || fexp != jexp {
		t.Fatalf("token %.80q: fast path claims %v exp %v, general path %v exp %v", token, fc, fexp, jc, jexp)
	}
	return true
}

// TestCompactMatchesJOSE runs tokens of every algorithm, valid, tampered
// and hostile, through both paths: the fast path must handle the tokens
// real issuers send, and answer each handled token as the general path.
func TestCompactMatchesJOSE(t *testing.T) {
	testKeys(t)
	type alg struct {
		name     string
		signWith any
		pub      any
	}
	algs := []alg{
		{"RS256", rsaKey, &rsaKey.PublicKey},
		{"RS384", rsaKey, &rsaKey.PublicKey},
		{"RS512", rsaKey, &rsaKey.PublicKey},
		{"PS256", rsaKey, &rsaKey.PublicKey},
		{"PS512", rsaKey, &rsaKey.PublicKey},
		{"ES256", ecKey, &ecKey.PublicKey},
		{"EdDSA", edKey, edPub},
		{"HS256", hmacKey, hmacKey},
	}
	for _, a := range algs {
		t.Run(a.name, func(t *testing.T) {
			v := newLocal(t, Options{Alg: a.name, Issuer: "https://issuer.test", Audience: []string{"api"}},
				jwk(a.pub, "k1", ""), jwk(&rsaKey2.PublicKey, "other", ""))
			good := sign(t, a.name, a.signWith, "k1", claims(map[string]any{
				"n": json.Number("12345678901234567890"), "f": 1.5, "neg": -3, "e": json.Number("1e3"),
				"name": "José", "roles": []any{"a", "b", nil, true, map[string]any{"x": []any{}}}, "obj": map[string]any{},
			}))
			if !agree(t, v, good) {
				t.Fatalf("the fast path did not handle a plain %s token", a.name)
			}
			if _, _, _, rej, _ := v.verifyCompact(context.Background(), good, testNow); rej != nil {
				t.Fatalf("valid %s token refused: %v", a.name, rej)
			}
			p := strings.Split(good, ".")
			flip := func(s string) string {
				b, _ := base64.RawURLEncoding.DecodeString(s)
				if len(b) == 0 {
					return s
				}
				b[len(b)/2] ^= 1
				return b64(b)
			}
			for _, tok := range []string{
				p[0] + "." + p[1] + "." + flip(p[2]),                                     // bad signature
				p[0] + "." + flip(p[1]) + "." + p[2],                                     // tampered payload
				p[0] + "." + p[1] + ".",                                                  // no signature
				p[0] + "." + p[1] + "." + p[2][:len(p[2])-4],                             // short signature
				p[0] + "." + p[1] + "." + p[2] + "AAAA",                                  // long signature
				p[0] + "." + p[1] + "=." + p[2],                                          // padded payload
				p[0] + "." + p[1] + "." + p[2] + "==",                                    // padded signature
				p[0] + "." + p[1][:len(p[1])-1] + "\n" + p[1][len(p[1])-1:] + "." + p[2], // newline
				p[0] + "..." + p[2], ".." + p[2], "..",
			} {
				agree(t, v, tok)
			}
			for _, h := range []map[string]any{
				{"alg": a.name, "kid": "k1"},
				{"alg": a.name, "kid": "k1", "typ": "JWT", "cty": "x"},
				{"alg": a.name},
				{"alg": a.name, "kid": ""},
				{"alg": a.name, "kid": strings.Repeat("k", 257)},
				{"alg": a.name, "kid": "nope"},
				{"alg": a.name, "kid": "other"},
				{"alg": "none", "kid": "k1"},
				{"alg": "HS256", "kid": "k1"},
				{"kid": "k1"},
				{},
			} {
				hb, _ := json.Marshal(h)
				agree(t, v, b64(hb)+"."+p[1]+"."+p[2])
			}
			for _, raw := range []string{
				`{"alg":"` + a.name + `","kid":"k1","kid":"k1"}`,
				`{"alg":"` + a.name + `","kid":"k\u0031"}`,
				`{"alg":"` + a.name + `","KID":"k1"}`,
				`{"alg":"` + a.name + `","kid":"k1","x5c":[]}`,
				`{"alg":"` + a.name + `","kid":1}`,
				`{"alg":"` + a.name + `","kid":"k1"} x`,
				` { "alg" : "` + a.name + `" , "kid" : "k1" } `,
				`{"alg":"` + a.name + `","kid":"k1",}`,
				`{"alg":"` + a.name + `","kid":"k1"`,
				`[]`, `null`, ``, `{`,
			} {
				agree(t, v, b64([]byte(raw))+"."+p[1]+"."+p[2])
			}
		})
	}
}

// TestCompactHeaderParser checks which headers the fast path reads.
func TestCompactHeaderParser(t *testing.T) {
	for _, c := range []struct {
		in       string
		alg, kid string
		ok       bool
	}{
		{`{"alg":"RS256","kid":"k1","typ":"JWT"}`, "RS256", "k1", true},
		{` {"kid" : "a b" ,"alg":"ES256"} `, "ES256", "a b", true},
		{`{}`, "", "", true},
		{`{"alg":"RS256","alg":"HS256","kid":"k"}`, "", "", false},
		{`{"alg":"RS256","jwk":{}}`, "", "", false},
		{`{"alg":"RS256","kid":"\u006b"}`, "", "", false},
		{`{"alg":"RS256","kid":"é"}`, "", "", false},
		{`{"alg":"RS256","kid":"k"}}`, "", "", false},
		{`{"alg":"RS256" "kid":"k"}`, "", "", false},
		{`{"alg":"RS256",}`, "", "", false},
		{`{"alg":true}`, "", "", false},
		{`{"alg`, "", "", false},
		{``, "", "", false},
	} {
		alg, kid, ok := parseCompactHeader([]byte(c.in))
		if ok != c.ok || ok && (string(alg) != c.alg || kid != c.kid) {
			t.Errorf("%s: alg %q kid %q ok %v, want %q %q %v", c.in, alg, kid, ok, c.alg, c.kid, c.ok)
		}
	}
}

// claimsDocs are payloads both claims decoders must read alike.
var claimsDocs = []string{
	`{}`, ` {"a":1} `, `{"a":1}}`, `{"a":1}]`, `{"a":1} {}`, `{"a":1} x`, `null`, `[]`, `1`, `"s"`, ``, `{`,
	`{"a":-0.5e+10,"b":0,"c":-0,"d":1E3,"e":123456789012345678901234567890}`,
	`{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":-}`, `{"a":1e}`, `{"a":+1}`,
	`{"a":true,"b":false,"c":null,"d":[],"e":{},"f":[1,[2,[3]],{"g":"h"}]}`,
	`{"a":tru}`, `{"a":nul}`, `{"a":truex}`, `{"a":[1,]}`, `{"a":[1 2]}`, `{"a":{"b":1,}}`,
	`{"a":"b","a":"c"}`, `{"a":{"x":1},"a":{"y":2}}`,
	`{"s":"\u00e9\n\"","k\u0041":1}`, `{"s":"é","ü":"ß"}`, "{\"s\":\"\xff\"}", "{\"s\":\"\xed\xa0\x80\"}",
	"{\"s\":\"a\tb\"}", `{"a" : [ 1 , 2 ] , "b" : { } }`,
	`{"d":` + strings.Repeat(`[`, 40) + strings.Repeat(`]`, 40) + `}`,
	`{"d":` + strings.Repeat(`{"a":`, 40) + `1` + strings.Repeat(`}`, 40) + `}`,
}

// TestClaimsDecoderMatches checks decodeClaimsFast against decodeClaims.
func TestClaimsDecoderMatches(t *testing.T) {
	for _, doc := range claimsDocs {
		sameClaims(t, []byte(doc))
	}
}

func sameClaims(t *testing.T, doc []byte) {
	t.Helper()
	want, werr := decodeClaims(doc)
	got, gerr := decodeClaimsFast(doc)
	if (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() {
		t.Fatalf("%q: error %v, want %v", doc, gerr, werr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: claims %#v, want %#v", doc, got, want)
	}
}

// FuzzClaimsDecoder checks decodeClaimsFast against decodeClaims on
// arbitrary payloads.
func FuzzClaimsDecoder(f *testing.F) {
	for _, doc := range claimsDocs {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		sameClaims(t, doc)
	})
}

// FuzzCompactMatchesJOSE checks that the fast path answers arbitrary
// tokens as the general path does.
func FuzzCompactMatchesJOSE(f *testing.F) {
	testKeys(f)
	v := newLocal(f, Options{Issuer: "https://issuer.test"}, jwk(&rsaKey.PublicKey, "k1", ""), jwk(hmacKey, "hk", ""))
	f.Add(sign(f, "RS256", rsaKey, "k1", claims(nil)))
	f.Add(rawToken(map[string]any{"alg": "RS256", "kid": "hk"}, claims(nil), rs256(rsaKey)))
	f.Add("e30.e30.")
	f.Fuzz(func(t *testing.T, tok string) {
		if len(tok) > MaxTokenBytes {
			return
		}
		agree(t, v, tok)
	})
}
