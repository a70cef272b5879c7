//go:build unix

package fasthttpadapter

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/valyala/fasthttp/fasthttputil"

	"github.com/tributary-gw/tributary/adapters/httpadapter"
)

// wireUser is the ~300 B object the benchmarks' backend serves (the load
// harness's proxy scenario).
var wireUser = []byte(`{"id_user":1,"name":"Ada Lovelace","email":"ada@example.com","address":{"street":"12 Analytical Way","city":"London","zip":"NW1"},"loyalty":{"tier":"gold","points":12345},"created_at":"2020-01-02T03:04:05Z","tags":["math","engines","poetry"],"active":true,"score":98.6}`)

const wireConfig = `{
  "version": 3,
  "timeout": "10s",
  "endpoints": [
    {"endpoint": "/users/{id_user}", "method": "GET",
     "backend": [{"host": ["BACKEND"], "url_pattern": "/users/{id_user}"}]}
  ]
}`

// wireGateways starts the backend and the proxy config served by both
// adapters; it returns the fasthttp handler too, for in-memory serving.
func wireGateways(tb testing.TB) (netAddr, fastAddr string, h *Handler) {
	tb.Helper()
	ct, cl := []string{"application/json"}, []string{strconv.Itoa(len(wireUser))}
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd["Content-Type"], hd["Content-Length"] = ct, cl
		_, _ = w.Write(wireUser)
	}))
	tb.Cleanup(backend.Close)
	gw, p := compile(tb, strings.ReplaceAll(wireConfig, "BACKEND", backend.URL))
	nh := httpadapter.New(gw, httpadapter.Options{})
	h = New(gw, nh, Options{})
	return serveNet(tb, nh, p.Server), serveFast(tb, h, p.Server), h
}

// wireClient is one keep-alive connection sending a fixed request and
// reading each response with a minimal parser.
type wireClient struct {
	conn net.Conn
	br   *bufio.Reader
	req  []byte
	body []byte
}

var contentLength = []byte("Content-Length")

// roundTrip sends the request and reads one response.
func (c *wireClient) roundTrip() (status, n int, err error) {
	if _, err = c.conn.Write(c.req); err != nil {
		return 0, 0, err
	}
	length := -1
	for first := true; ; first = false {
		line, err := c.br.ReadSlice('\n')
		if err != nil {
			return 0, 0, err
		}
		if first {
			if len(line) < 12 {
				return 0, 0, io.ErrUnexpectedEOF
			}
			status, _ = strconv.Atoi(string(line[9:12]))
			continue
		}
		if len(line) <= 2 {
			break
		}
		if k, v, ok := bytes.Cut(line, []byte(":")); ok && bytes.EqualFold(k, contentLength) {
			length, _ = strconv.Atoi(string(bytes.TrimSpace(v)))
		}
	}
	if length < 0 {
		return status, 0, io.ErrUnexpectedEOF
	}
	if cap(c.body) < length {
		c.body = make([]byte, length)
	}
	_, err = io.ReadFull(c.br, c.body[:length])
	return status, length, err
}

// benchWire drives a gateway over connections from dial, four per
// GOMAXPROCS, each sending the same GET.
func benchWire(b *testing.B, dial func() (net.Conn, error)) {
	req := []byte("GET /users/1 HTTP/1.1\r\nHost: gw\r\nUser-Agent: wire\r\nAccept: */*\r\n\r\n")
	b.ReportAllocs()
	b.SetParallelism(4)
	cpu0 := processCPU()
	defer func() {
		// CPU time counts the client, the gateway and the backend alike;
		// it is steadier than wall time on a shared machine.
		b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
	}()
	b.RunParallel(func(pb *testing.PB) {
		conn, err := dial()
		if err != nil {
			b.Error(err)
			return
		}
		defer conn.Close()
		c := &wireClient{conn: conn, br: bufio.NewReaderSize(conn, 8<<10), req: req}
		for pb.Next() {
			status, n, err := c.roundTrip()
			if err != nil || status != 200 || n != len(wireUser) {
				b.Errorf("status %d, %d bytes: %v", status, n, err)
				return
			}
		}
	})
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkWireProxyFastHTTP is the whole request path through the
// fasthttp adapter over loopback: parsing, the core, the backend call
// (a net/http backend in the same process), the write.
func BenchmarkWireProxyFastHTTP(b *testing.B) {
	_, addr, _ := wireGateways(b)
	benchWire(b, func() (net.Conn, error) { return net.Dial("tcp", addr) })
}

// BenchmarkWireProxyNetHTTP is the same through the net/http adapter, for
// comparison in the same run.
func BenchmarkWireProxyNetHTTP(b *testing.B) {
	addr, _, _ := wireGateways(b)
	benchWire(b, func() (net.Conn, error) { return net.Dial("tcp", addr) })
}

// BenchmarkInmemoryProxyFastHTTP serves the fasthttp adapter on
// fasthttp's in-memory listener: the gateway side has no socket, so
// allocs/op is the adapter and the core (plus the loopback backend call
// and its net/http backend).
func BenchmarkInmemoryProxyFastHTTP(b *testing.B) {
	_, _, h := wireGateways(b)
	ln := fasthttputil.NewInmemoryListener()
	srv := NewServer(h, h.gw.Plan().Server, nil)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	b.Cleanup(func() {
		_ = srv.Shutdown()
		<-done
	})
	benchWire(b, ln.Dial)
}
