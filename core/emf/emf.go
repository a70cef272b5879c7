// Package emf writes per-request metrics as CloudWatch Embedded Metric
// Format (EMF) lines: one JSON object per request, on one line, that
// CloudWatch Logs turns into metrics when it ingests the log. In a Lambda
// function a request is an invocation and stdout is the function's log,
// so metrics cost no API call, no agent and no time after the response.
//
// The [Observer] is an observe.Observer that only acts at End: it formats
// the line into a pooled buffer and hands it to its writer in a single
// Write call, under a lock, so lines of concurrent requests never
// interleave whatever the writer.
//
// Every dimension value comes from the config (endpoint templates,
// backend url_patterns) or from a small fixed set (methods, status
// classes): a client cannot create new metric series.
package emf

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tributary-gw/tributary/core/observe"
	"github.com/tributary-gw/tributary/internal/jsontext"
)

// Dimension is a request dimension the metrics can be split by.
type Dimension uint8

// The request dimensions.
const (
	// Route is the matched endpoint template ("/users/{id}"), or
	// NoValue when no endpoint matched. Member name "Route".
	Route Dimension = iota + 1
	// Method is the request method; a method outside the standard nine
	// is written "OTHER". Member name "Method".
	Method
	// StatusClass is the response status class, "1xx" to "5xx" (or
	// "other"). Member name "StatusClass".
	StatusClass
)

// NoValue stands for an empty dimension value (no route matched, an empty
// url_pattern): CloudWatch refuses empty values.
const NoValue = "(none)"

// MaxDimensionValue is the longest dimension value CloudWatch accepts;
// longer ones are cut.
const MaxDimensionValue = 1024

// Names of the members of a line. Metrics are numbers, dimensions and
// properties strings (StatusCode, a property, is a number no directive
// names).
const (
	memberRoute       = "Route"
	memberMethod      = "Method"
	memberStatusClass = "StatusClass"

	// MetricLatency is the request's latency in milliseconds.
	MetricLatency = "Latency"
	// MetricStatus2xx (and 3xx, 4xx, 5xx) is 1 when the response status
	// is in that class, else 0: Sum counts, Average is the share.
	MetricStatus2xx = "Status2xx"
	// MetricStatus3xx is 1 for a 3xx response, else 0.
	MetricStatus3xx = "Status3xx"
	// MetricStatus4xx is 1 for a 4xx response, else 0.
	MetricStatus4xx = "Status4xx"
	// MetricStatus5xx is 1 for a 5xx response, else 0.
	MetricStatus5xx = "Status5xx"
	// MetricRateLimited is 1 when the gateway refused the request for a
	// rate limit before calling any backend (a 429, or a 503 with no
	// backend call), else 0.
	MetricRateLimited = "RateLimited"
	// MetricComplete is 1 when every backend succeeded, else 0. It is
	// present only when at least one backend was called.
	MetricComplete = "Complete"
	// MetricCacheHits counts the backends answered without a request
	// going out (the HTTP cache, a Lua hook). Present with Complete.
	MetricCacheHits = "CacheHits"

	// Per-backend metrics are named "Backend<i>.<suffix>" and split by
	// the dimension "Backend<i>", backend i's url_pattern.

	// BackendLatency is the call's latency in milliseconds.
	BackendLatency = "Latency"
	// BackendErrors is 1 when the call failed, else 0.
	BackendErrors = "Errors"
	// BackendTimeouts is 1 when the call failed because a timer expired.
	BackendTimeouts = "Timeouts"
	// BackendCacheHits is 1 when a backend stage answered the call.
	BackendCacheHits = "CacheHits"
	// BackendRateLimited is 1 when the backend's own rate limit refused
	// the call.
	BackendRateLimited = "RateLimited"

	// PropertyStatusCode is the exact status code (not a metric).
	PropertyStatusCode = "StatusCode"
	// PropertyRequestID is the request id (not a metric), when there is
	// one.
	PropertyRequestID = "request_id"
)

