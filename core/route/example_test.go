package route_test

import (
	"fmt"

	"github.com/tributary-gw/tributary/core/route"
)

func ExampleTable_Lookup() {
	tbl, conflicts := route.New([]route.Route{
		{Method: "GET", Template: "/x/search"},
		{Method: "GET", Template: "/x/{id}"},
		{Method: "POST", Template: "/x/{id}"},
	}, route.Options{})
	if len(conflicts) > 0 {
		panic(conflicts[0].Message)
	}
	params := make([]route.Param, 0, 4)
	for _, req := range []struct{ method, path, query string }{
		{"GET", "/x/search", ""},
		{"GET", "/x/a%20b", ""},
		{"PUT", "/x/1", ""},
		{"GET", "/x/1/", "v=2"},
		{"GET", "/x/a%2Fb", ""},
	} {
		r := tbl.Lookup(req.method, req.path, req.query, params[:0])
		switch r.Kind {
		case route.Found:
			fmt.Println(r.Kind, r.Route, r.Params)
		case route.MethodNotAllowed:
			fmt.Println(r.Kind, "Allow:", r.Allow)
		case route.Redirect:
			fmt.Println(r.Kind, r.Status, r.Location)
		default:
			fmt.Println(r.Kind, r.Message)
		}
	}
	// Output:
	// Found 0 []
	// Found 1 [{id a b}]
	// MethodNotAllowed Allow: GET, POST
	// Redirect 301 /x/1?v=2
	// BadParam path param "id" contains an encoded slash (/)
}
