package exec_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tributary-gw/tributary/core/exec"
)

// TestLargeResponse proves segmented bodies (> 64 KiB): Bytes() is the exact document and Len() its length.
func TestLargeResponse(t *testing.T) {
	checkLeaks(t)
	bigNote := strings.Repeat("n", 5000) + "\xff" + strings.Repeat("é", 100)
	first := `{ "id": 1, "secret": "s", "records": [` + records(1500, ", ") + `], "note": "` + bigNote + `", "tail": true }`
	second := `{"more":[` + records(800, ",") + `],"id":2}`
	bodies := map[string]string{"/first": first, "/second": second, "/list": "[" + records(2000, " ,\n") + "]"}
	api := newBackend(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, bodies[r.URL.Path])
	})
	cfg := `{"version": 3, "endpoints": [
	  {"endpoint": "/one", "backend": [{"host": ["{{api}}"], "url_pattern": "/first", "deny": ["secret"]}]},
	  {"endpoint": "/two", "backend": [
	    {"host": ["{{api}}"], "url_pattern": "/first", "deny": ["secret"]},
	    {"host": ["{{api}}"], "url_pattern": "/second"}]},
	  {"endpoint": "/collection", "output_encoding": "json-collection", "backend": [{"host": ["{{api}}"], "url_pattern": "/list", "is_collection": true}]},
	  {"endpoint": "/raw", "output_encoding": "no-op", "backend": [{"host": ["{{api}}"], "url_pattern": "/first"}]}]}`
	gw := gateway(t, cfg, "{{api}}", api.URL)
	note := strings.Repeat("n", 5000) + "\uFFFD" + strings.Repeat("é", 100)
	cases := []struct{ path, body string }{
		{"/one", `{"id":1,"records":[` + records(1500, ",") + `],"note":"` + note + `","tail":true}`},
		{"/two", `{"id":2,"records":[` + records(1500, ",") + `],"note":"` + note + `","tail":true,"more":[` + records(800, ",") + `]}`},
		{"/collection", `[` + records(2000, ",") + `]`},
		{"/raw", first},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			if len(tc.body) <= 64<<10 {
				t.Fatalf("expected body is only %d bytes: not the segmented path", len(tc.body))
			}
			got := get(t, gw, tc.path)
			if got.Status != 200 || string(got.Body) != tc.body {
				t.Fatalf("status %d, %d bytes, want 200 and the expected %d bytes (first difference at %d)",
					got.Status, len(got.Body), len(tc.body), firstDiff(got.Body, tc.body))
			}
			if tc.path != "/raw" && (!json.Valid(got.Body) || !utf8.Valid(got.Body)) {
				t.Errorf("body is not valid UTF-8 JSON")
			}
		})
	}
}

