package lambdaadapter

import (
	"context"
	"net/http"
	"testing"
)

func BenchmarkHandle(b *testing.B) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Tributary-Completed", "true")
		_, _ = w.Write([]byte(`{"products":[{"id":1,"name":"tea"}],"cart":{"total":3}}`))
	})
	a := New(ok, Options{Direct: &DirectEndpoint{Method: "GET", Template: "/frontpage/{id_user}"}})
	for _, bc := range []struct {
		name string
		file string
	}{
		{"http-v2", "http-v2-get-stage.json"},
		{"rest-v1", "rest-post-base64.json"},
		{"function-url", "function-url-post.json"},
		{"alb", "alb-multi.json"},
		{"direct", "direct.json"},
	} {
		ev := readFixture(b, bc.file)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			ctx := context.Background()
			for b.Loop() {
				if _, err := a.Handle(ctx, ev); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
