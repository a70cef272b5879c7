package faults

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// StormOptions configure RunStorm.
type StormOptions struct {
	// URL is the gateway's base URL.
	URL string
	// Server is the fault server behind the gateway.
	Server *Server
	// Clients is the number of requests sent at once, each leaving early.
	// Default 50.
	Clients int
	// Rounds repeats the storm. Default 1.
	Rounds int
	// Seed picks the faults and the leaving times.
	Seed uint64
	// LeaveMin and LeaveMax bound when each client leaves after sending.
	// Default 20ms and 150ms.
	LeaveMin, LeaveMax time.Duration
	// Bound is how soon after the client left each backend call must see
	// the cancellation. Default 500ms.
	Bound time.Duration
	// Wait bounds the wait for the backends to see every cancellation.
	// Default 5s. It must stay below the /slow endpoint's timeout, or the
	// gateway's own deadline would end the calls and hide a bug.
	Wait time.Duration
	// Tally receives the violations.
	Tally *Tally
}

// StormResult summarises a disconnect storm.
type StormResult struct {
	// Requests is the number of requests sent (and abandoned).
	Requests int
	// Calls is the number of backend calls the fault server saw for them;
	// Cancelled the ones that saw their caller leave.
	Calls, Cancelled int
	// Latency holds, per cancelled call, how long after the client left
	// (or after the call arrived, if later) the backend saw it.
	Latency []time.Duration
}

// stormFaults are the backend behaviours the storm abandons: each holds
// the call until the gateway lets go.
var stormFaults = []Fault{F(KindHang), F(KindDelay, 60_000), F(KindTrickle, 10_000, 10)}

// RunStorm sends Clients requests at once to the /slow endpoint, each
// calling two backends that hold their calls, and has every client leave
// after a random 20–150 ms. Every backend call must see its caller leave
// within Bound of the client leaving: the gateway must cancel its backend
// calls when its client goes (security.md §7.8), well before its own
// deadline.
func RunStorm(ctx context.Context, o StormOptions) (StormResult, error) {
	if o.URL == "" || o.Server == nil || o.Tally == nil {
		return StormResult{}, errors.New("RunStorm: URL, Server and Tally are required")
	}
	if o.Clients <= 0 {
		o.Clients = 50
	}
	if o.Rounds <= 0 {
		o.Rounds = 1
	}
	if o.LeaveMin <= 0 {
		o.LeaveMin = 20 * time.Millisecond
	}
	if o.LeaveMax <= o.LeaveMin {
		o.LeaveMax = max(150*time.Millisecond, o.LeaveMin+time.Millisecond)
	}
	if o.Bound <= 0 {
		o.Bound = 500 * time.Millisecond
	}
	if o.Wait <= 0 {
		o.Wait = 5 * time.Second
	}
	var res StormResult
	client := NewClient(o.Clients)
	defer client.CloseIdleConnections()
	rng := rand.New(rand.NewPCG(o.Seed, 0x5707))
	run := StormPrefix + nextRun() + "_"
	for round := range o.Rounds {
		if ctx.Err() != nil {
			break
		}
		type sent struct {
			req  Request
			left time.Time
		}
		reqs := make([]sent, o.Clients)
		leave := make([]time.Duration, o.Clients)
		for k := range reqs {
			f0, f1 := stormFaults[rng.IntN(len(stormFaults))], stormFaults[rng.IntN(len(stormFaults))]
			id := run + strconv.Itoa(round) + "-" + strconv.Itoa(k)
			reqs[k].req = Request{ID: id, Faults: []Fault{f0, f1}, Path: SlowPath(f0, f1, id)}
			leave[k] = o.LeaveMin + time.Duration(rng.Int64N(int64(o.LeaveMax-o.LeaveMin)))
		}
		var wg sync.WaitGroup
		for k := range reqs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				reqs[k].left = abandon(ctx, client, o, reqs[k].req, leave[k])
			}()
		}
		wg.Wait()
		res.Requests += len(reqs)
		// Wait for every call seen to end, then judge each.
		deadline := time.Now().Add(o.Wait)
		for _, s := range reqs {
			calls := waitCalls(o.Server, s.req.ID, deadline)
			for _, c := range calls {
				res.Calls++
				from := s.left
				if c.Seen.After(from) {
					from = c.Seen
				}
				switch {
				case c.Ended.IsZero():
					o.Tally.Add(Violation{Class: ClassCancel, ID: s.req.ID, Path: s.req.Path,
						Detail: fmt.Sprintf("backend %d (%s) still held %v after the client left", c.Backend, c.Fault, time.Since(s.left).Round(time.Millisecond))})
				case !c.Cancelled:
					o.Tally.Add(Violation{Class: ClassCancel, ID: s.req.ID, Path: s.req.Path,
						Detail: fmt.Sprintf("backend %d (%s) ended without seeing the client leave", c.Backend, c.Fault)})
				default:
					res.Cancelled++
					lat := c.Ended.Sub(from)
					res.Latency = append(res.Latency, lat)
					if lat > o.Bound {
						o.Tally.Add(Violation{Class: ClassCancel, ID: s.req.ID, Path: s.req.Path,
							Detail: fmt.Sprintf("backend %d (%s) saw the client leave %v later, bound %v", c.Backend, c.Fault, lat.Round(time.Millisecond), o.Bound)})
					}
				}
			}
		}
	}
	o.Server.ForgetCalls()
	slices.Sort(res.Latency)
	return res, nil
}

// abandon sends req and leaves after the given time; it returns when the
// client left. A response before that is a violation: every backend holds.
func abandon(ctx context.Context, client *http.Client, o StormOptions, req Request, after time.Duration) time.Time {
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	leftc := make(chan time.Time, 1)
	timer := time.AfterFunc(after, func() {
		leftc <- time.Now()
		cancel()
	})
	defer timer.Stop()
	hreq, err := http.NewRequestWithContext(rctx, http.MethodGet, o.URL+req.Path, nil)
	if err != nil {
		return time.Now()
	}
	resp, err := client.Do(hreq)
	if err == nil {
		_ = resp.Body.Close()
		o.Tally.Add(Violation{Class: ClassStatus, ID: req.ID, Path: req.Path,
			Detail: fmt.Sprintf("status %d before the client left, though every backend holds its call", resp.StatusCode)})
	}
	if timer.Stop() {
		// The request ended before the timer: the client leaves now.
		return time.Now()
	}
	return <-leftc
}

// waitCalls polls the server's record of request id until every call seen
// has ended or the deadline passes.
func waitCalls(s *Server, id string, deadline time.Time) []Call {
	for {
		calls := s.Calls(id)
		done := true
		for _, c := range calls {
			if c.Ended.IsZero() {
				done = false
			}
		}
		if done || !time.Now().Before(deadline) {
			return calls
		}
		time.Sleep(10 * time.Millisecond)
	}
}
