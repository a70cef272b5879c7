package telemetry

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// Tests of the network log sinks against receivers written here, on
// 127.0.0.1 and on a Unix socket in a temporary directory.

const secret = "Bearer s3cr3t-token"

func closeSinks(t testing.TB, s *Sinks) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(ctx); err != nil { // idempotent
		t.Fatalf("second Close: %v", err)
	}
}

// readTimeout bounds each read of a receiver so a test fails instead of
// hanging when a line never arrives.
const readTimeout = 10 * time.Second

func TestSyslogSink(t *testing.T) {
	defer goleak.VerifyNone(t)
	path := filepath.Join(t.TempDir(), "log.sock")
	rx, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer rx.Close()
	var stdout bytes.Buffer
	log, sinks := OpenLogger(LogOptions{Level: "INFO", Prefix: "[KRAKEND]", Syslog: true, SyslogFacility: "daemon",
		Format: FormatLogstash, syslogPath: path}, &stdout) // stdout off: only syslog
	log.Debug("below the level")
	log.Info("hello", "Authorization", secret)
	log.Warn("careful")
	log.Error("broken")
	log.Log(context.Background(), LevelCritical, "down")
	closeSinks(t, sinks)

	line := regexp.MustCompile(`^<(\d+)>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d KRAKEND\[(\d+)\]: (\{.*\})\n$`)
	wantPRI := []int{3*8 + 6, 3*8 + 4, 3*8 + 3, 3*8 + 2}
	wantMsg := []string{"hello", "careful", "broken", "down"}
	buf := make([]byte, 1<<16)
	for i := range wantPRI {
		_ = rx.SetReadDeadline(time.Now().Add(readTimeout))
		n, err := rx.Read(buf)
		if err != nil {
			t.Fatalf("datagram %d: %v", i, err)
		}
		m := line.FindSubmatch(buf[:n])
		if m == nil {
			t.Fatalf("datagram %q does not match %s", buf[:n], line)
		}
		if pri, _ := strconv.Atoi(string(m[1])); pri != wantPRI[i] {
			t.Errorf("PRI %d, want %d", pri, wantPRI[i])
		}
		if pid, _ := strconv.Atoi(string(m[2])); pid != os.Getpid() {
			t.Errorf("pid %d", pid)
		}
		var rec map[string]any
		if err := json.Unmarshal(m[3], &rec); err != nil {
			t.Fatalf("%s: %v", m[3], err)
		}
		if rec["message"] != wantMsg[i] || rec["@version"] != "1" || rec["prefix"] != "[KRAKEND]" || rec["@timestamp"] == nil {
			t.Errorf("record %s", m[3])
		}
		if bytes.Contains(buf[:n], []byte("s3cr3t")) {
			t.Errorf("credential in syslog line %s", buf[:n])
		}
		if i == 0 && rec["Authorization"] != Redacted {
			t.Errorf("Authorization = %v", rec["Authorization"])
		}
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout off, got %q", stdout.String())
	}
}

func TestSyslogTagAndSeverity(t *testing.T) {
	for prefix, want := range map[string]string{"": "tributary", "[KRAKEND]": "KRAKEND", "my gw:": "mygw", "[]": "tributary",
		strings.Repeat("a", 40): strings.Repeat("a", 32)} {
		if got := syslogTag(prefix); got != want {
			t.Errorf("syslogTag(%q) = %q, want %q", prefix, got, want)
		}
	}
	for l, want := range map[slog.Level]int{slog.LevelDebug: 7, slog.LevelDebug + 1: 7, slog.LevelInfo: 6,
		slog.LevelWarn: 4, slog.LevelError: 3, slog.LevelError + 1: 3, LevelCritical: 2, LevelCritical + 4: 2} {
		if got := severity(l); got != want {
			t.Errorf("severity(%v) = %d, want %d", l, got, want)
		}
	}
}

