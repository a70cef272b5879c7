package main

import (
	"math"
	"math/bits"
	"time"
)

// The histogram is log-linear, like HdrHistogram: values below
// 2×histSub nanoseconds have a bucket each; above that every power-of-two
// range [2^k, 2^(k+1)) is split into histSub equal buckets, so a reported
// value is within 1/(2×histSub) (0.4 %) of every value in its bucket.
const (
	histSubBits = 7
	histSub     = 1 << histSubBits
	// histMaxNanos is the largest value tracked (about 18 minutes); larger
	// values are counted as histMaxNanos.
	histMaxNanos = 1<<40 - 1
	// histBuckets is bucketIndex(histMaxNanos) + 1.
	histBuckets = (40-histSubBits-1)*histSub + 2*histSub
)

// hist records latencies without allocating. The zero value is an empty
// histogram ready to use. It is not safe for concurrent use: each load
// worker owns one and the results are merged after the run.
type hist struct {
	counts [histBuckets]uint64
	n      uint64
	sum    uint64 // nanoseconds; overflows only after ~584 years of samples
	min    uint64
	max    uint64
}

// bucketIndex maps a value in nanoseconds to its bucket.
func bucketIndex(v uint64) int {
	if v < 2*histSub {
		return int(v)
	}
	shift := bits.Len64(v) - (histSubBits + 1)
	return shift*histSub + int(v>>uint(shift))
}

// bucketValue returns the midpoint of bucket i, the value reported for
// every sample in it (exact for the unit-wide buckets).
func bucketValue(i int) uint64 {
	if i < 2*histSub {
		return uint64(i)
	}
	shift := i/histSub - 1
	top := uint64(i - shift*histSub)
	width := uint64(1) << uint(shift)
	return top<<uint(shift) + width/2
}

// record adds one latency. Negative durations count as 0.
func (h *hist) record(d time.Duration) {
	v := uint64(0)
	if d > 0 {
		v = uint64(d)
	}
	if v > histMaxNanos {
		v = histMaxNanos
	}
	h.counts[bucketIndex(v)]++
	if h.n == 0 || v < h.min {
		h.min = v
	}
	if v > h.max {
		h.max = v
	}
	h.n++
	h.sum += v
}

// merge adds every sample of o to h.
func (h *hist) merge(o *hist) {
	if o.n == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	if o.max > h.max {
		h.max = o.max
	}
	h.n += o.n
	h.sum += o.sum
}

// count returns the number of samples.
func (h *hist) count() uint64 { return h.n }

// mean returns the mean latency, or 0 when empty.
func (h *hist) mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.sum / h.n)
}

// quantile returns the value at quantile q (0 ≤ q ≤ 1; clamped): the
// value of the bucket holding the ⌈q×n⌉-th smallest sample, clamped to the
// exact minimum and maximum seen (which are returned exactly for the first
// and the last rank). It returns 0 when the histogram is empty.
func (h *hist) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	if math.IsNaN(q) || q < 0 {
		q = 0
	}
	if q > 1 {
		q = 1
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	switch {
	case rank <= 1:
		return time.Duration(h.min)
	case rank >= h.n:
		return time.Duration(h.max)
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			v := bucketValue(i)
			v = max(v, h.min)
			v = min(v, h.max)
			return time.Duration(v)
		}
	}
	return time.Duration(h.max)
}
