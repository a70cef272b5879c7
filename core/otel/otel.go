// Package otel is the telemetry/opentelemetry observer: one span per
// request (the global layer), one covering the endpoint's work (the proxy
// layer) and one per backend call (the backend layer), duration and size
// histograms for each layer, OTLP exporters over HTTP or gRPC and
// Prometheus exporters. It is the only package that imports the
// OpenTelemetry SDK, so a binary built with the tributary_nootel tag
// leaves it (and gRPC) out.
//
// Nothing here blocks a request: spans wait in a bounded queue per
// exporter and are dropped (and counted, see Observer.Dropped) when it is
// full; metrics are aggregated in memory and pushed by a background
// reader, or pulled by Prometheus.
package otel

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/credentials"

	"github.com/tributary-gw/tributary/core/observe"
)

// Defaults of Options.
const (
	// DefaultQueueSize is how many ended spans wait per exporter before
	// new ones are dropped.
	DefaultQueueSize = 2048
	// DefaultBatchSize is the most spans sent in one export.
	DefaultBatchSize = 512
	// DefaultBatchInterval is how often queued spans are exported.
	DefaultBatchInterval = time.Second
	// DefaultExportTimeout bounds one export to a collector.
	DefaultExportTimeout = 10 * time.Second
	// MaxTraceparentBytes is the longest incoming traceparent considered
	// (version 00 is 55 bytes; later versions may append fields).
	MaxTraceparentBytes = 256
	// MaxTracestateBytes is the longest incoming tracestate kept.
	MaxTracestateBytes = 512
	// logEvery is the least time between two log lines about failed
	// exports or dropped spans.
	logEvery = time.Minute
	// maxAttrCache bounds the cached metric attribute sets.
	maxAttrCache = 4096
)

// Options configure an Observer.
type Options struct {
	// Config is the namespace (required).
	Config *Config
	// ServiceName is used when Config.ServiceName is "": the root name.
	ServiceName string
	// HealthPath is the health endpoint's path, skipped by default.
	HealthPath string
	// TrustedSources are the client addresses whose incoming traceparent
	// is honoured (tributary.trusted_trace_sources). Default none.
	TrustedSources []netip.Prefix
	// QueueSize, BatchSize, BatchInterval and ExportTimeout tune the span
	// queues; zero values take the defaults above.
	QueueSize     int
	BatchSize     int
	BatchInterval time.Duration
	ExportTimeout time.Duration
	// Logger receives rate-limited lines about failed exports and dropped
	// spans. Default slog.Default().
	Logger *slog.Logger
}

// PrometheusListener is one Prometheus exporter a server serves.
type PrometheusListener struct {
	// Name is the exporter's name.
	Name string
	// Address is listen_ip:port.
	Address string
	// Handler serves the metrics (on /metrics, and on every path).
	Handler http.Handler
}

// Observer is the telemetry/opentelemetry observer. It implements
// observe.Observer and observe.Flusher.
type Observer struct {
	tp     *sdktrace.TracerProvider
	mp     *sdkmetric.MeterProvider
	tracer trace.Tracer // nil when no exporter takes traces
	queues []*queue
	prom   []PrometheusListener

	global, proxy, backend       bool // spans per layer
	gMetrics, pMetrics, bMetrics bool

	skipExact  map[string]bool
	skipPrefix []string
	trusted    []netip.Prefix
	prop       propagation.TraceContext

	// never is true when trace_sample_rate is 0: a request without a
	// trusted, sampled parent gets a trace context but no SDK span.
	never bool
	m     *store

	serverStart, internalStart, clientStart []trace.SpanStartOption

	logger  atomic.Pointer[slog.Logger]
	lastLog atomic.Int64
	logged  atomic.Uint64
}

// attrKey identifies a cached metric attribute set.
type attrKey struct {
	layer                  uint8
	route, method, pattern string
	bmethod, host          string
	status                 int
	flags                  uint8
}

// Layers of attrKey.
const (
	layerGlobal uint8 = iota
	layerProxy
	layerBackend
)

// Flags of attrKey.
const (
	flagError uint8 = 1 << iota
	flagCanceled
	flagComplete
)

// stateKey is the context key of a request's spans.
type stateKey struct{}

// state is what Begin leaves in the request's context.
type state struct {
	global, proxy trace.Span
}

// reportingExporter logs a failed metric export itself (rate-limited)
// instead of handing it to the OpenTelemetry library's process-wide
// error handler, which would print every failure.
type reportingExporter struct {
	sdkmetric.Exporter
	report func(error)
}