// Options configure an Observer.
type Options struct {
	// Namespace is the CloudWatch namespace; the config loader has
	// checked it. Required.
	Namespace string
	// Dimensions are the request metrics' dimensions, in order; none
	// publishes one series per metric.
	Dimensions []Dimension
	// Backends adds the per-backend metrics.
	Backends bool
	// RateLimited reports whether a backend call's error is a refusal by
	// the backend's own rate limit; nil: never.
	RateLimited func(error) bool
}

// Observer writes one EMF line per request. It is safe for concurrent
// use.
type Observer struct {
	mu sync.Mutex
	w  io.Writer

	dims        []Dimension
	backends    bool
	rateLimited func(error) bool

	// head is `{"_aws":{"Timestamp":`.
	// reqDirective is the request directive without its closing "]}" and
	// without Complete and CacheHits; reqCalled adds those two.
	reqDirective string
	reqCalled    string
	// beDirectiveHead is `{"Namespace":N,"Dimensions":[[` plus the
	// route/method dimensions and a comma when there are any.
	beDirectiveHead string

	pool sync.Pool
}

var _ observe.Observer = (*Observer)(nil)

// New returns an Observer writing to w.
func New(w io.Writer, o Options) (*Observer, error) {
	if w == nil {
		return nil, errors.New("emf: no writer")
	}
	if o.Namespace == "" {
		return nil, errors.New("emf: no namespace")
	}
	seen := map[Dimension]bool{}
	for _, d := range o.Dimensions {
		if d < Route || d > StatusClass || seen[d] {
			return nil, errors.New("emf: bad or repeated dimension")
		}
		seen[d] = true
	}
	ob := &Observer{w: w, dims: append([]Dimension(nil), o.Dimensions...), backends: o.Backends, rateLimited: o.RateLimited}
	ns := string(jsontext.AppendString(nil, o.Namespace, 0))

	var dimList []string
	var beDims []string
	for _, d := range ob.dims {
		name := d.member()
		dimList = append(dimList, `"`+name+`"`)
		if d != StatusClass {
			beDims = append(beDims, `"`+name+`"`)
		}
	}
	var b strings.Builder
	b.WriteString(`{"Namespace":` + ns + `,"Dimensions":[[` + strings.Join(dimList, ",") + `]],"Metrics":[`)
	b.WriteString(metricDef(MetricLatency, "Milliseconds"))
	for _, m := range []string{MetricStatus2xx, MetricStatus3xx, MetricStatus4xx, MetricStatus5xx, MetricRateLimited} {
		b.WriteString("," + metricDef(m, "Count"))
	}
	ob.reqDirective = b.String()
	ob.reqCalled = "," + metricDef(MetricComplete, "Count") + "," + metricDef(MetricCacheHits, "Count")
	ob.beDirectiveHead = `{"Namespace":` + ns + `,"Dimensions":[[`
	if len(beDims) > 0 {
		ob.beDirectiveHead += strings.Join(beDims, ",") + ","
	}
	ob.pool.New = func() any { b := make([]byte, 0, 1024); return &b }
	return ob, nil
}

// metricDef is one MetricDefinition object.
func metricDef(name, unit string) string {
	return `{"Name":"` + name + `","Unit":"` + unit + `"}`
}

// member is the JSON member name of a request dimension.
func (d Dimension) member() string {
	switch d {
	case Route:
		return memberRoute
	case Method:
		return memberMethod
	default:
		return memberStatusClass
	}
}

// Begin implements observe.Observer; it does nothing.
func (o *Observer) Begin(ctx context.Context, r *observe.Request) context.Context { return ctx }

// BackendStart implements observe.Observer; it does nothing.
func (o *Observer) BackendStart(ctx context.Context, r *observe.Request, b *observe.Backend) context.Context {
	return ctx
}

