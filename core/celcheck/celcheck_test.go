package celcheck

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func mustCompile(t testing.TB, expr string) *Check {
	t.Helper()
	c, err := Compile(expr)
	if err != nil {
		t.Fatalf("Compile(%q): %v", expr, err)
	}
	return c
}

func sampleVars() *Vars {
	return &Vars{
		Request: &Request{
			Method:  "POST",
			Path:    "/users/42",
			Params:  map[string]string{"Id": "42"},
			Headers: map[string][]string{"X-Tenant": {"acme"}, "Content-Type": {"application/json"}},
			Query:   map[string][]string{"page": {"2", "3"}},
		},
		Response: &Response{
			Completed: true,
			Status:    200,
			Headers:   map[string][]string{"Content-Type": {"application/json"}},
			Data:      map[string]any{"count": float64(3), "items": []any{"a", "b"}, "s": map[string]any{"ok": true}},
		},
		JWT: map[string]any{"sub": "alice", "roles": []any{"admin"}, "exp": float64(2e9)},
	}
}

func TestPhasesOf(t *testing.T) {
	cases := map[string]Phase{
		"req_method == 'GET'":                   PhaseRequest,
		"has(resp_data.x)":                      PhaseResponse,
		"JWT.sub == 'a'":                        PhaseJWT,
		"JWT.sub == 'a' && req_path == '/'":     PhaseJWT | PhaseRequest,
		"'req_' == 'x'":                         PhaseRequest, // by text, as KrakenD decides
		"resp_completed && req_method == 'GET'": PhaseRequest | PhaseResponse,
	}
	for expr, want := range cases {
		if got := PhasesOf(expr); got != want {
			t.Errorf("PhasesOf(%q) = %b, want %b", expr, got, want)
		}
	}
}

