package emf_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/core/emf"
	"github.com/tributary-gw/tributary/core/observe"
)

// writes records every Write call.
type writes struct{ calls [][]byte }

func (w *writes) Write(p []byte) (int, error) {
	w.calls = append(w.calls, bytes.Clone(p))
	return len(p), nil
}

var errLimited = errors.New("limited")

func newObserver(t testing.TB, w io.Writer, o emf.Options) *emf.Observer {
	t.Helper()
	if o.Namespace == "" {
		o.Namespace = "Tributary"
	}
	if o.RateLimited == nil {
		o.RateLimited = func(err error) bool { return errors.Is(err, errLimited) }
	}
	ob, err := emf.New(w, o)
	if err != nil {
		t.Fatal(err)
	}
	return ob
}

// end runs one request through ob and returns its one parsed line.
func end(t *testing.T, ob *emf.Observer, w *writes, r *observe.Request) *emf.Line {
	t.Helper()
	before := len(w.calls)
	ob.End(context.Background(), r)
	if got := len(w.calls) - before; got != 1 {
		t.Fatalf("%d Write calls for one request, want 1", got)
	}
	line := w.calls[len(w.calls)-1]
	if bytes.Count(line, []byte("\n")) != 1 || line[len(line)-1] != '\n' {
		t.Fatalf("the write is not exactly one line: %q", line)
	}
	l, err := emf.Parse(line)
	if err != nil {
		t.Fatalf("%v\n%s", err, line)
	}
	return l
}

func wantMetric(t *testing.T, l *emf.Line, name string, want float64) {
	t.Helper()
	got, ok := l.Metric(name)
	if !ok {
		t.Errorf("metric %s missing", name)
	} else if got != want {
		t.Errorf("%s = %v, want %v", name, got, want)
	}
}

func wantString(t *testing.T, l *emf.Line, name, want string) {
	t.Helper()
	if got, ok := l.String(name); !ok || got != want {
		t.Errorf("%s = %q (present %v), want %q", name, got, ok, want)
	}
}

func wantAbsent(t *testing.T, l *emf.Line, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, ok := l.Members[n]; ok {
			t.Errorf("member %s present, want absent", n)
		}
	}
}

var start = time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)

