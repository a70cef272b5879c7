package route

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestConflicts(t *testing.T) {
	type c struct {
		a, b int
		msg  string // substring, or the exact message when exact is set
	}
	tests := []struct {
		name   string
		routes []Route
		want   []c
		exact  bool
	}{
		{"literal beats placeholder", []Route{{"GET", "/x/search"}, {"GET", "/x/{id}"}}, nil, false},
		{"different shapes", []Route{{"GET", "/a/{x}"}, {"GET", "/a/{x}/b"}, {"GET", "/a"}}, nil, false},
		{"trailing slash is disjoint from placeholder", []Route{{"GET", "/users/"}, {"GET", "/users/{id}"}}, nil, false},
		{"trailing slash twin", []Route{{"GET", "/a/b"}, {"GET", "/a/b/"}}, nil, false},
		// §4.3: only identical shapes conflict; overlapping templates of
		// different shapes load and are resolved by precedence.
		{"strict subset", []Route{{"GET", "/{a}/{b}"}, {"GET", "/x/y"}, {"GET", "/x/{b}"}, {"GET", "/{a}/y"}}, nil, false},
		{"different methods never conflict", []Route{{"GET", "/a/{x}/b"}, {"POST", "/a/c/{y}"}, {"PUT", "/a/{z}/b"}}, nil, false},
		{"overlap loads", []Route{{"GET", "/api/images/{file_id}"}, {"GET", "/api/{user_name}/publications"}}, nil, false},
		{"overlap in the middle loads", []Route{{"GET", "/a/{x}/b"}, {"GET", "/a/c/{y}"}}, nil, false},
		{"overlap first segment loads", []Route{{"GET", "/{a}/b"}, {"GET", "/a/{b}"}}, nil, false},
		{"overlap with a more specific route loads", []Route{{"GET", "/a/{x}"}, {"GET", "/a/b"}, {"GET", "/{y}/b"}}, nil, false},
		{"overlap over three segments loads", []Route{{"GET", "/{a}/c/{b}"}, {"GET", "/x/{y}/z"}}, nil, false},
		{"placeholder names differ at one position", []Route{{"GET", "/x/{a}"}, {"GET", "/x/{b}/y"}}, nil, false},
		{"same shape", []Route{{"GET", "/u/{id}"}, {"GET", "/u/{name}"}}, []c{
			{0, 1, "GET /u/{id} and GET /u/{name} are the same route: they differ only in placeholder names"},
		}, true},
		{"declared twice", []Route{{"POST", "/u"}, {"GET", "/u"}, {"POST", "/u"}}, []c{
			{0, 2, "POST /u is declared twice"},
		}, true},
		{"literal decoding makes twins", []Route{{"GET", "/a%62"}, {"GET", "/ab"}}, []c{
			{0, 1, "GET /a%62 and GET /ab are the same route"},
		}, false},
		{"invalid templates", []Route{
			{"GET", "users"}, {"GET", "/a//b"}, {"GET", "/a/{x y}"}, {"GET", "/a/x{y}"}, {"", "/ok"},
			{"GET", "/a/{id}/{id}"}, {"GET", "/a/./b"}, {"GET", "/a/%zz"}, {"GET", "/a/{}"}, {"GET", "/a b"},
			{"GET", "/a/*"}, {"GET", "/a/%2e%2e"}, {"G T", "/x"}, {"GET", "/\xff"}, {"GET", "/" + strings.Repeat("a/", MaxSegments)},
		}, []c{
			{0, 0, `must start with "/"`},
			{1, 1, "empty segment"},
			{2, 2, "invalid placeholder"},
			{3, 3, "whole segment"},
			{4, 4, "method must be a non-empty token"},
			{5, 5, "{id} appears twice"},
			{6, 6, "dot-segment"},
			{7, 7, "invalid percent-encoding"},
			{8, 8, "invalid placeholder"},
			{9, 9, "whitespace"},
			{10, 10, "forbidden character"},
			{11, 11, "dot-segment"},
			{12, 12, "method must be a non-empty token"},
			{13, 13, "UTF-8"},
			{14, 14, "more than 256 segments"},
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, got := New(tc.routes, Options{})
			if len(got) != len(tc.want) {
				t.Fatalf("got %d conflicts %+v, want %d", len(got), got, len(tc.want))
			}
			for i, w := range tc.want {
				g := got[i]
				if g.A != w.a || g.B != w.b {
					t.Errorf("conflict %d is (%d,%d), want (%d,%d): %s", i, g.A, g.B, w.a, w.b, g.Message)
				}
				if tc.exact && g.Message != w.msg || !strings.Contains(g.Message, w.msg) {
					t.Errorf("conflict %d message %q, want %q", i, g.Message, w.msg)
				}
			}
		})
	}
}

