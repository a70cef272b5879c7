package faults

import (
	"bufio"
	"net"
	"net/http"
	"strconv"
	"time"
)

// rawWriteTimeout bounds every write on a hijacked connection.
const rawWriteTimeout = 5 * time.Second

// hijack takes the connection over from net/http and hands it to the
// server, which closes it on Close. ok is false when that is not possible
// (the connection is then already closed or still net/http's).
func (s *Server) hijack(w http.ResponseWriter) (net.Conn, *bufio.Reader, bool) {
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return nil, nil, false
	}
	if !s.adopt(conn) {
		return nil, nil, false
	}
	_ = conn.SetDeadline(time.Time{})
	_ = conn.SetWriteDeadline(time.Now().Add(rawWriteTimeout))
	return conn, brw.Reader, true
}

// rawHead is a 200 head framed by Content-Length n (n < 0: chunked).
func rawHead(c call, n int) []byte {
	h := "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + HeaderFaultID + ": " + c.tag() + "\r\n"
	if n < 0 {
		h += "Transfer-Encoding: chunked\r\n\r\n"
	} else {
		h += "Content-Length: " + strconv.Itoa(n) + "\r\n\r\n"
	}
	return []byte(h)
}

// chunk frames data as one HTTP/1.1 chunk.
func chunk(data []byte) []byte {
	b := strconv.AppendInt(nil, int64(len(data)), 16)
	b = append(b, "\r\n"...)
	b = append(b, data...)
	return append(b, "\r\n"...)
}

// resetPause lets the half body reach the caller before the reset.
const resetPause = 10 * time.Millisecond

// serveBroken writes a response the connection cannot finish: reset sends
// half the body and then an RST; short declares more bytes than it sends
// and closes.
func (s *Server) serveBroken(w http.ResponseWriter, c call) {
	conn, _, ok := s.hijack(w)
	if !ok {
		return
	}
	defer s.release(conn)
	body := okBody(c, 512)
	var out []byte
	switch {
	case c.fault.Kind == KindShort:
		out = append(rawHead(c, len(body)+c.fault.A), body...)
	case c.fault.A == 0: // reset, Content-Length
		out = append(rawHead(c, len(body)), body[:len(body)/2]...)
	default: // reset, chunked
		out = append(rawHead(c, -1), chunk(body[:len(body)/2])...)
	}
	if _, err := conn.Write(out); err != nil {
		return
	}
	if c.fault.Kind == KindReset {
		time.Sleep(resetPause)
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // Close sends RST
		}
	}
}
