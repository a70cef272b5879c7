package backend_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"time"

	"github.com/tributary-gw/tributary/core/backend"
)

func ExampleClient_Do() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":42}`)
	}))
	defer srv.Close()

	c := backend.NewClient(backend.Options{}) // one per gateway, shared by every backend
	defer c.CloseIdleConnections()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second) // the backend budget
	defer cancel()
	u, _ := url.Parse(srv.URL + "/users/42")
	resp, err := c.Do(ctx, &backend.Request{Method: http.MethodGet, URL: u})
	if err != nil {
		fmt.Println("failed:", err, "timeout:", backend.IsTimeout(err))
		return
	}
	fmt.Println(resp.Status, resp.Header.Get("Content-Type"), string(resp.Body))
	// Output: 200 application/json {"id":42}
}
