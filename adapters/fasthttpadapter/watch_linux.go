package fasthttpadapter

import (
	"context"
	"errors"
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
func watchClient(ctx *fasthttp.RequestCtx, cancel context.CancelFunc) (stop func()) {
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
