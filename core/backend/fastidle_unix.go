//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package backend

import (
	"errors"
	"net"
	"syscall"
)

// idleProbeSupported reports whether quiet can look at the socket. Where it
// cannot, only the bytes already buffered when a body ends are checked (see
// fastidle_other.go).
const idleProbeSupported = true

// probeFD returns the socket descriptor of nc for quiet, or -1.
func probeFD(nc net.Conn) int {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return -1
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return -1
	}
	fd := -1
	if raw.Control(func(s uintptr) { fd = int(s) }) != nil {
		return -1
	}
	return fd
}

// quiet reports whether nothing arrived on c while it sat idle: no byte, no
// end of stream and no error. It peeks at the socket without blocking and
// without consuming anything — one system call, no allocation — so it
// decides whether a pooled connection may carry the next request. A backend
// that wrote after the end of its last response (extra bytes after a
// Content-Length body, a body after a 204, junk after the last chunk) or
// closed the connection fails the check, and the connection is retired
// instead of handing those bytes to the next request as its response.
//
// The descriptor is used directly rather than through the runtime poller:
// c is owned by the caller (just taken from the pool), so nothing closes it
// meanwhile, and a peek leaves the socket's readiness as it was.
func (c *fastConn) quiet() bool {
	if c.fd < 0 {
		return true
	}
	_, _, err := syscall.Recvfrom(c.fd, c.probe[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
	// EAGAIN: nothing to read, the connection is quiet. A read of 0 bytes
	// (the peer closed), a byte, or any other error retires it.
	return err != nil && (errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EWOULDBLOCK))
}
