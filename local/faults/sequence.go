package faults

import (
	"context"
	"errors"
	"strconv"
	"time"
)

// JunkSequence sends, from one client and one request at a time, pairs of
// requests to the one-backend endpoint: first one whose backend answers and
// then, delay later, sends a junk response (extra or after204), and then,
// once that junk has landed on the now idle connection and while the fault
// server still holds it open, an ordinary ok request. A gateway that hands
// the idle connection to the second request without noticing the bytes
// waiting on it delivers the junk as its answer: a foreign id.
//
// The gateway's pool hands out its most recently used idle connection
// first (as net/http's does), so the second request goes out on the first
// one's connection. The server's JunkPause must be longer than the delay
// plus the settle time (the defaults are 50 ms and at most 20 ms + 15 ms).
func JunkSequence(ctx context.Context, url string, c *Checker, t *Tally, rounds int) (int, error) {
	if url == "" || c == nil || t == nil {
		return 0, errors.New("JunkSequence: url, checker and tally are required")
	}
	const settle = 15 * time.Millisecond // the junk is on the wire well before
	client := NewClient(1)
	defer client.CloseIdleConnections()
	o := LoadOptions{URL: url, Checker: c, Tally: t}
	sent, run := 0, "q"+nextRun()+"_"
	for range rounds {
		for _, first := range []Fault{F(KindExtra, 0, 5), F(KindExtra, 1, 10), F(KindAfter204, 5), F(KindAfter204, 20)} {
			if ctx.Err() != nil {
				return sent, ctx.Err()
			}
			id := run + strconv.Itoa(sent)
			sendOne(ctx, client, o, Request{ID: id + "a", Faults: []Fault{first}, Path: Path([]Fault{first}, id+"a")})
			delay := time.Duration(first.B) * time.Millisecond
			if first.Kind == KindAfter204 {
				delay = time.Duration(first.A) * time.Millisecond
			}
			select {
			case <-ctx.Done():
				return sent, ctx.Err()
			case <-time.After(delay + settle):
			}
			second := []Fault{F(KindOK, 0)}
			sendOne(ctx, client, o, Request{ID: id + "b", Faults: second, Path: Path(second, id+"b")})
			sent += 2
		}
	}
	return sent, nil
}
