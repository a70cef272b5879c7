package metrics

import (
	"math"
	"math/bits"
	"sync/atomic"
)

// Histogram summarises int64 observations (nanoseconds, bytes) in
// power-of-two buckets: count, min, max, mean and standard deviation are
// exact; percentiles are interpolated inside their bucket. The zero value
// is ready; updates are lock-free and never allocate.
type Histogram struct {
	count   atomic.Int64
	sum     atomic.Int64
	sumSq   atomic.Uint64 // float64 bits
	min     atomic.Int64  // valid when count > 0; stored as value+1 so 0 means unset
	max     atomic.Int64
	buckets [65]atomic.Int64 // bucket i holds values of bit length i
}

// Update records v; negative values count as 0.
func (h *Histogram) Update(v int64) {
	v = max(v, 0)
	h.buckets[bits.Len64(uint64(v))].Add(1)
	h.sum.Add(v)
	for {
		old := h.sumSq.Load()
		f := math.Float64frombits(old) + float64(v)*float64(v)
		if h.sumSq.CompareAndSwap(old, math.Float64bits(f)) {
			break
		}
	}
	for {
		m := h.min.Load()
		if m != 0 && m-1 <= v || h.min.CompareAndSwap(m, v+1) {
			break
		}
	}
	for {
		m := h.max.Load()
		if m >= v || h.max.CompareAndSwap(m, v) {
			break
		}
	}
	h.count.Add(1)
}

// Snapshot is a histogram's summary at one moment.
type Snapshot struct {
	Count              int64
	Min, Max           int64
	Mean, StdDev       float64
	P50, P75, P95, P99 float64
	P999               float64
}

// Snapshot summarises the observations so far (all zero when there are
// none, as KrakenD reports an empty histogram).
func (h *Histogram) Snapshot() Snapshot {
	var counts [65]int64
	var n int64
	for i := range counts {
		counts[i] = h.buckets[i].Load()
		n += counts[i]
	}
	if n == 0 {
		return Snapshot{}
	}
	s := Snapshot{Count: n, Min: max(h.min.Load()-1, 0), Max: h.max.Load()}
	sum := float64(h.sum.Load())
	s.Mean = sum / float64(n)
	if v := math.Float64frombits(h.sumSq.Load())/float64(n) - s.Mean*s.Mean; v > 0 {
		s.StdDev = math.Sqrt(v)
	}
	q := func(p float64) float64 {
		rank := p * float64(n)
		var seen int64
		for i, c := range counts {
			if c == 0 {
				continue
			}
			if float64(seen+c) >= rank {
				lo, hi := 0.0, 0.0
				if i > 0 {
					lo, hi = math.Ldexp(1, i-1), math.Ldexp(1, i)-1
				}
				v := lo + (hi-lo)*(rank-float64(seen))/float64(c)
				return math.Min(math.Max(v, float64(s.Min)), float64(s.Max))
			}
			seen += c
		}
		return float64(s.Max)
	}
	s.P50, s.P75, s.P95, s.P99, s.P999 = q(0.5), q(0.75), q(0.95), q(0.99), q(0.999)
	return s
}
