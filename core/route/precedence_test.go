package route

import "testing"

// TestPrecedenceSpecExamples runs the examples of krakend-compat.md §4.3,
// measured on KrakenD: overlapping templates of different shapes load, and
// at the first position where candidates differ a literal beats a
// placeholder, backtracking when the literal branch cannot complete.
func TestPrecedenceSpecExamples(t *testing.T) {
	tests := []struct {
		routes []string
		path   string
		want   string // the template that wins
		params []Param
	}{
		{[]string{"/api/images/{file_id}", "/api/{user_name}/publications"}, "/api/images/7",
			"/api/images/{file_id}", []Param{{"file_id", "7"}}},
		{[]string{"/api/images/{file_id}", "/api/{user_name}/publications"}, "/api/bob/publications",
			"/api/{user_name}/publications", []Param{{"user_name", "bob"}}},
		{[]string{"/api/images/{file_id}", "/api/{user_name}/publications"}, "/api/images/publications",
			"/api/images/{file_id}", []Param{{"file_id", "publications"}}},
		{[]string{"/api/images/{file_id}", "/api/{user_name}/publications"}, "/api/new/publications",
			"/api/{user_name}/publications", []Param{{"user_name", "new"}}},
		{[]string{"/x/c/d", "/x/{a}/b"}, "/x/c/b", "/x/{a}/b", []Param{{"a", "c"}}},
		{[]string{"/y/{a}/b", "/y/c/{d}"}, "/y/c/b", "/y/c/{d}", []Param{{"d", "b"}}},
		{[]string{"/y/{a}/b", "/y/c/{d}"}, "/y/q/b", "/y/{a}/b", []Param{{"a", "q"}}},
		{[]string{"/z/me", "/z/{a}", "/z/{a}/b"}, "/z/me", "/z/me", nil},
		{[]string{"/z/me", "/z/{a}", "/z/{a}/b"}, "/z/me/b", "/z/{a}/b", []Param{{"a", "me"}}},
		{[]string{"/x/{a}", "/x/{b}/y"}, "/x/1/y", "/x/{b}/y", []Param{{"b", "1"}}},
	}
	for _, tc := range tests {
		routes := make([]Route, len(tc.routes))
		for i, tpl := range tc.routes {
			routes[i] = Route{"GET", tpl}
		}
		tbl, conflicts := New(routes, Options{})
		if len(conflicts) != 0 {
			t.Fatalf("%v: conflicts %v", tc.routes, conflicts)
		}
		r := tbl.Lookup("GET", tc.path, "", nil)
		if r.Kind != Found {
			t.Errorf("%v %s: %v, want Found", tc.routes, tc.path, r.Kind)
			continue
		}
		if got := tc.routes[r.Route]; got != tc.want {
			t.Errorf("%v %s: matched %s, want %s", tc.routes, tc.path, got, tc.want)
		}
		if len(r.Params) != len(tc.params) {
			t.Errorf("%v %s: params %v, want %v", tc.routes, tc.path, r.Params, tc.params)
			continue
		}
		for i := range tc.params {
			if r.Params[i] != tc.params[i] {
				t.Errorf("%v %s: params %v, want %v", tc.routes, tc.path, r.Params, tc.params)
				break
			}
		}
	}
}