// TestRoutedRequest checks every request and backend metric of an
// endpoint with four backends: one OK, one timed out, one answered by the
// cache, one refused by its rate limit, and a fifth a sequential chain
// skipped.
func TestRoutedRequest(t *testing.T) {
	w := &writes{}
	ob := newObserver(t, w, emf.Options{Dimensions: []emf.Dimension{emf.Route, emf.Method}, Backends: true})
	r := &observe.Request{
		Start: start, Method: "GET", Path: "/users/42", Route: "/users/{id}", RequestID: "req-1",
		Status: 200, Complete: false, Duration: 12345 * time.Microsecond,
		Backends: []observe.Backend{
			{Index: 0, Pattern: "/u/{id}", Started: true, OK: true, Status: 200, Duration: 3 * time.Millisecond},
			{Index: 1, Pattern: "/slow", Started: true, Timeout: true, Err: context.DeadlineExceeded, Duration: 10 * time.Millisecond},
			{Index: 2, Pattern: "/cached", Started: true, OK: true, Answered: true, Duration: 1500 * time.Nanosecond},
			{Index: 3, Pattern: "/limited", Started: true, Err: fmt.Errorf("backend 3: %w", errLimited)},
			{Index: 4, Pattern: "/skipped"},
		},
	}
	l := end(t, ob, w, r)
	if l.Timestamp != start.UnixMilli() {
		t.Errorf("Timestamp %d, want %d", l.Timestamp, start.UnixMilli())
	}
	if len(l.Directives) != 5 {
		t.Fatalf("%d directives, want 5 (the request's and one per called backend)", len(l.Directives))
	}
	for _, d := range l.Directives {
		if d.Namespace != "Tributary" || len(d.Dimensions) != 1 {
			t.Errorf("directive %+v", d)
		}
	}
	wantString(t, l, "Route", "/users/{id}")
	wantString(t, l, "Method", "GET")
	wantString(t, l, "StatusClass", "2xx")
	wantString(t, l, "request_id", "req-1")
	wantMetric(t, l, "StatusCode", 200)
	wantMetric(t, l, "Latency", 12.345)
	wantMetric(t, l, "Status2xx", 1)
	wantMetric(t, l, "Status3xx", 0)
	wantMetric(t, l, "Status4xx", 0)
	wantMetric(t, l, "Status5xx", 0)
	wantMetric(t, l, "RateLimited", 0)
	wantMetric(t, l, "Complete", 0)
	wantMetric(t, l, "CacheHits", 1)
	if u := l.Unit("Latency"); u != "Milliseconds" {
		t.Errorf("Latency unit %q", u)
	}
	if u := l.Unit("Status2xx"); u != "Count" {
		t.Errorf("Status2xx unit %q", u)
	}
	if d := l.Dimensions("Latency"); !slices.Equal(d, []string{"Route", "Method"}) {
		t.Errorf("request dimensions %v", d)
	}
	if l.Unit("StatusCode") != "" || l.Unit("request_id") != "" {
		t.Error("a property is declared as a metric")
	}

	for i, want := range []struct {
		pattern                       string
		latency                       float64
		errs, timeouts, hits, limited float64
	}{
		{"/u/{id}", 3, 0, 0, 0, 0},
		{"/slow", 10, 1, 1, 0, 0},
		{"/cached", 0.001, 0, 0, 1, 0},
		{"/limited", 0, 1, 0, 0, 1},
	} {
		p := fmt.Sprintf("Backend%d", i)
		wantString(t, l, p, want.pattern)
		wantMetric(t, l, p+".Latency", want.latency)
		wantMetric(t, l, p+".Errors", want.errs)
		wantMetric(t, l, p+".Timeouts", want.timeouts)
		wantMetric(t, l, p+".CacheHits", want.hits)
		wantMetric(t, l, p+".RateLimited", want.limited)
		if d := l.Dimensions(p + ".Latency"); !slices.Equal(d, []string{"Route", "Method", p}) {
			t.Errorf("%s dimensions %v", p, d)
		}
		if u := l.Unit(p + ".Latency"); u != "Milliseconds" {
			t.Errorf("%s.Latency unit %q", p, u)
		}
	}
	wantAbsent(t, l, "Backend4", "Backend4.Latency")
}

// TestRefusedBeforeBackends: a 429, and a 503 with no backend called, are
// rate-limit refusals; a 503 after a backend call is not. No backend ran,
// so there is no Complete or CacheHits.
func TestRefusedBeforeBackends(t *testing.T) {
	w := &writes{}
	ob := newObserver(t, w, emf.Options{Dimensions: []emf.Dimension{emf.Route, emf.Method}, Backends: true})
	for _, c := range []struct {
		status   int
		backends []observe.Backend
		limited  float64
		class    string
	}{
		{429, nil, 1, "Status4xx"},
		{503, []observe.Backend{{Pattern: "/b"}}, 1, "Status5xx"},
		{503, []observe.Backend{{Pattern: "/b", Started: true, Status: 503}}, 0, "Status5xx"},
		{403, nil, 0, "Status4xx"},
	} {
		l := end(t, ob, w, &observe.Request{Start: start, Method: "POST", Route: "/x", Status: c.status, Backends: c.backends})
		wantMetric(t, l, "RateLimited", c.limited)
		wantMetric(t, l, c.class, 1)
		called := len(c.backends) > 0 && c.backends[0].Started
		if !called {
			wantAbsent(t, l, "Complete", "CacheHits", "Backend0")
			if len(l.Directives) != 1 {
				t.Errorf("%d: %d directives, want 1", c.status, len(l.Directives))
			}
		} else {
			wantMetric(t, l, "Complete", 0)
		}
	}
}