// Export exports rm; a failure is reported here and not returned (the
// reader would hand it to the process-wide handler). The metrics are
// cumulative: the next export carries them again.
func (e reportingExporter) Export(ctx context.Context, rm *metricdata.ResourceMetrics) error {
	if err := e.Exporter.Export(ctx, rm); err != nil {
		e.report(err)
	}
	return nil
}

// New builds the observer and starts its exporters' background work. It
// does no network I/O: exporters connect when they first send.
func New(o Options) (*Observer, error) {
	c := o.Config
	if c == nil {
		return nil, errors.New("otel: no config")
	}
	ob := &Observer{
		global: !c.Global.DisableTraces, proxy: !c.Proxy.DisableTraces, backend: !c.Backend.DisableTraces,
		gMetrics: !c.Global.DisableMetrics, pMetrics: !c.Proxy.DisableMetrics, bMetrics: !c.Backend.DisableMetrics,
		trusted:       o.TrustedSources,
		never:         c.TraceSampleRate == 0,
		m:             newStore(),
		serverStart:   []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindServer)},
		internalStart: []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindInternal)},
		clientStart:   []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient)},
	}
	lg := o.Logger
	if lg == nil {
		lg = slog.Default()
	}
	ob.logger.Store(lg)
	ob.setSkips(c.SkipPaths, o.HealthPath)

	name := c.ServiceName
	if name == "" {
		name = o.ServiceName
	}
	if name == "" {
		name = "tributary"
	}
	attrs := []attribute.KeyValue{attribute.String("service.name", name)}
	if c.ServiceVersion != "" {
		attrs = append(attrs, attribute.String("service.version", c.ServiceVersion))
	}
	if c.DeployEnv != "" {
		attrs = append(attrs, attribute.String("deployment.environment", c.DeployEnv),
			attribute.String("deployment.environment.name", c.DeployEnv))
	}
	res := resource.NewSchemaless(attrs...)

	qsize := firstPositive(o.QueueSize, c.MaxQueueSize, DefaultQueueSize)
	batch := firstPositive(o.BatchSize, DefaultBatchSize)
	interval := o.BatchInterval
	if interval <= 0 {
		interval = DefaultBatchInterval
	}
	timeout := o.ExportTimeout
	if timeout <= 0 {
		timeout = DefaultExportTimeout
	}

	tracing := ob.global || ob.proxy || ob.backend
	metricsOn := ob.gMetrics || ob.pMetrics || ob.bMetrics
	ctx := context.Background()
	var readers []sdkmetric.Option
	fail := func(err error) (*Observer, error) {
		for _, q := range ob.queues {
			q.cancel()
			_ = q.Shutdown(canceled())
		}
		return nil, err
	}
	for _, x := range c.OTLP {
		if tracing && !x.DisableTraces {
			exp, err := spanExporter(ctx, x, timeout)
			if err != nil {
				return fail(fmt.Errorf("otel exporter %q: %w", x.Name, err))
			}
			name := x.Name
			ob.queues = append(ob.queues, newQueue(exp, qsize, batch, interval, timeout,
				func(err error) {
					ob.logRare("telemetry/opentelemetry: span export failed", "exporter", name, "error", err.Error())
				}))
		}
		if metricsOn && !x.DisableMetrics {
			exp, err := metricExporter(ctx, x, timeout)
			if err != nil {
				return fail(fmt.Errorf("otel exporter %q: %w", x.Name, err))
			}
			period := x.ReportingPeriod
			if period <= 0 {
				period = c.MetricReportingPeriod
			}
			name := x.Name
			exp = reportingExporter{Exporter: exp, report: func(err error) {
				ob.logRare("telemetry/opentelemetry: metric export failed", "exporter", name, "error", err.Error())
			}}
			readers = append(readers, sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp,
				sdkmetric.WithInterval(period), sdkmetric.WithTimeout(timeout), sdkmetric.WithProducer(ob.m))))
		}
	}
	for _, x := range c.Prometheus {
		if x.DisableMetrics || !metricsOn {
			continue
		}
		// Scrapes read the observer's aggregates directly (see prom.go).
		ob.prom = append(ob.prom, PrometheusListener{Name: x.Name, Address: x.address(),
			Handler: newPromHandler(ob.m.Produce, res, x.GoMetrics, x.ProcessMetrics)})
	}

	if len(ob.queues) > 0 {
		opts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res),
			sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(c.TraceSampleRate)))}
		for _, q := range ob.queues {
			opts = append(opts, sdktrace.WithSpanProcessor(q))
		}
		ob.tp = sdktrace.NewTracerProvider(opts...)
		ob.tracer = ob.tp.Tracer(scopeName)
	} else {
		ob.global, ob.proxy, ob.backend = false, false, false
	}
	if len(readers) > 0 {
		ob.mp = sdkmetric.NewMeterProvider(append(readers, sdkmetric.WithResource(res))...)
	} else if len(ob.prom) == 0 {
		ob.gMetrics, ob.pMetrics, ob.bMetrics = false, false, false
	}
	return ob, nil
}

