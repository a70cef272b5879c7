//go:build linux

package rie

import (
	"encoding/binary"
	"errors"
	"syscall"
)

// Linux socket diagnostics (sock_diag(7)); the syscall package has the
// netlink plumbing but not these constants.
const (
	netlinkSockDiag  = 4  // NETLINK_SOCK_DIAG
	sockDiagByFamily = 20 // SOCK_DIAG_BY_FAMILY
	tcpListenState   = 10 // TCP_LISTEN
	inetDiagReqLen   = 56 // struct inet_diag_req_v2
	inetDiagMsgLen   = 72 // struct inet_diag_msg
)

// listenerInodesDiag returns the socket inode of each TCP listener on
// 127.0.0.1 at one of ports, asking the kernel for listening sockets only
// (a dump of a few entries, where /proc/net/tcp lists every socket of the
// machine, TIME_WAIT included, and costs milliseconds per read).
func listenerInodesDiag(ports []int) (map[int]uint32, error) {
	fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, netlinkSockDiag)
	if err != nil {
		return nil, err
	}
	defer syscall.Close(fd)
	if err := syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &syscall.Timeval{Sec: 1}); err != nil {
		return nil, err
	}
	req := make([]byte, syscall.NLMSG_HDRLEN+inetDiagReqLen)
	binary.NativeEndian.PutUint32(req[0:4], uint32(len(req)))
	binary.NativeEndian.PutUint16(req[4:6], sockDiagByFamily)
	binary.NativeEndian.PutUint16(req[6:8], syscall.NLM_F_REQUEST|syscall.NLM_F_DUMP)
	body := req[syscall.NLMSG_HDRLEN:]
	body[0] = syscall.AF_INET     // sdiag_family
	body[1] = syscall.IPPROTO_TCP // sdiag_protocol
	binary.NativeEndian.PutUint32(body[4:8], 1<<tcpListenState)
	if err := syscall.Sendto(fd, req, 0, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
		return nil, err
	}
	want := make(map[int]bool, len(ports))
	for _, p := range ports {
		want[p] = true
	}
	found := make(map[int]uint32, len(ports))
	buf := make([]byte, 64<<10)
	for {
		n, _, err := syscall.Recvfrom(fd, buf, 0)
		if err != nil {
			return nil, err
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:n])
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			switch m.Header.Type {
			case syscall.NLMSG_DONE:
				return found, nil
			case syscall.NLMSG_ERROR:
				return nil, errors.New("rie: the kernel refused the socket diagnostics request")
			}
			// struct inet_diag_msg: family, state, timer, retrans, then
			// inet_diag_sockid {be16 sport, be16 dport, be32 src[4], …},
			// and the inode at byte 68.
			d := m.Data
			if len(d) < inetDiagMsgLen || d[0] != syscall.AF_INET {
				continue
			}
			port := int(binary.BigEndian.Uint16(d[4:6]))
			if want[port] && d[8] == 127 && d[9] == 0 && d[10] == 0 && d[11] == 1 {
				found[port] = binary.NativeEndian.Uint32(d[68:72])
			}
		}
	}
}