// gelfMessage decodes one GELF JSON message and checks the fields every
// message carries.
func gelfMessage(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("GELF message %q: %v", b, err)
	}
	host, _ := os.Hostname()
	if m["version"] != "1.1" || m["host"] != host || m["short_message"] == "" {
		t.Errorf("GELF header fields: %s", b)
	}
	if ts, ok := m["timestamp"].(float64); !ok || ts < float64(time.Now().Add(-time.Hour).Unix()) {
		t.Errorf("timestamp %v", m["timestamp"])
	}
	for k := range m {
		if !strings.HasPrefix(k, "_") && k != "version" && k != "host" && k != "short_message" && k != "timestamp" && k != "level" {
			t.Errorf("field %q is neither standard nor additional", k)
		}
		if k == "_id" {
			t.Errorf("reserved field _id sent")
		}
	}
	if bytes.Contains(b, []byte("s3cr3t")) {
		t.Errorf("credential in GELF message %s", b)
	}
	return m
}

// udpGELF reads one GELF message from c, reassembling chunks.
func udpGELF(t *testing.T, c net.PacketConn) []byte {
	t.Helper()
	parts := map[byte][]byte{}
	var id []byte
	buf := make([]byte, 65536)
	for {
		_ = c.SetReadDeadline(time.Now().Add(readTimeout))
		n, _, err := c.ReadFrom(buf)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		d := append([]byte(nil), buf[:n]...)
		if n > gelfDatagram {
			t.Fatalf("datagram of %d bytes", n)
		}
		if len(d) < 2 || d[0] != 0x1e || d[1] != 0x0f {
			return d // not chunked
		}
		if id != nil && !bytes.Equal(id, d[2:10]) {
			t.Fatalf("chunks of two messages interleaved")
		}
		id = d[2:10]
		seq, count := d[10], d[11]
		if seq >= count || count > gelfMaxChunks {
			t.Fatalf("chunk %d of %d", seq, count)
		}
		parts[seq] = d[12:]
		if len(parts) == int(count) {
			var msg []byte
			for i := range count {
				msg = append(msg, parts[i]...)
			}
			return msg
		}
	}
}

func TestGELFUDP(t *testing.T) {
	defer goleak.VerifyNone(t)
	rx, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer rx.Close()
	var stdout bytes.Buffer
	log, sinks := OpenLogger(LogOptions{Level: "INFO", Stdout: true, Prefix: "[GW]", GELFAddress: rx.LocalAddr().String()}, &stdout)
	log.With("svc", "gw").WithGroup("req").Info("request", "status", 200, "ok", true,
		"Authorization", secret, "headers", http.Header{"Cookie": {"a=" + secret}, "Accept": {"*/*"}},
		slog.Group("g", "id", "x y"), "id", 7, "bad key!", 1.5)
	long := strings.Repeat("é", 3000) // 6000 bytes: chunked
	log.Warn(long)
	log.Debug("dropped by level")
	closeSinks(t, sinks)

	m := gelfMessage(t, udpGELF(t, rx))
	want := map[string]any{"short_message": "request", "level": 6.0, "_level_name": "INFO", "_prefix": "[GW]",
		"_svc": "gw", "_req_status": 200.0, "_req_ok": "true", "_req_Authorization": Redacted,
		"_req_headers_Cookie": Redacted, "_req_headers_Accept": "*/*", "_req_g_id": "x y", "_req_id": 7.0,
		"_req_bad_key_": 1.5}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %#v, want %#v", k, m[k], v)
		}
	}
	m = gelfMessage(t, udpGELF(t, rx))
	if m["short_message"] != long || m["level"] != 4.0 {
		t.Errorf("chunked message: level %v, %d bytes", m["level"], len(m["short_message"].(string)))
	}
	if !strings.Contains(stdout.String(), `"msg":"request"`) || strings.Contains(stdout.String(), "s3cr3t") {
		t.Errorf("stdout %q", stdout.String())
	}
}