func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

func firstPositive(v ...int) int {
	for _, n := range v {
		if n > 0 {
			return n
		}
	}
	return 0
}

// scopeName is the instrumentation scope of the spans and metrics.
const scopeName = "github.com/tributary-gw/tributary"

// Time buckets (seconds) and size buckets (bytes) of the histograms.
var (
	timeBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}
	sizeBuckets = []float64{128, 512, 1024, 4096, 16384, 65536, 262144, 1 << 20, 4 << 20}
)

// spanExporter builds the OTLP trace exporter of x.
func spanExporter(ctx context.Context, x OTLPExporter, timeout time.Duration) (sdktrace.SpanExporter, error) {
	if x.UseHTTP {
		opts := []otlptracehttp.Option{otlptracehttp.WithEndpoint(x.endpoint()), otlptracehttp.WithTimeout(timeout),
			otlptracehttp.WithRetry(otlptracehttp.RetryConfig{Enabled: true, InitialInterval: 100 * time.Millisecond,
				MaxInterval: time.Second, MaxElapsedTime: timeout})}
		if x.Secure {
			opts = append(opts, otlptracehttp.WithTLSClientConfig(&tls.Config{MinVersion: tls.VersionTLS12}))
		} else {
			opts = append(opts, otlptracehttp.WithInsecure())
		}
		if len(x.Headers) > 0 {
			opts = append(opts, otlptracehttp.WithHeaders(x.Headers))
		}
		if x.Compress {
			opts = append(opts, otlptracehttp.WithCompression(otlptracehttp.GzipCompression))
		}
		return otlptracehttp.New(ctx, opts...)
	}
	opts := []otlptracegrpc.Option{otlptracegrpc.WithEndpoint(x.endpoint()), otlptracegrpc.WithTimeout(timeout),
		otlptracegrpc.WithRetry(otlptracegrpc.RetryConfig{Enabled: true, InitialInterval: 100 * time.Millisecond,
			MaxInterval: time.Second, MaxElapsedTime: timeout})}
	if x.Secure {
		opts = append(opts, otlptracegrpc.WithTLSCredentials(credentials.NewTLS(&tls.Config{MinVersion: tls.VersionTLS12})))
	} else {
		opts = append(opts, otlptracegrpc.WithInsecure())
	}
	if len(x.Headers) > 0 {
		opts = append(opts, otlptracegrpc.WithHeaders(x.Headers))
	}
	if x.Compress {
		opts = append(opts, otlptracegrpc.WithCompressor("gzip"))
	}
	return otlptracegrpc.New(ctx, opts...)
}

// metricExporter builds the OTLP metric exporter of x.
func metricExporter(ctx context.Context, x OTLPExporter, timeout time.Duration) (sdkmetric.Exporter, error) {
	if x.UseHTTP {
		opts := []otlpmetrichttp.Option{otlpmetrichttp.WithEndpoint(x.endpoint()), otlpmetrichttp.WithTimeout(timeout),
			otlpmetrichttp.WithRetry(otlpmetrichttp.RetryConfig{Enabled: true, InitialInterval: 100 * time.Millisecond,
				MaxInterval: time.Second, MaxElapsedTime: timeout})}
		if x.Secure {
			opts = append(opts, otlpmetrichttp.WithTLSClientConfig(&tls.Config{MinVersion: tls.VersionTLS12}))
		} else {
			opts = append(opts, otlpmetrichttp.WithInsecure())
		}
		if len(x.Headers) > 0 {
			opts = append(opts, otlpmetrichttp.WithHeaders(x.Headers))
		}
		if x.Compress {
			opts = append(opts, otlpmetrichttp.WithCompression(otlpmetrichttp.GzipCompression))
		}
		return otlpmetrichttp.New(ctx, opts...)
	}
	opts := []otlpmetricgrpc.Option{otlpmetricgrpc.WithEndpoint(x.endpoint()), otlpmetricgrpc.WithTimeout(timeout),
		otlpmetricgrpc.WithRetry(otlpmetricgrpc.RetryConfig{Enabled: true, InitialInterval: 100 * time.Millisecond,
			MaxInterval: time.Second, MaxElapsedTime: timeout})}
	if x.Secure {
		opts = append(opts, otlpmetricgrpc.WithTLSCredentials(credentials.NewTLS(&tls.Config{MinVersion: tls.VersionTLS12})))
	} else {
		opts = append(opts, otlpmetricgrpc.WithInsecure())
	}
	if len(x.Headers) > 0 {
		opts = append(opts, otlpmetricgrpc.WithHeaders(x.Headers))
	}
	if x.Compress {
		opts = append(opts, otlpmetricgrpc.WithCompressor("gzip"))
	}
	return otlpmetricgrpc.New(ctx, opts...)
}