// Inject implements observe.Observer; it adds nothing.
func (o *Observer) Inject(ctx context.Context, h http.Header) {}

// Propagates implements observe.Observer: false.
func (o *Observer) Propagates() bool { return false }

// BackendEnd implements observe.Observer; it does nothing (End reads
// every backend record).
func (o *Observer) BackendEnd(ctx context.Context, r *observe.Request, b *observe.Backend) {}

// maxPooled is the largest buffer put back in the pool: a line for an
// endpoint with many backends is not kept around.
const maxPooled = 64 << 10

// End implements observe.Observer: it writes the request's line.
func (o *Observer) End(ctx context.Context, r *observe.Request) {
	bp := o.pool.Get().(*[]byte)
	line := o.Append((*bp)[:0], r)
	o.mu.Lock()
	_, _ = o.w.Write(line)
	o.mu.Unlock()
	if cap(line) <= maxPooled {
		*bp = line
		o.pool.Put(bp)
	}
}

// Append appends r's line, newline included, to dst.
func (o *Observer) Append(dst []byte, r *observe.Request) []byte {
	called, hits := false, 0
	for i := range r.Backends {
		if b := &r.Backends[i]; b.Started {
			called = true
			if b.Answered {
				hits++
			}
		}
	}
	ts := r.Start
	if ts.IsZero() {
		ts = time.Now()
	}
	dst = append(dst, `{"_aws":{"Timestamp":`...)
	dst = strconv.AppendInt(dst, ts.UnixMilli(), 10)
	dst = append(dst, `,"CloudWatchMetrics":[`...)
	dst = append(dst, o.reqDirective...)
	if called {
		dst = append(dst, o.reqCalled...)
	}
	dst = append(dst, "]}"...)
	if o.backends {
		for i := range r.Backends {
			b := &r.Backends[i]
			if !b.Started {
				continue
			}
			dst = append(dst, ',')
			dst = append(dst, o.beDirectiveHead...)
			dst = appendBackendName(dst, b.Index, "")
			dst = append(dst, `]],"Metrics":[`...)
			for j, m := range [...]string{BackendLatency, BackendErrors, BackendTimeouts, BackendCacheHits, BackendRateLimited} {
				if j > 0 {
					dst = append(dst, ',')
				}
				dst = append(dst, `{"Name":`...)
				dst = appendBackendName(dst, b.Index, m)
				if j == 0 {
					dst = append(dst, `,"Unit":"Milliseconds"}`...)
				} else {
					dst = append(dst, `,"Unit":"Count"}`...)
				}
			}
			dst = append(dst, "]}"...)
		}
	}
	dst = append(dst, "]}"...)

	// Dimension values: every one the directives may name.
	dst = append(dst, `,"`+memberRoute+`":`...)
	dst = appendDimension(dst, r.Route)
	dst = append(dst, `,"`+memberMethod+`":"`...)
	dst = append(dst, methodValue(r.Method)...)
	dst = append(dst, `","`+memberStatusClass+`":"`...)
	dst = append(dst, statusClass(r.Status)...)
	dst = append(dst, '"')

	// Request metrics.
	dst = append(dst, `,"`+MetricLatency+`":`...)
	dst = appendMillis(dst, r.Duration)
	class := r.Status / 100
	for c := 2; c <= 5; c++ {
		dst = append(dst, `,"Status`...)
		dst = append(dst, byte('0'+c))
		dst = append(dst, `xx":`...)
		dst = appendFlag(dst, class == c)
	}
	dst = append(dst, `,"`+MetricRateLimited+`":`...)
	dst = appendFlag(dst, !called && (r.Status == http.StatusTooManyRequests || r.Status == http.StatusServiceUnavailable))
	if called {
		dst = append(dst, `,"`+MetricComplete+`":`...)
		dst = appendFlag(dst, r.Complete)
		dst = append(dst, `,"`+MetricCacheHits+`":`...)
		dst = strconv.AppendInt(dst, int64(hits), 10)
	}

	// Backend dimension values and metrics.
	if o.backends {
		for i := range r.Backends {
			b := &r.Backends[i]
			if !b.Started {
				continue
			}
			dst = append(dst, ',')
			dst = appendBackendName(dst, b.Index, "")
			dst = append(dst, ':')
			dst = appendDimension(dst, b.Pattern)
			dst = o.appendBackendMetric(dst, b.Index, BackendLatency)
			dst = appendMillis(dst, b.Duration)
			dst = o.appendBackendMetric(dst, b.Index, BackendErrors)
			dst = appendFlag(dst, !b.OK)
			dst = o.appendBackendMetric(dst, b.Index, BackendTimeouts)
			dst = appendFlag(dst, b.Timeout)
			dst = o.appendBackendMetric(dst, b.Index, BackendCacheHits)
			dst = appendFlag(dst, b.Answered)
			dst = o.appendBackendMetric(dst, b.Index, BackendRateLimited)
			dst = appendFlag(dst, b.Err != nil && o.rateLimited != nil && o.rateLimited(b.Err))
		}
	}

	// Properties.
	dst = append(dst, `,"`+PropertyStatusCode+`":`...)
	dst = strconv.AppendInt(dst, int64(r.Status), 10)
	if r.RequestID != "" {
		dst = append(dst, `,"`+PropertyRequestID+`":`...)
		id := r.RequestID
		if len(id) > 256 {
			id = id[:256]
		}
		dst = jsontext.AppendString(dst, id, 0)
	}
	return append(dst, "}\n"...)
}

