package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// generatorDesc says what each -gen value is, for the report header.
func generatorDesc(name string) string {
	switch name {
	case "http":
		return "built-in generator (one net/http client and connection per worker)"
	case "raw":
		return "built-in raw HTTP/1.1 generator (one connection per worker)"
	case "wrk":
		return "wrk"
	}
	return name
}

// relateToProxy sets OfProxy and its verdict on every scenario with a
// ProxyGoal, when the proxy scenario ran and measured a ratio.
func relateToProxy(rs []scenarioResult) {
	var proxy float64
	for _, s := range rs {
		if s.Name == "proxy" {
			proxy = s.RatioRPS
		}
	}
	if proxy <= 0 {
		return
	}
	for i := range rs {
		s := &rs[i]
		if s.ProxyGoal <= 0 || s.Name == "proxy" {
			continue
		}
		s.OfProxy = s.RatioRPS / proxy
		pass := s.OfProxy >= s.ProxyGoal
		s.OfProxyPass = &pass
	}
}

// printReport writes the human-readable report.
func printReport(w io.Writer, r *report) {
	m := r.Machine
	fmt.Fprintf(w, "Tributary load test: the gateway side by side with the backend it fronts\n")
	fmt.Fprintf(w, "machine   %d CPUs · %s · %s/%s · %s · load average %s at start\n",
		m.CPUs, m.CPUModel, m.OS, m.Arch, m.GoVersion, m.LoadAvg)
	fmt.Fprintf(w, "command   %s\n", r.Command)
	procs := fmt.Sprintf("GOMAXPROCS generator %d", r.GenProcs)
	if r.GwProcs > 0 {
		procs += fmt.Sprintf(", gateway %d", r.GwProcs)
	}
	if r.BackProcs > 0 {
		procs += fmt.Sprintf(", backend %d", r.BackProcs)
	}
	fmt.Fprintf(w, "load      %s · %d connections · %s\n", generatorDesc(r.Generator), r.Conns, procs)
	fmt.Fprintf(w, "          %d round(s) per scenario, interleaved direct/gateway, each %s warm-up + %s measured; figures are medians\n",
		r.Rounds, r.Warmup, r.Duration)
	fmt.Fprintf(w, "          processes: stub backend, tributary gateway, generator, all on this machine; CPU µs/req is the\n")
	fmt.Fprintf(w, "          serving process's utime+stime ÷ requests (backend: the stub behind the gateway; gen: this process)\n")

	if s := r.Startup; s != nil {
		fmt.Fprintf(w, "\nstart-up  %d endpoints, process start → first 200: median %.2f ms over %d runs (min %.2f, max %.2f)   goal < %.0f ms   %s\n",
			s.Endpoints, s.MedianMs, s.Runs, s.MinMs, s.MaxMs, s.GoalMs, verdict(s.Pass))
	}
	for i := range r.Scenarios {
		printScenario(w, &r.Scenarios[i])
	}
	printSummary(w, r)
	if r.Interrupted != "" {
		fmt.Fprintf(w, "\nINCOMPLETE: the run stopped early: %s\n", r.Interrupted)
	}
}

const rowFormat = "  %-15s %10s %9s %9s %10s %11s %15s %11s %7s\n"

