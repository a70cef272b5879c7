package fasthttpadapter

import (
	"context"
	"errors"
	"sync"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"
)

// aLongTimeAgo is a read deadline in the past: it wakes the watcher.
var aLongTimeAgo = time.Unix(1, 0)

// watchClient cancels the request's context when the client closes the
// connection while the request is served, as net/http's server does with
// its background read, so that backend calls made for a client that left
// end at once. fasthttp does not read a connection while its handler runs;
// the watcher waits for the socket to become readable and peeks at it
// without consuming anything: end of stream or an error means the client
// is gone, data (a pipelined request) ends the watch. The returned stop
// must be called before the handler returns; nil means no watch (not a
// socket).
//
// The watch starts only once the request has been served for watchDelay:
// most requests are answered sooner, and for them a goroutine, a poller
// registration and a deadline change per request would be pure cost. A
// client that leaves is then noticed watchDelay late at most.
func watchClient(ctx *fasthttp.RequestCtx, cancel context.CancelFunc) (stop func()) {
	var (
		mu      sync.Mutex
		stopped bool
		end     func()
	)
	t := time.AfterFunc(watchDelay, func() {
		mu.Lock()
		defer mu.Unlock()
		if !stopped {
			end = startWatch(ctx, cancel)
		}
	})
	return func() {
		if t.Stop() {
			return // answered within watchDelay: never watched
		}
		mu.Lock()
		stopped = true
		e := end
		mu.Unlock()
		if e != nil {
			e()
		}
	}
}

// watchDelay is how long a request is served before its client is
// watched.
const watchDelay = 2 * time.Millisecond

// startWatch starts watching the client of ctx now; see watchClient. It
// returns nil when the connection is not a socket.
func startWatch(ctx *fasthttp.RequestCtx, cancel context.CancelFunc) (stop func()) {
	sc, ok := ctx.Conn().(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var b [1]byte
		_ = raw.Read(func(fd uintptr) bool {
			n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
			switch {
			case errors.Is(err, syscall.EAGAIN), errors.Is(err, syscall.EINTR):
				return false // nothing yet: wait for readability
			case err != nil, n == 0:
				cancel() // reset, or end of stream: the client left
			}
			return true
		})
	}()
	return func() {
		// Wake the watcher and wait for it: fasthttp reads the connection
		// again once the handler returns, and resets the deadline itself.
		_ = ctx.SetReadDeadline(aLongTimeAgo)
		<-done
	}
}
