package infra_test

import (
	"fmt"

	"github.com/tributary-gw/tributary/infra"
)

func ExampleLogicalID() {
	fmt.Println(infra.LogicalID("GET", "/frontpage/{id_user}"))
	fmt.Println(infra.LogicalID("POST", "/v1/shopping-cart/{id_user}/items"))
	// Output:
	// EpGetFrontpageIdUser
	// EpPostV1ShoppingCartIdUserItems
}
