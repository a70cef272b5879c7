package otel_test

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/core/observe"
	"github.com/tributary-gw/tributary/core/otel"
	"github.com/tributary-gw/tributary/core/plan"
)

// promSample is one parsed sample line.
type promSample struct {
	name   string
	labels map[string]string
	value  float64
}

// promScrape is a parsed text-format scrape.
type promScrape struct {
	types   map[string]string // family → type
	helps   map[string]string
	samples []promSample
}

// validName reports whether s matches [a-zA-Z_:][a-zA-Z0-9_:]* (colon
// only when colon is set: label names have none).
func validName(s string, colon bool) bool {
	for i, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' && colon || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

// family is the family a sample name belongs to, given the declared types.
func (s promScrape) family(name string) string {
	if _, ok := s.types[name]; ok {
		return name
	}
	for _, suf := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(name, suf); ok {
			if t := s.types[base]; t == "histogram" || t == "summary" {
				return base
			}
		}
	}
	return ""
}

// parseProm parses text in the text exposition format 0.0.4 strictly:
// every line is a HELP, a TYPE or a sample of a declared family; each
// family is declared once and its samples are contiguous; label values
// use only the three escapes the format allows.
func parseProm(t *testing.T, text string) promScrape {
	t.Helper()
	s := promScrape{types: map[string]string{}, helps: map[string]string{}}
	if text != "" && !strings.HasSuffix(text, "\n") {
		t.Fatalf("scrape does not end with a newline")
	}
	done := map[string]bool{}
	current := ""
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		fail := func(format string, a ...any) {
			t.Helper()
			t.Fatalf("line %d %q: %s", i+1, line, fmt.Sprintf(format, a...))
		}
		if rest, ok := strings.CutPrefix(line, "# HELP "); ok {
			name, help, _ := strings.Cut(rest, " ")
			if _, dup := s.helps[name]; dup || !validName(name, true) {
				fail("bad or repeated HELP")
			}
			s.helps[name] = help
			continue
		}
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, typ, _ := strings.Cut(rest, " ")
			if _, dup := s.types[name]; dup || !validName(name, true) {
				fail("bad or repeated TYPE")
			}
			if !slices.Contains([]string{"counter", "gauge", "histogram", "summary", "untyped"}, typ) {
				fail("type %q", typ)
			}
			if done[name] {
				fail("TYPE after the family's samples")
			}
			s.types[name] = typ
			continue
		}
		if line == "" || line[0] == '#' {
			fail("unexpected line")
		}
		end := strings.IndexAny(line, "{ ")
		if end < 0 {
			fail("no value")
		}
		smp := promSample{name: line[:end], labels: map[string]string{}}
		if !validName(smp.name, true) {
			fail("metric name")
		}
		rest := line[end:]
		if rest[0] == '{' {
			rest = rest[1:]
			for !strings.HasPrefix(rest, "}") {
				eq := strings.IndexByte(rest, '=')
				if eq < 0 || len(rest) < eq+2 || rest[eq+1] != '"' {
					fail("label syntax at %q", rest)
				}
				ln := rest[:eq]
				if !validName(ln, false) {
					fail("label name %q", ln)
				}
				if _, dup := smp.labels[ln]; dup {
					fail("label %s repeated", ln)
				}
				rest = rest[eq+2:]
				var v strings.Builder
				closed := false
				for j := 0; j < len(rest); j++ {
					c := rest[j]
					if c == '"' {
						rest, closed = rest[j+1:], true
						break
					}
					if c == '\\' {
						if j+1 >= len(rest) {
							fail("dangling escape")
						}
						j++
						switch rest[j] {
						case '\\':
							v.WriteByte('\\')
						case '"':
							v.WriteByte('"')
						case 'n':
							v.WriteByte('\n')
						default:
							fail("escape \\%c", rest[j])
						}
						continue
					}
					v.WriteByte(c)
				}
				if !closed {
					fail("unterminated label value")
				}
				smp.labels[ln] = v.String()
				if strings.HasPrefix(rest, ",") {
					rest = rest[1:]
				} else if !strings.HasPrefix(rest, "}") {
					fail("after label %s: %q", ln, rest)
				}
			}
			rest = rest[1:]
		}
		val, ok := strings.CutPrefix(rest, " ")
		if !ok {
			fail("no space before the value")
		}
		f, err := strconv.ParseFloat(val, 64)
		if err != nil {
			fail("value: %v", err)
		}
		smp.value = f
		fam := s.family(smp.name)
		if fam == "" {
			fail("sample of an undeclared family")
		}
		if fam != current {
			if done[fam] {
				fail("family %s is not contiguous", fam)
			}
			if current != "" {
				done[current] = true
			}
			current = fam
		}
		s.samples = append(s.samples, smp)
	}
	return s
}

