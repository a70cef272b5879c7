package route

import (
	"strings"
	"testing"
)

func catchAllRoutes() []Route {
	return []Route{
		{"GET", "/files/{rest...}"},  // 0
		{"GET", "/files/readme"},     // 1
		{"GET", "/files/{id}/meta"},  // 2
		{"GET", "/u/{id}/{path...}"}, // 3
		{"GET", "/u/me/{path...}"},   // 4
		{"POST", "/files/{rest...}"}, // 5
		{"PUT", "/only/{x...}"},      // 6
		{"GET", "/{all...}"},         // 7
		{"GET", "/plain/{p}"},        // 8
		{"GET", "/trail/"},           // 9
	}
}

func TestCatchAllLookup(t *testing.T) {
	tbl := mustNew(t, catchAllRoutes(), Options{CatchAll: true})
	cases := []struct {
		method, path string
		kind         Kind
		route        int
		params       string // name=value pairs joined with ";"
	}{
		{"GET", "/files/readme", Found, 1, ""},
		{"GET", "/files/7/meta", Found, 2, "id=7"},
		{"GET", "/files/a", Found, 0, "rest=a"},
		{"GET", "/files/a/b/c", Found, 0, "rest=a/b/c"},
		{"GET", "/files/a%20b/c%C3%A9", Found, 0, "rest=a b/cé"},
		{"GET", "/files/readme/x", Found, 0, "rest=readme/x"},
		{"GET", "/u/me/x/y", Found, 4, "path=x/y"},
		{"GET", "/u/bob/x/y", Found, 3, "id=bob;path=x/y"},
		{"GET", "/plain/a", Found, 8, "p=a"},
		{"GET", "/plain/a/b", Found, 7, "all=plain/a/b"},
		{"POST", "/files/a/b", Found, 5, "rest=a/b"},
		{"GET", "/files/a/..", BadPath, -1, ""},
		{"GET", "/files/a/%2e%2E", BadPath, -1, ""},
		{"GET", "/files/a%2Fb/c", BadParam, 0, ""},
		{"GET", "/files/a/%00", BadParam, 0, ""},
		{"GET", "/files/a/%5C", BadParam, 0, ""},
		{"GET", "/files/a/b%3Fc", BadParam, 0, ""},
		{"GET", "/files/a/b%2525", BadParam, 0, ""},
		{"GET", "/files/" + strings.Repeat("a", 1025) + "/b", BadParam, 0, ""},
		{"GET", "/files/a/b/", Redirect, -1, ""}, // empty final segment: no match; "/files/a/b" does
		{"PUT", "/only/a/b", Found, 6, "x=a/b"},
		{"DELETE", "/files/a", MethodNotAllowed, -1, ""},
		{"GET", "/only", Found, 7, "all=only"},
		{"PUT", "/only", MethodNotAllowed, -1, ""}, // GET /{all...}
		{"PUT", "/only/", NotFound, -1, ""},
		{"GET", "/trail", Found, 7, "all=trail"}, // a match beats the trailing-slash redirect
		{"POST", "/trail", MethodNotAllowed, -1, ""},
		{"POST", "/nothing/", NotFound, -1, ""},
	}
	for _, c := range cases {
		params := make([]Param, 0, 4)
		r := tbl.Lookup(c.method, c.path, "", params)
		if r.Kind != c.kind || r.Route != c.route {
			t.Errorf("%s %s: kind %v route %d (%s), want %v route %d", c.method, c.path, r.Kind, r.Route, r.Message, c.kind, c.route)
			continue
		}
		var got []string
		for _, p := range r.Params {
			got = append(got, p.Name+"="+p.Value)
		}
		if c.kind == Found && strings.Join(got, ";") != c.params {
			t.Errorf("%s %s: params %q, want %q", c.method, c.path, strings.Join(got, ";"), c.params)
		}
	}
	if r := tbl.Lookup("GET", "/files/a/b/", "q=1", nil); r.Location != "/files/a/b?q=1" || r.Status != 301 {
		t.Errorf("redirect %+v", r)
	}
	if r := tbl.Lookup("GET", "/files/a%2Fb/c", "", nil); r.Message != `path param "rest" contains an encoded slash (/)` {
		t.Errorf("message %q", r.Message)
	}
	if got := tbl.Allowed("/files/x/y"); got != "GET, POST" {
		t.Errorf("Allowed = %q", got)
	}
	if got := tbl.Allowed("/only/x"); got != "GET, PUT" {
		t.Errorf("Allowed = %q", got)
	}
}

