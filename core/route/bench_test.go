package route

import (
	"fmt"
	"testing"
)

// benchRoutes is a 100-route table shaped like a real gateway: 25
// resources, each with a collection, an item, a sub-collection and a write.
func benchRoutes() []Route {
	var routes []Route
	for i := 0; i < 25; i++ {
		res := fmt.Sprintf("/api/v1/resource%d", i)
		routes = append(routes,
			Route{"GET", res},
			Route{"GET", res + "/{id}"},
			Route{"GET", res + "/{id}/items/{item}"},
			Route{"POST", res + "/{id}"},
		)
	}
	return routes
}

func BenchmarkLookup(b *testing.B) {
	tbl := mustNew(b, benchRoutes(), Options{})
	cases := []struct {
		name, method, path string
		want               Kind
	}{
		{"found_literal", "GET", "/api/v1/resource24", Found},
		{"found_2params", "GET", "/api/v1/resource17/12345/items/abc-987", Found},
		{"found_decoded", "GET", "/api/v1/resource17/a%20b", Found},
		{"notfound", "GET", "/api/v1/nothing/123", NotFound},
		{"notfound_deep", "GET", "/api/v1/resource3/1/items/2/x", NotFound},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			params := make([]Param, 0, 4)
			if r := tbl.Lookup(c.method, c.path, "", params); r.Kind != c.want {
				b.Fatalf("kind %v, want %v", r.Kind, c.want)
			}
			b.ReportAllocs()
			for b.Loop() {
				tbl.Lookup(c.method, c.path, "", params)
			}
		})
	}
}

func TestLookupZeroAllocs(t *testing.T) {
	tbl := mustNew(t, benchRoutes(), Options{})
	params := make([]Param, 0, 4)
	for _, p := range []string{"/api/v1/resource24", "/api/v1/resource17/12345/items/abc-987", "/api/v1/nothing/123"} {
		allocs := testing.AllocsPerRun(100, func() {
			tbl.Lookup("GET", p, "", params)
		})
		if allocs != 0 {
			t.Errorf("Lookup(%q) allocates %v times, want 0", p, allocs)
		}
	}
}

func BenchmarkNew(b *testing.B) {
	routes := benchRoutes()
	b.ReportAllocs()
	for b.Loop() {
		New(routes, Options{})
	}
}
