package urltpl_test

import (
	"fmt"

	"github.com/tributary-gw/tributary/core/urltpl"
)

func ExampleTemplate_Build() {
	tpl, err := urltpl.Compile("/v1/users/{id}/profile?src=gw")
	if err != nil {
		panic(err)
	}
	q, err := urltpl.ParseQuery("lang=en&debug=1")
	if err != nil {
		panic(err)
	}
	params := map[string]string{"id": "a b"}
	u, err := tpl.Build("http://users.internal", func(name string) (string, bool) {
		v, ok := params[name]
		return v, ok
	}, q.Filter([]string{"lang"}))
	if err != nil {
		panic(err)
	}
	fmt.Println(u)
	// Output: http://users.internal/v1/users/a%20b/profile?src=gw&lang=en
}
