package faults

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// HostileOptions configure RunHostile.
type HostileOptions struct {
	// Addr is the gateway's "127.0.0.1:PORT".
	Addr string
	// Server is the fault server behind the gateway: no hostile request
	// may reach it.
	Server *Server
	// Rounds is how many times each request is sent. Default 4.
	Rounds int
	// BodyBytes is the oversize upload's size. Default 16 MiB: the request
	// body cap is 1 MiB, and the upload must outgrow the loopback socket
	// buffers for a close with unread data to reset the connection.
	BodyBytes int
	// Tally receives the violations.
	Tally *Tally
}

// hostileWait bounds each exchange.
const hostileWait = 5 * time.Second

// RunHostile sends, over raw TCP, requests the gateway must refuse without
// contacting a backend (security.md §5 class B):
//
//   - an upload over the body cap (but under the gateway's 64 MiB drain
//     bound), sent in full before reading: the client must be able to
//     send it all and then read the 413 (a reset while it sends, or one
//     that destroys the answer, is a violation);
//   - a request carrying both Content-Length and Transfer-Encoding (the
//     request-smuggling shape) with a second request hidden after its last
//     chunk: chunked framing wins (RFC 9112 §6.3), so the first request may
//     be served, but the gateway must then close the connection; the hidden
//     request must never be answered nor reach a backend.
//
// It returns the number of requests sent.
func RunHostile(ctx context.Context, o HostileOptions) (int, error) {
	if o.Addr == "" || o.Server == nil || o.Tally == nil {
		return 0, errors.New("RunHostile: Addr, Server and Tally are required")
	}
	if o.Rounds <= 0 {
		o.Rounds = 4
	}
	if o.BodyBytes <= 0 {
		o.BodyBytes = 16 << 20
	}
	run := StormPrefix + "h" + nextRun() + "_"
	var wg sync.WaitGroup
	sent := 0
	for r := range o.Rounds {
		for _, kind := range []string{"upload", "clte"} {
			id := run + kind + strconv.Itoa(r)
			path := Path([]Fault{F(KindOK, 0)}, id)
			sent++
			wg.Add(1)
			go func() {
				defer wg.Done()
				var detail string
				if kind == "upload" {
					detail = oversizeUpload(ctx, o.Addr, path, o.BodyBytes)
				} else {
					detail = smugglingShape(ctx, o.Addr, path)
				}
				if detail != "" {
					o.Tally.Add(Violation{Class: ClassHostile, ID: id, Path: path, Detail: detail})
				}
			}()
		}
	}
	wg.Wait()
	// Neither the refused upload nor the hidden request may have reached a
	// backend.
	for r := range o.Rounds {
		for _, id := range []string{run + "upload" + strconv.Itoa(r), run + "clte" + strconv.Itoa(r) + hiddenSuffix} {
			if calls := o.Server.Calls(id); len(calls) > 0 {
				o.Tally.Add(Violation{Class: ClassHostile, ID: id, Detail: fmt.Sprintf("a refused or hidden request reached the backend (%d call(s))", len(calls))})
			}
		}
	}
	return sent, ctx.Err()
}

// dialRaw opens a loopback connection bounded by hostileWait.
func dialRaw(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(hostileWait))
	return c, nil
}

// oversizeUpload sends size body bytes with an honest Content-Length, all
// of them before reading, as most client libraries do, then reads the
// answer; it returns what was wrong, or "".
func oversizeUpload(ctx context.Context, addr, path string, size int) string {
	c, err := dialRaw(ctx, addr)
	if err != nil {
		return "upload: dial: " + err.Error()
	}
	defer c.Close()
	head := "GET " + path + " HTTP/1.1\r\nHost: faults\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(size) + "\r\n\r\n"
	werr := error(nil)
	if _, werr = io.WriteString(c, head); werr == nil {
		werr = repeatWrite(c, padChunk, size)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return fmt.Sprintf("upload of %d bytes: the 413 was lost (write: %v; read: %v)", size, werr, err)
	}
	if werr != nil {
		// The answer survived in this client's buffer, but a client that
		// stops at the failed write (urllib, http.client, most SDKs) sees
		// only "connection reset".
		_ = resp.Body.Close()
		return fmt.Sprintf("upload of %d bytes: status %d, but the connection was reset while the body was being sent (%v): clients that send the whole body before reading never see the answer", size, resp.StatusCode, werr)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	switch {
	case err != nil:
		return fmt.Sprintf("upload of %d bytes: status %d, body cut: %v", size, resp.StatusCode, err)
	case resp.StatusCode != http.StatusRequestEntityTooLarge:
		return fmt.Sprintf("upload of %d bytes: status %d, want 413", size, resp.StatusCode)
	case !jsonError(body, "payload_too_large"):
		return fmt.Sprintf("upload of %d bytes: 413 body %q, want {\"error\":\"payload_too_large\",…}", size, truncate(string(body), 120))
	}
	return ""
}

// hiddenSuffix turns the id of a CL+TE request into the id of the request
// hidden after its last chunk.
const hiddenSuffix = "x"

// smugglingShape sends a request with both Content-Length and
// Transfer-Encoding and a second request hidden after its last chunk, and
// checks that the gateway closes the connection without answering the
// hidden one.
func smugglingShape(ctx context.Context, addr, path string) string {
	c, err := dialRaw(ctx, addr)
	if err != nil {
		return "CL+TE: dial: " + err.Error()
	}
	defer c.Close()
	hidden := "GET " + path + hiddenSuffix + " HTTP/1.1\r\nHost: faults\r\n\r\n"
	body := "0\r\n\r\n" + hidden
	req := "GET " + path + " HTTP/1.1\r\nHost: faults\r\nContent-Length: " + strconv.Itoa(len(body)) +
		"\r\nTransfer-Encoding: chunked\r\n\r\n" + body
	if _, err := io.WriteString(c, req); err != nil {
		return "CL+TE: write: " + err.Error()
	}
	br := bufio.NewReader(c)
	first, err := http.ReadResponse(br, nil)
	if err != nil {
		return "" // closed without an answer: allowed
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(first.Body, 64<<10))
	_ = first.Body.Close()
	// Nothing more may come but the end of the stream.
	second, err := http.ReadResponse(br, nil)
	if err == nil {
		_ = second.Body.Close()
		return fmt.Sprintf("CL+TE: status %d, and the request hidden after the last chunk was answered too (status %d)", first.StatusCode, second.StatusCode)
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return fmt.Sprintf("CL+TE: status %d, and the connection stayed open %v after it (Connection: %q)", first.StatusCode, hostileWait, first.Header.Get("Connection"))
	}
	return ""
}

// jsonError reports whether body is a gateway error with the given code.
func jsonError(body []byte, code string) bool {
	v, ok := checkErrorCode(body)
	return ok && v == code
}
