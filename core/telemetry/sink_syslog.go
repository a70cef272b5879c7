package telemetry

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"strconv"
	"sync"
	"time"
)

// syslogSockets are the local syslog sockets tried, in order (Linux, macOS,
// the BSDs).
func syslogSockets() []string { return []string{"/dev/log", "/var/run/syslog", "/var/run/log"} }

// syslogFacility maps the facility names a config accepts onto their
// RFC 5424 codes; an unknown or empty name is local3.
func syslogFacility(name string) int {
	switch name {
	case "user":
		return 1
	case "daemon":
		return 3
	case "local0", "local1", "local2", "local4", "local5", "local6", "local7":
		return 16 + int(name[5]-'0')
	default:
		return 19 // local3
	}
}

// Syslog severities (RFC 5424).
const (
	sevCritical = 2
	sevError    = 3
	sevWarning  = 4
	sevInfo     = 6
	sevDebug    = 7
)

// severity maps a slog level onto a syslog severity: levels between two
// KrakenD levels take the lower one's.
func severity(l slog.Level) int {
	switch {
	case l >= LevelCritical:
		return sevCritical
	case l >= slog.LevelError:
		return sevError
	case l >= slog.LevelWarn:
		return sevWarning
	case l >= slog.LevelInfo:
		return sevInfo
	default:
		return sevDebug
	}
}

// syslogTag derives the syslog tag from the log prefix: its letters,
// digits, '.', '_' and '-', at most 32 of them, or "tributary" when none
// is left (the prefix "[KRAKEND]" gives "KRAKEND").
func syslogTag(prefix string) string {
	tag := make([]byte, 0, 32)
	for i := 0; i < len(prefix) && len(tag) < 32; i++ {
		c := prefix[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-' {
			tag = append(tag, c)
		}
	}
	if len(tag) == 0 {
		return "tributary"
	}
	return string(tag)
}

// syslogTransport writes RFC 3164 lines, as the local syslog daemons read
// them, to a local socket: datagram first, then stream.
type syslogTransport struct {
	paths    []string
	facility int
	tag      string
	pid      string
	conn     net.Conn
	stream   bool
}

func (t *syslogTransport) connect() error {
	var errs []error
	for _, p := range t.paths {
		for _, network := range []string{"unixgram", "unix"} {
			c, err := net.DialTimeout(network, p, sinkIOTimeout)
			if err == nil {
				t.conn, t.stream = c, network == "unix"
				return nil
			}
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (t *syslogTransport) send(line []byte, sev int) error {
	if t.conn == nil {
		if err := t.connect(); err != nil {
			return err
		}
	}
	msg := make([]byte, 0, len(line)+64)
	msg = append(msg, '<')
	msg = strconv.AppendInt(msg, int64(t.facility*8+sev), 10)
	msg = append(msg, '>')
	msg = time.Now().AppendFormat(msg, time.Stamp)
	msg = append(msg, ' ')
	msg = append(msg, t.tag...)
	msg = append(msg, '[')
	msg = append(msg, t.pid...)
	msg = append(msg, "]: "...)
	msg = append(msg, line...)
	if len(msg) == 0 || msg[len(msg)-1] != '\n' {
		msg = append(msg, '\n')
	}
	_ = t.conn.SetWriteDeadline(time.Now().Add(sinkIOTimeout))
	_, err := t.conn.Write(msg)
	return err
}

func (t *syslogTransport) close() {
	if t.conn != nil {
		_ = t.conn.Close()
		t.conn = nil
	}
}

// severityWriter turns the single Write a slog handler makes per record
// into a queued line with the record's severity. The handler that
// formats holds mu around the formatting, so sev is the current record's.
type severityWriter struct {
	mu  sync.Mutex
	sev int
	q   *queue
}

// Write queues a copy of p (the handler reuses its buffer).
func (w *severityWriter) Write(p []byte) (int, error) {
	line := make([]byte, len(p))
	copy(line, p)
	w.q.enqueue(line, w.sev)
	return len(p), nil
}

// queuedHandler formats records with an inner slog handler whose output
// is a severityWriter.
type queuedHandler struct {
	slog.Handler
	w *severityWriter
}

// Handle implements slog.Handler.
func (h queuedHandler) Handle(ctx context.Context, r slog.Record) error {
	h.w.mu.Lock()
	defer h.w.mu.Unlock()
	h.w.sev = severity(r.Level)
	return h.Handler.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h queuedHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return queuedHandler{Handler: h.Handler.WithAttrs(attrs), w: h.w}
}

// WithGroup implements slog.Handler.
func (h queuedHandler) WithGroup(name string) slog.Handler {
	return queuedHandler{Handler: h.Handler.WithGroup(name), w: h.w}
}

// newSyslogSink returns the syslog handler and its queue: each record is
// formatted as the JSON line of the configured format (never text) and
// sent with its severity, the facility and the tag.
func newSyslogSink(o LogOptions, opts *slog.HandlerOptions, report func(string, int64, error)) (slog.Handler, *queue) {
	paths := syslogSockets()
	if o.syslogPath != "" {
		paths = []string{o.syslogPath}
	}
	t := &syslogTransport{paths: paths, facility: syslogFacility(o.SyslogFacility), tag: syslogTag(o.Prefix), pid: strconv.Itoa(os.Getpid())}
	q := newQueue("syslog", t, report)
	w := &severityWriter{q: q}
	return queuedHandler{Handler: jsonHandler(o, opts, lineCapWriter{w: w, limit: MaxLineBytes, json: true}), w: w}, q
}
