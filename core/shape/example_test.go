package shape_test

import (
	"fmt"

	"github.com/tributary-gw/tributary/core/shape"
)

func Example() {
	// Compiled once, at start-up.
	users, err := shape.Compile(shape.SpecConfig{Allow: []string{"name", "address.city"}})
	if err != nil {
		panic(err)
	}
	promos, err := shape.Compile(shape.SpecConfig{Target: "data", Group: "promos"})
	if err != nil {
		panic(err)
	}

	// Per request: decode each backend body, shape it, merge in declaration
	// order, encode once.
	u, err := shape.DecodeJSON([]byte(`{"name": "Ada", "age": 36, "address": {"street": "x", "city": "London"}}`), shape.ExpectObject)
	if err != nil {
		panic(err)
	}
	p, err := shape.DecodeJSON([]byte(`{"data": {"code": "SPRING", "discount": 1e-1}}`), shape.ExpectObject)
	if err != nil {
		panic(err)
	}
	merged := shape.MergeAll(users.Apply(u), promos.Apply(p))
	fmt.Println(string(shape.AppendObject(nil, merged)))
	// Output: {"name":"Ada","address":{"city":"London"},"promos":{"code":"SPRING","discount":1e-1}}
}

func ExampleSpec_Apply_mapping() {
	s, err := shape.Compile(shape.SpecConfig{Mapping: []shape.Rename{{From: "a", To: "b"}, {From: "b", To: "c"}}})
	if err != nil {
		panic(err)
	}
	o, err := shape.DecodeJSON([]byte(`{"a":1,"b":2,"z":3}`), shape.ExpectObject)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(shape.AppendObject(nil, s.Apply(o))))
	// Output: {"b":1,"c":2,"z":3}
}

func ExampleMerge() {
	a, _ := shape.DecodeJSON([]byte(`{"id":1,"name":"first"}`), shape.ExpectObject)
	b, _ := shape.DecodeJSON([]byte(`{"extra":true,"name":"second"}`), shape.ExpectObject)
	fmt.Println(string(shape.AppendObject(nil, shape.Merge(a, b))))
	// Output: {"id":1,"name":"second","extra":true}
}
