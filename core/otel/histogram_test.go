package otel

import (
	"testing"
	"time"

	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// TestHistogramBuckets: a value equal to a bound falls in that bound's
// bucket (upper bounds are inclusive), one above the last bound in the
// overflow bucket; count, sum, min and max follow; series beyond
// maxSeries fold into one overflow series.
func TestHistogramBuckets(t *testing.T) {
	h := newHistogram("x", "s", "", []float64{1, 2}, false)
	k := attrKey{layer: layerGlobal, route: "/a", method: "GET", status: 200}
	for _, v := range []float64{0.5, 1, 1.5, 2, 3} {
		h.record(k, v)
	}
	d := h.data(time.Now()).Data.(metricdata.Histogram[float64])
	if len(d.DataPoints) != 1 {
		t.Fatalf("%d points", len(d.DataPoints))
	}
	p := d.DataPoints[0]
	if want := []uint64{2, 2, 1}; len(p.BucketCounts) != 3 || p.BucketCounts[0] != want[0] || p.BucketCounts[1] != want[1] || p.BucketCounts[2] != want[2] {
		t.Errorf("buckets %v, want %v", p.BucketCounts, want)
	}
	mn, _ := p.Min.Value()
	mx, _ := p.Max.Value()
	if p.Count != 5 || p.Sum != 8 || mn != 0.5 || mx != 3 {
		t.Errorf("count %d sum %v min %v max %v", p.Count, p.Sum, mn, mx)
	}
	if v, ok := p.Attributes.Value("http.route"); !ok || v.AsString() != "/a" {
		t.Errorf("attributes %v", p.Attributes)
	}
	for i := range maxSeries + 10 {
		h.record(attrKey{layer: layerGlobal, route: "/r", status: i}, 1)
	}
	d = h.data(time.Now()).Data.(metricdata.Histogram[float64])
	if len(d.DataPoints) != maxSeries+1 {
		t.Errorf("%d series, want %d and the overflow one", len(d.DataPoints), maxSeries)
	}
}
