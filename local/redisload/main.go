// Command redisload measures the shared state store across a fleet: it
// starts a Redis, a backend, several gateway processes (`tributary run`)
// and several Lambda functions under the Runtime Interface Emulator, all
// sharing one Redis, and prints three figures:
//
//   - limit: an endpoint limit of R req/s offered overload×R req/s across
//     the whole fleet; admitted ÷ allowed (R × duration) near 1.00 means the
//     limit held fleet-wide (goal: within ±5 %).
//   - outage: Redis is killed mid-load and restarted on the same port, once
//     with rate_limit_failure "fail_open" and once with "fail_closed"; per
//     half-second it prints admitted, refused, failed and the slowest
//     request, so that the policy, the bounded wait and the recovery show.
//   - overhead: one gateway, a proxy endpoint behind a limit that never
//     refuses, kept in Redis versus in the process, closed-loop; the ratio
//     of the throughputs (goal ≥ 0.7).
//
// Usage:
//
//	go run ./local/redisload [-rate 50] [-overload 10] [-d 10s] [-gateways 4] [-lambdas 4] [-phases limit,outage,overhead]
//
// It needs redis-server (or -redis HOST:PORT, which skips the outage
// phase) and, for the Lambda functions, bin/aws-lambda-rie (`make test`
// installs it; -lambdas 0 runs without). Figures are printed, never
// asserted.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tributary-gw/tributary/local/rie"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "redisload:", err)
		}
		os.Exit(1)
	}
}

