package lua

import (
	"context"
	"net/http"
	"testing"
)

// BenchmarkTrivialPre is one request through a trivial pre script: take a
// pooled state, run `request.load():headers("X-A", "1")`, give it back.
func BenchmarkTrivialPre(b *testing.B) {
	s, err := Compile(Options{Kind: Proxy, Pre: `request.load():headers("X-A", "1")`})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	h := http.Header{"Accept": {"*/*"}}
	b.ReportAllocs()
	for b.Loop() {
		sess, err := s.Begin(nil)
		if err != nil {
			b.Fatal(err)
		}
		req := Request{Method: "GET", Path: "/a", Header: h}
		if err := sess.Pre(ctx, &req); err != nil {
			b.Fatal(err)
		}
		sess.End()
	}
}

// BenchmarkPostData reads and writes two members of the merged data.
func BenchmarkPostData(b *testing.B) {
	s, err := Compile(Options{Kind: Proxy, Post: `local d = response.load():data() d:set("n", d:get("n") + 1) d:del("x")`})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	members := []Member{{"n", []byte("41")}, {"x", []byte(`{"a":[1,2,3]}`)}, {"y", []byte(`"s"`)}}
	b.ReportAllocs()
	for b.Loop() {
		sess, _ := s.Begin(nil)
		resp := Response{Data: NewObject(members)}
		if err := sess.Post(ctx, nil, &resp); err != nil {
			b.Fatal(err)
		}
		if _, err := resp.Data.Members(); err != nil {
			b.Fatal(err)
		}
		sess.End()
	}
}