func TestEvalTrueFalse(t *testing.T) {
	cases := []struct {
		expr string
		want bool
	}{
		{"req_method == 'POST'", true},
		{"req_method == 'GET'", false},
		{"req_path.startsWith('/users/')", true},
		{"req_params.Id == '42'", true},
		{"'X-Tenant' in req_headers && req_headers['X-Tenant'][0] == 'acme'", true},
		{"req_querystring.page.size() == 2", true},
		{"has(req_headers.Authorization)", false},
		{"resp_completed && resp_metadata_status == 200", true},
		{"resp_data.count == 3", true}, // JSON numbers are doubles; mixed comparison works
		{"resp_data.count > 2", true},
		{"resp_data.items.size() == 2 && resp_data.s.ok", true},
		{"has(resp_data.missing)", false},
		{"JWT.sub == 'alice' && 'admin' in JWT.roles", true},
		{"timestamp(int(JWT.exp)) > now", true},
		{"req_method.lowerAscii() == 'post' && req_path.split('/').size() == 3", true},
		{"now - duration('1h') < now && req_method != ''", true},
	}
	v := sampleVars()
	v.Now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range cases {
		err := mustCompile(t, c.expr).Eval(context.Background(), v)
		if c.want && err != nil {
			t.Errorf("%q: %v, want true", c.expr, err)
		}
		if !c.want && !errors.Is(err, ErrFalse) {
			t.Errorf("%q: %v, want ErrFalse", c.expr, err)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	cases := map[string]string{
		"":                    "empty",
		"1 == 1":              "names none",
		"req_method ==":       "Syntax error",
		"req_method + 1 == 2": "found no matching overload",
		"req_method":          "not a bool",
		"req_nope == 'x'":     "undeclared reference",
		strings.Repeat("(", 200) + "req_method == 'x'" + strings.Repeat(")", 200): "",
		"req_method == '" + strings.Repeat("a", MaxExprBytes) + "'":               "limit",
	}
	for expr, want := range cases {
		_, err := Compile(expr)
		if err == nil {
			t.Errorf("Compile(%.40q) succeeded", expr)
			continue
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("Compile(%.40q): multi-line error %q", expr, err)
		}
		if want != "" && !strings.Contains(err.Error(), want) {
			t.Errorf("Compile(%.40q) = %v, want it to mention %q", expr, err, want)
		}
	}
}

func TestUnboundVariablesFail(t *testing.T) {
	c := mustCompile(t, "JWT.sub == 'alice' || req_method == 'POST'")
	// Only the request is bound: JWT is unknown, which is an error, which
	// callers treat as false.
	err := c.Eval(context.Background(), &Vars{Request: &Request{Method: "GET"}})
	if err == nil {
		t.Fatal("an expression reading an unbound variable passed")
	}
	// Nil maps are bound as empty maps.
	err = mustCompile(t, "size(req_headers) == 0 && size(req_params) == 0").Eval(context.Background(), &Vars{Request: &Request{}})
	if err != nil {
		t.Fatalf("empty request: %v", err)
	}
}

// TestCostBomb: nested comprehensions that would take minutes end at the
// cost limit with an error, quickly.
func TestCostBomb(t *testing.T) {
	bombs := []string{
		"[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, [1,2,3,4,5,6,7,8,9,10].all(c, [1,2,3,4,5,6,7,8,9,10].all(d, [1,2,3,4,5,6,7,8,9,10].all(e, [1,2,3,4,5,6,7,8,9,10].all(f, [1,2,3,4,5,6,7,8,9,10].all(g, req_method != 'x')))))))",
		"req_path.split('').map(a, req_path.split('').map(b, req_path.split('').map(c, req_path.split('').map(d, a + b + c + d)))).size() > 0",
	}
	v := &Vars{Request: &Request{Method: "GET", Path: strings.Repeat("/abcdefgh", 100)}}
	for _, b := range bombs {
		err := mustCompile(t, b).Eval(context.Background(), v)
		if err == nil || errors.Is(err, ErrFalse) {
			t.Errorf("bomb %.50q: %v, want a cost-limit error", b, err)
			continue
		}
		if !strings.Contains(err.Error(), "cost") {
			t.Errorf("bomb %.50q: %v, want a cost-limit error", b, err)
		}
	}
}

// TestRegexLimit: a pattern taken from the request is compiled at run
// time; a huge one fails instead of costing unbounded work.
func TestRegexLimit(t *testing.T) {
	c := mustCompile(t, "req_path.matches(req_headers['X-P'][0])")
	ok := &Vars{Request: &Request{Path: "/a", Headers: map[string][]string{"X-P": {"^/a$"}}}}
	if err := c.Eval(context.Background(), ok); err != nil {
		t.Fatalf("small pattern: %v", err)
	}
	huge := &Vars{Request: &Request{Path: "/a", Headers: map[string][]string{"X-P": {strings.Repeat("(a|b|c)", 1000)}}}}
	if err := c.Eval(context.Background(), huge); err == nil || !strings.Contains(err.Error(), "regex program size") {
		t.Fatalf("huge pattern: %v, want an error", err)
	}
	if _, err := Compile("req_path.matches('" + strings.Repeat("(a|b)", 2000) + "')"); err == nil {
		t.Fatal("a huge constant pattern compiled")
	}
}

// TestContextCancel: an evaluation stops when the request ends.
func TestContextCancel(t *testing.T) {
	c := mustCompile(t, "[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, [1,2,3,4,5,6,7,8,9,10].all(c, req_method != 'x')))")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Eval(ctx, sampleVars()); err == nil || errors.Is(err, ErrFalse) {
		t.Fatalf("cancelled evaluation: %v, want an interrupt error", err)
	}
}

func BenchmarkEvalRequest(b *testing.B) {
	c := mustCompile(b, "req_method == 'POST' && req_params.Id == '42' && req_headers['X-Tenant'][0] == 'acme'")
	v := sampleVars()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Eval(ctx, v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvalResponse(b *testing.B) {
	c := mustCompile(b, "resp_completed && resp_data.count > 2 && resp_data.items.size() == 2")
	v := sampleVars()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Eval(ctx, v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		mustCompile(b, "req_method == 'POST' && JWT.sub == 'alice'")
	}
}

// FuzzCEL compiles arbitrary expressions and evaluates the ones that
// compile against fuzzed inputs: nothing may panic, and evaluation always
// ends (the cost limit bounds it).
func FuzzCEL(f *testing.F) {
	f.Add("req_method == 'GET'", "GET", "/a", "x")
	f.Add("resp_data.a.b[0] > 1", "POST", "/", "y")
	f.Add("JWT.sub.matches('^a.*$') && req_path.contains(JWT.sub)", "GET", "/alice", "alice")
	f.Add("req_path.split('/').map(p, p + p).exists(x, x == 'aa')", "GET", "/a/b/a", "")
	f.Add("[1,2,3].all(a, [1,2,3].all(b, req_method != string(a*b)))", "PUT", "", "z")
	f.Fuzz(func(t *testing.T, expr, method, path, sub string) {
		c, err := Compile(expr)
		if err != nil {
			return
		}
		v := &Vars{
			Request:  &Request{Method: method, Path: path, Params: map[string]string{"Id": sub}, Headers: map[string][]string{"X": {sub}}},
			Response: &Response{Completed: true, Status: 200, Data: map[string]any{"a": map[string]any{"b": []any{float64(len(sub)), sub}}}},
			JWT:      map[string]any{"sub": sub},
		}
		if err := c.Eval(context.Background(), v); err != nil && strings.Contains(err.Error(), "evaluation panicked") {
			t.Fatalf("%q: %v", expr, err)
		}
	})
}
