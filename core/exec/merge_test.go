package exec_test

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/core/exec"
)

// TestMergeDeclarationOrder proves §12.1 [T3]: merge in declaration order, whatever the answer order.
func TestMergeDeclarationOrder(t *testing.T) {
	checkLeaks(t)
	answered := make(chan string, 9)
	slow := newBackend(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(150 * time.Millisecond)
		answered <- "slow"
		io.WriteString(w, `{"a":1,"b":"from-first","d":0}`)
	})
	mid := newBackend(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond)
		answered <- "mid"
		io.WriteString(w, `{"b":"from-second","e":[1,2]}`)
	})
	fast := newBackend(t, func(w http.ResponseWriter, r *http.Request) {
		answered <- "fast"
		io.WriteString(w, `{"c":4,"b":"from-third"}`)
	})
	gw := gateway(t, fanConfig(`, "timeout": "3s"`, "", slow.URL, mid.URL, fast.URL))
	for range 3 { // the merge must not depend on luck
		want(t, get(t, gw, "/x"), 200, `{"a":1,"b":"from-third","d":0,"e":[1,2],"c":4}`, exec.HeaderCompleted, "true")
	}
	var order []string
	for range 9 {
		order = append(order, <-answered)
	}
	if slices.Index(order, "slow") < slices.Index(order, "fast") {
		t.Fatalf("answer order %v: the first-declared backend did not answer last, the test proves nothing", order)
	}
}

// TestShaping proves §11 target, allow, deny, mapping, group and is_collection shape each backend.
func TestShaping(t *testing.T) {
	checkLeaks(t)
	doc := jsonBackend(t, 200, `{"meta":{"n":1},"data":{"id":7,"name":"Ann","secret":"s","address":{"city":"Lisbon","zip":"1000"},"tags":["x"]}}`)
	list := jsonBackend(t, 200, `[{"id":1},{"id":2}]`)
	cfg := `{"version": 3, "endpoints": [
	  {"endpoint": "/target", "backend": [{"host": ["{{doc}}"], "url_pattern": "/d", "target": "data"}]},
	  {"endpoint": "/allow", "backend": [{"host": ["{{doc}}"], "url_pattern": "/d", "target": "data", "allow": ["name", "address.city", "tags.0"]}]},
	  {"endpoint": "/deny", "backend": [{"host": ["{{doc}}"], "url_pattern": "/d", "target": "data", "deny": ["secret", "address.zip", "address.none"]}]},
	  {"endpoint": "/mapping", "backend": [{"host": ["{{doc}}"], "url_pattern": "/d", "target": "data", "allow": ["id", "name"], "mapping": {"id": "name", "name": "full_name"}}]},
	  {"endpoint": "/group", "backend": [
	    {"host": ["{{doc}}"], "url_pattern": "/d", "target": "data", "allow": ["id"], "group": "user"},
	    {"host": ["{{doc}}"], "url_pattern": "/d", "allow": ["meta"]},
	    {"host": ["{{list}}"], "url_pattern": "/l", "is_collection": true, "group": "items"}]},
	  {"endpoint": "/collection", "backend": [{"host": ["{{list}}"], "url_pattern": "/l", "is_collection": true}]},
	  {"endpoint": "/target-scalar", "backend": [{"host": ["{{doc}}"], "url_pattern": "/d", "target": "data.name"}]},
	  {"endpoint": "/target-missing", "backend": [{"host": ["{{doc}}"], "url_pattern": "/d", "target": "nope.deeper"}]}]}`
	gw := gateway(t, cfg, "{{doc}}", doc.URL, "{{list}}", list.URL)
	cases := []struct{ path, body string }{
		{"/target", `{"id":7,"name":"Ann","secret":"s","address":{"city":"Lisbon","zip":"1000"},"tags":["x"]}`},
		{"/allow", `{"name":"Ann","address":{"city":"Lisbon"}}`},
		{"/deny", `{"id":7,"name":"Ann","address":{"city":"Lisbon"},"tags":["x"]}`},
		{"/mapping", `{"name":7,"full_name":"Ann"}`},
		{"/group", `{"user":{"id":7},"meta":{"n":1},"items":{"collection":[{"id":1},{"id":2}]}}`},
		{"/collection", `{"collection":[{"id":1},{"id":2}]}`},
		{"/target-scalar", `{}`},
		{"/target-missing", `{}`},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			want(t, get(t, gw, tc.path), 200, tc.body, "Content-Type", exec.ContentTypeJSON, exec.HeaderCompleted, "true")
		})
	}
}

