package faults

import "time"

// Outcome is what a backend call must come to, as the gateway sees it
// (krakend-compat.md §14.1).
type Outcome uint8

// The outcomes.
const (
	// Success: 2xx, decoded and shaped; its data is in the response.
	Success Outcome = iota
	// Failure: any failure that is not a timeout (502 when alone).
	Failure
	// Timeout: the backend budget ended it (504 when alone).
	Timeout
	// SuccessOrTimeout: the fault's timing is too close to the budget to
	// call; either is right.
	SuccessOrTimeout
)

// String names the outcome.
func (o Outcome) String() string {
	switch o {
	case Success:
		return "success"
	case Failure:
		return "failure"
	case Timeout:
		return "timeout"
	}
	return "success-or-timeout"
}

// Limits are the gateway settings an expectation depends on.
type Limits struct {
	// Timeout is the endpoint timeout T.
	Timeout time.Duration
	// MaxBody is the backend body cap after decompression. Default 2 MiB.
	MaxBody int
}

// Budget returns the backend budget B = T − min(T/10, 200ms)
// (krakend-compat.md §15).
func (l Limits) Budget() time.Duration {
	return l.Timeout - min(l.Timeout/10, 200*time.Millisecond)
}

// maxBody returns MaxBody or its default, 2 MiB.
func (l Limits) maxBody() int {
	if l.MaxBody > 0 {
		return l.MaxBody
	}
	return 2 << 20
}

// Expectation is what one backend call must produce.
type Expectation struct {
	// Outcome is the call's expected outcome.
	Outcome Outcome
	// Empty is set when a successful call carries no data: its group in
	// the response is {} (a 204, or a body after a 204 that must be
	// ignored).
	Empty bool
}

// Expect returns the expected outcome of f under l.
func Expect(f Fault, l Limits) Expectation {
	switch f.Kind {
	case KindOK, KindGzip, KindCookie, KindExtra:
		return Expectation{Outcome: Success}
	case KindAfter204:
		return Expectation{Outcome: Success, Empty: true}
	case KindDelay:
		return Expectation{Outcome: timing(time.Duration(f.A)*time.Millisecond, l)}
	case KindTrickle:
		return Expectation{Outcome: timing(time.Duration(f.A)*time.Duration(f.B)*time.Millisecond, l)}
	case KindHang:
		return Expectation{Outcome: Timeout}
	case KindHuge:
		if hugeSize(f) <= l.maxBody() {
			return Expectation{Outcome: Success}
		}
		return Expectation{Outcome: Failure}
	case KindDeep:
		// The cap is 256 levels; the suite stays clear of the edge.
		if f.A <= deepOKMax {
			return Expectation{Outcome: Success}
		}
		return Expectation{Outcome: Failure}
	case KindBigHeader:
		if f.A <= bigHeaderOKMax {
			return Expectation{Outcome: Success}
		}
		return Expectation{Outcome: Failure}
	case KindStatus:
		if f.A >= 200 && f.A <= 299 {
			return Expectation{Outcome: Success, Empty: !bodyAllowed(f.A)}
		}
		return Expectation{Outcome: Failure}
	}
	// reset, short, badjson, html, gzipbomb, badgzip, redirect.
	return Expectation{Outcome: Failure}
}

// Limits of the "clearly fine" side of the capped faults.
const (
	// deepOKMax is the deepest nesting expected to pass (the cap is 256).
	deepOKMax = 200
	// bigHeaderOKMax is the largest header block, in KiB, expected to pass
	// (the cap is 64 KiB).
	bigHeaderOKMax = 32
)

// timing classifies a fault that takes d before its response is complete:
// well inside the budget is a success, well past it a timeout, and the
// band in between may go either way on a loaded machine.
func timing(d time.Duration, l Limits) Outcome {
	b := l.Budget()
	switch {
	case d <= b/2:
		return Success
	case d >= b+max(b/5, 100*time.Millisecond):
		return Timeout
	}
	return SuccessOrTimeout
}

// bodyAllowed reports whether a response with this status may carry a
// body (RFC 9110: not 1xx, 204 or 304).
func bodyAllowed(status int) bool {
	return status >= 200 && status != 204 && status != 304
}

// hugeSize is the body size in bytes of a huge fault.
func hugeSize(f Fault) int { return f.A << 10 }
