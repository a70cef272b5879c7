package telemetry_test

import (
	"fmt"
	"net/http"

	"github.com/tributary-gw/tributary/core/telemetry"
)

func ExampleRedactHeaders() {
	h := http.Header{
		"Authorization": {"Bearer eyJhbGciOi..."},
		"Accept":        {"application/json"},
	}
	safe := telemetry.RedactHeaders(h)
	fmt.Println(safe.Get("Authorization"), safe.Get("Accept"))
	// Output: [redacted] application/json
}