// options are the command-line settings.
type options struct {
	rate     float64
	overload float64
	duration time.Duration
	gateways int
	lambdas  int
	redis    string
	rieBin   string
	phases   []string
	conc     int
	rounds   int
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("redisload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var phases string
	fs.Float64Var(&o.rate, "rate", 50, "the endpoint limit, requests per second")
	fs.Float64Var(&o.overload, "overload", 10, "offered load as a multiple of the limit")
	fs.DurationVar(&o.duration, "d", 10*time.Second, "measured time of the limit phase (and of each overhead run)")
	fs.IntVar(&o.gateways, "gateways", 4, "gateway processes (server mode)")
	fs.IntVar(&o.lambdas, "lambdas", 4, "Lambda functions under the emulator")
	fs.StringVar(&o.redis, "redis", "", "an existing Redis (host:port); default: start redis-server")
	fs.StringVar(&o.rieBin, "rie", "bin/aws-lambda-rie", "the Runtime Interface Emulator binary")
	fs.StringVar(&phases, "phases", "limit,outage,overhead", "phases to run")
	fs.IntVar(&o.conc, "c", 16, "concurrent clients of the overhead phase")
	fs.IntVar(&o.rounds, "rounds", 3, "alternating rounds of the overhead phase")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.phases = strings.Split(phases, ",")
	if o.rate <= 0 || o.overload < 1 || o.duration < time.Second || o.gateways < 1 || o.lambdas < 0 || o.rounds < 1 {
		return errors.New("need -rate > 0, -overload ≥ 1, -d ≥ 1s, -gateways ≥ 1, -lambdas ≥ 0, -rounds ≥ 1")
	}
	if o.lambdas > 0 {
		if _, err := os.Stat(o.rieBin); err != nil {
			fmt.Fprintf(stderr, "redisload: %s not found (make bin/aws-lambda-rie): running without Lambda functions\n", o.rieBin)
			o.lambdas = 0
		}
	}

	dir, err := os.MkdirTemp("", "redisload")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	var rdb *redisProc
	addr := o.redis
	if addr == "" {
		if rdb, err = startRedis(dir, 0); err != nil {
			return err
		}
		defer rdb.stop()
		addr = rdb.addr
	}
	backend, err := startBackend()
	if err != nil {
		return err
	}
	defer backend.Close()

	fmt.Fprintln(stderr, "redisload: building the gateway and the Lambda function")
	gwBin := filepath.Join(dir, "tributary")
	fnBin := filepath.Join(dir, "bootstrap")
	if err := goBuild(gwBin, "./local/tributary"); err != nil {
		return err
	}
	if o.lambdas > 0 {
		if err := goBuild(fnBin, "./functions/gateway", "-tags", "lambda.norpc,tributary_nofc"); err != nil {
			return err
		}
	}
	env := &fleetEnv{o: o, dir: dir, gwBin: gwBin, fnBin: fnBin, redis: addr, backend: backend.Addr().String(), stderr: stderr}

	fmt.Fprintf(stdout, "redisload: Redis %s, %d gateway processes + %d Lambda functions, limit %g req/s\n",
		addr, o.gateways, o.lambdas, o.rate)
	for _, ph := range o.phases {
		switch ph {
		case "limit":
			err = env.limitPhase(stdout)
		case "outage":
			if rdb == nil {
				fmt.Fprintln(stdout, "outage: skipped (-redis given: the program only kills a Redis it started)")
				continue
			}
			for _, policy := range []string{"fail_open", "fail_closed"} {
				if err = env.outagePhase(stdout, rdb, policy); err != nil {
					break
				}
			}
		case "overhead":
			err = env.overheadPhase(stdout)
		default:
			err = fmt.Errorf("unknown phase %q", ph)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// goBuild builds pkg into out.
func goBuild(out, pkg string, flags ...string) error {
	args := append([]string{"build", "-o", out}, flags...)
	cmd := exec.Command("go", append(args, pkg)...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
	}
	return nil
}

// startBackend serves a small JSON document on loopback.
func startBackend() (net.Listener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true,"items":[1,2,3]}`)
	}), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	return ln, nil
}

// redisProc is a redis-server the program started.
type redisProc struct {
	addr string
	port int
	dir  string
	cmd  *exec.Cmd
}

// startRedis starts redis-server on port (0: a free one), without
// persistence, and waits until it answers.
func startRedis(dir string, port int) (*redisProc, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, errors.New("redis-server is not installed; give -redis HOST:PORT")
	}
	if port == 0 {
		if port, err = freePort(); err != nil {
			return nil, err
		}
	}
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &redisProc{addr: "127.0.0.1:" + strconv.Itoa(port), port: port, dir: dir, cmd: cmd}
	for i := 0; ; i++ {
		c, err := net.DialTimeout("tcp", p.addr, 100*time.Millisecond)
		if err == nil {
			c.Close()
			return p, nil
		}
		if i == 100 {
			p.stop()
			return nil, fmt.Errorf("redis-server on %s did not start", p.addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop kills the server.
func (p *redisProc) stop() {
	if p.cmd != nil {
		_ = p.cmd.Process.Kill()
		_ = p.cmd.Wait()
		p.cmd = nil
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// fleetEnv is what every phase needs.
type fleetEnv struct {
	o            options
	dir          string
	gwBin, fnBin string
	redis        string
	backend      string
	stderr       io.Writer
	seq          int
}

// writeConfig writes a gateway config: /limited behind a limit of rate
// req/s (capacity one second's worth), kept in Redis with policy, or in
// the process when policy is "".
func (f *fleetEnv) writeConfig(rate float64, policy string) (string, error) {
	f.seq++
	extra := map[string]any{"telemetry/logging": map[string]any{"level": "ERROR", "stdout": true}}
	if policy != "" {
		extra["redis"] = map[string]any{"connection_pools": []any{map[string]any{"name": "state", "address": f.redis}}}
		extra["tributary"] = map[string]any{"shared_store": map[string]any{
			"connection_pool": "state", "rate_limit_failure": policy,
			"key_prefix": fmt.Sprintf("redisload:%d:%d:", os.Getpid(), f.seq),
		}}
	}
	cfg := map[string]any{
		"version": 3, "name": "redisload", "timeout": "3s", "extra_config": extra,
		"endpoints": []any{map[string]any{
			"endpoint": "/limited",
			"backend":  []any{map[string]any{"host": []string{"http://" + f.backend}, "url_pattern": "/"}},
			"extra_config": map[string]any{"qos/ratelimit/router": map[string]any{
				"max_rate": rate, "capacity": max(1, int(rate)),
			}},
		}},
	}
	b, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return "", err
	}
	p := filepath.Join(f.dir, fmt.Sprintf("gateway-%d.json", f.seq))
	return p, os.WriteFile(p, b, 0o600)
}

// target is one member of the fleet: it sends one request and reports
// the status.
type target interface {
	do(ctx context.Context) (int, error)
	conc() int
}

// httpTarget is a gateway process.
type httpTarget struct {
	url    string
	client *http.Client
}

func (h *httpTarget) conc() int { return 8 }

func (h *httpTarget) do(ctx context.Context) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// lambdaTarget is a function under the emulator (one invoke at a time).
type lambdaTarget struct {
	e       *rie.Emulator
	payload []byte
}

func (l *lambdaTarget) conc() int { return 1 }

func (l *lambdaTarget) do(ctx context.Context) (int, error) {
	code, body, err := l.e.Invoke(ctx, l.payload)
	if err != nil {
		return 0, err
	}
	if code != http.StatusOK {
		return 0, fmt.Errorf("invoke: %d", code)
	}
	var out struct {
		StatusCode int `json:"statusCode"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.StatusCode == 0 {
		return 0, fmt.Errorf("function error: %.200s", body)
	}
	return out.StatusCode, nil
}

// lambdaEvent is an HTTP API (v2) event for GET path.
func lambdaEvent(path string) []byte {
	ev := map[string]any{
		"version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": "",
		"headers": map[string]string{"host": "fleet.example.com", "x-forwarded-for": "203.0.113.7", "x-forwarded-proto": "https"},
		"requestContext": map[string]any{
			"accountId": "anonymous", "apiId": "fleet", "domainName": "fleet.example.com", "requestId": "r",
			"http":  map[string]any{"method": "GET", "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7", "userAgent": "redisload"},
			"stage": "$default", "timeEpoch": time.Now().UnixMilli(),
		},
		"isBase64Encoded": false,
	}
	b, _ := json.Marshal(ev)
	return b
}

// fleet is a set of running targets.
type fleet struct {
	targets []target
	stops   []func()
}

func (fl *fleet) stop() {
	for _, s := range slices.Backward(fl.stops) {
		s()
	}
}

// startFleet starts gateways gateway processes and lambdas functions on
// the config at cfgPath.
func (f *fleetEnv) startFleet(cfgPath string, gateways, lambdas int) (*fleet, error) {
	fl := &fleet{}
	logf, err := os.Create(cfgPath + ".log")
	if err != nil {
		return nil, err
	}
	fl.stops = append(fl.stops, func() { logf.Close() })
	for range gateways {
		port, err := freePort()
		if err != nil {
			fl.stop()
			return nil, err
		}
		cmd := exec.Command(f.gwBin, "run", "-p", strconv.Itoa(port), "-c", cfgPath)
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			fl.stop()
			return nil, err
		}
		fl.stops = append(fl.stops, func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		base := "http://127.0.0.1:" + strconv.Itoa(port)
		if err := waitHTTP(base + "/__health"); err != nil {
			fl.stop()
			return nil, fmt.Errorf("gateway on %s: %v (log: %s)", base, err, logf.Name())
		}
		fl.targets = append(fl.targets, &httpTarget{url: base + "/limited", client: &http.Client{
			Timeout:   5 * time.Second,
			Transport: &http.Transport{MaxIdleConnsPerHost: 64},
		}})
	}
	for range lambdas {
		e, err := rie.Start(rie.Options{RIE: f.o.rieBin, Bootstrap: f.fnBin, Env: []string{"TRIBUTARY_CONFIG=" + cfgPath},
			Timeout: 10 * time.Second, Output: logf})
		if err != nil {
			fl.stop()
			return nil, err
		}
		fl.stops = append(fl.stops, func() { _ = e.Close() })
		lt := &lambdaTarget{e: e, payload: lambdaEvent("/limited")}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err = lt.do(ctx) // the cold start, outside the measurement
		cancel()
		if err != nil {
			fl.stop()
			return nil, fmt.Errorf("lambda: %v (log: %s)", err, logf.Name())
		}
		fl.targets = append(fl.targets, lt)
	}
	return fl, nil
}

func waitHTTP(url string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// result is one request's outcome.
type result struct {
	start   time.Duration // since the load began
	latency time.Duration
	status  int // 0: failed
}

// openLoad offers rate req/s spread over the targets for d, open loop:
// a tick finding every worker of its target busy is counted as not sent.
func openLoad(targets []target, rate float64, d time.Duration) ([]result, int64) {
	type job struct{ t0 time.Time }
	queues := make([]chan job, len(targets))
	var mu sync.Mutex
	var results []result
	var wg sync.WaitGroup
	begin := time.Now()
	for i, t := range targets {
		queues[i] = make(chan job, t.conc())
		for range t.conc() {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range queues[i] {
					ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
					st, err := t.do(ctx)
					cancel()
					if err != nil {
						st = 0
					}
					r := result{start: j.t0.Sub(begin), latency: time.Since(j.t0), status: st}
					mu.Lock()
					results = append(results, r)
					mu.Unlock()
				}
			}()
		}
	}
	var dropped int64
	interval := time.Duration(float64(time.Second) / rate)
	next := begin
	for n := 0; ; n++ {
		now := time.Now()
		if now.Sub(begin) >= d {
			break
		}
		if now.Before(next) {
			time.Sleep(min(next.Sub(now), 10*time.Millisecond))
			continue
		}
		next = next.Add(interval)
		select {
		case queues[n%len(queues)] <- job{t0: now}:
		default:
			dropped++
		}
	}
	for _, q := range queues {
		close(q)
	}
	wg.Wait()
	return results, dropped
}

// limitPhase: the endpoint limit across the whole fleet.
func (f *fleetEnv) limitPhase(w io.Writer) error {
	cfg, err := f.writeConfig(f.o.rate, "fail_open")
	if err != nil {
		return err
	}
	fl, err := f.startFleet(cfg, f.o.gateways, f.o.lambdas)
	if err != nil {
		return err
	}
	defer fl.stop()
	warm := time.Second
	res, dropped := openLoad(fl.targets, f.o.rate*f.o.overload, warm+f.o.duration)
	var sent, ok, limited, failed int
	for _, r := range res {
		if r.start < warm {
			continue
		}
		sent++
		switch {
		case r.status == http.StatusOK:
			ok++
		case r.status == http.StatusServiceUnavailable:
			limited++
		default:
			failed++
		}
	}
	allowed := f.o.rate * f.o.duration.Seconds()
	fmt.Fprintf(w, "limit: %d targets, offered %.0f req/s (%.1f× the limit; %d ticks found every worker busy), measured %v after a %v warm-up\n",
		len(fl.targets), float64(sent)/f.o.duration.Seconds(), float64(sent)/allowed, dropped, f.o.duration, warm)
	fmt.Fprintf(w, "limit: admitted %d, refused 503 %d, other/failed %d; allowed %.0f → admitted ÷ allowed = %.3f (goal 0.95–1.05)\n",
		ok, limited, failed, allowed, float64(ok)/allowed)
	return nil
}

// outagePhase kills Redis after 2 s of load and restarts it 2 s later.
func (f *fleetEnv) outagePhase(w io.Writer, rdb *redisProc, policy string) error {
	cfg, err := f.writeConfig(f.o.rate, policy)
	if err != nil {
		return err
	}
	fl, err := f.startFleet(cfg, f.o.gateways, f.o.lambdas)
	if err != nil {
		return err
	}
	defer fl.stop()
	const (
		killAt    = 2 * time.Second
		restartAt = 4 * time.Second
		total     = 7 * time.Second
		window    = 500 * time.Millisecond
	)
	var restartErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		time.Sleep(killAt)
		rdb.stop()
		time.Sleep(restartAt - killAt)
		np, err := startRedis(rdb.dir, rdb.port)
		if err != nil {
			restartErr = err
			return
		}
		*rdb = *np
	}()
	res, _ := openLoad(fl.targets, f.o.rate*f.o.overload, total)
	<-done
	if restartErr != nil {
		return fmt.Errorf("restarting Redis: %w", restartErr)
	}
	fmt.Fprintf(w, "outage (%s): Redis killed at %v, restarted at %v; limit %g req/s, offered %g req/s\n",
		policy, killAt, restartAt, f.o.rate, f.o.rate*f.o.overload)
	fmt.Fprintf(w, "  %-11s %8s %8s %8s %10s\n", "window", "200/s", "503/s", "failed", "slowest")
	n := int(total / window)
	type agg struct {
		ok, lim, fail int
		slow          time.Duration
	}
	ws := make([]agg, n)
	for _, r := range res {
		i := int(r.start / window)
		if i >= n {
			continue
		}
		switch r.status {
		case http.StatusOK:
			ws[i].ok++
		case http.StatusServiceUnavailable:
			ws[i].lim++
		default:
			ws[i].fail++
		}
		ws[i].slow = max(ws[i].slow, r.latency)
	}
	for i, a := range ws {
		from := time.Duration(i) * window
		mark := ""
		if from >= killAt && from < restartAt {
			mark = "  (Redis down)"
		}
		fmt.Fprintf(w, "  %4.1f–%4.1fs %8.0f %8.0f %8d %10v%s\n", from.Seconds(), (from + window).Seconds(),
			float64(a.ok)/window.Seconds(), float64(a.lim)/window.Seconds(), a.fail, a.slow.Round(time.Millisecond), mark)
	}
	return nil
}

// overheadPhase compares one gateway's throughput on a proxy endpoint
// behind a limit that never refuses, kept in the process and in Redis:
// the two alternate for -rounds rounds (the machine's other load
// changes over time) and the medians are compared.
func (f *fleetEnv) overheadPhase(w io.Writer) error {
	var rps [2][]float64
	for range f.o.rounds {
		for i, policy := range []string{"", "fail_open"} {
			cfg, err := f.writeConfig(1e6, policy)
			if err != nil {
				return err
			}
			fl, err := f.startFleet(cfg, 1, 0)
			if err != nil {
				return err
			}
			t := fl.targets[0]
			var n, bad atomic.Int64
			closedLoop(t, f.o.conc, time.Now().Add(time.Second), &atomic.Int64{}, &atomic.Int64{}) // warm-up
			closedLoop(t, f.o.conc, time.Now().Add(f.o.duration), &n, &bad)
			fl.stop()
			rps[i] = append(rps[i], float64(n.Load())/f.o.duration.Seconds())
			if bad.Load() > 0 {
				fmt.Fprintf(w, "overhead: %d requests were not 200\n", bad.Load())
			}
		}
	}
	med := func(v []float64) float64 { slices.Sort(v); return v[len(v)/2] }
	fmt.Fprintf(w, "overhead: rounds in-process %s, Redis %s req/s\n", fmtRates(rps[0]), fmtRates(rps[1]))
	local, shared := med(rps[0]), med(rps[1])
	fmt.Fprintf(w, "overhead: proxy endpoint behind a never-refusing limit, %d clients, %d × %v each: median in-process %.0f req/s, Redis %.0f req/s → ratio %.2f (goal ≥ 0.70)\n",
		f.o.conc, f.o.rounds, f.o.duration, local, shared, shared/local)
	return nil
}

func fmtRates(v []float64) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = strconv.FormatFloat(x, 'f', 0, 64)
	}
	return strings.Join(parts, " ")
}

// closedLoop runs conc clients against t until stop.
func closedLoop(t target, conc int, stop time.Time, n, bad *atomic.Int64) {
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				st, err := t.do(context.Background())
				if err != nil || st != http.StatusOK {
					bad.Add(1)
					continue
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
}
