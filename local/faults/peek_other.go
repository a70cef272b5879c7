//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package faults

import (
	"bufio"
	"net"
)

// pending reports whether the client sent more bytes on conn (or closed
// it). Without a non-blocking peek it looks for a moment.
func pending(conn net.Conn, br *bufio.Reader) bool { return pendingSlow(conn, br) }
