package faults

import (
	"bytes"
	"testing"
	"time"
)

// shortSoak is the duration of the soak `make test` runs: with the idle
// wait it stays well under 30 s under -race on two cores.
const shortSoak = 6 * time.Second

// TestShortSoak runs the seeded random fault mix from 32 concurrent
// clients through a real gateway, then checks every answer, that no
// backend call was left held, that the gateway logged no ERROR, and that
// goroutines and file descriptors return to the baseline (tolerance: 3
// goroutines, 2 descriptors) once the connections have gone idle.
func TestShortSoak(t *testing.T) {
	s := startSuite(t)
	ctx := testContext(t, time.Minute)
	const seed = 7
	rep, err := s.Soak(ctx, 32, shortSoak, seed, nil)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	rep.Tally.Write(&b, "  ")
	rep.Resources.Write(&b, "  ")
	t.Logf("seed %d, 32 clients, %v:\n%s", seed, rep.Elapsed.Round(time.Millisecond), b.String())
	if rep.Tally.Responses() < 100 {
		t.Errorf("only %d responses: the soak did not run", rep.Tally.Responses())
	}
	reportTally(t, "short soak", rep.Tally)
	if rep.Server.Requests == 0 || rep.Server.Junk.SameWrite+rep.Server.Junk.Delayed == 0 {
		t.Errorf("the mix did not exercise the backend (stats %+v)", rep.Server)
	}
}

// TestDisconnectStorm has 32 clients leave 20–150 ms after sending
// requests whose backends hold their calls; the /slow endpoint's timeout
// is 10 s, so only the gateway passing the client's cancellation on can
// end those calls within the bound.
func TestDisconnectStorm(t *testing.T) {
	s := startSuite(t)
	ctx := testContext(t, time.Minute)
	before := SelfSample()
	res, tally, err := s.Storm(ctx, 32, 2, 11, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("storm: %d requests, %d backend calls seen, %d cancelled; cancel latency %s",
		res.Requests, res.Calls, res.Cancelled, Summary(res.Latency))
	reportTally(t, "storm", tally)
	if res.Calls == 0 {
		t.Errorf("no backend call was seen: the storm exercised nothing")
	}
	if res.Cancelled != res.Calls {
		t.Errorf("%d of %d backend calls saw the client leave", res.Cancelled, res.Calls)
	}
	idle := WaitBaseline(ctx, SelfSample, before, s.Tolerance, 250*time.Millisecond, s.Idle)
	if v := (Resources{Before: before, Peak: idle, Idle: idle}).Check(s.Tolerance); len(v) > 0 {
		t.Errorf("after the storm: %v", v)
	}
	if v := s.RunWide(s.Server.Stats()); len(v) > 0 {
		t.Errorf("run-wide: %v", v)
	}
}

// TestSlowloris holds 16 connections that trickle their headers slower
// than the 1 s read_header_timeout: the gateway must close each within
// the timeout plus 2 s, none may reach a backend, and ordinary requests
// sent meanwhile must be answered correctly.
func TestSlowloris(t *testing.T) {
	s := startSuite(t)
	ctx := testContext(t, time.Minute)
	rep, err := s.Slowloris(ctx, 16)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("slowloris: %d connections, closed after %s; %d ordinary requests meanwhile",
		rep.Result.Conns, Summary(rep.Result.Closed), rep.Traffic.Responses())
	reportTally(t, "slowloris", rep.Tally)
	reportTally(t, "traffic beside the slowloris", rep.Traffic)
	if len(rep.Result.Closed) != rep.Result.Conns {
		t.Errorf("%d of %d slow connections closed", len(rep.Result.Closed), rep.Result.Conns)
	}
}

// TestHostileRequests sends oversize uploads, which must be answered 413
// (not reset), and requests carrying both Content-Length and
// Transfer-Encoding, whose connections must be closed; none may reach a
// backend.
func TestHostileRequests(t *testing.T) {
	s := startSuite(t)
	ctx := testContext(t, time.Minute)
	n, tally, err := s.Hostile(ctx, 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d hostile requests", n)
	reportTally(t, "hostile requests", tally)
}
