// Command soak runs Tributary's fault and soak suite against a
// real gateway and a fault backend, and reports every broken rule.
//
//	go run ./local/soak [-mode soak|faults] [-duration 5m] [-clients 200] [-seed N]
//	                    [-timeout 1s] [-gateway child|binary|inproc] [-gateway-bin PATH]
//	                    [-server net/http|fasthttp]
//
// -mode soak (the default) sends the seeded random fault mix from -clients
// concurrent clients for -duration. -mode faults runs each fault class in
// turn (every variant alone, beside ok backends and on every backend), a
// junk-reuse sequence, a client-disconnect storm and a slowloris, and
// reports each. Both sample the gateway's RSS, goroutines and open file
// descriptors before, at peak, at the end and after an idle period, and
// check that they return to the baseline.
//
// The gateway runs, by default, in a child process of its own (this binary
// re-executed as `soak gateway`), assembled as `tributary run` assembles it
// and with a loopback stats listener for its goroutine count; -gateway
// binary builds and runs the real `tributary` binary instead (no goroutine
// count), -gateway inproc runs it inside this process (the figures then
// include the load client and the fault backend). Everything listens on
// 127.0.0.1. The exit status is 1 when any rule was broken.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/tributary-gw/tributary/local/faults"
)

// main dispatches the hidden child subcommand or runs the suite.
func main() {
	args := os.Args[1:]
	if len(args) > 0 && args[0] == childCommand {
		os.Exit(runChild(args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	o, err := parseOptions(args, os.Stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code := run(ctx, o, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// options are the command's settings.
type options struct {
	mode       string
	duration   time.Duration
	clients    int
	seed       uint64
	timeout    time.Duration
	margin     time.Duration
	idle       time.Duration
	raceWindow time.Duration
	gateway    string
	gatewayBin string
	server     string // tributary run --server (binary mode)
	// faults mode
	kinds       []faults.Kind
	repeat      int
	stormRounds int
	stormBound  time.Duration
	slowloris   int
	keep        bool
}

// parseOptions reads the flags.
func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("soak", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.mode, "mode", "soak", "soak: the random fault mix for -duration; faults: each fault class in turn, a disconnect storm and a slowloris")
	fs.DurationVar(&o.duration, "duration", 5*time.Minute, "soak mode: how long to send")
	fs.IntVar(&o.clients, "clients", 200, "concurrent clients (soak, storm); faults mode caps its class runs at 32")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the random fault mix (each client draws from (seed, client))")
	fs.DurationVar(&o.timeout, "timeout", time.Second, "endpoint timeout T of the generated config")
	fs.DurationVar(&o.margin, "margin", 250*time.Millisecond, "latency allowance past the endpoint timeout T")
	fs.DurationVar(&o.idle, "idle", 20*time.Second, "longest wait for the gateway to return to its baseline after the load")
	fs.DurationVar(&o.raceWindow, "race-window", faults.DefaultRaceWindow, "junk delivered to a request that reached the backend within this of the junk is the inherent HTTP/1.1 race")
	fs.StringVar(&o.gateway, "gateway", "child", "how the gateway runs: child (its own process, goroutines counted), binary (the tributary binary), inproc (this process)")
	fs.StringVar(&o.gatewayBin, "gateway-bin", "", "a prebuilt tributary binary (implies -gateway binary; default: go build ./local)")
	fs.StringVar(&o.server, "server", "", "the binary gateway's HTTP server, net/http or fasthttp (tributary run --server; implies -gateway binary)")
	kinds := fs.String("kinds", "", "comma-separated fault kinds: faults mode runs these classes, soak mode mixes only these and ok (default: all)")
	fs.IntVar(&o.repeat, "repeat", 3, "faults mode: how many times each class's cases run")
	fs.IntVar(&o.stormRounds, "storm-rounds", 3, "faults mode: disconnect storm rounds of -clients requests")
	fs.DurationVar(&o.stormBound, "storm-bound", 500*time.Millisecond, "faults mode: how soon a backend must see its client leave")
	fs.IntVar(&o.slowloris, "slowloris", 50, "faults mode: slow connections held at once")
	fs.BoolVar(&o.keep, "keep", false, "keep the work directory (config, gateway log)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "soak: unexpected arguments %q\n", fs.Args())
		return o, errors.New("arguments")
	}
	if o.gatewayBin != "" || o.server != "" {
		o.gateway = "binary"
	}
	bad := func(format string, args ...any) (options, error) {
		fmt.Fprintf(stderr, "soak: "+format+"\n", args...)
		return o, errors.New("bad flag")
	}
	switch {
	case o.server != "" && o.server != "net/http" && o.server != "fasthttp":
		return bad("-server %q: want net/http or fasthttp", o.server)
	case o.mode != "soak" && o.mode != "faults":
		return bad("-mode %q: want soak or faults", o.mode)
	case o.gateway != "child" && o.gateway != "binary" && o.gateway != "inproc":
		return bad("-gateway %q: want child, binary or inproc", o.gateway)
	case o.clients < 1 || o.clients > 10_000:
		return bad("-clients %d: want 1–10000", o.clients)
	case o.duration <= 0 || o.duration > 24*time.Hour:
		return bad("-duration %v: want > 0 and ≤ 24h", o.duration)
	case o.timeout < 100*time.Millisecond || o.timeout > 10*time.Second:
		return bad("-timeout %v: want 100ms–10s (the storm's endpoint waits 10s)", o.timeout)
	case o.repeat < 1 || o.stormRounds < 0 || o.slowloris < 0:
		return bad("-repeat, -storm-rounds and -slowloris must not be negative (-repeat ≥ 1)")
	}
	if *kinds != "" {
		known := map[faults.Kind]bool{}
		for _, k := range faults.Kinds() {
			known[k] = true
		}
		for _, k := range strings.Split(*kinds, ",") {
			if k = strings.TrimSpace(k); !known[faults.Kind(k)] {
				return bad("-kinds: unknown kind %q (known: %v)", k, faults.Kinds())
			}
			o.kinds = append(o.kinds, faults.Kind(k))
		}
	}
	return o, nil
}
