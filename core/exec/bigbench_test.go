package exec_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// bigDocument is a ~1 MB object: a few top-level fields, one of them
// "secret", and a long array of records.
func bigDocument() []byte {
	out := []byte(`{"id":"big-document","version":7,"secret":"FAKE-token","generated_at":"2025-11-02T18:04:11Z","records":[`)
	for i := 0; len(out) < 1<<20; i++ {
		if i > 0 {
			out = append(out, ',')
		}
		out = fmt.Appendf(out, `{"id":%d,"kind":"ledger-entry","label":"Record %d of the big document","amount":%s,"currency":"EUR","active":%t,"note":"a longer free-text note to make each record a realistic size","tags":[%d,%d,%d]}`,
			i, i, strconv.FormatFloat(float64(i%9973)/7, 'f', -1, 64), i%3 != 0, i%5, i%7, i%11)
	}
	return append(out, "]}"...)
}

// BenchmarkServeBig is the load test's "big" scenario in process: a 1 MB
// body with one top-level field denied.
func BenchmarkServeBig(b *testing.B) {
	doc := bigDocument()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(doc)))
		w.Write(doc)
	}))
	defer srv.Close()
	gw := newGateway(b, `{"version": 3, "endpoints": [{"endpoint": "/big", "backend": [
  {"host": ["`+srv.URL+`"], "url_pattern": "/big", "deny": ["secret"]}]}]}`)
	benchServe(b, gw, "/big", len(doc)-40)
}