// TestOutputEncodings proves §13 json, json-collection, string and negotiate bodies and Content-Types.
func TestOutputEncodings(t *testing.T) {
	checkLeaks(t)
	obj := jsonBackend(t, 200, "{ \"html\" : \"<a href=\\\"x\\\">&amp;</a>\", \"n\": 1.50e3 ,\"u\":\"\\u00e9\" }")
	list := jsonBackend(t, 200, `[ 1, {"k": "v"} ]`)
	text := newBackend(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		io.WriteString(w, "a,b\n1,\"2\"\n<&>")
	})
	cfg := `{"version": 3, "endpoints": [
	  {"endpoint": "/json", "backend": [{"host": ["{{obj}}"], "url_pattern": "/o"}]},
	  {"endpoint": "/collection", "output_encoding": "json-collection", "backend": [{"host": ["{{list}}"], "url_pattern": "/l", "is_collection": true}]},
	  {"endpoint": "/collection-missing", "output_encoding": "json-collection", "backend": [{"host": ["{{obj}}"], "url_pattern": "/o"}]},
	  {"endpoint": "/collection-not-array", "output_encoding": "json-collection", "backend": [{"host": ["{{obj}}"], "url_pattern": "/o", "mapping": {"n": "collection"}}]},
	  {"endpoint": "/string", "output_encoding": "string", "backend": [{"host": ["{{text}}"], "url_pattern": "/t", "encoding": "string"}]},
	  {"endpoint": "/string-not-string", "output_encoding": "string", "backend": [{"host": ["{{obj}}"], "url_pattern": "/o", "mapping": {"n": "content"}}]},
	  {"endpoint": "/negotiate", "output_encoding": "negotiate", "backend": [{"host": ["{{obj}}"], "url_pattern": "/o", "allow": ["n"]}]}]}`
	gw := gateway(t, cfg, "{{obj}}", obj.URL, "{{list}}", list.URL, "{{text}}", text.URL)
	cases := []struct{ path, body, ctype string }{
		{"/json", `{"html":"<a href=\"x\">&amp;</a>","n":1.50e3,"u":"\u00e9"}`, exec.ContentTypeJSON},
		{"/collection", `[1,{"k":"v"}]`, exec.ContentTypeJSON},
		{"/collection-missing", `[]`, exec.ContentTypeJSON},
		{"/collection-not-array", `[]`, exec.ContentTypeJSON},
		{"/string", "a,b\n1,\"2\"\n<&>", exec.ContentTypeText},
		{"/string-not-string", ``, exec.ContentTypeText},
		{"/negotiate", `{"n":1.50e3}`, exec.ContentTypeJSON},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			want(t, get(t, gw, tc.path), 200, tc.body, "Content-Type", tc.ctype, exec.HeaderCompleted, "true")
		})
	}
}

