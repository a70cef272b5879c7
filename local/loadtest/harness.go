package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"
)

// rssInterval is how often RSS is sampled during a measured window.
const rssInterval = 50 * time.Millisecond

// target is one side of a comparison.
type target struct {
	// Name is "direct" or "gateway".
	Name string
	// URL is what the generator requests.
	URL string
	// ServerPID is the process answering URL (0: not sampled).
	ServerPID int
	// BackendPID is the stub backend behind a gateway (0: none).
	BackendPID int
	// Headers are sent with every request.
	Headers []header
}

// measurement is one run, or the per-field median of several. A zero RSS
// or CPU figure means it could not be read (no /proc).
type measurement struct {
	Target          string  `json:"target"`
	Round           int     `json:"round,omitempty"`
	RPS             float64 `json:"rps"`
	Requests        uint64  `json:"requests"`
	TransportErrors uint64  `json:"transport_errors"`
	Non200          uint64  `json:"non_200"`
	Incomplete      uint64  `json:"incomplete"`
	P50Ms           float64 `json:"p50_ms"`
	P99Ms           float64 `json:"p99_ms"`
	MaxMs           float64 `json:"max_ms"`
	MeanMs          float64 `json:"mean_ms"`
	BodyBytes       float64 `json:"body_bytes_per_req"`
	// ServerRSS is the peak RSS of the process answering the generator.
	ServerRSS uint64 `json:"server_rss_peak_bytes"`
	// ServerCPU is that process's CPU time per counted request, in µs.
	ServerCPU float64 `json:"server_cpu_us_per_req"`
	// BackendRSS and BackendCPU are the stub backend's behind a gateway.
	BackendRSS uint64  `json:"backend_rss_peak_bytes,omitempty"`
	BackendCPU float64 `json:"backend_cpu_us_per_req,omitempty"`
	// GenCPU is the load generator's CPU per request, in µs.
	GenCPU float64 `json:"generator_cpu_us_per_req"`
}

// failures returns every failure counted in m.
func (m measurement) failures() uint64 { return m.TransportErrors + m.Non200 + m.Incomplete }

// harness runs measurements with one generator and one load shape.
type harness struct {
	gen  generator
	spec loadSpec // URL is set per target
	// selfPID is the generator's own process, for its CPU figure.
	selfPID  int
	progress io.Writer
}

