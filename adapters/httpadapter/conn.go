package httpadapter

import (
	"bytes"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/tributary-gw/tributary/core/exec"
)

// netHTTPErrorHeaders is what net/http's server writes after the status line
// of an answer it gives on its own, before any handler runs: a request it
// cannot parse (400), headers over MaxHeaderBytes (431), an unsupported
// transfer coding (501). No handler's answer has these headers right after
// its status line: the gateway's always start with Connection or
// Content-Length.
const netHTTPErrorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

// WrapListener returns ln with the answers net/http's server writes on its
// own rewritten as the gateway's JSON error bodies, with the codes and
// messages the Lambda adapter uses for the same faults: an invalid Host is
// 400 {"error":"bad_request","message":"invalid Host header"} on every
// transport, not Go's plain-text "400 Bad Request: malformed Host header".
// maxHeaderBytes is the server's MaxHeaderBytes, named in the 431 message.
// The rewrite looks at the start of each write of a connection; nothing
// else changes.
func WrapListener(ln net.Listener, maxHeaderBytes int) net.Listener {
	return &errorListener{Listener: ln, maxHeaderBytes: maxHeaderBytes}
}

// errorListener is the net.Listener WrapListener returns.
type errorListener struct {
	net.Listener
	maxHeaderBytes int
}

// Accept implements net.Listener.
func (l *errorListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &errorConn{Conn: c, maxHeaderBytes: l.maxHeaderBytes}, nil
}

// errorConn rewrites net/http's own error answers written on it.
type errorConn struct {
	net.Conn
	maxHeaderBytes int
}

// CloseWrite half-closes the connection when the underlying one can, as
// net/http does after a 431 to let the client read it.
func (c *errorConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// Write implements net.Conn.
func (c *errorConn) Write(p []byte) (int, error) {
	if len(p) < 13 || !bytes.HasPrefix(p, []byte("HTTP/1.1 ")) || (p[9] != '4' && p[9] != '5') {
		return c.Conn.Write(p)
	}
	line, _, ok := bytes.Cut(p, []byte("\r\n"))
	if !ok || !bytes.HasPrefix(p[len(line):], []byte(netHTTPErrorHeaders)) {
		return c.Conn.Write(p)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return c.Conn.Write(p)
	}
	_, text, _ := bytes.Cut(line[12:], []byte(": "))
	code, msg := c.describe(status, string(text))
	body := exec.ErrorBody(code, msg)
	out := make([]byte, 0, 192+len(body))
	out = append(out, "HTTP/1.1 "...)
	out = strconv.AppendInt(out, int64(status), 10)
	out = append(out, ' ')
	out = append(out, http.StatusText(status)...)
	out = append(out, "\r\nConnection: close\r\nContent-Length: "...)
	out = strconv.AppendInt(out, int64(len(body)), 10)
	out = append(out, "\r\nContent-Type: "+exec.ContentTypeJSON+"\r\n"+exec.HeaderCompleted+": false\r\n\r\n"...)
	out = append(out, body...)
	if _, err := c.Conn.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// describe gives the error code and message of a net/http answer of
// status whose status line carried text ("" when it had none), as the
// Lambda adapter words the same fault.
func (c *errorConn) describe(status int, text string) (code, msg string) {
	switch status {
	case http.StatusRequestHeaderFieldsTooLarge:
		return "headers_too_large", "the request headers are larger than " + strconv.Itoa(c.maxHeaderBytes) + " bytes"
	case http.StatusNotImplemented:
		return "not_implemented", "unsupported transfer encoding"
	case http.StatusBadRequest:
		switch text {
		case "malformed Host header":
			return "bad_request", "invalid Host header"
		case "":
			return "bad_request", "malformed HTTP request"
		}
		return "bad_request", text
	}
	if text == "" {
		text = http.StatusText(status)
	}
	return strings.ReplaceAll(strings.ToLower(http.StatusText(status)), " ", "_"), text
}
