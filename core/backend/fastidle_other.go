//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package backend

import "net"

// idleProbeSupported reports whether quiet can look at the socket.
const idleProbeSupported = false

// probeFD returns -1: the socket cannot be peeked here.
func probeFD(net.Conn) int { return -1 }

// quiet reports whether nothing arrived on c while it sat idle. On this
// platform the socket cannot be peeked without blocking, so only the bytes
// already buffered when the last body ended are checked (in fastConn.done);
// a connection the server closed is still caught by the single retry of
// idempotent requests.
func (c *fastConn) quiet() bool { return true }
