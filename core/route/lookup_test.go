package route

import (
	"slices"
	"strings"
	"testing"
)

// precedenceRoutes is the table the precedence tests run against.
var precedenceRoutes = []Route{
	0:  {"GET", "/x/search"},
	1:  {"GET", "/x/{id}"},
	2:  {"POST", "/x/{id}"},
	3:  {"GET", "/users"},
	4:  {"GET", "/users/"},
	5:  {"GET", "/orders/{id}"},
	6:  {"POST", "/items"},
	7:  {"GET", "/a/b/c"},
	8:  {"GET", "/a/{x}/d"},
	9:  {"GET", "/"},
	10: {"GET", "/users/{id}/profile"},
	11: {"DELETE", "/x/search"},
	12: {"GET", "/files/{name}/"},
	13: {"PUT", "/orders/{id}"},
	14: {"GET", "/id-user/{id_user-x}"},
}

func mustNew(t testing.TB, routes []Route, opts Options) *Table {
	t.Helper()
	tbl, conflicts := New(routes, opts)
	if len(conflicts) != 0 {
		t.Fatalf("unexpected conflicts: %+v", conflicts)
	}
	return tbl
}

// want is the expected part of a Result; params are "name=value" pairs.
type want struct {
	kind     Kind
	route    int
	params   []string
	allow    string
	location string
	status   int
	message  string // substring of Result.Message
}

func checkResult(t *testing.T, got Result, w want) {
	t.Helper()
	if got.Kind != w.kind {
		t.Fatalf("kind = %v, want %v (result %+v)", got.Kind, w.kind, got)
	}
	wantRoute := w.route
	if w.kind != Found && w.kind != BadParam {
		wantRoute = -1
	}
	if got.Route != wantRoute {
		t.Errorf("route = %d, want %d", got.Route, wantRoute)
	}
	if w.kind == Found {
		var ps []string
		for _, p := range got.Params {
			ps = append(ps, p.Name+"="+p.Value)
		}
		if !slices.Equal(ps, w.params) {
			t.Errorf("params = %q, want %q", ps, w.params)
		}
	} else if len(got.Params) != 0 {
		t.Errorf("params = %+v, want none", got.Params)
	}
	if got.Allow != w.allow {
		t.Errorf("allow = %q, want %q", got.Allow, w.allow)
	}
	if got.Location != w.location {
		t.Errorf("location = %q, want %q", got.Location, w.location)
	}
	if got.Status != w.status {
		t.Errorf("status = %d, want %d", got.Status, w.status)
	}
	if w.message == "" && got.Message != "" || !strings.Contains(got.Message, w.message) {
		t.Errorf("message = %q, want it to contain %q", got.Message, w.message)
	}
}

func TestLookupPrecedence(t *testing.T) {
	tbl := mustNew(t, precedenceRoutes, Options{})
	tests := []struct {
		name, method, path, query string
		want                      want
	}{
		{"literal beats placeholder", "GET", "/x/search", "", want{kind: Found, route: 0}},
		{"placeholder", "GET", "/x/123", "", want{kind: Found, route: 1, params: []string{"id=123"}}},
		{"literal of other method does not shadow", "POST", "/x/search", "", want{kind: Found, route: 2, params: []string{"id=search"}}},
		{"literal matches decoded segment", "GET", "/x/sear%63h", "", want{kind: Found, route: 0}},
		{"decoded space", "GET", "/x/a%20b", "", want{kind: Found, route: 1, params: []string{"id=a b"}}},
		{"decoded UTF-8", "GET", "/x/caf%C3%A9", "", want{kind: Found, route: 1, params: []string{"id=café"}}},
		{"raw UTF-8", "GET", "/x/café", "", want{kind: Found, route: 1, params: []string{"id=café"}}},
		{"two params in order", "GET", "/users/42/profile", "", want{kind: Found, route: 10, params: []string{"id=42"}}},
		{"param name with dash", "GET", "/id-user/7", "", want{kind: Found, route: 14, params: []string{"id_user-x=7"}}},
		{"no slash", "GET", "/users", "", want{kind: Found, route: 3}},
		{"trailing slash is another template", "GET", "/users/", "", want{kind: Found, route: 4}},
		{"root", "GET", "/", "", want{kind: Found, route: 9}},
		{"backtracking into placeholder", "GET", "/a/b/d", "", want{kind: Found, route: 8, params: []string{"x=b"}}},
		{"literal path", "GET", "/a/b/c", "", want{kind: Found, route: 7}},
		{"405 lists sorted methods", "PUT", "/x/search", "", want{kind: MethodNotAllowed, allow: "DELETE, GET, POST"}},
		{"405 via placeholders", "DELETE", "/x/1", "", want{kind: MethodNotAllowed, allow: "GET, POST"}},
		{"HEAD is not routed to GET", "HEAD", "/users", "", want{kind: MethodNotAllowed, allow: "GET"}},
		{"OPTIONS is not routed", "OPTIONS", "/x/search", "", want{kind: MethodNotAllowed, allow: "DELETE, GET, POST"}},
		{"lower-case method is another method", "get", "/users", "", want{kind: MethodNotAllowed, allow: "GET"}},
		{"404", "GET", "/nothing", "", want{kind: NotFound}},
		{"404 deeper than any template", "GET", "/a/b/c/d/e", "", want{kind: NotFound}},
		{"placeholder never matches an empty segment", "GET", "/orders/", "", want{kind: NotFound}},
		{"redirect remove slash 301", "GET", "/orders/7/", "", want{kind: Redirect, location: "/orders/7", status: 301}},
		{"redirect keeps query", "GET", "/orders/7/", "a=1&b=%20", want{kind: Redirect, location: "/orders/7?a=1&b=%20", status: 301}},
		{"redirect keeps escaping", "GET", "/orders/a%20b/", "", want{kind: Redirect, location: "/orders/a%20b", status: 301}},
		{"redirect 307 for POST", "POST", "/items/", "q=1", want{kind: Redirect, location: "/items?q=1", status: 307}},
		{"redirect 307 for PUT", "PUT", "/orders/7/", "", want{kind: Redirect, location: "/orders/7", status: 307}},
		{"redirect add slash", "GET", "/files/x", "", want{kind: Redirect, location: "/files/x/", status: 301}},
		{"redirect only for the same method", "POST", "/orders/7/", "", want{kind: NotFound}},
		{"redirect escapes hostile query", "GET", "/orders/7/", "a=\\x#y\r\n", want{kind: Redirect, location: "/orders/7?a=%5Cx%23y%0D%0A", status: 301}},
		{"redirect is decided before the params are checked", "GET", "/orders/a%2Fb/", "", want{kind: Redirect, location: "/orders/a%2Fb", status: 301}},
		{"redirect escapes a raw backslash", "GET", "/orders/a\\b/", "", want{kind: Redirect, location: "/orders/a%5Cb", status: 301}},
		{"exact match wins over redirect", "GET", "/users/", "x=1", want{kind: Found, route: 4}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkResult(t, tbl.Lookup(tc.method, tc.path, tc.query, nil), tc.want)
		})
	}
}