// TestHostileBodies proves hostile backend bodies only fail that backend (502 alone, partial 200), never panic.
func TestHostileBodies(t *testing.T) {
	bodies := []string{
		``, // placeholder: index 0 is the good backend
		`{"a":`,
		`{"a":1}}`,
		`{"a":1} x`,
		`{}{}`,
		`{"a":1,}`,
		`{a:1}`,
		`{"a":01}`,
		`{"a":NaN}`,
		`{"a":"\q"}`,
		"{\"a\":\"\x00\"}",
		`{"a":"unterminated}`,
		`[1,2]`,
		`"just a string"`,
		`42`,
		`true`,
		strings.Repeat(`{"a":`, 257) + `1` + strings.Repeat(`}`, 257),
		`{"a":` + strings.Repeat(`[`, 300) + strings.Repeat(`]`, 300) + `}`,
		strings.Repeat(`[`, 1_000_000),
		strings.Repeat(`{"a":`, 200_000),
		"\x1f\x8b\x08\x00garbage",
		"\xff\xfe{\x00}\x00",
	}
	checkLeaks(t)
	api := newBackend(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/good" {
			io.WriteString(w, `{"good":true}`)
			return
		}
		i, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/h/"))
		if strings.HasPrefix(bodies[i], "\x1f\x8b") {
			w.Header().Set("Content-Encoding", "gzip") // a broken gzip stream
		}
		io.WriteString(w, bodies[i])
	})
	cfg := `{"version": 3, "endpoints": [
	  {"endpoint": "/one/{i}", "backend": [{"host": ["{{api}}"], "url_pattern": "/h/{i}"}]},
	  {"endpoint": "/shaped/{i}", "backend": [{"host": ["{{api}}"], "url_pattern": "/h/{i}", "target": "a", "allow": ["b.c"], "mapping": {"b": "d"}, "group": "g"}]},
	  {"endpoint": "/two/{i}", "cache_ttl": "10s", "backend": [
	    {"host": ["{{api}}"], "url_pattern": "/h/{i}", "deny": ["a.b"], "group": "g"},
	    {"host": ["{{api}}"], "url_pattern": "/good"}]}]}`
	gw := gateway(t, cfg, "{{api}}", api.URL)
	for i := 1; i < len(bodies); i++ {
		name := fmt.Sprintf("%d:%.24q", i, bodies[i])
		t.Run(name, func(t *testing.T) {
			wantError(t, get(t, gw, fmt.Sprint("/one/", i)), 502, "bad_gateway")
			wantError(t, get(t, gw, fmt.Sprint("/shaped/", i)), 502, "bad_gateway")
			want(t, get(t, gw, fmt.Sprint("/two/", i)), 200, `{"good":true}`, exec.HeaderCompleted, "false", "Cache-Control", "")
		})
	}
}

// TestHostileBodiesByEncoding proves §10 decoding per encoding: empty, wrong type, depth 256/257, duplicate keys.
func TestHostileBodiesByEncoding(t *testing.T) {
	checkLeaks(t)
	bodies := map[string]string{
		"/empty":   ``,
		"/object":  `{"a":1}`,
		"/array":   `[1,{"b":2}]`,
		"/scalar":  `"s"`,
		"/null":    `null`,
		"/deep256": strings.Repeat(`[`, 256) + strings.Repeat(`]`, 256),
		"/deep257": strings.Repeat(`[`, 257) + strings.Repeat(`]`, 257),
		"/dup":     `{"a":1,"b":2,"a":3}`,
		"/big-int": `{"n":123456789012345678901234567890,"s":"\ud800"}`,
	}
	api := newBackend(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, bodies[strings.TrimPrefix(r.URL.Path, "/b")])
	})
	cfg := `{"version": 3, "endpoints": [
	  {"endpoint": "/coll/{k}", "backend": [{"host": ["{{api}}"], "url_pattern": "/b/{k}", "is_collection": true}]},
	  {"endpoint": "/safe/{k}", "backend": [{"host": ["{{api}}"], "url_pattern": "/b/{k}", "encoding": "safejson"}]},
	  {"endpoint": "/json/{k}", "backend": [{"host": ["{{api}}"], "url_pattern": "/b/{k}"}]}]}`
	gw := gateway(t, cfg, "{{api}}", api.URL)
	deep := strings.Repeat(`[`, 256) + strings.Repeat(`]`, 256)
	cases := []struct{ path, body string }{ // "" → 502
		{"/coll/empty", `{}`},
		{"/safe/empty", `{}`},
		{"/json/empty", `{}`},
		{"/coll/object", ""},
		{"/coll/array", `{"collection":[1,{"b":2}]}`},
		{"/coll/scalar", ""},
		{"/coll/deep256", `{"collection":` + deep + `}`},
		{"/coll/deep257", ""},
		{"/safe/object", `{"a":1}`},
		{"/safe/array", `{"collection":[1,{"b":2}]}`},
		{"/safe/scalar", `{"content":"s"}`},
		{"/safe/null", `{"content":null}`},
		{"/safe/deep257", ""},
		{"/json/dup", `{"a":3,"b":2}`},
		{"/json/big-int", `{"n":123456789012345678901234567890,"s":"\ud800"}`},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			got := get(t, gw, tc.path)
			if tc.body == "" {
				wantError(t, got, 502, "bad_gateway")
				return
			}
			want(t, got, 200, tc.body, exec.HeaderCompleted, "true")
		})
	}
}
