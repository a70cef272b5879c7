//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package faults

import (
	"bufio"
	"errors"
	"net"
	"syscall"
	"time"
)

// pending reports, without blocking and without consuming anything,
// whether the client sent more bytes on conn (or closed it): one peek at
// the socket, so no scheduling point separates the look from the write
// that follows it.
func pending(conn net.Conn, br *bufio.Reader) bool {
	if br.Buffered() > 0 {
		return true
	}
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return pendingSlow(conn, br)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return pendingSlow(conn, br)
	}
	// RawConn.Read honours the read deadline, which the wait before left
	// expired.
	_ = conn.SetReadDeadline(time.Time{})
	var (
		rerr error
		buf  [1]byte
	)
	if err := rc.Read(func(fd uintptr) bool {
		_, _, rerr = syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		return true // a probe: never wait for readiness
	}); err != nil {
		return true
	}
	if rerr != nil {
		return !errors.Is(rerr, syscall.EAGAIN) && !errors.Is(rerr, syscall.EWOULDBLOCK)
	}
	return true // a byte, or the end of the stream
}