// withoutLE renders labels except le, sorted, as a series key.
func withoutLE(l map[string]string) string {
	keys := make([]string, 0, len(l))
	for k := range l {
		if k != "le" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%q,", k, l[k])
	}
	return b.String()
}

// histSeries is one histogram series of a scrape.
type histSeries struct {
	labels     map[string]string
	les        []float64
	counts     []float64
	sum, count float64
	hasSum     bool
	hasCount   bool
}

// histograms groups the histogram samples of family name by series and
// checks each: bounds strictly increasing and ending with +Inf, counts
// cumulative, _count equal to the +Inf bucket, _sum present.
func (s promScrape) histograms(t *testing.T, name string) map[string]*histSeries {
	t.Helper()
	if s.types[name] != "histogram" {
		t.Fatalf("%s has type %q, want histogram", name, s.types[name])
	}
	out := map[string]*histSeries{}
	get := func(l map[string]string) *histSeries {
		k := withoutLE(l)
		if out[k] == nil {
			cp := map[string]string{}
			for n, v := range l {
				if n != "le" {
					cp[n] = v
				}
			}
			out[k] = &histSeries{labels: cp}
		}
		return out[k]
	}
	for _, smp := range s.samples {
		switch smp.name {
		case name + "_bucket":
			h := get(smp.labels)
			le, err := strconv.ParseFloat(smp.labels["le"], 64)
			if err != nil {
				t.Fatalf("%s le=%q", name, smp.labels["le"])
			}
			h.les = append(h.les, le)
			h.counts = append(h.counts, smp.value)
		case name + "_sum":
			h := get(smp.labels)
			h.sum, h.hasSum = smp.value, true
		case name + "_count":
			h := get(smp.labels)
			h.count, h.hasCount = smp.value, true
		}
	}
	for k, h := range out {
		if len(h.les) == 0 || !math.IsInf(h.les[len(h.les)-1], 1) {
			t.Errorf("%s{%s}: buckets do not end with +Inf: %v", name, k, h.les)
			continue
		}
		for i := 1; i < len(h.les); i++ {
			if h.les[i] <= h.les[i-1] {
				t.Errorf("%s{%s}: le not increasing: %v", name, k, h.les)
			}
			if h.counts[i] < h.counts[i-1] {
				t.Errorf("%s{%s}: buckets not cumulative: %v", name, k, h.counts)
			}
		}
		if !h.hasSum || !h.hasCount || h.count != h.counts[len(h.counts)-1] {
			t.Errorf("%s{%s}: _count %v (present %v), +Inf bucket %v, _sum present %v", name, k, h.count, h.hasCount,
				h.counts[len(h.counts)-1], h.hasSum)
		}
	}
	return out
}

// labelNames is the sorted label names of a series.
func labelNames(l map[string]string) string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