// setSkips compiles skip_paths (nil: the built-ins).
func (ob *Observer) setSkips(paths []string, health string) {
	if paths == nil {
		if health == "" {
			health = "/__health"
		}
		paths = []string{health, "/__debug/", "/__echo/"}
	}
	ob.skipExact = make(map[string]bool, len(paths))
	for _, p := range paths {
		ob.skipExact[p] = true
		if strings.HasSuffix(p, "/") {
			ob.skipPrefix = append(ob.skipPrefix, p)
		}
	}
}

// skipped reports whether a request path or endpoint template is in
// skip_paths (an entry ending in "/" covers every path under it).
func (ob *Observer) skipped(p string) bool {
	if ob.skipExact[p] {
		return true
	}
	for _, pre := range ob.skipPrefix {
		if strings.HasPrefix(p, pre) {
			return true
		}
	}
	return false
}

// SetLogger replaces the logger of rate-limited export problems.
func (ob *Observer) SetLogger(l *slog.Logger) {
	if l != nil {
		ob.logger.Store(l)
	}
}

// logRare logs at most one line per logEvery, adding the spans dropped so
// far.
func (ob *Observer) logRare(msg string, args ...any) {
	now := time.Now().UnixNano()
	last := ob.lastLog.Load()
	if last != 0 && now-last < int64(logEvery) || !ob.lastLog.CompareAndSwap(last, now) {
		return
	}
	ob.logger.Load().Warn(msg, append(args, "dropped_spans", ob.Dropped())...)
}

// Dropped is the number of ended spans not exported: dropped because an
// exporter's queue was full, or lost in a failed export.
func (ob *Observer) Dropped() uint64 {
	var n uint64
	for _, q := range ob.queues {
		n += q.dropped.Load() + q.failed.Load()
	}
	return n
}

// QueueDropped is the number of spans dropped because a queue was full
// (a subset of Dropped).
func (ob *Observer) QueueDropped() uint64 {
	var n uint64
	for _, q := range ob.queues {
		n += q.dropped.Load()
	}
	return n
}

// Prometheus returns the Prometheus exporters to serve, each with its
// handler (nil when none is configured or metrics are off).
func (ob *Observer) Prometheus() []PrometheusListener { return ob.prom }

// Propagates reports whether backend calls get a traceparent.
func (ob *Observer) Propagates() bool { return ob.tracer != nil }

// trustedClient reports whether ip may set the trace context.
func (ob *Observer) trustedClient(ip string) bool {
	if len(ob.trusted) == 0 || ip == "" {
		return false
	}
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range ob.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// remoteParent returns ctx with the client's trace context when the
// client is trusted and sent exactly one well-formed traceparent.
func (ob *Observer) remoteParent(ctx context.Context, r *observe.Request) context.Context {
	tp := r.Header["Traceparent"]
	if len(tp) != 1 || len(tp[0]) > MaxTraceparentBytes || !ob.trustedClient(r.ClientIP) {
		return ctx
	}
	h := http.Header{"Traceparent": tp}
	if ts := r.Header["Tracestate"]; len(ts) == 1 && len(ts[0]) <= MaxTracestateBytes {
		h["Tracestate"] = ts
	}
	return ob.prop.Extract(ctx, propagation.HeaderCarrier(h))
}

// Begin starts the global and proxy spans of r.
func (ob *Observer) Begin(ctx context.Context, r *observe.Request) context.Context {
	if ob.tracer == nil || ob.skipped(r.Path) {
		return ctx
	}
	ctx = ob.remoteParent(ctx, r)
	if ob.never {
		if parent := trace.SpanContextFromContext(ctx); !parent.IsSampled() {
			// Nothing will be recorded: a bare trace context (the
			// parent's trace, or a new one) is all the backends need.
			return trace.ContextWithSpanContext(ctx, unsampled(parent))
		}
	}
	st := &state{}
	if ob.global {
		ctx, st.global = ob.tracer.Start(ctx, r.Method, ob.serverStart...)
	}
	if ob.proxy {
		ctx, st.proxy = ob.tracer.Start(ctx, "proxy", ob.internalStart...)
	}
	return context.WithValue(ctx, stateKey{}, st)
}

// unsampled is a new, unsampled span context in parent's trace (or in a
// new trace when parent is invalid).
func unsampled(parent trace.SpanContext) trace.SpanContext {
	tid := parent.TraceID()
	if !parent.IsValid() {
		for !tid.IsValid() {
			binary.BigEndian.PutUint64(tid[:8], rand.Uint64())
			binary.BigEndian.PutUint64(tid[8:], rand.Uint64())
		}
	}
	var sid trace.SpanID
	for !sid.IsValid() {
		binary.BigEndian.PutUint64(sid[:], rand.Uint64())
	}
	return trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceState: parent.TraceState()})
}

