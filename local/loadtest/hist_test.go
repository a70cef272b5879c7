package main

import (
	"math"
	"sort"
	"testing"
	"time"
)

// exactQuantile is the reference: the ⌈q×n⌉-th smallest value.
func exactQuantile(sorted []time.Duration, q float64) time.Duration {
	rank := int(math.Ceil(q * float64(len(sorted))))
	rank = max(rank, 1)
	return sorted[rank-1]
}

func TestHistQuantiles(t *testing.T) {
	uniform := func(n int, step time.Duration) []time.Duration {
		v := make([]time.Duration, n)
		for i := range v {
			v[i] = time.Duration(i+1) * step
		}
		return v
	}
	tests := []struct {
		name   string
		values []time.Duration
	}{
		{"single", []time.Duration{1500 * time.Microsecond}},
		{"tiny exact values", []time.Duration{3, 7, 7, 100, 255}},
		{"uniform µs", uniform(10000, time.Microsecond)},
		{"uniform ms", uniform(1000, time.Millisecond)},
		{"bimodal", append(uniform(990, 10*time.Microsecond), uniform(10, 50*time.Millisecond)...)},
		{"long tail", []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond, 3 * time.Second}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var h hist
			for _, v := range tc.values {
				h.record(v)
			}
			sorted := append([]time.Duration(nil), tc.values...)
			sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
			if h.count() != uint64(len(sorted)) {
				t.Fatalf("count = %d, want %d", h.count(), len(sorted))
			}
			for _, q := range []float64{0, 0.25, 0.5, 0.9, 0.99, 0.999, 1} {
				want := exactQuantile(sorted, q)
				got := h.quantile(q)
				if diff := math.Abs(float64(got - want)); diff > float64(want)/256+1 {
					t.Errorf("quantile(%v) = %v, want %v ± 0.4%%", q, got, want)
				}
			}
			if got, want := h.quantile(0), sorted[0]; got != want {
				t.Errorf("quantile(0) = %v, want the exact minimum %v", got, want)
			}
			if got, want := h.quantile(1), sorted[len(sorted)-1]; got != want {
				t.Errorf("quantile(1) = %v, want the exact maximum %v", got, want)
			}
		})
	}
}

func TestHistEdgeCases(t *testing.T) {
	var empty hist
	if empty.quantile(0.5) != 0 || empty.mean() != 0 || empty.count() != 0 {
		t.Errorf("empty histogram: quantile %v mean %v count %d, want zeros", empty.quantile(0.5), empty.mean(), empty.count())
	}
	var h hist
	h.record(-time.Second)
	h.record(time.Hour)
	if got := h.quantile(0); got != 0 {
		t.Errorf("negative sample recorded as %v, want 0", got)
	}
	if got := h.quantile(1); got != histMaxNanos {
		t.Errorf("huge sample recorded as %v, want the cap %v", got, time.Duration(histMaxNanos))
	}
	for _, q := range []float64{-1, math.NaN()} {
		if got := h.quantile(q); got != 0 {
			t.Errorf("quantile(%v) = %v, want the minimum", q, got)
		}
	}
	if got := h.quantile(2); got != histMaxNanos {
		t.Errorf("quantile(2) = %v, want the maximum", got)
	}
}

func TestHistMergeMatchesCombined(t *testing.T) {
	var a, b, all hist
	for i := 1; i <= 5000; i++ {
		d := time.Duration(i*i) * time.Nanosecond
		if i%3 == 0 {
			a.record(d)
		} else {
			b.record(d)
		}
		all.record(d)
	}
	var m hist
	m.merge(&a)
	m.merge(&hist{})
	m.merge(&b)
	if m != all {
		for _, q := range []float64{0, 0.5, 0.99, 1} {
			t.Logf("q %v: merged %v combined %v", q, m.quantile(q), all.quantile(q))
		}
		t.Fatal("merging two halves differs from recording everything into one histogram")
	}
	if m.mean() != all.mean() {
		t.Errorf("mean %v, want %v", m.mean(), all.mean())
	}
}

func TestBucketsAreContiguousAndTight(t *testing.T) {
	prev := -1
	for v := uint64(0); v < 1<<20; v += 1 + v/512 {
		i := bucketIndex(v)
		if i < prev {
			t.Fatalf("bucketIndex(%d) = %d < %d: not monotonic", v, i, prev)
		}
		prev = i
		mid := bucketValue(i)
		if diff := math.Abs(float64(mid) - float64(v)); diff > float64(v)/256+1 {
			t.Fatalf("value %d reported as %d: more than 0.4%% off", v, mid)
		}
	}
	if got := bucketIndex(histMaxNanos); got != histBuckets-1 {
		t.Errorf("bucketIndex(max) = %d, want the last bucket %d", got, histBuckets-1)
	}
}

func TestHistRecordDoesNotAllocate(t *testing.T) {
	var h hist
	d := time.Duration(1)
	allocs := testing.AllocsPerRun(1000, func() {
		h.record(d)
		d = d*7 + 13
	})
	if allocs != 0 {
		t.Errorf("record allocates %v times per call, want 0", allocs)
	}
}
