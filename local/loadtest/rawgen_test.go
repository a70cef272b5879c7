package main

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReadResponse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    rawResponse
		wantErr bool
		rest    string // what must be left unread (the next response)
	}{
		{name: "content-length",
			in:   "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: application/json\r\n\r\nhello" + "NEXT",
			want: rawResponse{status: 200, bodyBytes: 5}, rest: "NEXT"},
		{name: "header case and spaces",
			in:   "HTTP/1.1 200 OK\r\ncOnTeNt-LeNgTh:\t3 \r\nX-Tributary-Completed: FALSE\r\n\r\nabc",
			want: rawResponse{status: 200, bodyBytes: 3, incomplete: true}},
		{name: "completed true",
			in:   "HTTP/1.1 200 OK\r\nX-Tributary-Completed: true\r\nContent-Length: 0\r\n\r\n",
			want: rawResponse{status: 200}},
		{name: "chunked with extension and trailer",
			in:   "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\nA\r\n0123456789\r\n0\r\nTrailer: 1\r\n\r\nNEXT",
			want: rawResponse{status: 200, bodyBytes: 13}, rest: "NEXT"},
		{name: "bare LF lines",
			in:   "HTTP/1.1 404 Not Found\nContent-Length: 2\n\n{}",
			want: rawResponse{status: 404, bodyBytes: 2}},
		{name: "connection close",
			in:   "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
			want: rawResponse{status: 503, close: true}},
		{name: "HTTP/1.0 closes",
			in:   "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx",
			want: rawResponse{status: 200, close: true, bodyBytes: 1}},
		{name: "close-delimited body",
			in:   "HTTP/1.1 200 OK\r\n\r\nall of this",
			want: rawResponse{status: 200, close: true, bodyBytes: 11}},
		{name: "no body on 204",
			in:   "HTTP/1.1 204 No Content\r\n\r\nNEXT",
			want: rawResponse{status: 204}, rest: "NEXT"},
		{name: "status without reason",
			in:   "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
			want: rawResponse{status: 200}},
		{name: "not HTTP", in: "SSH-2.0-OpenSSH\r\n\r\n", wantErr: true},
		{name: "bad status", in: "HTTP/1.1 2x0 OK\r\n\r\n", wantErr: true},
		{name: "status too long", in: "HTTP/1.1 2000 OK\r\n\r\n", wantErr: true},
		{name: "bad content-length", in: "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", wantErr: true},
		{name: "header without colon", in: "HTTP/1.1 200 OK\r\nbroken\r\n\r\n", wantErr: true},
		{name: "bad chunk size", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", wantErr: true},
		{name: "chunk without CRLF", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n0\r\n\r\n", wantErr: true},
		{name: "truncated body", in: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", wantErr: true},
		{name: "truncated headers", in: "HTTP/1.1 200 OK\r\nContent-Le", wantErr: true},
		{name: "empty", in: "", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := bufio.NewReaderSize(strings.NewReader(tc.in), 64)
			got, err := readResponse(r)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("no error, got %+v", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			rest, _ := io.ReadAll(r)
			if string(rest) != tc.rest {
				t.Errorf("left %q unread, want %q", rest, tc.rest)
			}
		})
	}
}

func TestReadResponseLongHeaderLine(t *testing.T) {
	in := "HTTP/1.1 200 OK\r\nX-Long: " + strings.Repeat("a", 100) + "\r\n\r\n"
	_, err := readResponse(bufio.NewReaderSize(strings.NewReader(in), 32))
	if !errors.Is(err, bufio.ErrBufferFull) {
		t.Fatalf("error %v, want bufio.ErrBufferFull", err)
	}
}

func TestParseNumbers(t *testing.T) {
	dec := []struct {
		in   string
		want int64
		ok   bool
	}{{"0", 0, true}, {"1048576", 1 << 20, true}, {"", 0, false}, {"1a", 0, false}, {"1234567890123456", 0, false}}
	for _, tc := range dec {
		if got, ok := parseDecimal([]byte(tc.in)); got != tc.want || ok != tc.ok {
			t.Errorf("parseDecimal(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	hex := []struct {
		in   string
		want int64
		ok   bool
	}{{"0", 0, true}, {"ff", 255, true}, {"1A", 26, true}, {"", 0, false}, {"g", 0, false}, {"12345678901", 0, false}}
	for _, tc := range hex {
		if got, ok := parseHex([]byte(tc.in)); got != tc.want || ok != tc.ok {
			t.Errorf("parseHex(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzReadResponse: any byte stream gives a response or an error, never a
// panic, and never reports more body bytes than the stream held.
func FuzzReadResponse(f *testing.F) {
	f.Add("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
	f.Add("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
	f.Add("HTTP/1.0 200 OK\r\n\r\nbody until close")
	f.Add("HTTP/1.1 200 OK\r\nX-Tributary-Completed: false\r\nContent-Length: 0\r\n\r\n")
	f.Add("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffff\r\n")
	f.Add("HTTP/1.1 200 OK\r\nContent-Length: 999999999999999\r\n\r\n")
	f.Fuzz(func(t *testing.T, in string) {
		r := bufio.NewReaderSize(strings.NewReader(in), 64)
		resp, err := readResponse(r)
		if err == nil && (resp.bodyBytes < 0 || resp.bodyBytes > int64(len(in))) {
			t.Fatalf("body of %d bytes from a %d-byte stream", resp.bodyBytes, len(in))
		}
		if err == nil && (resp.status < 0 || resp.status > 999) {
			t.Fatalf("status %d", resp.status)
		}
	})
}