// TestNoOpPassthrough proves §13 no-op passes status, headers and body through, minus hop-by-hop headers.
func TestNoOpPassthrough(t *testing.T) {
	checkLeaks(t)
	api := newBackend(t, func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/xml")
		h["Set-Cookie"] = []string{"a=1; Path=/", "b=2; HttpOnly"}
		h.Set("X-Backend", "yes")
		h.Set("Keep-Alive", "timeout=9")
		h.Set("Connection", "X-Hop")
		h.Set("X-Hop", "h")
		h.Set(exec.HeaderCompleted, "true")
		status := http.StatusCreated
		if r.URL.Path == "/missing" {
			status = http.StatusNotFound
		}
		w.WriteHeader(status)
		io.WriteString(w, "<r>not json</r>")
	})
	cfg := `{"version": 3, "cache_ttl": "60s", "endpoints": [
	  {"endpoint": "/x", "output_encoding": "no-op", "backend": [{"host": ["{{api}}"], "url_pattern": "/data"}]},
	  {"endpoint": "/y", "output_encoding": "no-op", "backend": [{"host": ["{{api}}"], "url_pattern": "/missing"}]}]}`
	gw := gateway(t, cfg, "{{api}}", api.URL)
	for path, status := range map[string]int{"/x": 201, "/y": 404} {
		got := get(t, gw, path)
		want(t, got, status, "<r>not json</r>", "Content-Type", "application/xml", "X-Backend", "yes",
			exec.HeaderCompleted, "false", "Cache-Control", "", "Keep-Alive", "", "Connection", "",
			"X-Hop", "", "Content-Length", "", "Transfer-Encoding", "")
		if c := got.Header.Values("Set-Cookie"); !slices.Equal(c, []string{"a=1; Path=/", "b=2; HttpOnly"}) {
			t.Errorf("%s: Set-Cookie = %q, want both cookies", path, c)
		}
	}
}

// TestNoOpFailures proves a no-op endpoint answers 504 on a timeout and 502 on a refused connection.
func TestNoOpFailures(t *testing.T) {
	checkLeaks(t)
	cfg := `{"version": 3, "endpoints": [
	  {"endpoint": "/hang", "timeout": "300ms", "output_encoding": "no-op", "backend": [{"host": ["{{hang}}"], "url_pattern": "/h"}]},
	  {"endpoint": "/down", "output_encoding": "no-op", "backend": [{"host": ["{{down}}"], "url_pattern": "/d"}]}]}`
	gw := gateway(t, cfg, "{{hang}}", hang(t), "{{down}}", refused(t))
	wantError(t, get(t, gw, "/hang"), 504, "gateway_timeout")
	wantError(t, get(t, gw, "/down"), 502, "bad_gateway")
}

// TestConcurrentServe proves one Gateway serves concurrent requests sharing one header map correctly (under -race).
func TestConcurrentServe(t *testing.T) {
	checkLeaks(t)
	a := jsonBackend(t, 200, `{"a":1,"shared":"a"}`)
	b := jsonBackend(t, 200, `{"b":[1,2],"shared":"b"}`)
	cfg := `{"version": 3, "endpoints": [{"endpoint": "/m/{id}", "input_headers": ["X-Keep", "User-Agent"], "input_query_strings": ["q"], "backend": [
	  {"host": ["{{a}}"], "url_pattern": "/a/{id}", "input_headers": ["X-Keep"]},
	  {"host": ["{{b}}"], "url_pattern": "/b/{id}", "deny": ["b"]},
	  {"host": ["{{a}}"], "url_pattern": "/c/{id}", "group": "g", "input_query_strings": ["q"]}]}]}`
	gw := gateway(t, cfg, "{{a}}", a.URL, "{{b}}", b.URL)
	header := http.Header{"X-Keep": {"k"}, "User-Agent": {"c"}, "Connection": {"X-Keep"}}
	const workers, each = 8, 10
	errs := make(chan string, workers*each)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				resp := gw.Serve(t.Context(), &exec.Request{Method: "GET", RawPath: fmt.Sprintf("/m/%d-%d", w, i), RawQuery: "q=1", Header: header, ClientIP: "127.0.0.1"})
				if got := string(resp.Bytes()); resp.Status != 200 || got != `{"a":1,"shared":"b","g":{"a":1,"shared":"a"}}` {
					errs <- fmt.Sprintf("%d %s", resp.Status, got)
				}
				resp.Release()
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
