package httpadapter

import (
	"bufio"
	"io"
	"strings"
	"testing"
)

// TestServerErrorsAreJSON sends requests net/http answers on its own,
// before any handler runs, and checks that each answer is the gateway's
// JSON error with the code and message the Lambda adapter gives for the
// same fault; ordinary answers pass untouched.
func TestServerErrorsAreJSON(t *testing.T) {
	addr, _ := startGateway(t, "1048576")
	for _, tc := range []struct {
		name, request string
		status        int
		body          string
	}{
		{"invalid Host", "GET /x HTTP/1.1\r\nHost: a b\r\n\r\n", 400,
			`{"error":"bad_request","message":"invalid Host header"}`},
		// net/http does not say why it refuses two Host headers.
		{"two Host headers", "GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400,
			`{"error":"bad_request","message":"malformed HTTP request"}`},
		{"no Host", "GET /x HTTP/1.1\r\n\r\n", 400,
			`{"error":"bad_request","message":"missing required Host header"}`},
		{"garbage request line", "NONSENSE\r\n\r\n", 400,
			`{"error":"bad_request","message":"malformed HTTP request"}`},
		{"headers over the cap", "GET /x HTTP/1.1\r\nHost: gw\r\nX-Big: " + strings.Repeat("a", 80<<10) + "\r\n\r\n", 431,
			`{"error":"headers_too_large","message":"the request headers are larger than 65536 bytes"}`},
		{"unsupported transfer coding", "POST /x HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: gzip\r\n\r\n", 501,
			`{"error":"not_implemented","message":"unsupported transfer encoding"}`},
		{"an ordinary 404 passes through", "GET /nowhere HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n", 404,
			`{"error":"not_found","message":"no endpoint matches GET /nowhere"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn := dial(t, addr)
			go func() { _, _ = io.WriteString(conn, tc.request) }()
			resp, err := readResponse(bufio.NewReader(conn))
			if err != nil {
				t.Fatal(err)
			}
			if resp.status != tc.status || resp.body != tc.body {
				t.Errorf("got %d %s, want %d %s", resp.status, resp.body, tc.status, tc.body)
			}
			if resp.header.Get("Content-Type") != "application/json; charset=utf-8" || resp.header.Get("X-Tributary-Completed") != "false" {
				t.Errorf("headers %v", resp.header)
			}
		})
	}
}
