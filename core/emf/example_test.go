package emf_test

import (
	"context"
	"os"
	"time"

	"github.com/tributary-gw/tributary/core/emf"
	"github.com/tributary-gw/tributary/core/observe"
)

// One request to an endpoint with one backend, as the observer writes it.
func ExampleObserver() {
	ob, err := emf.New(os.Stdout, emf.Options{Namespace: "Tributary",
		Dimensions: []emf.Dimension{emf.Route, emf.Method}, Backends: true})
	if err != nil {
		panic(err)
	}
	ob.End(context.Background(), &observe.Request{
		Start: time.UnixMilli(1765101600000), Method: "GET", Route: "/users/{id}", RequestID: "5f2b0c",
		Status: 200, Complete: true, Duration: 12480 * time.Microsecond,
		Backends: []observe.Backend{{Index: 0, Pattern: "/api/users/{id}", Started: true, OK: true,
			Status: 200, Duration: 11200 * time.Microsecond}},
	})
	// Output:
	// {"_aws":{"Timestamp":1765101600000,"CloudWatchMetrics":[{"Namespace":"Tributary","Dimensions":[["Route","Method"]],"Metrics":[{"Name":"Latency","Unit":"Milliseconds"},{"Name":"Status2xx","Unit":"Count"},{"Name":"Status3xx","Unit":"Count"},{"Name":"Status4xx","Unit":"Count"},{"Name":"Status5xx","Unit":"Count"},{"Name":"RateLimited","Unit":"Count"},{"Name":"Complete","Unit":"Count"},{"Name":"CacheHits","Unit":"Count"}]},{"Namespace":"Tributary","Dimensions":[["Route","Method","Backend0"]],"Metrics":[{"Name":"Backend0.Latency","Unit":"Milliseconds"},{"Name":"Backend0.Errors","Unit":"Count"},{"Name":"Backend0.Timeouts","Unit":"Count"},{"Name":"Backend0.CacheHits","Unit":"Count"},{"Name":"Backend0.RateLimited","Unit":"Count"}]}]},"Route":"/users/{id}","Method":"GET","StatusClass":"2xx","Latency":12.48,"Status2xx":1,"Status3xx":0,"Status4xx":0,"Status5xx":0,"RateLimited":0,"Complete":1,"CacheHits":0,"Backend0":"/api/users/{id}","Backend0.Latency":11.2,"Backend0.Errors":0,"Backend0.Timeouts":0,"Backend0.CacheHits":0,"Backend0.RateLimited":0,"StatusCode":200,"request_id":"5f2b0c"}
}