func TestCatchAllStrictEvenWhenDecodingDisabled(t *testing.T) {
	tbl := mustNew(t, []Route{{"GET", "/f/{rest...}"}}, Options{CatchAll: true, DisablePathDecoding: true})
	for _, p := range []string{"/f/a%2Fb", "/f/a/b%3F", "/f/%25"} {
		if r := tbl.Lookup("GET", p, "", nil); r.Kind != BadParam {
			t.Errorf("%s: %v, want BadParam", p, r.Kind)
		}
	}
}

func TestCatchAllTemplates(t *testing.T) {
	cases := []struct {
		tpl      string
		catchAll bool
		want     string // "" = valid; else a substring of the conflict message
	}{
		{"/a/{rest...}", true, ""},
		{"/{rest...}", true, ""},
		{"/a/{rest...}", false, "catch-all placeholders are not enabled"},
		{"/a/{rest...}/b", true, "must be the last segment"},
		{"/a/{rest...}/", true, "must be the last segment"},
		{"/a/{...}", true, "invalid placeholder"},
		{"/a/{re st...}", true, "invalid placeholder"},
		{"/a/{x}/{x...}", true, "appears twice"},
		{"/a/{x....}", true, "invalid placeholder"},
	}
	for _, c := range cases {
		_, conflicts := New([]Route{{"GET", c.tpl}}, Options{CatchAll: c.catchAll})
		switch {
		case c.want == "" && len(conflicts) != 0:
			t.Errorf("%s: %v", c.tpl, conflicts)
		case c.want != "" && (len(conflicts) != 1 || !strings.Contains(conflicts[0].Message, c.want)):
			t.Errorf("%s: %v, want %q", c.tpl, conflicts, c.want)
		}
	}
	_, conflicts := New([]Route{{"GET", "/a/{x...}"}, {"GET", "/a/{y...}"}, {"GET", "/a/{z}"}}, Options{CatchAll: true})
	if len(conflicts) != 1 || conflicts[0].A != 0 || conflicts[0].B != 1 {
		t.Errorf("same-shape catch-alls: %+v", conflicts)
	}
}

// TestCatchAllCostsNothing: a table without catch-all routes allocates
// nothing more on a miss when the option is on.
func TestCatchAllCostsNothing(t *testing.T) {
	tbl := mustNew(t, benchRoutes(), Options{CatchAll: true})
	params := make([]Param, 0, 4)
	if n := testing.AllocsPerRun(100, func() { tbl.Lookup("GET", "/api/v1/resource3/x", "", params) }); n != 0 {
		t.Errorf("allocs %v", n)
	}
	ca := mustNew(t, []Route{{"GET", "/f/{rest...}"}}, Options{CatchAll: true})
	if n := testing.AllocsPerRun(100, func() { ca.Lookup("GET", "/f/a/b/c", "", params) }); n != 0 {
		t.Errorf("catch-all found: allocs %v", n)
	}
}

// FuzzCatchAll checks that a catch-all value never carries an empty, "."
// or ".." segment, a control character or a backslash, and that a path
// matching a non-catch-all route never goes to a catch-all.
func FuzzCatchAll(f *testing.F) {
	for _, s := range []string{"/files/a/b", "/files/a%2Fb", "/u/me/x/%2e%2e", "/files/readme", "/x/%00/y", "/files/a//b", "/files/a/b/"} {
		f.Add(s)
	}
	routes := catchAllRoutes()
	with := mustNew(f, routes, Options{CatchAll: true})
	var plain []Route
	for _, r := range routes {
		if !strings.Contains(r.Template, "...") {
			plain = append(plain, r)
		}
	}
	without := mustNew(f, plain, Options{})
	f.Fuzz(func(t *testing.T, path string) {
		r := with.Lookup("GET", path, "", nil)
		if w := without.Lookup("GET", path, "", nil); w.Kind == Found && (r.Kind != Found || plain[w.Route] != routes[r.Route]) {
			t.Fatalf("%q: %v route %d, want the plain route %v", path, r.Kind, r.Route, plain[w.Route])
		}
		if r.Kind != Found || !strings.Contains(routes[r.Route].Template, "...") {
			return
		}
		v := r.Params[len(r.Params)-1].Value
		for _, seg := range strings.Split(v, "/") {
			if seg == "" || seg == "." || seg == ".." || strings.ContainsAny(seg, "\\?#%") || checkParam(seg, false) != ruleOK {
				t.Fatalf("%q: catch-all value %q has a bad segment %q", path, v, seg)
			}
		}
	})
}
