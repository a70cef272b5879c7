package faults

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"
)

// SlowlorisOptions configure RunSlowloris.
type SlowlorisOptions struct {
	// Addr is the gateway's "127.0.0.1:PORT".
	Addr string
	// Server is the fault server behind the gateway: no slowloris request
	// may reach it.
	Server *Server
	// Conns is the number of slow connections held at once. Default 50.
	Conns int
	// Every is the pause between two header bytes. Default 200ms.
	Every time.Duration
	// ReadHeaderTimeout is the gateway's read_header_timeout.
	ReadHeaderTimeout time.Duration
	// Margin is how long past ReadHeaderTimeout a connection may stay
	// open. Default 2s.
	Margin time.Duration
	// Tally receives the violations.
	Tally *Tally
}

// SlowlorisResult summarises a slowloris run.
type SlowlorisResult struct {
	// Conns is the number of slow connections opened.
	Conns int
	// Closed holds, per connection the server closed, how long after the
	// first byte it did; sorted.
	Closed []time.Duration
}

// RunSlowloris opens Conns connections that send a request line and then
// one header byte every Every, never finishing the header block. The
// gateway must close each of them by its read_header_timeout (plus
// Margin), and none may reach a backend (security.md §5 class B).
func RunSlowloris(ctx context.Context, o SlowlorisOptions) (SlowlorisResult, error) {
	if o.Addr == "" || o.Server == nil || o.Tally == nil || o.ReadHeaderTimeout <= 0 {
		return SlowlorisResult{}, errors.New("RunSlowloris: Addr, Server, Tally and ReadHeaderTimeout are required")
	}
	if o.Conns <= 0 {
		o.Conns = 50
	}
	if o.Every <= 0 {
		o.Every = 200 * time.Millisecond
	}
	if o.Margin <= 0 {
		o.Margin = 2 * time.Second
	}
	limit := o.ReadHeaderTimeout + o.Margin
	res := SlowlorisResult{Conns: o.Conns}
	run := StormPrefix + "lo" + nextRun() + "_"
	var mu sync.Mutex
	var wg sync.WaitGroup
	for k := range o.Conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := run + strconv.Itoa(k)
			path := Path([]Fault{F(KindOK, 0)}, id)
			took, err := slowConn(ctx, o, path, limit)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				o.Tally.Add(Violation{Class: ClassSlowloris, ID: id, Path: path, Detail: err.Error()})
			default:
				res.Closed = append(res.Closed, took)
			}
			if calls := o.Server.Calls(id); len(calls) > 0 {
				o.Tally.Add(Violation{Class: ClassSlowloris, ID: id, Path: path,
					Detail: fmt.Sprintf("an unfinished request reached the backend (%d call(s))", len(calls))})
			}
		}()
	}
	wg.Wait()
	slices.Sort(res.Closed)
	return res, nil
}

// slowConn trickles one request's headers and returns how long the server
// took to close the connection; an error when it did not within limit.
func slowConn(ctx context.Context, o SlowlorisOptions, path string, limit time.Duration) (time.Duration, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", o.Addr)
	if err != nil {
		return 0, fmt.Errorf("dial: %w", err)
	}
	start := time.Now()
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		// Anything the server sends (an error page) or the end of the
		// stream ends the wait; the connection is closed below either way.
		buf := make([]byte, 512)
		_ = conn.SetReadDeadline(start.Add(limit + time.Second))
		for {
			if _, err := conn.Read(buf); err != nil {
				return
			}
		}
	}()
	defer func() {
		_ = conn.Close()
		<-closed
	}()
	if _, err := conn.Write([]byte("GET " + path + " HTTP/1.1\r\nHost: faults\r\nX-Slow: ")); err != nil {
		return time.Since(start), nil
	}
	t := time.NewTicker(o.Every)
	defer t.Stop()
	for {
		select {
		case <-closed:
			return time.Since(start), nil
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-t.C:
		}
		if time.Since(start) > limit {
			return 0, fmt.Errorf("still open %v after the first byte (read_header_timeout %v + margin %v)",
				time.Since(start).Round(time.Millisecond), o.ReadHeaderTimeout, o.Margin)
		}
		if _, err := conn.Write([]byte("a")); err != nil {
			return time.Since(start), nil // closed by the server
		}
	}
}