// measure runs one closed-loop run against t, sampling CPU and RSS of the
// processes involved over exactly the measured window.
func (h *harness) measure(ctx context.Context, t target, round int) (measurement, error) {
	spec := h.spec
	spec.URL, spec.Headers = t.URL, t.Headers
	pids := []int{t.ServerPID, t.BackendPID, h.selfPID}
	var cpu0, cpu1 [3]time.Duration
	var ok0, ok1 [3]bool
	var watch *rssWatch
	var peaks []uint64
	readCPU := func(dst *[3]time.Duration, ok *[3]bool) {
		for i, pid := range pids {
			if pid <= 0 {
				continue
			}
			if v, err := procCPU(pid); err == nil {
				dst[i], ok[i] = v, true
			}
		}
	}
	w := window{
		Begin: func() {
			readCPU(&cpu0, &ok0)
			watch = watchRSS(pids[:2], rssInterval)
		},
		End: func() {
			readCPU(&cpu1, &ok1)
			peaks = watch.finish()
		},
	}
	res, err := h.gen.run(ctx, spec, w)
	if err != nil {
		return measurement{}, fmt.Errorf("%s %s: %w", t.Name, t.URL, err)
	}
	perReq := func(i int) float64 {
		if !ok0[i] || !ok1[i] || res.Requests == 0 {
			return 0
		}
		return float64((cpu1[i] - cpu0[i]).Microseconds()) / float64(res.Requests)
	}
	m := measurement{
		Target: t.Name, Round: round, RPS: res.RPS, Requests: res.Requests,
		TransportErrors: res.TransportErrors, Non200: res.Non200, Incomplete: res.Incomplete,
		P50Ms: millis(res.P50), P99Ms: millis(res.P99), MaxMs: millis(res.Max), MeanMs: millis(res.Mean),
		ServerCPU: perReq(0), BackendCPU: perReq(1), GenCPU: perReq(2),
	}
	if res.Requests > 0 {
		m.BodyBytes = float64(res.Bytes) / float64(res.Requests)
	}
	if len(peaks) == 2 {
		m.ServerRSS, m.BackendRSS = peaks[0], peaks[1]
	}
	return m, nil
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// scenarioResult is one scenario's rounds, medians and verdicts.
type scenarioResult struct {
	Name        string  `json:"name"`
	Title       string  `json:"title"`
	DirectPath  string  `json:"direct_path"`
	GatewayPath string  `json:"gateway_path"`
	GoalRatio   float64 `json:"goal_min_ratio"`
	GoalRSS     uint64  `json:"goal_max_rss_bytes"`
	Peer        string  `json:"peer"`
	// Runs holds every run in the order it ran: direct, gateway, direct, …
	Runs []measurement `json:"runs"`
	// Direct and Gateway are the per-field medians over the rounds.
	Direct  measurement `json:"direct_median"`
	Gateway measurement `json:"gateway_median"`
	// RatioRPS is Gateway.RPS / Direct.RPS; RatioP50 and RatioP99 are the
	// gateway's latency over the direct one (higher is slower).
	RatioRPS float64 `json:"ratio_rps"`
	RatioP50 float64 `json:"ratio_p50"`
	RatioP99 float64 `json:"ratio_p99"`
	// RoundRatios is gateway/direct req/s of each round, showing the spread.
	RoundRatios []float64 `json:"round_ratios"`
	RatioPass   bool      `json:"ratio_pass"`
	// ProxyGoal is the goal for RatioRPS ÷ the proxy scenario's RatioRPS
	// in the same run; 0 when the scenario has none.
	ProxyGoal float64 `json:"goal_min_of_proxy,omitempty"`
	// OfProxy is RatioRPS ÷ the proxy scenario's RatioRPS; 0 when the
	// scenario has no ProxyGoal or the proxy scenario did not run.
	OfProxy float64 `json:"ratio_of_proxy,omitempty"`
	// OfProxyPass is the verdict on OfProxy; nil when OfProxy is 0.
	OfProxyPass *bool `json:"of_proxy_pass,omitempty"`
	// RSSPass is nil when the RSS could not be read.
	RSSPass *bool `json:"rss_pass"`
	// Errors counts failures over every run; any makes the numbers suspect.
	Errors uint64 `json:"errors"`
}

// runScenario interleaves rounds of direct and gateway runs and reduces
// them to medians and ratios.
func (h *harness) runScenario(ctx context.Context, sc scenario, direct, gateway target, rounds int) (scenarioResult, error) {
	r := scenarioResult{
		Name: sc.Name, Title: sc.Title, DirectPath: sc.DirectPath, GatewayPath: sc.GatewayPath,
		GoalRatio: sc.MinRatio, GoalRSS: sc.MaxRSS, Peer: sc.Peer, ProxyGoal: sc.ProxyGoal,
	}
	var ds, gs []measurement
	for round := 1; round <= rounds; round++ {
		for _, t := range []target{direct, gateway} {
			m, err := h.measure(ctx, t, round)
			if err != nil {
				return r, fmt.Errorf("scenario %s round %d: %w", sc.Name, round, err)
			}
			r.Runs = append(r.Runs, m)
			r.Errors += m.failures()
			if t.Name == direct.Name {
				ds = append(ds, m)
			} else {
				gs = append(gs, m)
			}
			if h.progress != nil {
				fmt.Fprintf(h.progress, "  %-14s round %d/%d %-7s %9.0f req/s  p50 %-8s p99 %-8s errors %d\n",
					sc.Name, round, rounds, t.Name, m.RPS, fmtMs(m.P50Ms), fmtMs(m.P99Ms), m.failures())
			}
		}
		r.RoundRatios = append(r.RoundRatios, ratio(gs[len(gs)-1].RPS, ds[len(ds)-1].RPS))
	}
	r.Direct, r.Gateway = medianOf(direct.Name, ds), medianOf(gateway.Name, gs)
	r.RatioRPS = ratio(r.Gateway.RPS, r.Direct.RPS)
	r.RatioP50 = ratio(r.Gateway.P50Ms, r.Direct.P50Ms)
	r.RatioP99 = ratio(r.Gateway.P99Ms, r.Direct.P99Ms)
	r.RatioPass = r.RatioRPS >= sc.MinRatio
	if r.Gateway.ServerRSS > 0 {
		pass := r.Gateway.ServerRSS < sc.MaxRSS
		r.RSSPass = &pass
	}
	return r, nil
}

// ratio returns a/b, or 0 when b is 0.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// medianOf returns the per-field median of ms (error counts are summed:
// one bad run taints the scenario).
func medianOf(name string, ms []measurement) measurement {
	out := measurement{Target: name}
	f := func(get func(measurement) float64) float64 {
		v := make([]float64, len(ms))
		for i, m := range ms {
			v[i] = get(m)
		}
		return median(v)
	}
	out.RPS = f(func(m measurement) float64 { return m.RPS })
	out.Requests = uint64(f(func(m measurement) float64 { return float64(m.Requests) }))
	out.P50Ms = f(func(m measurement) float64 { return m.P50Ms })
	out.P99Ms = f(func(m measurement) float64 { return m.P99Ms })
	out.MaxMs = f(func(m measurement) float64 { return m.MaxMs })
	out.MeanMs = f(func(m measurement) float64 { return m.MeanMs })
	out.BodyBytes = f(func(m measurement) float64 { return m.BodyBytes })
	out.ServerRSS = uint64(f(func(m measurement) float64 { return float64(m.ServerRSS) }))
	out.ServerCPU = f(func(m measurement) float64 { return m.ServerCPU })
	out.BackendRSS = uint64(f(func(m measurement) float64 { return float64(m.BackendRSS) }))
	out.BackendCPU = f(func(m measurement) float64 { return m.BackendCPU })
	out.GenCPU = f(func(m measurement) float64 { return m.GenCPU })
	for _, m := range ms {
		out.TransportErrors += m.TransportErrors
		out.Non200 += m.Non200
		out.Incomplete += m.Incomplete
	}
	return out
}

// median returns the median of v (the mean of the middle two for an even
// count), or 0 for none. v is reordered.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	sort.Float64s(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}
