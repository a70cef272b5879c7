package otel

import (
	"context"
	"sort"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// The request metrics are aggregated here rather than by the SDK's
// synchronous instruments: a measurement is a map lookup and a few
// additions under the series' own lock, whatever the number of exporters.
// The SDK's readers pull the cumulative histograms through the Producer
// interface (store.Produce) when they export or are scraped.

// maxSeries bounds the series of one histogram: attribute sets past it
// are folded into one overflow series (otel.metric.overflow=true).
const maxSeries = 2000

// histogram is one cumulative explicit-bucket histogram.
type histogram struct {
	name, unit, desc string
	bounds           []float64
	integer          bool // int64 data points (sizes)
	start            time.Time

	mu       sync.RWMutex
	series   map[attrKey]*series
	overflow *series
}

// series is one attribute set of a histogram.
type series struct {
	attrs    attribute.Set
	mu       sync.Mutex
	count    uint64
	sum      float64
	min, max float64
	buckets  []uint64
}

func newHistogram(name, unit, desc string, bounds []float64, integer bool) *histogram {
	return &histogram{name: name, unit: unit, desc: desc, bounds: bounds, integer: integer, start: time.Now(),
		series: map[attrKey]*series{}}
}

// record adds v to the series of k.
func (h *histogram) record(k attrKey, v float64) {
	h.mu.RLock()
	s := h.series[k]
	h.mu.RUnlock()
	if s == nil {
		s = h.add(k)
	}
	i := sort.SearchFloat64s(h.bounds, v) // first bound ≥ v: buckets are (prev, bound]
	s.mu.Lock()
	if s.count == 0 || v < s.min {
		s.min = v
	}
	if s.count == 0 || v > s.max {
		s.max = v
	}
	s.count++
	s.sum += v
	s.buckets[i]++
	s.mu.Unlock()
}

// add creates the series of k, or returns the overflow series when the
// histogram has too many.
func (h *histogram) add(k attrKey) *series {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s := h.series[k]; s != nil {
		return s
	}
	if len(h.series) >= maxSeries {
		if h.overflow == nil {
			h.overflow = &series{attrs: attribute.NewSet(attribute.Bool("otel.metric.overflow", true)),
				buckets: make([]uint64, len(h.bounds)+1)}
		}
		return h.overflow
	}
	s := &series{attrs: k.set(), buckets: make([]uint64, len(h.bounds)+1)}
	h.series[k] = s
	return s
}

// data returns the histogram's current cumulative state.
func (h *histogram) data(now time.Time) metricdata.Metrics {
	h.mu.RLock()
	list := make([]*series, 0, len(h.series)+1)
	for _, s := range h.series {
		list = append(list, s)
	}
	if h.overflow != nil {
		list = append(list, h.overflow)
	}
	h.mu.RUnlock()
	m := metricdata.Metrics{Name: h.name, Description: h.desc, Unit: h.unit}
	if h.integer {
		pts := make([]metricdata.HistogramDataPoint[int64], 0, len(list))
		for _, s := range list {
			s.mu.Lock()
			pts = append(pts, metricdata.HistogramDataPoint[int64]{Attributes: s.attrs, StartTime: h.start, Time: now,
				Count: s.count, Bounds: h.bounds, BucketCounts: append([]uint64(nil), s.buckets...),
				Min: metricdata.NewExtrema(int64(s.min)), Max: metricdata.NewExtrema(int64(s.max)), Sum: int64(s.sum)})
			s.mu.Unlock()
		}
		m.Data = metricdata.Histogram[int64]{Temporality: metricdata.CumulativeTemporality, DataPoints: pts}
		return m
	}
	pts := make([]metricdata.HistogramDataPoint[float64], 0, len(list))
	for _, s := range list {
		s.mu.Lock()
		pts = append(pts, metricdata.HistogramDataPoint[float64]{Attributes: s.attrs, StartTime: h.start, Time: now,
			Count: s.count, Bounds: h.bounds, BucketCounts: append([]uint64(nil), s.buckets...),
			Min: metricdata.NewExtrema(s.min), Max: metricdata.NewExtrema(s.max), Sum: s.sum})
		s.mu.Unlock()
	}
	m.Data = metricdata.Histogram[float64]{Temporality: metricdata.CumulativeTemporality, DataPoints: pts}
	return m
}

// store holds the request histograms and produces them for the readers.
type store struct {
	serverDuration, serverSize, proxyDuration, backendDuration *histogram
}

func newStore() *store {
	return &store{
		serverDuration: newHistogram("http.server.duration", "s",
			"Time from receiving a request to having its response ready", timeBuckets, false),
		serverSize: newHistogram("http.server.response.size", "By", "Response body size", sizeBuckets, true),
		proxyDuration: newHistogram("krakend.proxy.duration", "s",
			"Time an endpoint took to produce its response", timeBuckets, false),
		backendDuration: newHistogram("krakend.backend.duration", "s",
			"Time of one backend call, response processing included", timeBuckets, false),
	}
}

// Produce returns every histogram that has data (sdkmetric.Producer).
func (s *store) Produce(context.Context) ([]metricdata.ScopeMetrics, error) {
	now := time.Now()
	var ms []metricdata.Metrics
	for _, h := range []*histogram{s.serverDuration, s.serverSize, s.proxyDuration, s.backendDuration} {
		if m := h.data(now); hasPoints(m) {
			ms = append(ms, m)
		}
	}
	if len(ms) == 0 {
		return nil, nil
	}
	return []metricdata.ScopeMetrics{{Scope: instrumentation.Scope{Name: scopeName}, Metrics: ms}}, nil
}

func hasPoints(m metricdata.Metrics) bool {
	switch d := m.Data.(type) {
	case metricdata.Histogram[int64]:
		return len(d.DataPoints) > 0
	case metricdata.Histogram[float64]:
		return len(d.DataPoints) > 0
	}
	return false
}
