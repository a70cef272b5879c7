package faults

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"
)

// Target is the gateway under test, however it runs.
type Target struct {
	// URL is "http://127.0.0.1:PORT", Addr "127.0.0.1:PORT".
	URL, Addr string
	// Sample reads the gateway process's resources.
	Sample func() ProcSample
	// IdleSample, when set, reads them for the after-idle sample instead
	// of Sample: the child gateway first runs the GC and returns freed
	// memory to the OS, so its RSS shows what is still held.
	IdleSample func() ProcSample
	// Errors returns the number of ERROR records the gateway logged and
	// the first few (nil: not watched).
	Errors func() (int, []string)
}

// Suite is a fault server, a gateway in front of it, and the settings
// every run shares.
type Suite struct {
	// Target is the gateway under test.
	Target Target
	// Server is the fault backend behind it.
	Server *Server
	// Gateway are the options its config was generated with.
	Gateway GatewayOptions
	// Margin is the latency allowance past the endpoint timeout.
	Margin time.Duration
	// Tolerance is how far above the baseline resources may stay after
	// the idle period.
	Tolerance Tolerance
	// Idle bounds the wait for resources to return to the baseline.
	Idle time.Duration
	// RaceWindow is Tally.RaceWindow.
	RaceWindow time.Duration
	// Progress receives progress lines (nil: none).
	Progress io.Writer
}

// Checker returns the checker for the /e endpoints.
func (s *Suite) Checker() *Checker {
	return &Checker{Limits: s.Gateway.Limits(), Margin: s.Margin, CacheControl: s.Gateway.CacheControl()}
}

// NewTally returns an empty tally with the suite's race window.
func (s *Suite) NewTally() *Tally {
	t := NewTally()
	t.RaceWindow = s.RaceWindow
	return t
}

// progress prints a progress line when Progress is set.
func (s *Suite) progress(format string, args ...any) {
	if s.Progress != nil {
		fmt.Fprintf(s.Progress, format+"\n", args...)
	}
}

// SoakReport is the outcome of Soak.
type SoakReport struct {
	// Tally holds the responses and violations.
	Tally *Tally
	// Resources are the gateway's samples.
	Resources Resources
	// Server holds the fault server's counters at the end.
	Server ServerStats
	// Elapsed is how long the load ran.
	Elapsed time.Duration
}

// Soak runs the random fault mix (restricted to ok and kinds, when given)
// from clients concurrent workers for d,
// sampling the gateway's resources before, during, at the end and after
// the idle period, and checks the run-wide invariants: no held backend
// call left behind, no ERROR in the gateway's log, resources back to the
// baseline.
func (s *Suite) Soak(ctx context.Context, clients int, d time.Duration, seed uint64, kinds []Kind) (*SoakReport, error) {
	tally := s.NewTally()
	rep := &SoakReport{Tally: tally}
	rep.Resources.Before = s.Target.Sample()
	every := min(max(d/100, 250*time.Millisecond), 5*time.Second)
	sampler := StartSampler(s.Target.Sample, every)
	client := NewClient(clients)
	start := time.Now()
	_, err := RunLoad(ctx, LoadOptions{
		URL: s.Target.URL, Clients: clients, Duration: d, Seed: seed, Kinds: kinds,
		Checker: s.Checker(), Tally: tally, Client: client,
	})
	rep.Elapsed = time.Since(start)
	rep.Resources.Peak, rep.Resources.Timeline = sampler.Stop()
	if err != nil {
		return rep, err
	}
	rep.Resources.End = s.Target.Sample()
	client.CloseIdleConnections()
	s.finish(ctx, rep, tally)
	return rep, nil
}

// finish waits for the idle baseline and adds the run-wide checks.
func (s *Suite) finish(ctx context.Context, rep *SoakReport, tally *Tally) {
	s.progress("  waiting up to %v for the gateway to return to its baseline", s.Idle)
	read := s.Target.Sample
	if s.Target.IdleSample != nil {
		read = s.Target.IdleSample
	}
	rep.Resources.Idle = WaitBaseline(ctx, read, rep.Resources.Before, s.Tolerance, 250*time.Millisecond, s.Idle)
	tally.Finalize(s.Server)
	rep.Server = s.Server.Stats()
	tally.Add(s.RunWide(rep.Server)...)
	tally.Add(rep.Resources.Check(s.Tolerance)...)
}

// RunWide returns the violations of the whole run so far: backend calls
// the gateway never let go, malformed backend paths, ERROR records in the
// gateway's log.
func (s *Suite) RunWide(st ServerStats) []Violation {
	var out []Violation
	if st.HoldExpired > 0 {
		out = append(out, Violation{Class: ClassBackend, Detail: fmt.Sprintf(
			"%d held backend call(s) reached the fault server's %v cap: the gateway never let go", st.HoldExpired, st.MaxHold)})
	}
	if st.BadRequests > 0 {
		out = append(out, Violation{Class: ClassBackend, Detail: fmt.Sprintf("%d backend request(s) with a malformed fault path", st.BadRequests)})
	}
	if s.Target.Errors != nil {
		if n, first := s.Target.Errors(); n > 0 {
			out = append(out, Violation{Class: ClassGatewayLog, Detail: fmt.Sprintf("%d ERROR record(s) in the gateway log, first: %q", n, first)})
		}
	}
	return out
}

// ClassReport is the outcome of one fault class in RunClasses.
type ClassReport struct {
	// Kind is the fault class.
	Kind Kind
	// Cases is the number of requests sent.
	Cases int
	// Tally holds the responses and violations.
	Tally *Tally
	// BackendCalls is the number of calls of this kind the fault server
	// saw.
	BackendCalls int64
}

