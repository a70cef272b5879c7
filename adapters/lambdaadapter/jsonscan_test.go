package lambdaadapter

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestScannerValidity(t *testing.T) {
	docs := []string{
		`{}`, `[]`, `""`, `0`, `-0`, `1.5e10`, `-1.5E-10`, `1e+2`, `true`, `false`, `null`, ` {"a" : [1, {"b":null}] } `,
		`"\u00e9\ud83d\ude00\n\t\"\\\/\b\f\r"`, `"\ud800"`, `"\udc00x"`, `"\ud800\u0041"`, "\"\xff\xfe\"",
		``, ` `, `{`, `}`, `[1,]`, `{"a":1,}`, `{"a" 1}`, `{a:1}`, `{"a":1 "b":2}`, `[1 2]`, `01`, `1.`, `.5`, `-`, `1e`, `+1`,
		`tru`, `nul`, `"abc`, `"\x"`, `"\u12"`, `"\u12g4"`, "\"a\x01b\"", `{"a":1}}`, `[1]x`, `"a" "b"`, `NaN`,
		strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth),
		strings.Repeat("[", maxJSONDepth+1) + strings.Repeat("]", maxJSONDepth+1),
	}
	for _, d := range docs {
		if got, want := validJSON([]byte(d)), json.Valid([]byte(d)); got != want {
			t.Errorf("scanner valid(%.40q) = %v, encoding/json %v", d, got, want)
		}
	}
}

func TestScannerStrings(t *testing.T) {
	for _, lit := range []string{
		`"plain"`, `"esc \" \\ \/ \b \f \n \r \t"`, `"\u0041\u00e9\u20ac"`, `"\ud83d\ude00"`,
		`"\ud800"`, `"\udc00"`, `"\ud800\ud800"`, `"\ud800\u0041"`, `"a\u0000b"`, `"\uD83D\uDE00"`,
	} {
		var want string
		if err := json.Unmarshal([]byte(lit), &want); err != nil {
			t.Fatal(err)
		}
		sc := &scanner{b: []byte(lit)}
		got, ok := sc.str()
		if !ok || got != want || !sc.atEnd() {
			t.Errorf("str(%s) = %q, %v; want %q", lit, got, ok, want)
		}
	}
}

func TestScannerRaw(t *testing.T) {
	sc := &scanner{b: []byte(`{"body":  {"a": [1, 2.5]} , "x":1}`)}
	var raw []byte
	ok := sc.object(func(key []byte) bool {
		if string(key) == "body" {
			var ok bool
			raw, ok = sc.raw()
			return ok
		}
		return sc.skip()
	})
	if !ok || string(raw) != `{"a": [1, 2.5]}` {
		t.Fatalf("raw = %q, %v", raw, ok)
	}
}

func TestKeyString(t *testing.T) {
	for _, k := range []string{"content-type", "X-FORWARDED-FOR", "x_y", "a b", "", "ü", "www-authenticate", strings.Repeat("a", 300)} {
		want := k
		if isToken(k) || k == "" {
			want = http.CanonicalHeaderKey(k)
		}
		if got := keyString([]byte(k), true); got != want {
			t.Errorf("keyString(%q) = %q, want %q", k, got, want)
		}
		if got := keyString([]byte(k), false); got != k {
			t.Errorf("keyString(%q, false) = %q", k, got)
		}
	}
}
