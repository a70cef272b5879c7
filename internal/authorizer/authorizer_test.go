package authorizer

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestClaims(t *testing.T) {
	cases := []struct {
		raw string
		sub any
		ok  bool
	}{
		{`{"jwt": {"claims": {"sub": "a", "exp": "1700000000"}, "scopes": ["r"]}}`, "a", true},
		{`{"lambda": {"sub": "b", "n": 12345678901234567890}}`, "b", true},
		{`{"claims": {"sub": "c"}, "principalId": "x"}`, "c", true},
		{`{"principalId": "p", "sub": "d", "integrationLatency": 3}`, "d", true},
		{`{"jwt": {"claims": "nope"}}`, nil, false},
		{`[1]`, nil, false},
		{`{"a": 1} {"b": 2}`, nil, false},
		{`null`, nil, false},
	}
	for _, c := range cases {
		got, ok := Claims([]byte(c.raw))
		if ok != c.ok || (ok && got["sub"] != c.sub) {
			t.Errorf("Claims(%s) = %v, %v", c.raw, got, ok)
		}
	}
	got, _ := Claims([]byte(`{"lambda": {"n": 12345678901234567890}}`))
	if got["n"] != json.Number("12345678901234567890") {
		t.Errorf("number re-formatted: %v", got["n"])
	}
}

func TestContext(t *testing.T) {
	ctx := context.Background()
	if _, ok := FromContext(ctx); ok {
		t.Fatal("claims in an empty context")
	}
	raw := []byte(`{"claims": {"sub": "c"}}`)
	ctx2 := NewContext(ctx, raw)
	raw[0] = 'x' // the context keeps its own copy
	got, ok := FromContext(ctx2)
	if !ok || string(got) != `{"claims": {"sub": "c"}}` {
		t.Fatalf("FromContext = %q, %v", got, ok)
	}
	if _, ok := FromContext(NewContext(ctx, []byte(strings.Repeat(" ", MaxBytes+1)))); ok {
		t.Fatal("oversized authorizer kept")
	}
}
