// Command loadtest measures the Tributary gateway side by side with the
// backend it fronts, in one run on one machine, and prints the gateway's
// throughput and latency as ratios of the direct backend's (issue 4).
//
//	go run ./local/loadtest [-quick] [-c 64] [-d 10s] [-warmup 2s] [-rounds 3]
//	                        [-scenarios proxy,limited,webheaders,secured,secured-cached,traced-off,traced,aggregate,sequential,big]
//	                        [-gen http|raw|wrk] [-servers net/http,fasthttp]
//	                        [-procs N] [-json FILE]
//
// Three processes take part, as in the reference measurement: a stub
// backend (this binary re-executed as `loadtest backend`), the real
// `tributary` binary built from ./local/tributary, and the load generator (this
// process). For each scenario the rounds are interleaved — direct, gateway,
// direct, gateway, … — and the medians are compared. Everything listens on
// 127.0.0.1; every child is stopped on exit and on SIGINT.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"
)

func main() {
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "backend" {
		os.Exit(cmdBackend(args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	o, err := parseOptions(args, os.Stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		os.Exit(2)
	}
	o.env = os.Environ()
	o.command = commandLine(os.Args)
	if wd, err := os.Getwd(); err == nil {
		o.workDir = wd
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code := 0
	if err := run(ctx, o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "loadtest: %v\n", err)
		code = 1
		if ctx.Err() != nil {
			code = 130
		}
	}
	stop()
	os.Exit(code)
}

// options are the harness settings.
type options struct {
	conns       int
	duration    time.Duration
	warmup      time.Duration
	rounds      int
	quick       bool
	scenarios   []string
	servers     []string // the gateway's HTTP servers, each run for every scenario
	gen         string
	procs       int // generator GOMAXPROCS; 0 leaves Go's default
	gwProcs     int // gateway GOMAXPROCS; 0 leaves Go's default
	backProcs   int // stub backend GOMAXPROCS; 0 leaves Go's default
	startupRuns int
	gatewayBin  string
	repo        string
	jsonPath    string

	// Filled by main, not by flags.
	env     []string
	command string
	workDir string
}

// parseOptions parses the flags; -quick shortens every setting the
// command line does not set explicitly.
func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.conns, "c", 64, "connections (one closed-loop worker each)")
	fs.DurationVar(&o.duration, "d", 10*time.Second, "measured duration of each run")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured warm-up before each run")
	fs.IntVar(&o.rounds, "rounds", 3, "interleaved rounds per scenario (direct, gateway, direct, …)")
	fs.BoolVar(&o.quick, "quick", false, "quick run: -d 3s -warmup 1s -rounds 1 -startup-runs 5 unless set")
	scen := fs.String("scenarios", strings.Join(scenarioNames(), ","), "comma-separated scenarios to run")
	srvs := fs.String("servers", "", "comma-separated gateway HTTP servers (tributary run --server), each measured in every scenario: net/http, fasthttp (default: net/http only)")
	fs.StringVar(&o.gen, "gen", "raw", "load generator: raw (lean HTTP/1.1 client, close to wrk; default), http (net/http client per connection), wrk (if on PATH)")
	fs.IntVar(&o.procs, "procs", 0, "GOMAXPROCS of the load generator (0: Go's default)")
	fs.IntVar(&o.gwProcs, "gateway-procs", 0, "GOMAXPROCS of the gateway (0: Go's default)")
	fs.IntVar(&o.backProcs, "backend-procs", 0, "GOMAXPROCS of the stub backend (0: Go's default)")
	fs.IntVar(&o.startupRuns, "startup-runs", 11, "start-up measurements with the 100-endpoint config (0: skip)")
	fs.StringVar(&o.gatewayBin, "gateway", "", "prebuilt tributary binary (default: go build ./local/tributary)")
	fs.StringVar(&o.repo, "repo", "", "repository root to build from (default: found above the working directory)")
	fs.StringVar(&o.jsonPath, "json", "", "also write every number as JSON to this file")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: go run ./local/loadtest [flags]\n\nCompares the tributary gateway with the backend it fronts and prints ratios.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "loadtest: unexpected arguments %q\n", fs.Args())
		return o, errors.New("unexpected arguments")
	}
	if o.quick {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if !set["d"] {
			o.duration = 3 * time.Second
		}
		if !set["warmup"] {
			o.warmup = time.Second
		}
		if !set["rounds"] {
			o.rounds = 1
		}
		if !set["startup-runs"] {
			o.startupRuns = 5
		}
	}
	known := map[string]bool{}
	for _, sc := range scenarios() {
		known[sc.Name] = true
	}
	for _, s := range strings.Split(*scen, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if !known[s] {
			fmt.Fprintf(stderr, "loadtest: unknown scenario %q (%s)\n", s, strings.Join(scenarioNames(), ", "))
			return o, errors.New("bad -scenarios")
		}
		o.scenarios = append(o.scenarios, s)
	}
	for _, s := range strings.Split(*srvs, ",") {
		switch s = strings.TrimSpace(s); s {
		case "":
		case "net/http", "fasthttp":
			o.servers = append(o.servers, s)
		default:
			fmt.Fprintf(stderr, "loadtest: unknown server %q (net/http, fasthttp)\n", s)
			return o, errors.New("bad -servers")
		}
	}
	var problems []string
	if o.conns < 1 || o.conns > 10000 {
		problems = append(problems, "-c must be 1–10000")
	}
	if o.duration < 100*time.Millisecond {
		problems = append(problems, "-d must be at least 100ms")
	}
	if o.warmup < 0 {
		problems = append(problems, "-warmup must not be negative")
	}
	if o.rounds < 1 {
		problems = append(problems, "-rounds must be at least 1")
	}
	if o.startupRuns < 0 {
		problems = append(problems, "-startup-runs must not be negative")
	}
	if o.procs < 0 || o.gwProcs < 0 || o.backProcs < 0 {
		problems = append(problems, "-procs, -gateway-procs and -backend-procs must not be negative")
	}
	switch o.gen {
	case "http", "raw", "wrk":
	default:
		problems = append(problems, "-gen must be http, raw or wrk")
	}
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "loadtest: %s\n", strings.Join(problems, "; "))
		return o, errors.New("bad flags")
	}
	return o, nil
}

// commandLine renders how the harness was invoked; a binary built by
// `go run` is shown as `go run ./local/loadtest`.
func commandLine(argv []string) string {
	if len(argv) == 0 {
		return "loadtest"
	}
	name := argv[0]
	if strings.Contains(name, "go-build") {
		name = "go run ./local/loadtest"
	}
	return strings.TrimSpace(name + " " + strings.Join(argv[1:], " "))
}

// goMaxProcs applies -procs to the generator and returns the value in use.
func goMaxProcs(n int) int {
	if n > 0 {
		runtime.GOMAXPROCS(n)
	}
	return runtime.GOMAXPROCS(0)
}