func TestGELFTCP(t *testing.T) {
	defer goleak.VerifyNone(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan [][]byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- nil
			return
		}
		defer c.Close()
		_ = c.SetReadDeadline(time.Now().Add(readTimeout))
		var msgs [][]byte
		r := bufio.NewReader(c)
		for {
			b, err := r.ReadBytes(0)
			if err != nil {
				break
			}
			msgs = append(msgs, b[:len(b)-1])
		}
		got <- msgs
	}()
	log, sinks := OpenLogger(LogOptions{Level: "DEBUG", GELFAddress: ln.Addr().String(), GELFTCP: true}, nil)
	log.Debug("one", "cookie", "c="+secret)
	log.Error("two", "n", uint64(1<<63))
	log.Info(strings.Repeat("x", 100_000), "big", strings.Repeat("y", 100_000))
	closeSinks(t, sinks) // closes the connection: the receiver sees EOF
	msgs := <-got
	if len(msgs) != 3 {
		t.Fatalf("%d messages, want 3", len(msgs))
	}
	if m := gelfMessage(t, msgs[0]); m["short_message"] != "one" || m["level"] != 7.0 || m["_cookie"] != Redacted {
		t.Errorf("first %s", msgs[0])
	}
	if m := gelfMessage(t, msgs[1]); m["short_message"] != "two" || m["level"] != 3.0 || m["_n"] != float64(1<<63) {
		t.Errorf("second %s", msgs[1])
	}
	m := gelfMessage(t, msgs[2])
	if s, _ := m["short_message"].(string); len(msgs[2]) > gelfMaxMessage || !strings.HasSuffix(s, TruncationMark) {
		t.Errorf("large message: %d bytes", len(msgs[2]))
	}
}

