package main

import (
	"bytes"
	"strconv"
)

// endpointPath is the template of generated endpoint i.
func endpointPath(i int) string {
	return "/svc" + strconv.Itoa(i) + "/items/{id}"
}

// generateConfig writes a config of n endpoints shaped like real ones: two
// backends each, with filtering, mapping, grouping, a collection and
// forwarded headers and query strings. The backends are never called (the
// benchmark's first request is /__health), so their hosts are
// placeholders on loopback.
func generateConfig(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"version": 3, "name": "coldstart", "timeout": "3s", "cache_ttl": "30s",` + "\n" + ` "endpoints": [`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		s := strconv.Itoa(i)
		b.WriteString("\n  {\"endpoint\": \"" + endpointPath(i) + "\", \"method\": \"GET\"," +
			" \"input_headers\": [\"Authorization\", \"Accept-Language\"], \"input_query_strings\": [\"locale\", \"page\"]," +
			" \"backend\": [" +
			"{\"host\": [\"http://127.0.0.1:9\"], \"url_pattern\": \"/catalog/" + s + "/{id}\"," +
			" \"allow\": [\"name\", \"price\", \"stock.count\"], \"mapping\": {\"price\": \"cost\"}}, " +
			"{\"host\": [\"http://127.0.0.1:9\"], \"url_pattern\": \"/reviews/" + s + "/{id}\"," +
			" \"is_collection\": true, \"mapping\": {\"collection\": \"reviews\"}, \"group\": \"social\"}]}")
	}
	b.WriteString("\n ]\n}\n")
	return b.Bytes()
}