// TestUnmatchedAndHostile: what a client controls never becomes a new
// dimension value: an unmatched path has Route "(none)", an unknown
// method is OTHER, and config strings CloudWatch would refuse are made
// printable ASCII and cut to 1024 bytes.
func TestUnmatchedAndHostile(t *testing.T) {
	w := &writes{}
	ob := newObserver(t, w, emf.Options{Dimensions: []emf.Dimension{emf.Route, emf.Method, emf.StatusClass}, Backends: true})
	l := end(t, ob, w, &observe.Request{Start: start, Method: "FOO\"BAR", Path: "/attack/\"x", Status: 404,
		RequestID: "id\"\n\x00é"})
	wantString(t, l, "Route", emf.NoValue)
	wantString(t, l, "Method", "OTHER")
	wantString(t, l, "StatusClass", "4xx")
	wantString(t, l, "request_id", "id\"\n\x00é")
	if d := l.Dimensions("Latency"); !slices.Equal(d, []string{"Route", "Method", "StatusClass"}) {
		t.Errorf("dimensions %v", d)
	}
	for _, v := range l.Members {
		if s, ok := v.(string); ok && strings.Contains(s, "/attack") {
			t.Errorf("the raw path leaked into the line: %q", s)
		}
	}

	long := "/" + strings.Repeat("a", 2000)
	l = end(t, ob, w, &observe.Request{Start: start, Method: "GET", Route: "/é\"\\\t{id}", Status: 200, Complete: true,
		Backends: []observe.Backend{{Index: 0, Pattern: long, Started: true, OK: true}, {Index: 1, Pattern: "  ", Started: true, OK: true}}})
	wantString(t, l, "Route", "/??\"\\?{id}")
	if s, _ := l.String("Backend0"); len(s) != emf.MaxDimensionValue {
		t.Errorf("Backend0 is %d bytes, want %d", len(s), emf.MaxDimensionValue)
	}
	wantString(t, l, "Backend1", emf.NoValue)
	wantMetric(t, l, "Complete", 1)
	// The backends' dimension sets leave StatusClass out.
	if d := l.Dimensions("Backend1.Latency"); !slices.Equal(d, []string{"Route", "Method", "Backend1"}) {
		t.Errorf("backend dimensions %v", d)
	}
}

// TestDimensionChoices: no dimensions at all, and no backend metrics.
func TestDimensionChoices(t *testing.T) {
	w := &writes{}
	ob := newObserver(t, w, emf.Options{Namespace: "My App/gw", Backends: false})
	l := end(t, ob, w, &observe.Request{Start: start, Method: "GET", Route: "/a", Status: 502,
		Backends: []observe.Backend{{Index: 0, Pattern: "/b", Started: true}}})
	if len(l.Directives) != 1 || l.Directives[0].Namespace != "My App/gw" {
		t.Fatalf("directives %+v", l.Directives)
	}
	if d := l.Directives[0].Dimensions; len(d) != 1 || len(d[0]) != 0 {
		t.Errorf("dimensions %v, want one empty set", d)
	}
	wantAbsent(t, l, "Backend0", "Backend0.Latency")
	wantMetric(t, l, "Status5xx", 1)
	wantMetric(t, l, "Complete", 0)

	ob = newObserver(t, w, emf.Options{Dimensions: []emf.Dimension{emf.StatusClass}, Backends: true})
	l = end(t, ob, w, &observe.Request{Start: start, Method: "GET", Route: "/a", Status: 200, Complete: true,
		Backends: []observe.Backend{{Index: 0, Pattern: "/b", Started: true, OK: true}}})
	if d := l.Dimensions("Backend0.Latency"); !slices.Equal(d, []string{"Backend0"}) {
		t.Errorf("backend dimensions %v", d)
	}
	if d := l.Dimensions("Latency"); !slices.Equal(d, []string{"StatusClass"}) {
		t.Errorf("request dimensions %v", d)
	}
}

