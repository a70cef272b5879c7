package exec_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/plan"
	"github.com/tributary-gw/tributary/core/stage"
)

// apiKey is an endpoint stage: a request without the key is answered 401
// before any backend is called, and every answer says which header matters.
type apiKey struct{ key string }

func (s apiKey) Run(_ context.Context, x *stage.Exchange) *stage.Reply {
	x.AddRespond("Vary", "X-Api-Key")
	if x.Header.Get("X-Api-Key") != s.key {
		return &stage.Reply{Status: http.StatusUnauthorized, Code: "unauthorized", Message: "missing or wrong API key"}
	}
	return nil
}

// A stage plugs into the request pipeline as a value with one method,
// compiled into the plan (core/plan does this for the features a config
// declares). The executor runs it in the endpoint's stage loop, the same
// on every transport.
func Example_stage() {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `{"greeting":"hello"}`)
	}))
	defer backend.Close()

	cfg, err := config.Load("example.json", []byte(`{"version": 3, "endpoints": [
		{"endpoint": "/hello", "backend": [{"host": ["`+backend.URL+`"], "url_pattern": "/"}]}]}`), nil)
	if err != nil {
		panic(err)
	}
	p, err := plan.Compile(cfg)
	if err != nil {
		panic(err)
	}
	p.Endpoints[0].Stages = []stage.Endpoint{apiKey{key: "s3cret"}}
	gw := exec.New(p, exec.Options{})
	defer gw.Client().CloseIdleConnections()

	for _, key := range []string{"", "s3cret"} {
		resp := gw.Serve(context.Background(), &exec.Request{
			Method: "GET", RawPath: "/hello", Header: http.Header{"X-Api-Key": {key}},
		})
		fmt.Println(resp.Status, resp.Header.Get("Vary"), string(resp.Bytes()))
		resp.Release()
	}
	// Output:
	// 401 X-Api-Key {"error":"unauthorized","message":"missing or wrong API key"}
	// 200 X-Api-Key {"greeting":"hello"}
}