func printScenario(w io.Writer, s *scenarioResult) {
	d, g := &s.Direct, &s.Gateway
	fmt.Fprintf(w, "\n%-9s %s\n", s.Name, s.Title)
	fmt.Fprintf(w, "          body per response: direct %s · gateway %s\n", fmtBytes(d.BodyBytes), fmtBytes(g.BodyBytes))
	fmt.Fprintf(w, rowFormat, "", "req/s", "p50", "p99", "RSS peak", "CPU µs/req", "backend µs/req", "gen µs/req", "errors")
	fmt.Fprintf(w, rowFormat, "direct", fmtRPS(d.RPS), fmtMs(d.P50Ms), fmtMs(d.P99Ms), fmtRSS(d.ServerRSS),
		fmtCPU(d.ServerCPU), "-", fmtCPU(d.GenCPU), strconv.FormatUint(d.failures(), 10))
	fmt.Fprintf(w, rowFormat, "gateway", fmtRPS(g.RPS), fmtMs(g.P50Ms), fmtMs(g.P99Ms), fmtRSS(g.ServerRSS),
		fmtCPU(g.ServerCPU), fmtCPU(g.BackendCPU), fmtCPU(g.GenCPU), strconv.FormatUint(g.failures(), 10))
	cpuRatio := "-"
	if d.ServerCPU > 0 && g.ServerCPU > 0 {
		cpuRatio = fmt.Sprintf("%.2f×", g.ServerCPU/d.ServerCPU)
	}
	fmt.Fprintf(w, rowFormat, "gateway/direct", fmt.Sprintf("%.3f", s.RatioRPS), fmtX(s.RatioP50), fmtX(s.RatioP99), "",
		cpuRatio, "", "", "")

	rounds := make([]string, len(s.RoundRatios))
	for i, v := range s.RoundRatios {
		rounds[i] = fmt.Sprintf("%.3f", v)
	}
	fmt.Fprintf(w, "  %-11s %-44s %-16s %-30s %s\n", "throughput",
		fmt.Sprintf("%.3f of direct (rounds: %s)", s.RatioRPS, strings.Join(rounds, " ")),
		fmt.Sprintf("goal ≥ %.2f", s.GoalRatio), s.Peer, verdict(s.RatioPass))
	if s.OfProxyPass != nil {
		fmt.Fprintf(w, "  %-11s %-44s %-16s %-30s %s\n", "vs proxy",
			fmt.Sprintf("%.3f × proxy's ratio (%.3f ÷ %.3f)", s.OfProxy, s.RatioRPS, s.RatioRPS/s.OfProxy),
			fmt.Sprintf("goal ≥ %.2f", s.ProxyGoal), "same run", verdict(*s.OfProxyPass))
	}
	rssVerdict := "n/a"
	if s.RSSPass != nil {
		rssVerdict = verdict(*s.RSSPass)
	}
	fmt.Fprintf(w, "  %-11s %-44s %-16s %-30s %s\n", "memory",
		"gateway RSS peak "+fmtRSS(g.ServerRSS), fmt.Sprintf("goal < %d MiB", s.GoalRSS/mib), "", rssVerdict)
	if s.Errors > 0 {
		fmt.Fprintf(w, "  %-11s %d failed requests over all runs (transport %d, non-200 %d, incomplete %d): the figures are suspect   FLAGGED\n",
			"errors", s.Errors, d.TransportErrors+g.TransportErrors, d.Non200+g.Non200, d.Incomplete+g.Incomplete)
	}
}

// printSummary counts the verdicts.
func printSummary(w io.Writer, r *report) {
	if len(r.Scenarios) == 0 && r.Startup == nil {
		return
	}
	var parts []string
	var ratioPass, rssPass, rssKnown, flagged, relPass, relKnown int
	for _, s := range r.Scenarios {
		if s.OfProxyPass != nil {
			relKnown++
			if *s.OfProxyPass {
				relPass++
			}
		}
		if s.RatioPass {
			ratioPass++
		}
		if s.RSSPass != nil {
			rssKnown++
			if *s.RSSPass {
				rssPass++
			}
		}
		if s.Errors > 0 {
			flagged++
		}
	}
	if n := len(r.Scenarios); n > 0 {
		parts = append(parts, fmt.Sprintf("throughput goals met %d/%d", ratioPass, n))
		parts = append(parts, fmt.Sprintf("memory goals met %d/%d", rssPass, rssKnown))
	}
	if relKnown > 0 {
		parts = append(parts, fmt.Sprintf("vs-proxy goals met %d/%d", relPass, relKnown))
	}
	if r.Startup != nil {
		parts = append(parts, "start-up "+verdict(r.Startup.Pass))
	}
	if flagged > 0 {
		parts = append(parts, fmt.Sprintf("%d scenario(s) FLAGGED for errors", flagged))
	}
	fmt.Fprintf(w, "\nsummary   %s\n", strings.Join(parts, " · "))
}

func verdict(pass bool) string {
	if pass {
		return "PASS"
	}
	return "SHORT"
}

// fmtRPS formats a rate with thousands separators.
func fmtRPS(v float64) string {
	s := strconv.FormatInt(int64(v+0.5), 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// fmtMs formats milliseconds as µs, ms or s.
func fmtMs(ms float64) string {
	switch {
	case ms <= 0:
		return "-"
	case ms < 1:
		return fmt.Sprintf("%.0fµs", ms*1000)
	case ms < 1000:
		return fmt.Sprintf("%.2fms", ms)
	}
	return fmt.Sprintf("%.2fs", ms/1000)
}

func fmtRSS(b uint64) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f MiB", float64(b)/mib)
}

// fmtBytes formats a body size in B, KB or MB (decimal, as bodies are
// usually quoted).
func fmtBytes(b float64) string {
	switch {
	case b <= 0:
		return "n/a"
	case b < 1e3:
		return fmt.Sprintf("%.0f B", b)
	case b < 1e6:
		return fmt.Sprintf("%.1f KB", b/1e3)
	}
	return fmt.Sprintf("%.2f MB", b/1e6)
}

func fmtCPU(us float64) string {
	if us <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f", us)
}

func fmtX(v float64) string {
	if v <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f×", v)
}
