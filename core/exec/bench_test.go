package exec_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/plan"
	"github.com/tributary-gw/tributary/local/demo"
)

// newGateway loads cfg (with {{catalog}} and {{users}} replaced by the demo
// backends' URLs) and compiles it.
func newGateway(tb testing.TB, cfg string) *exec.Gateway {
	tb.Helper()
	catalog := httptest.NewServer(demo.CatalogHandler())
	users := httptest.NewServer(demo.UsersHandler())
	tb.Cleanup(catalog.Close)
	tb.Cleanup(users.Close)
	cfg = strings.NewReplacer("{{catalog}}", catalog.URL, "{{users}}", users.URL).Replace(cfg)
	c, err := config.Load("bench.json", []byte(cfg), nil)
	if err != nil {
		tb.Fatal(err)
	}
	p, err := plan.Compile(c)
	if err != nil {
		tb.Fatal(err)
	}
	gw := exec.New(p, exec.Options{})
	tb.Cleanup(gw.Client().CloseIdleConnections)
	return gw
}

// demoConfig is the bundled config's front page with loopback hosts.
func demoConfig() string {
	b := config.Bundled()
	b = bytes.ReplaceAll(b, []byte("http://127.0.0.1:8001"), []byte("{{catalog}}"))
	b = bytes.ReplaceAll(b, []byte("http://127.0.0.1:8002"), []byte("{{users}}"))
	return string(b)
}

func benchServe(b *testing.B, gw *exec.Gateway, path string, wantBytes int) {
	b.Helper()
	ctx := context.Background()
	h := http.Header{"User-Agent": {"bench"}, "Accept": {"application/json"}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		resp := gw.Serve(ctx, &exec.Request{Method: "GET", RawPath: path, Header: h, Host: "gw", ClientIP: "127.0.0.1"})
		if resp.Status != 200 || (wantBytes > 0 && resp.Len() < wantBytes) {
			b.Fatalf("status %d, %d bytes: %.200s", resp.Status, resp.Len(), resp.Bytes())
		}
		b.SetBytes(int64(resp.Len()))
		resp.Release()
	}
}

// BenchmarkServeFrontpage is the full in-process request path of the demo
// endpoint: route, 4 parallel loopback calls, decode, shape, merge, encode.
func BenchmarkServeFrontpage(b *testing.B) {
	benchServe(b, newGateway(b, demoConfig()), "/frontpage/42", 1000)
}

// BenchmarkServeProxy is one backend passed through with deny.
func BenchmarkServeProxy(b *testing.B) {
	benchServe(b, newGateway(b, demoConfig()), "/users/"+strconv.Itoa(42), 100)
}

// BenchmarkServeCollection is a 12-item array as json-collection.
func BenchmarkServeCollection(b *testing.B) {
	benchServe(b, newGateway(b, demoConfig()), "/products", 1000)
}

func ExampleGateway_Serve() {
	users := httptest.NewServer(demo.UsersHandler())
	defer users.Close()
	c, err := config.Load("example.json", []byte(fmt.Sprintf(`{"version": 3, "endpoints": [
  {"endpoint": "/people/{id}", "backend": [{"host": [%q], "url_pattern": "/users/{id}", "allow": ["name", "address.city"]}]}
]}`, users.URL)), nil)
	if err != nil {
		panic(err)
	}
	p, err := plan.Compile(c)
	if err != nil {
		panic(err)
	}
	gw := exec.New(p, exec.Options{})
	defer gw.Client().CloseIdleConnections()
	resp := gw.Serve(context.Background(), &exec.Request{Method: "GET", RawPath: "/people/42"})
	fmt.Println(resp.Status, resp.Header.Get("X-Tributary-Completed"), string(resp.Bytes()))
	// Output: 200 true {"name":"Hugo Romero","address":{"city":"Lisbon"}}
}
