package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// wrkGen drives wrk (github.com/wg/wrk), the generator of the reference
// measurement, when it is on PATH. wrk counts every response with a status
// below 400 as a success and cannot see X-Tributary-Completed, so
// Incomplete is always 0 with it.
type wrkGen struct {
	// path is wrk's executable.
	path string
	// threads is wrk's -t.
	threads int
}

func (g wrkGen) run(ctx context.Context, spec loadSpec, w window) (loadResult, error) {
	if spec.Conns < 1 || spec.Duration <= 0 {
		return loadResult{}, fmt.Errorf("load spec: need ≥ 1 connection and a positive duration, got %d and %v", spec.Conns, spec.Duration)
	}
	if err := validHeaders(spec.Headers); err != nil {
		return loadResult{}, err
	}
	threads := max(1, min(g.threads, spec.Conns))
	if spec.Warmup > 0 {
		if _, err := g.exec(ctx, spec, threads, spec.Warmup, false); err != nil {
			return loadResult{}, err
		}
	}
	if w.Begin != nil {
		w.Begin()
	}
	out, err := g.exec(ctx, spec, threads, spec.Duration, true)
	if w.End != nil {
		w.End()
	}
	if err != nil {
		return loadResult{}, err
	}
	return parseWrk(out)
}

// exec runs wrk once and returns its output.
func (g wrkGen) exec(ctx context.Context, spec loadSpec, threads int, d time.Duration, latency bool) (string, error) {
	args := wrkArgs(spec, threads, d, latency)
	cmd := exec.CommandContext(ctx, g.path, args...)
	cmd.WaitDelay = 2 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		// The header values (a bearer token among them) are left out.
		shown := args[:wrkFixedArgs(latency)]
		return "", fmt.Errorf("wrk %s (+%d headers) %s: %w\n%s", strings.Join(shown, " "), len(spec.Headers), spec.URL,
			err, truncateTail(string(out), 2048))
	}
	return string(out), nil
}

// wrkFixedArgs is the number of arguments wrkArgs puts before the headers.
func wrkFixedArgs(latency bool) int {
	if latency {
		return 9
	}
	return 8
}

// wrkArgs is wrk's command line for one run: whole seconds (wrk's unit),
// one -H per request header, the URL last.
func wrkArgs(spec loadSpec, threads int, d time.Duration, latency bool) []string {
	secs := max(1, int(math.Ceil(d.Seconds())))
	args := []string{"-t", strconv.Itoa(threads), "-c", strconv.Itoa(spec.Conns), "-d", strconv.Itoa(secs) + "s",
		"--timeout", "60s"}
	if latency {
		args = append(args, "--latency")
	}
	for _, h := range spec.Headers {
		args = append(args, "-H", h.Name+": "+h.Value)
	}
	return append(args, spec.URL)
}

// parseWrk reads the summary wrk prints with --latency.
func parseWrk(out string) (loadResult, error) {
	var res loadResult
	var sawRPS, sawP50, sawP99, sawCount bool
	var total uint64
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 2 && f[0] == "Requests/sec:":
			v, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				return res, fmt.Errorf("wrk output: Requests/sec %q: %w", f[1], err)
			}
			res.RPS, sawRPS = v, true
		case len(f) == 2 && (f[0] == "50%" || f[0] == "99%"):
			d, err := parseWrkDuration(f[1])
			if err != nil {
				return res, err
			}
			if f[0] == "50%" {
				res.P50, sawP50 = d, true
			} else {
				res.P99, sawP99 = d, true
			}
		case len(f) >= 5 && f[1] == "requests" && f[2] == "in":
			n, err := strconv.ParseUint(f[0], 10, 64)
			if err != nil {
				return res, fmt.Errorf("wrk output: request count %q: %w", f[0], err)
			}
			el, err := parseWrkDuration(strings.TrimSuffix(f[3], ","))
			if err != nil {
				return res, err
			}
			total, res.Elapsed, sawCount = n, el, true
		case len(f) == 5 && f[0] == "Non-2xx" && f[3] == "responses:":
			n, err := strconv.ParseUint(f[4], 10, 64)
			if err != nil {
				return res, fmt.Errorf("wrk output: non-2xx count %q: %w", f[4], err)
			}
			res.Non200 = n
		case len(f) >= 10 && f[0] == "Socket" && f[1] == "errors:":
			// Socket errors: connect 0, read 0, write 0, timeout 0
			for i := 3; i < len(f); i += 2 {
				n, err := strconv.ParseUint(strings.TrimSuffix(f[i], ","), 10, 64)
				if err != nil {
					return res, fmt.Errorf("wrk output: socket errors %q: %w", f[i], err)
				}
				res.TransportErrors += n
			}
		}
	}
	if !sawRPS || !sawP50 || !sawP99 || !sawCount {
		return res, errors.New("wrk output: missing Requests/sec, the 50%/99% latency lines or the request count (was --latency given?)")
	}
	if total >= res.Non200 {
		res.Requests = total - res.Non200
	}
	if res.Elapsed > 0 {
		res.RPS = float64(res.Requests) / res.Elapsed.Seconds()
	}
	return res, nil
}

// parseWrkDuration parses wrk's "812.00us", "1.23ms", "2.00s", "1.50m".
func parseWrkDuration(s string) (time.Duration, error) {
	units := []struct {
		suffix string
		unit   time.Duration
	}{{"us", time.Microsecond}, {"ms", time.Millisecond}, {"m", time.Minute}, {"s", time.Second}, {"h", time.Hour}}
	for _, u := range units {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := strconv.ParseFloat(num, 64)
			if err != nil || v < 0 || math.IsInf(v, 0) {
				break
			}
			return time.Duration(v * float64(u.unit)), nil
		}
	}
	return 0, fmt.Errorf("wrk output: bad duration %q", s)
}

// truncateTail keeps the last n bytes of s.
func truncateTail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
