package exec_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/plan"
)

// BenchmarkServeSequential is a sequential endpoint of 2 loopback backends,
// the second's URL built from the first's shaped response.
func BenchmarkServeSequential(b *testing.B) {
	first := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"user":{"id":12345,"name":"Ada"},"plan":"pro"}`))
	}))
	second := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"orders":[{"id":1,"total":9.5},{"id":2,"total":3}]}`))
	}))
	b.Cleanup(first.Close)
	b.Cleanup(second.Close)
	cfg := `{"version": 3, "endpoints": [{"endpoint": "/s/{id}", "extra_config": {"proxy": {"sequential": true}}, "backend": [
	  {"host": ["` + first.URL + `"], "url_pattern": "/users/{id}"},
	  {"host": ["` + second.URL + `"], "url_pattern": "/orders/{resp0_user.id}"}]}]}`
	c, err := config.Load("bench.json", []byte(cfg), nil)
	if err != nil {
		b.Fatal(err)
	}
	p, err := plan.Compile(c)
	if err != nil {
		b.Fatal(err)
	}
	gw := exec.New(p, exec.Options{})
	b.Cleanup(gw.Client().CloseIdleConnections)
	benchServe(b, gw, "/s/42", 80)
}
