package faults

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// maxClientBody caps what the load client reads of one response.
const maxClientBody = 16 << 20

// LoadOptions configure RunLoad.
type LoadOptions struct {
	// URL is the gateway's base URL, "http://127.0.0.1:PORT".
	URL string
	// Clients is the number of concurrent workers. Default 8.
	Clients int
	// Duration bounds a random run. Ignored when Cases is set.
	Duration time.Duration
	// MaxRequests, when positive, bounds a random run by count too.
	MaxRequests int64
	// Seed makes the random fault mix reproducible: worker k draws from
	// its own generator seeded with (Seed, k).
	Seed uint64
	// Cases, when set, are sent once each (in any order) instead of the
	// random mix.
	Cases [][]Fault
	// Kinds, when set, restricts the random mix to ok and these kinds.
	Kinds []Kind
	// IDPrefix starts every request id. Default "k". It must not start
	// with StormPrefix or JunkPrefix. Ids are "<prefix><run>_<worker>-<n>",
	// unique in the process.
	IDPrefix string
	// Checker checks each response.
	Checker *Checker
	// Tally receives the results.
	Tally *Tally
	// Client sends the requests. Default: a client of its own, closed at
	// the end.
	Client *http.Client
}

// runs numbers the runs of this process, so that request ids never repeat
// (the fault server keys its records by id).
var runs atomic.Int64

// nextRun returns a fresh run number, as a string.
func nextRun() string { return strconv.FormatInt(runs.Add(1), 10) }

// NewClient returns an HTTP client for the load: its own transport, keeping
// up to conns idle connections, no compression, no proxy, and redirects
// never followed (a 3xx reaching the client is itself a finding).
func NewClient(conns int) *http.Client {
	return &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{
			Proxy:               nil,
			MaxIdleConns:        conns,
			MaxIdleConnsPerHost: conns,
			IdleConnTimeout:     10 * time.Second,
			DisableCompression:  true,
		},
	}
}

// RunLoad sends requests from concurrent workers until the duration ends,
// the cases run out or ctx is done, checking every response. It returns
// the number of requests sent.
func RunLoad(ctx context.Context, o LoadOptions) (int64, error) {
	if o.Checker == nil || o.Tally == nil || o.URL == "" {
		return 0, errors.New("RunLoad: URL, Checker and Tally are required")
	}
	if o.Clients <= 0 {
		o.Clients = 8
	}
	if o.IDPrefix == "" {
		o.IDPrefix = "k"
	}
	client := o.Client
	if client == nil {
		client = NewClient(o.Clients)
		defer client.CloseIdleConnections()
	}
	if o.Cases == nil {
		if o.Duration <= 0 {
			return 0, errors.New("RunLoad: a duration or cases are required")
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Duration)
		defer cancel()
	}
	run := o.IDPrefix + nextRun() + "_"
	var next, sent atomic.Int64
	var wg sync.WaitGroup
	for k := range o.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(o.Seed, uint64(k)))
			for seq := 0; ctx.Err() == nil; seq++ {
				var faults []Fault
				if o.Cases != nil {
					i := next.Add(1) - 1
					if i >= int64(len(o.Cases)) {
						return
					}
					faults = o.Cases[i]
				} else {
					if o.MaxRequests > 0 && next.Add(1) > o.MaxRequests {
						return
					}
					faults = RandomFaults(rng, o.Checker.Limits, o.Kinds)
				}
				id := run + strconv.Itoa(k) + "-" + strconv.Itoa(seq)
				sendOne(ctx, client, o, Request{ID: id, Faults: faults, Path: Path(faults, id)})
				sent.Add(1)
			}
		}()
	}
	wg.Wait()
	return sent.Load(), nil
}

// sendOne sends one request, checks the answer and records it. A request
// in flight when the run ends is allowed to finish.
func sendOne(ctx context.Context, client *http.Client, o LoadOptions, req Request) {
	// A hard bound far past the rule, so a hung gateway cannot hang the
	// run; anything past T + margin is a violation anyway.
	hard := o.Checker.Limits.Timeout + o.Checker.margin() + 10*time.Second
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), hard)
	defer cancel()
	hreq, err := http.NewRequestWithContext(rctx, http.MethodGet, o.URL+req.Path, nil)
	if err != nil {
		o.Tally.Add(Violation{Class: ClassTransport, ID: req.ID, Path: req.Path, Detail: err.Error()})
		return
	}
	start := time.Now()
	req.Sent = start
	resp, err := client.Do(hreq)
	if err != nil {
		latency := time.Since(start)
		class := ClassTransport
		if errors.Is(rctx.Err(), context.DeadlineExceeded) {
			class = ClassDeadline
		}
		o.Tally.Record(outcomeName(nil, err), latency, []Violation{{Class: class, ID: req.ID, Path: req.Path,
			Detail: fmt.Sprintf("no response after %v: %v", latency.Round(time.Millisecond), err)}})
		return
	}
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, maxClientBody+1))
	_ = resp.Body.Close()
	latency := time.Since(start)
	if readErr == nil && len(body) > maxClientBody {
		readErr = fmt.Errorf("body larger than %d bytes", maxClientBody)
	}
	vs := o.Checker.Check(req, resp, body, readErr, latency)
	o.Tally.Record(outcomeName(resp, nil), latency, vs)
}
