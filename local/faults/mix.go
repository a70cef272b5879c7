package faults

import (
	"math/rand/v2"
	"slices"
	"time"
)

// Variants returns the representative faults of kind k under l: each
// argument choice that leads to a different rule (under and over a cap,
// inside and past the budget, framed by Content-Length or chunked, junk
// in the same write or later).
func Variants(k Kind, l Limits) []Fault {
	b := l.Budget()
	ms := func(d time.Duration) int { return int(d / time.Millisecond) }
	switch k {
	case KindOK:
		return []Fault{F(KindOK, 0), F(KindOK, 2000)}
	case KindDelay:
		return []Fault{F(KindDelay, ms(b/10)), F(KindDelay, ms(b+max(b/2, 300*time.Millisecond)))}
	case KindTrickle:
		// 5 pieces over b/10 in all; 20 pieces over 2b.
		return []Fault{F(KindTrickle, 5, max(ms(b/50), 1)), F(KindTrickle, 20, max(ms(b/10), 1))}
	case KindReset:
		return []Fault{F(KindReset, 0), F(KindReset, 1)}
	case KindShort:
		return []Fault{F(KindShort, 1), F(KindShort, 100)}
	case KindExtra:
		return []Fault{F(KindExtra, 0, 0), F(KindExtra, 1, 0), F(KindExtra, 0, 5), F(KindExtra, 1, 15)}
	case KindAfter204:
		return []Fault{F(KindAfter204, 0), F(KindAfter204, 10)}
	case KindBadJSON:
		return []Fault{F(KindBadJSON, 0), F(KindBadJSON, 1), F(KindBadJSON, 2), F(KindBadJSON, 3)}
	case KindHuge:
		return []Fault{F(KindHuge, 1024, 0), F(KindHuge, 1024, 1), F(KindHuge, 3072, 0), F(KindHuge, 3072, 1)}
	case KindGzipBomb:
		return []Fault{F(KindGzipBomb, 64), F(KindGzipBomb, 1024)}
	case KindBadGzip:
		return []Fault{F(KindBadGzip, 0), F(KindBadGzip, 1)}
	case KindDeep:
		return []Fault{F(KindDeep, 100), F(KindDeep, 300), F(KindDeep, 1_000_000)}
	case KindBigHeader:
		return []Fault{F(KindBigHeader, 8), F(KindBigHeader, 80), F(KindBigHeader, 1024)}
	case KindStatus:
		codes := []int{200, 201, 202, 204, 206, 299, 301, 304, 400, 404, 429, 500, 502, 503, 504, 599}
		out := make([]Fault, len(codes))
		for i, c := range codes {
			out[i] = F(KindStatus, c)
		}
		return out
	case KindCookie:
		return []Fault{F(KindCookie, 1), F(KindCookie, 5)}
	}
	return []Fault{F(k)} // hang, html, gzip, redirect
}

// weights is how often the random mix picks each kind, out of their sum.
var weights = []struct {
	kind Kind
	w    int
}{
	{KindOK, 40}, {KindDelay, 6}, {KindHang, 3}, {KindTrickle, 4}, {KindReset, 3},
	{KindShort, 3}, {KindExtra, 7}, {KindAfter204, 4}, {KindBadJSON, 3}, {KindHTML, 2},
	{KindHuge, 2}, {KindGzip, 2}, {KindGzipBomb, 1}, {KindBadGzip, 2}, {KindDeep, 2},
	{KindBigHeader, 2}, {KindStatus, 6}, {KindRedirect, 2}, {KindCookie, 3},
}

// RandomFault picks a fault of the soak mix: ok most of the time, every
// other kind in proportion, one of its variants at random, and for the
// junk faults a delay of 2–20 ms when the junk comes in a later write.
// When only is non-empty, the mix is restricted to ok and those kinds.
func RandomFault(rng *rand.Rand, l Limits, only []Kind) Fault {
	total := 0
	for _, w := range weights {
		if allowed(w.kind, only) {
			total += w.w
		}
	}
	r := rng.IntN(total)
	kind := KindOK
	for _, w := range weights {
		if !allowed(w.kind, only) {
			continue
		}
		if r < w.w {
			kind = w.kind
			break
		}
		r -= w.w
	}
	vs := Variants(kind, l)
	f := vs[rng.IntN(len(vs))]
	switch {
	case f.Kind == KindExtra && f.B > 0:
		f.B = 2 + rng.IntN(19)
	case f.Kind == KindAfter204 && f.A > 0:
		f.A = 2 + rng.IntN(19)
	}
	return f
}

// allowed reports whether kind k is in the mix restricted to only (ok is
// always in it).
func allowed(k Kind, only []Kind) bool {
	return len(only) == 0 || k == KindOK || slices.Contains(only, k)
}

// RandomFaults picks 1–MaxBackends faults of the soak mix (see
// RandomFault).
func RandomFaults(rng *rand.Rand, l Limits, only []Kind) []Fault {
	out := make([]Fault, 1+rng.IntN(MaxBackends))
	for i := range out {
		out[i] = RandomFault(rng, l, only)
	}
	return out
}

// ClassCases returns the requests that exercise kind k: each variant
// alone, beside an ok backend, between two, and on all three backends.
func ClassCases(k Kind, l Limits) [][]Fault {
	ok := F(KindOK, 0)
	var out [][]Fault
	for _, v := range Variants(k, l) {
		out = append(out, []Fault{v}, []Fault{v, ok}, []Fault{ok, v, ok}, []Fault{v, v, v})
	}
	return out
}
