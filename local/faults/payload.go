package faults

import (
	"bytes"
	"compress/gzip"
	"io"
	"log"
	"strconv"
	"sync"
)

// HeaderFaultID is the response header naming the call a response answers:
// "<id>-<backend index>".
const HeaderFaultID = "X-Fault-Id"

// JunkPrefix starts the id inside a junk response: "x-<id of the call it
// followed>". Request ids never start with it.
const JunkPrefix = "x-"

// padChunk is shared filler for large bodies.
var padChunk = bytes.Repeat([]byte("x"), 64<<10)

// okBody returns the id-tagged JSON object of c, with pad filler bytes:
// {"id":"<id>","b":<index>,"fault":"<fault>"[,"pad":"xxx…"]}.
func okBody(c call, pad int) []byte {
	b := make([]byte, 0, 64+len(c.id)+pad)
	b = appendHead(b, c.id, c.backend, c.fault.String())
	if pad > 0 {
		b = append(b, `,"pad":"`...)
		for pad > 0 {
			n := min(pad, len(padChunk))
			b = append(b, padChunk[:n]...)
			pad -= n
		}
		b = append(b, '"')
	}
	return append(b, '}')
}

// appendHead appends the opening members every body shares, without the
// closing brace.
func appendHead(b []byte, id string, backend int, fault string) []byte {
	b = append(b, `{"id":"`...)
	b = append(b, id...)
	b = append(b, `","b":`...)
	b = strconv.AppendInt(b, int64(backend), 10)
	b = append(b, `,"fault":"`...)
	b = append(b, fault...)
	return append(b, '"')
}

// junkResponse is the complete HTTP response sent after c's own response:
// a well-formed 200 whose body carries the id JunkPrefix+c.id, so a client
// that takes it as the answer to its next request shows a foreign id.
func junkResponse(c call) []byte {
	body := append(appendHead(nil, JunkPrefix+c.id, c.backend, "junk"), '}')
	h := "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\n" + HeaderFaultID + ": " + JunkPrefix + c.tag() + "\r\n\r\n"
	return append([]byte(h), body...)
}

// bombMember is one gzip member inflating to 1 MiB of zeros. A gzip
// stream may hold many members back to back, so n copies inflate to n MiB.
var bombMember = sync.OnceValue(func() []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(make([]byte, 1<<20))
	_ = zw.Close()
	return buf.Bytes()
})

// gzipped returns data gzip-compressed.
func gzipped(data []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(data)
	_ = zw.Close()
	return buf.Bytes()
}

// repeatWrite writes n bytes of b's repeated content (b is cycled) to w.
func repeatWrite(w io.Writer, b []byte, n int) error {
	for n > 0 {
		k := min(n, len(b))
		if _, err := w.Write(b[:k]); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

// discardLog is an error log for http.Server that drops everything: the
// fault server's own connection errors are the point, not news.
func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }
