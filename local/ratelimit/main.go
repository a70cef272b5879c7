// Command ratelimit measures how closely the gateway's rate limits hold
// under overload: it serves a config with qos/ratelimit/router through the
// real gateway (config.Load, plan.Compile, exec, the net/http adapter) on
// loopback, offers a multiple of the configured rate for a while with an
// open-loop paced generator, and prints admitted ÷ allowed for the
// endpoint limit and for per-client limits.
//
// Usage:
//
//	go run ./local/ratelimit [-rate 100] [-capacity 10] [-overload 10] [-d 10s] [-clients 4]
//
// The first second of load is a warm-up that drains the buckets and is not
// counted; "allowed" is then what the buckets refill over the counted
// window: rate × duration per bucket. A ratio near 1.00 means the limit held; the figures are
// printed, never asserted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tributary-gw/tributary/adapters/httpadapter"
	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/plan"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "ratelimit:", err)
		}
		os.Exit(1)
	}
}

// options are the command-line settings.
type options struct {
	rate     float64       // configured requests per second
	overload float64       // offered ÷ configured
	duration time.Duration // measured time per limit
	clients  int           // clients of the per-client run
	capacity int           // bucket size
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ratelimit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.Float64Var(&o.rate, "rate", 100, "configured rate, requests per second (endpoint limit; each client's limit in the client run)")
	fs.Float64Var(&o.overload, "overload", 10, "offered load as a multiple of the configured rate")
	fs.DurationVar(&o.duration, "d", 10*time.Second, "duration of each run")
	fs.IntVar(&o.capacity, "capacity", 10, "bucket size (a full bucket wastes the tokens that would overflow it, so 1 makes the result hostage to scheduling jitter)")
	fs.IntVar(&o.clients, "clients", 4, "clients of the per-client run (each offered overload × rate)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.rate <= 0 || o.overload < 1 || o.duration < time.Second || o.clients < 1 || o.capacity < 1 {
		return errors.New("need -rate > 0, -overload ≥ 1, -d ≥ 1s, -clients ≥ 1, -capacity ≥ 1")
	}
	backend, err := startBackend()
	if err != nil {
		return err
	}
	defer backend.Close()

	fmt.Fprintf(stdout, "rate-limit accuracy: %.0f× the configured rate for %v (after a 1s warm-up), open loop, through the real gateway on loopback\n",
		o.overload, o.duration)
	capacity := o.capacity
	for _, m := range []struct {
		name    string
		limit   map[string]any
		clients int
	}{
		{"endpoint", map[string]any{"max_rate": o.rate, "capacity": capacity}, 1},
		{"client", map[string]any{"client_max_rate": o.rate, "client_capacity": capacity,
			"strategy": "header", "key": "X-Client"}, o.clients},
	} {
		res, err := measure(o, backend.addr, m.limit, m.clients)
		if err != nil {
			return fmt.Errorf("%s limit: %w", m.name, err)
		}
		allowed := float64(m.clients) * o.rate * o.duration.Seconds()
		fmt.Fprintf(stdout, "%-8s limit %.0f/s × %d client(s): offered %d, admitted %d, refused %d (429 %d, 503 %d), other %d; "+
			"allowed %.0f; admitted/allowed %.3f\n",
			m.name, o.rate, m.clients, res.sent, res.ok, res.r429+res.r503, res.r429, res.r503, res.other, allowed, float64(res.ok)/allowed)
	}
	return nil
}

// stub is the loopback backend.
type stub struct {
	addr string
	srv  *http.Server
}

func (s *stub) Close() { _ = s.srv.Close() }

func startBackend() (*stub, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	})}
	go func() { _ = srv.Serve(ln) }()
	return &stub{addr: ln.Addr().String(), srv: srv}, nil
}

// result counts the answers of one run.
type result struct {
	sent, ok, r429, r503, other int64
}

// measure serves a gateway whose one endpoint has the given limit and
// offers it overload × rate requests a second per client.
func measure(o options, backendAddr string, limit map[string]any, clients int) (result, error) {
	cfgText := fmt.Sprintf(`{"version": 3, "timeout": "5s", "endpoints": [{"endpoint": "/x",
  "backend": [{"host": ["http://%s"], "url_pattern": "/"}],
  "extra_config": {"qos/ratelimit/router": %s}}]}`, backendAddr, mustJSON(limit))
	cfg, err := config.Load("ratelimit.json", []byte(cfgText), nil)
	if err != nil {
		return result{}, err
	}
	p, err := plan.Compile(cfg)
	if err != nil {
		return result{}, err
	}
	logger := slog.New(slog.DiscardHandler)
	gw := exec.New(p, exec.Options{Logger: logger})
	defer gw.Client().CloseIdleConnections()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return result{}, err
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second,
		Handler: httpadapter.New(gw, httpadapter.Options{Logger: logger})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	tr := &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	url := "http://" + ln.Addr().String() + "/x"

	var res result
	interval := time.Duration(float64(time.Second) / (o.rate * o.overload * float64(clients)))
	// The first warmup of load is not counted: connections are opened and
	// the buckets drained, so the counted window starts in steady
	// overload, when every refilled token is taken at once.
	const warmup = time.Second
	type job struct {
		i       int
		counted bool
	}
	jobs := make(chan job, 1024)
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for j := range jobs {
				i := j.i
				req, _ := http.NewRequestWithContext(context.Background(), "GET", url, nil)
				req.Header.Set("X-Client", "client-"+strconv.Itoa(i%clients))
				resp, err := client.Do(req)
				if !j.counted {
					if err == nil {
						_, _ = io.Copy(io.Discard, resp.Body)
						_ = resp.Body.Close()
					}
					continue
				}
				if err != nil {
					atomic.AddInt64(&res.other, 1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				switch resp.StatusCode {
				case http.StatusOK:
					atomic.AddInt64(&res.ok, 1)
				case http.StatusTooManyRequests:
					atomic.AddInt64(&res.r429, 1)
				case http.StatusServiceUnavailable:
					atomic.AddInt64(&res.r503, 1)
				default:
					atomic.AddInt64(&res.other, 1)
				}
			}
		})
	}
	start := time.Now()
	for i := 0; ; i++ {
		at := start.Add(time.Duration(i) * interval)
		if at.Sub(start) >= warmup+o.duration {
			break
		}
		time.Sleep(time.Until(at))
		counted := at.Sub(start) >= warmup
		jobs <- job{i: i, counted: counted}
		if counted {
			res.sent++
		}
	}
	close(jobs)
	wg.Wait()
	return res, nil
}

// mustJSON renders the small option map of a limit.
func mustJSON(m map[string]any) string {
	out := "{"
	first := true
	for _, k := range []string{"max_rate", "capacity", "client_max_rate", "client_capacity", "strategy", "key"} {
		v, ok := m[k]
		if !ok {
			continue
		}
		if !first {
			out += ", "
		}
		first = false
		switch v := v.(type) {
		case string:
			out += strconv.Quote(k) + ": " + strconv.Quote(v)
		case float64:
			out += strconv.Quote(k) + ": " + strconv.FormatFloat(v, 'f', -1, 64)
		case int:
			out += strconv.Quote(k) + ": " + strconv.Itoa(v)
		}
	}
	return out + "}"
}