// BackendStart starts the span of backend call b.
func (ob *Observer) BackendStart(ctx context.Context, r *observe.Request, b *observe.Backend) context.Context {
	if !ob.backend || ctx.Value(stateKey{}) == nil || ob.skipped(r.Route) {
		return ctx
	}
	ctx, _ = ob.tracer.Start(ctx, b.Pattern, ob.clientStart...)
	return ctx
}

// Inject writes the call's trace context to h (W3C traceparent, and
// tracestate when there is one), replacing any the client's headers
// brought along.
func (ob *Observer) Inject(ctx context.Context, h http.Header) {
	delete(h, "Traceparent")
	delete(h, "Tracestate")
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() {
		return
	}
	var buf [55]byte
	tid, sid := sc.TraceID(), sc.SpanID()
	copy(buf[:], "00-")
	hex.Encode(buf[3:35], tid[:])
	buf[35] = '-'
	hex.Encode(buf[36:52], sid[:])
	copy(buf[52:], "-00")
	if sc.IsSampled() {
		buf[54] = '1'
	}
	h["Traceparent"] = []string{string(buf[:])}
	if ts := sc.TraceState().String(); ts != "" {
		h["Tracestate"] = []string{ts}
	}
}

// BackendEnd ends the span of backend call b and records its metrics.
func (ob *Observer) BackendEnd(ctx context.Context, r *observe.Request, b *observe.Backend) {
	if ob.skipped(r.Route) {
		return
	}
	if ob.bMetrics {
		var flags uint8
		if b.Err != nil && errors.Is(b.Err, context.Canceled) {
			flags |= flagCanceled
		} else if !b.OK {
			flags |= flagError
		}
		if b.OK {
			flags |= flagComplete
		}
		ob.m.backendDuration.record(attrKey{layer: layerBackend, route: r.Route, method: r.Method, pattern: b.Pattern,
			bmethod: b.Method, host: b.Host, status: b.Status, flags: flags}, b.Duration.Seconds())
	}
	if !ob.backend || ctx.Value(stateKey{}) == nil {
		return
	}
	s := trace.SpanFromContext(ctx)
	if !s.IsRecording() {
		s.End()
		return
	}
	s.SetAttributes(
		attribute.String("krakend.stage", "backend"),
		attribute.String("http.request.method", b.Method),
		attribute.String("http.route", b.Pattern),
		attribute.String("krakend.endpoint", r.Route),
		attribute.String("server.address", b.Host),
		attribute.Int("http.response.status_code", b.Status),
		attribute.Bool("complete", b.OK),
	)
	if b.Answered {
		s.SetAttributes(attribute.Bool("tributary.answered_by_stage", true))
	}
	if b.Timeout {
		s.SetAttributes(attribute.Bool("timeout", true))
	}
	if b.Err != nil {
		s.SetStatus(codes.Error, errorKind(b))
	}
	s.End(trace.WithTimestamp(b.Start.Add(b.Duration)))
}

// errorKind is a span status description that never carries a backend
// address or body.
func errorKind(b *observe.Backend) string {
	switch {
	case b.Timeout:
		return "timeout"
	case errors.Is(b.Err, context.Canceled):
		return "canceled"
	case b.Status != 0:
		return fmt.Sprintf("backend status %d", b.Status)
	}
	return "backend call failed"
}