// A receiver that is down, or never reads, costs the logging goroutines
// nothing: lines are dropped and the loss is reported on the main output.
func TestSinksDeadReceiverNeverBlocks(t *testing.T) {
	defer goleak.VerifyNone(t)
	// A TCP listener that accepts nothing: its backlog fills, then writes stall.
	stall, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer stall.Close()
	// A port nobody listens on.
	gone, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	goneAddr := gone.Addr().String()
	gone.Close()
	for _, o := range []LogOptions{
		{GELFAddress: stall.Addr().String(), GELFTCP: true},
		{GELFAddress: goneAddr, GELFTCP: true},
		{GELFAddress: goneAddr},
		{Syslog: true, syslogPath: filepath.Join(t.TempDir(), "missing.sock")},
	} {
		var stdout syncBuffer
		o.Level, o.Stdout = "INFO", true
		log, sinks := OpenLogger(o, &stdout)
		payload := strings.Repeat("z", 1000)
		for i := range 2 * sinkQueueLen {
			log.Info("line", "i", i, "p", payload)
		}
		closeSinks(t, sinks)
		if o.GELFAddress != stall.Addr().String() && !strings.Contains(stdout.String(), "log sink dropped lines") {
			t.Errorf("%+v: no drop report on the main output", o)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the sink goroutine's reports.
type syncBuffer struct {
	mu  chan struct{}
	buf bytes.Buffer
}

func (b *syncBuffer) lock() {
	if b.mu == nil {
		b.mu = make(chan struct{}, 1)
	}
	b.mu <- struct{}{}
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.lock()
	defer func() { <-b.mu }()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.lock()
	defer func() { <-b.mu }()
	return b.buf.String()
}

// Without network sinks OpenLogger is NewLogger and has nothing to close.
func TestOpenLoggerWithoutSinks(t *testing.T) {
	var buf bytes.Buffer
	log, sinks := OpenLogger(LogOptions{Level: "INFO", Stdout: true}, &buf)
	if sinks != nil {
		t.Fatalf("sinks %+v", sinks)
	}
	log.Info("x", "Proxy-Authorization", secret, "h", http.Header{"X-Api-Key": {secret}})
	if strings.Contains(buf.String(), "s3cr3t") || !strings.Contains(buf.String(), `"Proxy-Authorization":"[redacted]"`) {
		t.Errorf("line %q", buf.String())
	}
	if err := sinks.Close(context.Background()); err != nil {
		t.Error(err)
	}
}

// BenchmarkLogLine measures one access-log-like line: to standard output
// only, and with a GELF (UDP) and a syslog output added. The network
// sends happen on the sinks' goroutines; what is measured is the cost the
// logging goroutine pays.
func BenchmarkLogLine(b *testing.B) {
	rx, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer rx.Close()
	path := filepath.Join(b.TempDir(), "log.sock")
	srx, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		b.Fatal(err)
	}
	defer srx.Close()
	go func() { // drain both receivers
		buf := make([]byte, 65536)
		for {
			if _, _, err := rx.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	go func() {
		buf := make([]byte, 65536)
		for {
			if _, err := srx.Read(buf); err != nil {
				return
			}
		}
	}()
	for _, c := range []struct {
		name string
		o    LogOptions
	}{
		{"stdout", LogOptions{Level: "INFO", Stdout: true}},
		{"stdout+gelf", LogOptions{Level: "INFO", Stdout: true, GELFAddress: rx.LocalAddr().String()}},
		{"stdout+syslog", LogOptions{Level: "INFO", Stdout: true, Syslog: true, syslogPath: path}},
	} {
		b.Run(c.name, func(b *testing.B) {
			log, sinks := OpenLogger(c.o, io.Discard)
			defer closeSinks(b, sinks)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				log.LogAttrs(ctx, slog.LevelInfo, "request", slog.String("method", "GET"), slog.String("route", "/users/{id}"),
					slog.Int("status", 200), slog.Int("bytes", 512), slog.Float64("duration_ms", 1.25))
			}
		})
	}
}

// Flush returns once the lines logged before it have been sent.
func TestSinksFlush(t *testing.T) {
	defer goleak.VerifyNone(t)
	rx, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer rx.Close()
	log, sinks := OpenLogger(LogOptions{Level: "INFO", GELFAddress: rx.LocalAddr().String()}, nil)
	for i := range 10 {
		log.Info("line", "i", i)
	}
	if err := sinks.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 65536)
	for i := range 10 {
		// Loopback UDP delivers on send: the datagrams are already here.
		_ = rx.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		n, _, err := rx.ReadFrom(buf)
		if err != nil {
			t.Fatalf("datagram %d not there after Flush: %v", i, err)
		}
		if m := gelfMessage(t, buf[:n]); m["_i"] != float64(i) {
			t.Errorf("datagram %d: %s", i, buf[:n])
		}
	}
	closeSinks(t, sinks)
	if err := sinks.Flush(context.Background()); err != nil { // after Close: nothing to wait for
		t.Fatal(err)
	}
}

// A stream-only syslog socket gets newline-terminated messages.
func TestSyslogStreamSocket(t *testing.T) {
	defer goleak.VerifyNone(t)
	path := filepath.Join(t.TempDir(), "log.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan []string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- nil
			return
		}
		defer c.Close()
		_ = c.SetReadDeadline(time.Now().Add(readTimeout))
		var lines []string
		sc := bufio.NewScanner(c)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		got <- lines
	}()
	log, sinks := OpenLogger(LogOptions{Level: "DEBUG", Syslog: true, SyslogFacility: "local7", syslogPath: path}, nil)
	log.Debug("a")
	log.Warn("b")
	closeSinks(t, sinks)
	lines := <-got
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "<191>") || !strings.HasPrefix(lines[1], "<188>") ||
		!strings.Contains(lines[0], " tributary[") || !strings.HasSuffix(lines[1], `"msg":"b"}`) {
		t.Errorf("lines %q", lines)
	}
}

func TestSyslogFacilityCodes(t *testing.T) {
	for name, want := range map[string]int{"user": 1, "daemon": 3, "local0": 16, "local3": 19, "local7": 23, "": 19, "kern": 19} {
		if got := syslogFacility(name); got != want {
			t.Errorf("syslogFacility(%q) = %d, want %d", name, got, want)
		}
	}
}