func TestLookupOptions(t *testing.T) {
	tests := []struct {
		name         string
		opts         Options
		method, path string
		want         want
	}{
		{"redirect disabled", Options{DisableRedirectTrailingSlash: true}, "GET", "/orders/7/", want{kind: NotFound}},
		{"redirect disabled falls to 405", Options{DisableRedirectTrailingSlash: true}, "GET", "/x/search", want{kind: Found, route: 0}},
		{"405 disabled", Options{DisableMethodNotAllowed: true}, "PUT", "/x/search", want{kind: NotFound}},
		{"405 disabled keeps redirect", Options{DisableMethodNotAllowed: true}, "GET", "/orders/7/", want{kind: Redirect, location: "/orders/7", status: 301}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tbl := mustNew(t, precedenceRoutes, tc.opts)
			checkResult(t, tbl.Lookup(tc.method, tc.path, "", nil), tc.want)
		})
	}
}

func TestLookupAppendsToCallerSlice(t *testing.T) {
	tbl := mustNew(t, precedenceRoutes, Options{})
	buf := make([]Param, 1, 8)
	buf[0] = Param{Name: "keep", Value: "me"}
	r := tbl.Lookup("GET", "/x/9", "", buf)
	if r.Kind != Found || len(r.Params) != 2 || r.Params[0] != buf[0] || r.Params[1] != (Param{"id", "9"}) {
		t.Fatalf("got %+v", r)
	}
	if &r.Params[0] != &buf[0] {
		t.Error("params were not appended in place")
	}
	r = tbl.Lookup("GET", "/nothing/here", "", buf)
	if r.Kind != NotFound || len(r.Params) != 1 || r.Params[0] != buf[0] {
		t.Fatalf("got %+v", r)
	}
	r = tbl.Lookup("GET", "/x/a%2Fb", "", buf)
	if r.Kind != BadParam || len(r.Params) != 1 {
		t.Fatalf("got %+v", r)
	}
}

func TestAllowed(t *testing.T) {
	tbl := mustNew(t, precedenceRoutes, Options{})
	tests := []struct{ path, want string }{
		{"/x/search", "DELETE, GET, POST"},
		{"/x/1", "GET, POST"},
		{"/orders/1", "GET, PUT"},
		{"/users/", "GET"},
		{"/orders/1/", ""},
		{"/nothing", ""},
		{"//x", ""},
		{"/x/%zz", ""},
	}
	for _, tc := range tests {
		if got := tbl.Allowed(tc.path); got != tc.want {
			t.Errorf("Allowed(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}

func TestNilAndEmptyTable(t *testing.T) {
	var nilTable *Table
	if r := nilTable.Lookup("GET", "/a", "", nil); r.Kind != NotFound || r.Route != -1 {
		t.Errorf("nil table: %+v", r)
	}
	if r := nilTable.Lookup("GET", "//", "", nil); r.Kind != BadPath {
		t.Errorf("nil table bad path: %+v", r)
	}
	if got := nilTable.Allowed("/a"); got != "" {
		t.Errorf("nil Allowed = %q", got)
	}
	empty, conflicts := New(nil, Options{})
	if len(conflicts) != 0 {
		t.Fatal(conflicts)
	}
	if r := empty.Lookup("GET", "/", "", nil); r.Kind != NotFound {
		t.Errorf("empty table: %+v", r)
	}
}

func TestKindString(t *testing.T) {
	names := map[Kind]string{NotFound: "NotFound", Found: "Found", MethodNotAllowed: "MethodNotAllowed",
		Redirect: "Redirect", BadPath: "BadPath", BadParam: "BadParam", Kind(99): "Kind(99)"}
	for k, want := range names {
		if got := k.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", k, got, want)
		}
	}
}