// End ends r's spans and records the global and proxy metrics.
func (ob *Observer) End(ctx context.Context, r *observe.Request) {
	if ob.skipped(r.Path) || ob.skipped(r.Route) {
		return
	}
	if ob.gMetrics {
		k := attrKey{layer: layerGlobal, route: r.Route, method: r.Method, status: r.Status}
		ob.m.serverDuration.record(k, r.Duration.Seconds())
		ob.m.serverSize.record(k, float64(r.Bytes))
	}
	if ob.pMetrics && r.Route != "" {
		var flags uint8
		if r.Complete {
			flags |= flagComplete
		}
		if r.Status >= 500 {
			flags |= flagError
		}
		ob.m.proxyDuration.record(attrKey{layer: layerProxy, route: r.Route, method: r.Method, flags: flags}, r.Duration.Seconds())
	}
	st, _ := ctx.Value(stateKey{}).(*state)
	if st == nil {
		return
	}
	end := r.Start.Add(r.Duration)
	if s := st.proxy; s != nil && r.Route != "" {
		// An unmatched request never reached an endpoint: its proxy span
		// is not ended, so never exported.
		if s.IsRecording() {
			s.SetName(r.Route)
			s.SetAttributes(attribute.String("krakend.stage", "proxy"), attribute.String("http.route", r.Route),
				attribute.String("http.request.method", r.Method), attribute.Bool("complete", r.Complete),
				attribute.Int("http.response.status_code", r.Status))
			s.End(trace.WithTimestamp(end))
		} else {
			s.End()
		}
	}
	if s := st.global; s != nil {
		if !s.IsRecording() {
			s.End()
			return
		}
		if r.Route != "" {
			s.SetName(r.Method + " " + r.Route)
		}
		s.SetAttributes(
			attribute.String("http.request.method", r.Method),
			attribute.String("http.route", r.Route),
			attribute.String("url.path", r.Path),
			attribute.Int("http.response.status_code", r.Status),
			attribute.Int("http.response.body.size", r.Bytes),
			attribute.Bool("complete", r.Complete),
		)
		if r.ClientIP != "" {
			s.SetAttributes(attribute.String("client.address", r.ClientIP))
		}
		if r.RequestID != "" {
			s.SetAttributes(attribute.String("http.request.id", r.RequestID))
		}
		if r.Status >= 500 {
			s.SetStatus(codes.Error, http.StatusText(r.Status))
		}
		s.End(trace.WithTimestamp(end))
	}
}

// set is the attribute set of k.
func (k attrKey) set() attribute.Set {
	var kv []attribute.KeyValue
	switch k.layer {
	case layerGlobal:
		kv = []attribute.KeyValue{attribute.String("http.route", k.route), attribute.String("http.request.method", k.method),
			attribute.Int("http.response.status_code", k.status)}
	case layerProxy:
		kv = []attribute.KeyValue{attribute.String("http.route", k.route), attribute.String("http.request.method", k.method),
			attribute.Bool("error", k.flags&flagError != 0), attribute.Bool("complete", k.flags&flagComplete != 0)}
	default:
		kv = []attribute.KeyValue{attribute.String("http.route", k.pattern), attribute.String("krakend.endpoint", k.route),
			attribute.String("krakend.endpoint_method", k.method), attribute.String("http.request.method", k.bmethod),
			attribute.String("server.address", k.host), attribute.Int("http.response.status_code", k.status),
			attribute.Bool("error", k.flags&flagError != 0), attribute.Bool("canceled", k.flags&flagCanceled != 0),
			attribute.Bool("complete", k.flags&flagComplete != 0)}
	}
	return attribute.NewSet(kv...)
}

// Flush exports the queued spans and the current metrics, giving up when
// ctx ends. A Lambda function calls it before each invocation returns.
func (ob *Observer) Flush(ctx context.Context) error {
	var errs []error
	if ob.tp != nil {
		errs = append(errs, ob.tp.ForceFlush(ctx))
	}
	if ob.mp != nil {
		errs = append(errs, ob.mp.ForceFlush(ctx))
	}
	return errors.Join(errs...)
}

// Shutdown flushes and stops the exporters, giving up when ctx ends; the
// background goroutines are gone when it returns.
func (ob *Observer) Shutdown(ctx context.Context) error {
	var errs []error
	if ob.tp != nil {
		errs = append(errs, ob.tp.Shutdown(ctx))
	}
	if ob.mp != nil {
		errs = append(errs, ob.mp.Shutdown(ctx))
	}
	return errors.Join(errs...)
}
