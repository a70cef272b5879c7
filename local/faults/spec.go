package faults

import (
	"fmt"
	"strconv"
	"strings"
)

// Kind names one backend behaviour.
type Kind string

// The fault kinds. The comment gives each one's path form; arguments are
// decimal integers separated by "-", and omitted ones take their default.
const (
	// KindOK answers 200 with the id-tagged JSON object: ok-<pad bytes>.
	KindOK Kind = "ok"
	// KindDelay answers like ok after a pause: delay-<ms>.
	KindDelay Kind = "delay"
	// KindHang reads the request and never answers (until the caller
	// leaves, or a safety cap of Server.MaxHold).
	KindHang Kind = "hang"
	// KindTrickle sends the head at once and the body in slow pieces:
	// trickle-<pieces>-<ms between pieces>.
	KindTrickle Kind = "trickle"
	// KindReset sends half the body then resets the connection (RST):
	// reset-<0 Content-Length | 1 chunked>.
	KindReset Kind = "reset"
	// KindShort declares a Content-Length larger than the body it sends,
	// then closes: short-<missing bytes>.
	KindShort Kind = "short"
	// KindExtra sends a complete response followed by a second, complete,
	// id-tagged response nobody asked for (the "junk", of another id), in
	// the same write or a later one: extra-<0 Content-Length | 1 chunked>-
	// <ms before the junk; 0 = same write>.
	KindExtra Kind = "extra"
	// KindAfter204 sends a 204 followed by a junk response, as KindExtra:
	// after204-<ms before the junk; 0 = same write>.
	KindAfter204 Kind = "after204"
	// KindBadJSON answers 200 with a body that is not one JSON object:
	// badjson-<0 truncated | 1 trailing garbage | 2 bad token | 3 array>.
	KindBadJSON Kind = "badjson"
	// KindHTML answers 200 with an HTML page.
	KindHTML Kind = "html"
	// KindHuge answers 200 with an id-tagged JSON object of the given size:
	// huge-<KiB>-<0 Content-Length | 1 chunked>.
	KindHuge Kind = "huge"
	// KindGzip answers with the ok body, gzip-encoded.
	KindGzip Kind = "gzip"
	// KindGzipBomb answers with a small gzip stream inflating to many
	// mebibytes of zeros: gzipbomb-<MiB inflated>.
	KindGzipBomb Kind = "gzipbomb"
	// KindBadGzip claims Content-Encoding gzip: badgzip-<0 plain JSON |
	// 1 truncated gzip stream>.
	KindBadGzip Kind = "badgzip"
	// KindDeep answers with arrays nested depth deep: deep-<depth>.
	KindDeep Kind = "deep"
	// KindBigHeader answers with a response header block of about the
	// given size: bigheader-<KiB>.
	KindBigHeader Kind = "bigheader"
	// KindStatus answers with any status (200–599) and an id-tagged body
	// where the status allows one: status-<code>.
	KindStatus Kind = "status"
	// KindRedirect answers 302 with a Location pointing at itself.
	KindRedirect Kind = "redirect"
	// KindCookie answers like ok with Set-Cookie headers: cookie-<count>.
	KindCookie Kind = "cookie"
)

// kindInfo describes the arguments of a kind.
type kindInfo struct {
	arity    int
	def      [2]int
	min, max [2]int
}

// kinds lists every kind with its argument rules. Limits keep the server
// bounded whatever a path asks for.
var kinds = map[Kind]kindInfo{
	KindOK:        {arity: 1, max: [2]int{1 << 20}},
	KindDelay:     {arity: 1, def: [2]int{100}, max: [2]int{60_000}},
	KindHang:      {},
	KindTrickle:   {arity: 2, def: [2]int{10, 50}, min: [2]int{1, 0}, max: [2]int{10_000, 10_000}},
	KindReset:     {arity: 1, max: [2]int{1}},
	KindShort:     {arity: 1, def: [2]int{100}, min: [2]int{1}, max: [2]int{1 << 20}},
	KindExtra:     {arity: 2, max: [2]int{1, 1000}},
	KindAfter204:  {arity: 1, max: [2]int{1000}},
	KindBadJSON:   {arity: 1, max: [2]int{3}},
	KindHTML:      {},
	KindHuge:      {arity: 2, def: [2]int{3072}, min: [2]int{1}, max: [2]int{256 << 10, 1}},
	KindGzip:      {},
	KindGzipBomb:  {arity: 1, def: [2]int{64}, min: [2]int{1}, max: [2]int{4096}},
	KindBadGzip:   {arity: 1, max: [2]int{1}},
	KindDeep:      {arity: 1, def: [2]int{300}, min: [2]int{1}, max: [2]int{1_000_000}},
	KindBigHeader: {arity: 1, def: [2]int{80}, min: [2]int{1}, max: [2]int{4096}},
	KindStatus:    {arity: 1, def: [2]int{500}, min: [2]int{200}, max: [2]int{599}},
	KindRedirect:  {},
	KindCookie:    {arity: 1, def: [2]int{2}, min: [2]int{1}, max: [2]int{50}},
}

// Fault is one backend behaviour with its arguments. Its String form is
// one path segment of the characters [a-z0-9-].
type Fault struct {
	// Kind is the behaviour.
	Kind Kind
	// A and B are the arguments; the kind decides how many it reads.
	A, B int
}

// F returns the fault of kind k with the given arguments (defaults for the
// missing ones). It panics on an unknown kind: it is meant for literals.
func F(k Kind, args ...int) Fault {
	info, ok := kinds[k]
	if !ok {
		panic("faults: unknown kind " + string(k))
	}
	f := Fault{Kind: k, A: info.def[0], B: info.def[1]}
	if len(args) > 0 {
		f.A = args[0]
	}
	if len(args) > 1 {
		f.B = args[1]
	}
	return f
}

// String returns the path segment naming f.
func (f Fault) String() string {
	switch kinds[f.Kind].arity {
	case 1:
		return string(f.Kind) + "-" + strconv.Itoa(f.A)
	case 2:
		return string(f.Kind) + "-" + strconv.Itoa(f.A) + "-" + strconv.Itoa(f.B)
	}
	return string(f.Kind)
}

// ParseFault reads a path segment written by Fault.String. Missing
// arguments take their defaults; out-of-range ones are an error.
func ParseFault(s string) (Fault, error) {
	parts := strings.Split(s, "-")
	k := Kind(parts[0])
	info, ok := kinds[k]
	if !ok {
		return Fault{}, fmt.Errorf("unknown fault %q", parts[0])
	}
	if len(parts)-1 > info.arity {
		return Fault{}, fmt.Errorf("fault %q takes %d argument(s)", k, info.arity)
	}
	f := Fault{Kind: k, A: info.def[0], B: info.def[1]}
	for i, p := range parts[1:] {
		v, err := strconv.Atoi(p)
		if err != nil || v < info.min[i] || v > info.max[i] {
			return Fault{}, fmt.Errorf("fault %q: argument %d is %q, want %d–%d", k, i+1, p, info.min[i], info.max[i])
		}
		if i == 0 {
			f.A = v
		} else {
			f.B = v
		}
	}
	return f, nil
}

// Kinds returns every fault kind, in a fixed order.
func Kinds() []Kind {
	return []Kind{KindOK, KindDelay, KindHang, KindTrickle, KindReset, KindShort, KindExtra,
		KindAfter204, KindBadJSON, KindHTML, KindHuge, KindGzip, KindGzipBomb, KindBadGzip,
		KindDeep, KindBigHeader, KindStatus, KindRedirect, KindCookie}
}
