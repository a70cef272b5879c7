package samlocal

import (
	"fmt"
	"strings"
	"testing"
)

// routeTemplate builds a template with one function per route, named as
// given: "Name METHOD /path" (path "" for an HTTP API $default route).
func routeTemplate(typ string, routes ...string) *Template {
	t := &Template{}
	for _, r := range routes {
		f := strings.SplitN(r, " ", 3)
		ev := &Event{Name: "E", Type: typ, Method: f[1], PayloadFormatVersion: "2.0", Stage: DefaultHTTPStage}
		if len(f) == 3 {
			ev.Path = f[2]
		}
		if typ == EventREST {
			ev.PayloadFormatVersion, ev.Stage = "1.0", "prod"
		}
		t.Functions = append(t.Functions, &Function{LogicalID: f[0], Timeout: DefaultTimeout, Events: []*Event{ev}})
	}
	return t
}

func describe(r *Route, params []Param) string {
	if r == nil {
		return "none"
	}
	s := r.Function.LogicalID
	for _, p := range params {
		s += fmt.Sprintf(" %s=%q", p.Name, p.Value)
	}
	return s
}

// TestRouterPrecedence: literal > {param} > {proxy+}, segment by segment
// from the left; a route's own method beats ANY; "/" matches only its own
// route; a greedy parameter needs at least one character.
func TestRouterPrecedence(t *testing.T) {
	rt, err := NewRouter(routeTemplate(EventHTTP,
		// Declared least specific first, so the order of the template
		// cannot be what makes the right route win.
		"Proxy ANY /{proxy+}",
		"Root ANY /",
		"UsersGreedy ANY /users/{rest+}",
		"UserAny ANY /users/{id}",
		"UserGet GET /users/{id}",
		"UsersMe GET /users/me",
		"UserOrders GET /users/{id}/orders",
		"Files GET /files/{path+}",
		"AGreedy ANY /a/{proxy+}",
		"AxB POST /a/{x}/b",
		"XLit GET /{x}/lit",
	))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ method, path, want string }{
		{"GET", "/", "Root"},
		{"POST", "/", "Root"},
		{"GET", "", "Root"},
		{"GET", "/users/me", "UsersMe"},
		{"GET", "/users/%6De", "UsersMe"}, // literals compare decoded
		{"POST", "/users/me", `UserAny id="me"`},
		{"GET", "/users/42", `UserGet id="42"`},
		{"DELETE", "/users/42", `UserAny id="42"`},
		{"GET", "/users/a%20b", `UserGet id="a b"`},
		{"GET", "/users/a%2Fb", `UserGet id="a/b"`},
		{"GET", "/users/42/orders", `UserOrders id="42"`},
		{"POST", "/users/42/orders", `UsersGreedy rest="42/orders"`},
		{"GET", "/users/42/other/x", `UsersGreedy rest="42/other/x"`},
		{"GET", "/users//orders", `UsersGreedy rest="/orders"`}, // an empty segment is no {id}
		{"GET", "/users", `Proxy proxy="users"`},
		{"GET", "/users/", `Proxy proxy="users/"`}, // {rest+} needs a character
		{"GET", "/files/a/b%2Fc", `Files path="a/b/c"`},
		{"GET", "/files", `Proxy proxy="files"`},
		{"POST", "/a/1/b", `AxB x="1"`},
		{"GET", "/a/1/b", `AGreedy proxy="1/b"`},
		{"GET", "/a/lit", `AGreedy proxy="lit"`}, // /a/… (literal first) beats /{x}/lit
		{"GET", "/b/lit", `XLit x="b"`},
		{"GET", "/%zz", `Proxy proxy="%zz"`}, // a malformed escape stays as sent
		{"GET", "*", "none"},
	}
	for _, tc := range tests {
		r, params := rt.Match(tc.method, tc.path)
		if got := describe(r, params); got != tc.want {
			t.Errorf("%s %s → %s, want %s", tc.method, tc.path, got, tc.want)
		}
	}
	if !rt.HTTPAPI() {
		t.Error("HTTPAPI() = false for an HTTP API template")
	}
	if r, _ := rt.Match("GET", "/users/me"); r.Key() != "GET /users/me" {
		t.Errorf("Key() = %q", r.Key())
	}
}

func TestRouterWithoutCatchAll(t *testing.T) {
	rt, err := NewRouter(routeTemplate(EventREST, "Users GET /users/{id}", "Health GET /health"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ method, path, want string }{
		{"GET", "/", "none"}, // "/" matches only a "/" route
		{"GET", "/health", "Health"},
		{"HEAD", "/health", "none"}, // no implicit HEAD for GET
		{"GET", "/health/", "none"},
		{"GET", "/users/7", `Users id="7"`},
		{"GET", "/users/7/x", "none"},
		{"GET", "/users/", "none"},
	}
	for _, tc := range tests {
		r, params := rt.Match(tc.method, tc.path)
		if got := describe(r, params); got != tc.want {
			t.Errorf("%s %s → %s, want %s", tc.method, tc.path, got, tc.want)
		}
	}
	if rt.HTTPAPI() {
		t.Error("HTTPAPI() = true for a REST-only template")
	}
}

func TestRouterDefaultRoute(t *testing.T) {
	rt, err := NewRouter(routeTemplate(EventHTTP, "Default ANY", "X GET /x"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ method, path, want string }{
		{"GET", "/x", "X"},
		{"POST", "/x", "Default"},
		{"GET", "/", "Default"},
		{"PUT", "/a/b/c", "Default"},
	} {
		r, params := rt.Match(tc.method, tc.path)
		if got := describe(r, params); got != tc.want {
			t.Errorf("%s %s → %s, want %s", tc.method, tc.path, got, tc.want)
		}
	}
	if r, _ := rt.Match("GET", "/y"); r.Key() != "$default" {
		t.Errorf("default route key = %q", r.Key())
	}
}

func TestRouterConflicts(t *testing.T) {
	tests := []struct {
		routes []string
		err    string
	}{
		{[]string{"A GET /a/{x}", "B GET /a/{y}"}, "route GET /a/{y} of B (event E) repeats route GET /a/{x} of A (event E)"},
		{[]string{"A ANY /{proxy+}", "B ANY /{rest+}"}, "repeats route ANY /{proxy+}"},
		{[]string{"A ANY", "B ANY"}, "repeats route $default"},
		{[]string{"A GET /a", "B ANY /a", "C GET /{x}"}, ""}, // different methods or kinds coexist
	}
	for _, tc := range tests {
		_, err := NewRouter(routeTemplate(EventHTTP, tc.routes...))
		if tc.err == "" {
			if err != nil {
				t.Errorf("%v: %v", tc.routes, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%v: err = %v, want %q", tc.routes, err, tc.err)
		}
	}
}

func BenchmarkRouterMatch(b *testing.B) {
	rt, err := NewRouter(routeTemplate(EventHTTP, "Root ANY /", "Proxy ANY /{proxy+}",
		"Front GET /frontpage/{id_user}", "Users GET /users/{id_user}", "Products GET /products"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if r, _ := rt.Match("GET", "/frontpage/42"); r == nil {
			b.Fatal("no match")
		}
	}
}
