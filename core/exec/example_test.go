package exec_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/plan"
)

// Example compiles a tiny config, serves one request and prints status and body.
func Example() {
	users := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id": %q, "name": "Ann", "password": "hunter2"}`, strings.TrimPrefix(r.URL.Path, "/users/"))
	}))
	defer users.Close()

	cfg, err := config.Load("example.json", []byte(`{"version": 3, "endpoints": [
	  {"endpoint": "/people/{id}", "backend": [
	    {"host": ["`+users.URL+`"], "url_pattern": "/users/{id}", "deny": ["password"]}]}]}`), nil)
	if err != nil {
		panic(err)
	}
	p, err := plan.Compile(cfg)
	if err != nil {
		panic(err)
	}
	gw := exec.New(p, exec.Options{})
	defer gw.Client().CloseIdleConnections()

	resp := gw.Serve(context.Background(), &exec.Request{Method: "GET", RawPath: "/people/42"})
	defer resp.Release() // after the body has been written
	fmt.Println(resp.Status, resp.Header.Get("Content-Type"), resp.Header.Get(exec.HeaderCompleted))
	fmt.Println(string(resp.Bytes()))
	// Output:
	// 200 application/json; charset=utf-8 true
	// {"id":"42","name":"Ann"}
}