// appendBackendMetric appends `,"Backend<i>.<m>":`.
func (o *Observer) appendBackendMetric(dst []byte, i int, m string) []byte {
	dst = append(dst, ',')
	dst = appendBackendName(dst, i, m)
	return append(dst, ':')
}

// appendBackendName appends the quoted member name "Backend<i>", or
// "Backend<i>.<metric>" when metric is not empty.
func appendBackendName(dst []byte, i int, metric string) []byte {
	dst = append(dst, `"Backend`...)
	dst = strconv.AppendInt(dst, int64(i), 10)
	if metric != "" {
		dst = append(dst, '.')
		dst = append(dst, metric...)
	}
	return append(dst, '"')
}

// appendFlag appends 1 or 0.
func appendFlag(dst []byte, on bool) []byte {
	if on {
		return append(dst, '1')
	}
	return append(dst, '0')
}

// appendMillis appends d in milliseconds, to the microsecond.
func appendMillis(dst []byte, d time.Duration) []byte {
	if d < 0 {
		d = 0
	}
	return strconv.AppendFloat(dst, float64(d.Microseconds())/1000, 'f', -1, 64)
}

// appendDimension appends s as a quoted dimension value: printable ASCII
// only (CloudWatch refuses other characters; each is written "?"), at
// most MaxDimensionValue characters, NoValue when empty or blank.
func appendDimension(dst []byte, s string) []byte {
	if len(s) > MaxDimensionValue {
		s = s[:MaxDimensionValue]
	}
	start := len(dst)
	dst = append(dst, '"')
	blank := true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c < 0x20 || c >= 0x7f:
			dst = append(dst, '?')
		default:
			dst = append(dst, c)
		}
		blank = blank && s[i] == ' '
	}
	if blank {
		return append(dst[:start], `"`+NoValue+`"`...)
	}
	return append(dst, '"')
}

// methodValue is the Method dimension value of a request method.
func methodValue(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// statusClass is the StatusClass dimension value of a status code.
func statusClass(status int) string {
	switch status / 100 {
	case 1:
		return "1xx"
	case 2:
		return "2xx"
	case 3:
		return "3xx"
	case 4:
		return "4xx"
	case 5:
		return "5xx"
	}
	return "other"
}