func TestNewRefuses(t *testing.T) {
	for _, c := range []struct {
		w io.Writer
		o emf.Options
	}{
		{nil, emf.Options{Namespace: "N"}},
		{io.Discard, emf.Options{}},
		{io.Discard, emf.Options{Namespace: "N", Dimensions: []emf.Dimension{emf.Route, emf.Route}}},
		{io.Discard, emf.Options{Namespace: "N", Dimensions: []emf.Dimension{9}}},
	} {
		if _, err := emf.New(c.w, c.o); err == nil {
			t.Errorf("New(%v, %+v) accepted", c.w, c.o)
		}
	}
}

// TestParseRefuses checks that the checker the tests rely on does catch
// what CloudWatch would reject.
func TestParseRefuses(t *testing.T) {
	ok := `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["D"]],"Metrics":[{"Name":"M","Unit":"Count"}]}]},"D":"v","M":1}`
	if _, err := emf.Parse([]byte(ok + "\n")); err != nil {
		t.Fatalf("valid line refused: %v", err)
	}
	for _, bad := range []string{
		`[]`,
		ok + ok,
		`{"M":1}`,
		strings.Replace(ok, `"D":"v"`, `"D":""`, 1),
		strings.Replace(ok, `"D":"v"`, `"D":"é"`, 1),
		strings.Replace(ok, `"D":"v"`, `"D":3`, 1),
		strings.Replace(ok, `"M":1`, `"M":"1"`, 1),
		strings.Replace(ok, `,"M":1`, ``, 1),
		strings.Replace(ok, `"Count"`, `"Counts"`, 1),
		strings.Replace(ok, `"Timestamp":1`, `"Timestamp":0`, 1),
		strings.Replace(ok, `"M":1`, `"M":1,"M":2`, 1),
		strings.Replace(ok, `"D":"v"`, "\"D\":\"v\"\n", 1),
	} {
		if _, err := emf.Parse([]byte(bad)); err == nil {
			t.Errorf("Parse accepted %s", bad)
		}
	}
}

// BenchmarkEnd is the cost of one line for a request with two backends.
func BenchmarkEnd(b *testing.B) {
	ob := newObserver(b, io.Discard, emf.Options{Dimensions: []emf.Dimension{emf.Route, emf.Method}, Backends: true})
	r := &observe.Request{Start: start, Method: "GET", Route: "/users/{id}", RequestID: "0123456789abcdef",
		Status: 200, Complete: true, Duration: 12345 * time.Microsecond,
		Backends: []observe.Backend{
			{Index: 0, Pattern: "/u/{id}", Started: true, OK: true, Status: 200, Duration: 3 * time.Millisecond},
			{Index: 1, Pattern: "/orders?user={id}", Started: true, OK: true, Status: 200, Duration: 5 * time.Millisecond},
		}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		ob.End(ctx, r)
	}
}

// FuzzLine: whatever the strings and numbers of a request, the line is
// one valid EMF line.
func FuzzLine(f *testing.F) {
	f.Add("/users/{id}", "/u/{id}", "GET", "id-1", 200, int64(1500), true)
	f.Add("", "   ", "FOO", "\x00\"\n", 0, int64(-5), false)
	f.Add("/é\xff\"\\", strings.Repeat("x", 1030), "", "", 999, int64(1<<62), true)
	ob, err := emf.New(io.Discard, emf.Options{Namespace: "F", Dimensions: []emf.Dimension{emf.Route, emf.Method, emf.StatusClass}, Backends: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, route, pattern, method, id string, status int, d int64, ok bool) {
		r := &observe.Request{Start: start, Method: method, Route: route, RequestID: id, Status: status,
			Duration: time.Duration(d), Complete: ok,
			Backends: []observe.Backend{{Index: 0, Pattern: pattern, Started: true, OK: ok, Duration: time.Duration(d)},
				{Index: 1, Pattern: route, Started: !ok}}}
		line := ob.Append(nil, r)
		if bytes.IndexByte(line, '\n') != len(line)-1 {
			t.Fatalf("not one line: %q", line)
		}
		if _, err := emf.Parse(line); err != nil {
			t.Fatalf("%v\n%s", err, line)
		}
	})
}