// RunClasses runs RunClass for each kind, one after the other.
func (s *Suite) RunClasses(ctx context.Context, kinds []Kind, clients, repeat int) ([]ClassReport, error) {
	var out []ClassReport
	for _, k := range kinds {
		r, err := s.RunClass(ctx, k, clients, repeat)
		if err != nil {
			return out, err
		}
		s.progress("  %-10s %4d requests  %4d backend calls  %d violation(s)", k, r.Cases, r.BackendCalls, r.Tally.Total())
		out = append(out, r)
	}
	return out, nil
}

// RunClass sends kind k's cases (ClassCases, repeat times) from up to
// clients concurrent workers and, for the junk kinds (extra, after204),
// JunkSequence repeat times.
func (s *Suite) RunClass(ctx context.Context, k Kind, clients, repeat int) (ClassReport, error) {
	if err := ctx.Err(); err != nil {
		return ClassReport{}, err
	}
	before := s.Server.Stats().ByKind[k]
	var cases [][]Fault
	for range max(repeat, 1) {
		cases = append(cases, ClassCases(k, s.Gateway.Limits())...)
	}
	tally := s.NewTally()
	n, err := RunLoad(ctx, LoadOptions{
		URL: s.Target.URL, Clients: min(clients, len(cases)), Cases: cases,
		IDPrefix: "c", Checker: s.Checker(), Tally: tally,
	})
	if err != nil {
		return ClassReport{}, err
	}
	if n != int64(len(cases)) {
		return ClassReport{}, fmt.Errorf("class %s: sent %d of %d requests", k, n, len(cases))
	}
	if k == KindExtra || k == KindAfter204 {
		m, err := JunkSequence(ctx, s.Target.URL, s.Checker(), tally, max(repeat, 1))
		if err != nil {
			return ClassReport{}, err
		}
		n += int64(m)
	}
	tally.Finalize(s.Server)
	return ClassReport{Kind: k, Cases: int(n), Tally: tally, BackendCalls: s.Server.Stats().ByKind[k] - before}, nil
}

// SlowlorisReport is the outcome of RunSlowloris with traffic beside it.
type SlowlorisReport struct {
	Result SlowlorisResult
	// Traffic is the tally of the ordinary requests sent meanwhile.
	Traffic *Tally
	// Tally holds the slowloris violations.
	Tally *Tally
}

// Slowloris holds conns slow connections open while ordinary requests keep
// flowing; both must be served correctly.
func (s *Suite) Slowloris(ctx context.Context, conns int) (*SlowlorisReport, error) {
	rep := &SlowlorisReport{Traffic: s.NewTally(), Tally: s.NewTally()}
	var cases [][]Fault
	for range 2 * conns {
		cases = append(cases, []Fault{F(KindOK, 0)}, []Fault{F(KindOK, 0), F(KindDelay, 20)})
	}
	trafficDone := make(chan error, 1)
	tctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		// Start once the slow connections are open and spread the
		// requests over the header timeout.
		time.Sleep(100 * time.Millisecond)
		_, err := RunLoad(tctx, LoadOptions{URL: s.Target.URL, Clients: 4, Cases: cases, IDPrefix: "t",
			Checker: s.Checker(), Tally: rep.Traffic})
		trafficDone <- err
	}()
	res, err := RunSlowloris(ctx, SlowlorisOptions{
		Addr: s.Target.Addr, Server: s.Server, Conns: conns,
		ReadHeaderTimeout: s.Gateway.WithDefaults().ReadHeaderTimeout, Tally: rep.Tally,
	})
	rep.Result = res
	if terr := <-trafficDone; err == nil {
		err = terr
	}
	rep.Traffic.Finalize(s.Server)
	return rep, err
}

// Hostile sends the requests the gateway must refuse (RunHostile).
func (s *Suite) Hostile(ctx context.Context, rounds int) (int, *Tally, error) {
	tally := s.NewTally()
	n, err := RunHostile(ctx, HostileOptions{Addr: s.Target.Addr, Server: s.Server, Rounds: rounds, Tally: tally})
	return n, tally, err
}

// Storm runs the disconnect storm against the suite's gateway.
func (s *Suite) Storm(ctx context.Context, clients, rounds int, seed uint64, bound time.Duration) (StormResult, *Tally, error) {
	tally := s.NewTally()
	res, err := RunStorm(ctx, StormOptions{URL: s.Target.URL, Server: s.Server, Clients: clients, Rounds: rounds,
		Seed: seed, Bound: bound, Tally: tally})
	return res, tally, err
}

// quantiles returns the median, the 99th percentile and the maximum of a
// sorted slice.
func quantiles(sorted []time.Duration) (p50, p99, top time.Duration) {
	if len(sorted) == 0 {
		return 0, 0, 0
	}
	at := func(q float64) time.Duration { return sorted[min(int(q*float64(len(sorted))), len(sorted)-1)] }
	return at(0.5), at(0.99), sorted[len(sorted)-1]
}

// Summary formats a sorted duration list as "p50 …, p99 …, max …".
func Summary(sorted []time.Duration) string {
	if !slices.IsSorted(sorted) {
		sorted = slices.Sorted(slices.Values(sorted))
	}
	p50, p99, top := quantiles(sorted)
	r := func(d time.Duration) time.Duration { return d.Round(100 * time.Microsecond) }
	return fmt.Sprintf("p50 %v, p99 %v, max %v (n=%d)", r(p50), r(p99), r(top), len(sorted))
}
