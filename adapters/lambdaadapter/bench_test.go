package lambdaadapter

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
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

// BenchmarkParseEvent compares the adapter's event parser with what it
// replaces: encoding/json into aws-lambda-go's events types. Both decode
// the same fixture; the parser also keeps header and query order and
// records type errors per field, which encoding/json cannot.
func BenchmarkParseEvent(b *testing.B) {
	a := New(http.NotFoundHandler(), Options{})
	for _, bc := range []struct {
		name string
		file string
		std  func() any
	}{
		{"http-v2", "http-v2-get-stage.json", func() any { return &events.APIGatewayV2HTTPRequest{} }},
		{"rest-v1", "rest-post-base64.json", func() any { return &events.APIGatewayProxyRequest{} }},
		{"alb", "alb-multi.json", func() any { return &events.ALBTargetGroupRequest{} }},
	} {
		ev := readFixture(b, bc.file)
		b.Run(bc.name+"/parser", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := a.parseEvent(ev); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(bc.name+"/encoding-json", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := json.Unmarshal(ev, bc.std()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