// listen serves h on a new 127.0.0.1 listener and returns its base URL.
func listen(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

// scrape GETs url and returns the body, checking status and media type.
func scrape(t testing.TB, client *http.Client, url string) string {
	t.Helper()
	text, err := get(client, url)
	if err != nil {
		t.Fatal(err)
	}
	return text
}

// get is scrape for any goroutine.
func get(client *http.Client, url string) (string, error) {
	resp, err := client.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/plain; version=0.0.4; charset=utf-8" {
		return "", fmt.Errorf("scrape: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return string(body), nil
}

const scopeLabels = "otel_scope_name,otel_scope_schema_url,otel_scope_version"

// TestPrometheusScrape scrapes a real listener after real requests
// through a gateway and checks the text format line by line: families,
// types, label sets, histogram invariants, the resource's target_info,
// the runtime and process families, and the HTTP methods.
func TestPrometheusScrape(t *testing.T) {
	leakCheck(t)
	b := newBackend(t)
	gw, ob := newGateway(t, b, `{"service_version": "1.2", "deploy_env": "prod", "exporters": {"prometheus": [
  {"name": "prom", "listen_ip": "127.0.0.1", "port": 0, "go_metrics": true, "process_metrics": true}]}}`, "")
	defer shutdown(t, ob)
	for range 3 {
		if st := serve(gw, "/two/42", "192.0.2.9", nil); st != 200 {
			t.Fatalf("status %d", st)
		}
	}
	if st := serve(gw, "/nowhere", "192.0.2.9", nil); st != 404 {
		t.Fatalf("unmatched: status %d", st)
	}
	ls := plan.PrometheusListeners(gw.Observer())
	if len(ls) != 1 {
		t.Fatalf("listeners %+v", ls)
	}
	base := listen(t, ls[0].Handler)
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	s := parseProm(t, scrape(t, client, base+"/metrics"))

	for name, typ := range map[string]string{
		"http_server_duration_seconds": "histogram", "http_server_response_size_bytes": "histogram",
		"krakend_proxy_duration_seconds": "histogram", "krakend_backend_duration_seconds": "histogram",
		"target_info": "gauge", "go_goroutines": "gauge", "go_gc_duration_seconds": "summary", "go_info": "gauge",
		"go_memstats_alloc_bytes_total": "counter", "go_memstats_heap_inuse_bytes": "gauge", "go_threads": "gauge",
		"process_cpu_seconds_total": "counter", "process_resident_memory_bytes": "gauge", "process_open_fds": "gauge",
		"process_start_time_seconds": "gauge",
	} {
		if s.types[name] != typ {
			t.Errorf("family %s has type %q, want %q", name, s.types[name], typ)
		}
	}
	if s.helps["http_server_duration_seconds"] == "" {
		t.Error("no HELP for http_server_duration_seconds")
	}

	srvDur := s.histograms(t, "http_server_duration_seconds")
	sizes := s.histograms(t, "http_server_response_size_bytes")
	proxy := s.histograms(t, "krakend_proxy_duration_seconds")
	backends := s.histograms(t, "krakend_backend_duration_seconds")
	wantSet := map[string]string{
		"http_server_duration_seconds":     "http_request_method,http_response_status_code,http_route," + scopeLabels,
		"krakend_proxy_duration_seconds":   "complete,error,http_request_method,http_route," + scopeLabels,
		"krakend_backend_duration_seconds": "canceled,complete,error,http_request_method,http_response_status_code,http_route,krakend_endpoint,krakend_endpoint_method," + scopeLabels + ",server_address",
	}
	for name, hs := range map[string]map[string]*histSeries{"http_server_duration_seconds": srvDur,
		"krakend_proxy_duration_seconds": proxy, "krakend_backend_duration_seconds": backends} {
		for _, h := range hs {
			if got := labelNames(h.labels); got != wantSet[name] {
				t.Errorf("%s labels %s, want %s", name, got, wantSet[name])
			}
			if h.labels["otel_scope_name"] != "github.com/tributary-gw/tributary" {
				t.Errorf("%s otel_scope_name %q", name, h.labels["otel_scope_name"])
			}
		}
	}
	var ok200, ok404 bool
	for _, h := range srvDur {
		switch {
		case h.labels["http_route"] == "/two/{id}" && h.labels["http_response_status_code"] == "200":
			ok200 = h.count == 3 && h.labels["http_request_method"] == "GET" && len(h.les) == 13 && h.sum > 0
		case h.labels["http_route"] == "" && h.labels["http_response_status_code"] == "404":
			ok404 = h.count == 1
		}
	}
	if !ok200 || !ok404 || len(srvDur) != 2 {
		t.Errorf("http_server_duration_seconds series: %+v", srvDur)
	}
	for _, h := range sizes {
		if h.labels["http_route"] == "/two/{id}" && (h.count != 3 || h.les[0] != 128 || h.sum <= 0) {
			t.Errorf("response sizes %+v", h)
		}
	}
	routes := map[string]float64{}
	for _, h := range backends {
		if h.labels["krakend_endpoint"] != "/two/{id}" || h.labels["error"] != "false" || h.labels["complete"] != "true" ||
			h.labels["http_response_status_code"] != "200" || !strings.HasPrefix(h.labels["server_address"], "http://127.0.0.1:") {
			t.Errorf("backend series %v", h.labels)
		}
		routes[h.labels["http_route"]] = h.count
	}
	if routes["/a/{id}"] != 3 || routes["/b"] != 3 || len(routes) != 2 {
		t.Errorf("backend calls per url_pattern %v", routes)
	}

	var target, goInfo, gcCount bool
	for _, smp := range s.samples {
		switch smp.name {
		case "target_info":
			target = smp.value == 1 && smp.labels["service_name"] == "gw-test" && smp.labels["service_version"] == "1.2" &&
				smp.labels["deployment_environment"] == "prod" && smp.labels["deployment_environment_name"] == "prod"
		case "go_info":
			goInfo = strings.HasPrefix(smp.labels["version"], "go")
		case "go_gc_duration_seconds_count":
			gcCount = true
		case "go_goroutines", "process_open_fds", "process_resident_memory_bytes", "process_start_time_seconds":
			if smp.value <= 0 {
				t.Errorf("%s = %v", smp.name, smp.value)
			}
		}
	}
	if !target || !goInfo || !gcCount {
		t.Errorf("target_info %v, go_info %v, go_gc_duration_seconds_count %v", target, goInfo, gcCount)
	}

	// HEAD: the headers only; other methods: 405.
	for method, want := range map[string]int{"HEAD": 200, "POST": 405, "PUT": 405, "DELETE": 405} {
		req, _ := http.NewRequest(method, base+"/anything", nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s: status %d, want %d", method, resp.StatusCode, want)
		}
		if method == "HEAD" && (len(body) != 0 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4")) {
			t.Errorf("HEAD: %q, body %q", resp.Header.Get("Content-Type"), body)
		}
		if want == 405 && resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: Allow %q", method, resp.Header.Get("Allow"))
		}
	}

	// A client that asks for gzip gets it, and the same text.
	req, _ := http.NewRequest("GET", base+"/metrics", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	unz, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if g := parseProm(t, string(unz)); len(g.histograms(t, "http_server_duration_seconds")) != 2 {
		t.Error("gzip scrape differs")
	}
}

// promObserver builds an observer with one Prometheus exporter, no
// OTLP, and serves it on a real listener.
func promObserver(t *testing.T) (*otel.Observer, string) {
	t.Helper()
	ob, err := otel.New(otel.Options{ServiceName: "svc\"\\\n", Config: &otel.Config{TraceSampleRate: 1,
		Prometheus: []otel.PrometheusExporter{{Name: "p", ListenIP: "127.0.0.1", GoMetrics: true}}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ob.Shutdown(context.Background()) })
	ls := ob.Prometheus()
	if len(ls) != 1 {
		t.Fatalf("listeners %+v", ls)
	}
	return ob, listen(t, ls[0].Handler)
}

// record measures one request of route through the observer.
func record(ob *otel.Observer, route, method string, status int) {
	r := &observe.Request{Start: time.Now(), Method: method, Path: "/p", Header: http.Header{}, Route: route,
		Status: status, Duration: time.Millisecond, Bytes: 10, Complete: true}
	ob.End(ob.Begin(context.Background(), r), r)
}

// TestPrometheusEscaping: hostile label values (quote, backslash,
// newline, braces, invalid UTF-8) come back intact through the format's
// escapes and never break a line.
func TestPrometheusEscaping(t *testing.T) {
	leakCheck(t)
	ob, base := promObserver(t)
	hostile := "/a\"b\n{c}\\d"
	record(ob, hostile, "GET", 200)
	record(ob, "/bad\xff", "GET", 200)
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	text := scrape(t, client, base+"/metrics")
	s := parseProm(t, text)
	routes := map[string]bool{}
	for _, h := range s.histograms(t, "http_server_duration_seconds") {
		routes[h.labels["http_route"]] = h.count == 1
	}
	if !routes[hostile] || !routes["/bad\uFFFD"] || len(routes) != 2 {
		t.Errorf("routes after a round trip: %v\n%s", routes, text)
	}
	if !strings.Contains(text, `http_route="/a\"b\n{c}\\d"`) {
		t.Errorf("escaped route not found:\n%s", text)
	}
	for _, smp := range s.samples {
		if smp.name == "target_info" && smp.labels["service_name"] != "svc\"\\\n" {
			t.Errorf("target_info service_name %q", smp.labels["service_name"])
		}
	}
}

// TestPrometheusConcurrentScrapes: scrapes run concurrently with each
// other and with requests being measured (run with -race); every scrape
// parses and its histograms hold their invariants.
func TestPrometheusConcurrentScrapes(t *testing.T) {
	leakCheck(t)
	ob, base := promObserver(t)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	defer client.CloseIdleConnections()
	stop := make(chan struct{})
	var writers sync.WaitGroup
	for w := range 2 {
		writers.Go(func() {
			for i := range 20000 { // bounded: the scrapers must not starve
				select {
				case <-stop:
					return
				default:
				}
				record(ob, fmt.Sprintf("/r%d/%d", w, i%10), "GET", 200+i%3)
				if i%64 == 0 {
					runtime.Gosched()
				}
			}
		})
	}
	var scrapers sync.WaitGroup
	texts := make(chan string, 64)
	for range 4 {
		scrapers.Go(func() {
			for range 6 {
				text, err := get(client, base+"/metrics")
				if err != nil {
					t.Error(err)
					return
				}
				texts <- text
			}
		})
	}
	go func() { scrapers.Wait(); close(texts) }()
	n := 0
	for text := range texts {
		s := parseProm(t, text)
		if len(s.samples) > 0 && s.types["http_server_duration_seconds"] != "" {
			s.histograms(t, "http_server_duration_seconds")
			s.histograms(t, "krakend_proxy_duration_seconds")
		}
		n++
	}
	close(stop)
	writers.Wait()
	if n != 24 {
		t.Errorf("%d scrapes, want 24", n)
	}
}

// BenchmarkPrometheusScrape renders one scrape of 100 routes (about 300
// histogram series), uncompressed, as a scraper without gzip gets it.
func BenchmarkPrometheusScrape(b *testing.B) {
	ob, err := otel.New(otel.Options{Config: &otel.Config{TraceSampleRate: 1,
		Prometheus: []otel.PrometheusExporter{{Name: "p", ListenIP: "127.0.0.1"}}}})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = ob.Shutdown(context.Background()) }()
	for i := range 100 {
		record(ob, fmt.Sprintf("/r/%d", i), "GET", 200)
	}
	h := ob.Prometheus()[0].Handler
	req, _ := http.NewRequest("GET", "/metrics", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	b.SetBytes(int64(rec.Body.Len()))
	b.ReportAllocs()
	for b.Loop() {
		rec.Body.Reset()
		h.ServeHTTP(rec, req)
	}
}