func TestTableUsableDespiteConflicts(t *testing.T) {
	routes := []Route{
		0: {"GET", "/u/{id}"},
		1: {"GET", "/u/{name}"},
		2: {"GET", "bad"},
		3: {"GET", "/ok"},
	}
	tbl, conflicts := New(routes, Options{})
	if len(conflicts) != 2 {
		t.Fatalf("conflicts = %+v", conflicts)
	}
	if r := tbl.Lookup("GET", "/u/1", "", nil); r.Kind != Found || r.Route != 0 || r.Params[0].Name != "id" {
		t.Errorf("first of two twins is kept: %+v", r)
	}
	if r := tbl.Lookup("GET", "/ok", "", nil); r.Kind != Found || r.Route != 3 {
		t.Errorf("valid route after an invalid one: %+v", r)
	}
}

func TestTooManyMethods(t *testing.T) {
	var routes []Route
	for i := 0; i < MaxMethods+1; i++ {
		routes = append(routes, Route{Method: "M" + string(rune('A'+i/26)) + string(rune('A'+i%26)), Template: "/x"})
	}
	tbl, conflicts := New(routes, Options{})
	if len(conflicts) != 1 || conflicts[0].A != MaxMethods || !strings.Contains(conflicts[0].Message, "distinct methods") {
		t.Fatalf("conflicts = %+v", conflicts)
	}
	if got := tbl.Lookup("MAA", "/x", "", nil); got.Kind != Found || got.Route != 0 {
		t.Errorf("lookup = %+v", got)
	}
	if got := strings.Count(tbl.Allowed("/x"), ", ") + 1; got != MaxMethods {
		t.Errorf("Allowed lists %d methods, want %d", got, MaxMethods)
	}
}

// TestConflictsAgainstBruteForce compares New with a pairwise reference on
// many small random tables.
func TestConflictsAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"a", "b", "{p}", "{q}"}
	methods := []string{"GET", "POST"}
	for iter := 0; iter < 3000; iter++ {
		var routes []Route
		for n := rng.IntN(7) + 1; len(routes) < n; {
			var b strings.Builder
			used := map[string]bool{}
			for k := rng.IntN(3) + 1; k > 0; k-- {
				p := pieces[rng.IntN(len(pieces))]
				if used[p] {
					p = "c"
				}
				used[p] = true
				b.WriteString("/" + p)
			}
			if rng.IntN(4) == 0 {
				b.WriteString("/")
			}
			routes = append(routes, Route{methods[rng.IntN(len(methods))], b.String()})
		}
		_, got := New(routes, Options{})
		want := bruteForceConflicts(t, routes)
		if len(got) != len(want) {
			t.Fatalf("routes %v: conflicts %v, want pairs %v", routes, got, want)
		}
		for k := range got {
			if got[k].A != want[k][0] || got[k].B != want[k][1] {
				t.Fatalf("routes %v: conflicts %v, want pairs %v", routes, got, want)
			}
		}
	}
}

func bruteForceConflicts(t *testing.T, routes []Route) [][2]int {
	segs := make([][]segment, len(routes))
	for i, r := range routes {
		s, err := parseTemplate(r.Template)
		if err != nil {
			t.Fatalf("template %q: %v", r.Template, err)
		}
		segs[i] = s
	}
	var out [][2]int
	kept := make([]bool, len(routes))
	for j := range routes {
		kept[j] = true
		for i := 0; i < j; i++ {
			if kept[i] && routes[i].Method == routes[j].Method && subset(segs[i], segs[j]) && subset(segs[j], segs[i]) {
				out = append(out, [2]int{i, j})
				kept[j] = false
				break
			}
		}
	}
	slices.SortFunc(out, func(x, y [2]int) int {
		if x[0] != y[0] {
			return x[0] - y[0]
		}
		return x[1] - y[1]
	})
	return out
}

func TestNewLargeTableIsFast(t *testing.T) {
	// Shapes that make a per-route search quadratic: 5000 literal-first and
	// 5000 placeholder-first templates.
	var routes []Route
	for i := 0; i < 5000; i++ {
		routes = append(routes, Route{"GET", fmt.Sprintf("/lit%d/a", i)}, Route{"GET", fmt.Sprintf("/{y}/b%d", i)})
	}
	start := time.Now()
	_, conflicts := New(routes, Options{})
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("New on 10000 routes took %v, want < 2s (config load budget)", elapsed)
	}
	if len(conflicts) != 0 {
		t.Errorf("conflicts: %v", conflicts[:1])
	}
}

// subset reports whether every path matched by template a is also matched
// by template b: same segment count, and wherever b has a literal, a has the
// same literal. Two templates that are subsets of each other have the same
// shape.
func subset(a, b []segment) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k].param && (a[k].param || a[k].lit != b[k].lit) {
			return false
		}
	}
	return true
}
