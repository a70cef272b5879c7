package telemetry

import (
	"context"
	"encoding"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// GELF limits.
const (
	// gelfDatagram is the largest UDP datagram sent: it fits a 1500-byte
	// Ethernet MTU without IP fragmentation.
	gelfDatagram = 1420
	// gelfChunkHeader is the chunk header: magic (2), message id (8),
	// sequence number (1), sequence count (1).
	gelfChunkHeader = 12
	// gelfMaxChunks is the most chunks a GELF message may have.
	gelfMaxChunks = 128
	// gelfMaxMessage is the largest GELF message sent; a longer one is
	// sent with its additional fields replaced by "_truncated".
	gelfMaxMessage = 64 << 10
	// gelfMaxValue caps the message and each field value, in bytes.
	gelfMaxValue = MaxLineBytes
)

// gelfShared is what every handler derived from one GELF sink shares.
type gelfShared struct {
	level  slog.Leveler
	host   string
	prefix string
	q      *queue
}

// gelfHandler formats records as GELF 1.1 messages: "version", "host",
// "short_message", "timestamp" (seconds), "level" (syslog severity), and
// each attribute as an additional field "_key" (groups joined with "_",
// characters GELF does not allow in names replaced with "_"). Credential
// attributes and header values are redacted.
type gelfHandler struct {
	s     *gelfShared
	pre   []byte // `,"_k":v` members of WithAttrs
	group string // key prefix of WithGroup, "" or ending in "_"
}

// Enabled implements slog.Handler.
func (h *gelfHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.s.level.Level() }

// WithAttrs implements slog.Handler.
func (h *gelfHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	pre := append([]byte(nil), h.pre...)
	for _, a := range attrs {
		pre = appendGELFAttr(pre, h.group, a)
	}
	return &gelfHandler{s: h.s, pre: pre, group: h.group}
}

// WithGroup implements slog.Handler.
func (h *gelfHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &gelfHandler{s: h.s, pre: h.pre, group: h.group + name + "_"}
}

// Handle implements slog.Handler: it formats r and queues it.
func (h *gelfHandler) Handle(_ context.Context, r slog.Record) error {
	buf := h.appendBase(make([]byte, 0, 512), r)
	buf = append(buf, h.pre...)
	r.Attrs(func(a slog.Attr) bool {
		buf = appendGELFAttr(buf, h.group, a)
		return true
	})
	buf = append(buf, '}')
	if len(buf) > gelfMaxMessage {
		buf = append(h.appendBase(buf[:0], r), `,"_truncated":"true"}`...)
	}
	h.s.q.enqueue(buf, severity(r.Level))
	return nil
}

// appendBase appends the object's opening and its standard fields.
func (h *gelfHandler) appendBase(buf []byte, r slog.Record) []byte {
	t := r.Time
	if t.IsZero() {
		t = time.Now()
	}
	msg := r.Message
	if strings.TrimSpace(msg) == "" {
		msg = "-" // GELF requires a non-empty short_message
	}
	buf = append(buf, `{"version":"1.1","host":`...)
	buf = appendJSONString(buf, h.s.host)
	buf = append(buf, `,"short_message":`...)
	buf = appendJSONString(buf, capValue(msg))
	buf = append(buf, `,"timestamp":`...)
	buf = strconv.AppendFloat(buf, float64(t.UnixMicro())/1e6, 'f', 6, 64)
	buf = append(buf, `,"level":`...)
	buf = strconv.AppendInt(buf, int64(severity(r.Level)), 10)
	buf = append(buf, `,"_level_name":`...)
	buf = appendJSONString(buf, levelName(r.Level))
	if h.s.prefix != "" {
		buf = append(buf, `,"_prefix":`...)
		buf = appendJSONString(buf, h.s.prefix)
	}
	return buf
}

// appendGELFAttr appends a as one or more `,"_key":value` members.
func appendGELFAttr(buf []byte, group string, a slog.Attr) []byte {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return buf
	}
	if a.Value.Kind() == slog.KindGroup {
		g := group
		if a.Key != "" {
			g = group + a.Key + "_"
		}
		for _, ga := range a.Value.Group() {
			buf = appendGELFAttr(buf, g, ga)
		}
		return buf
	}
	key := group + a.Key
	if isCredentialHeader(a.Key) {
		return appendGELFField(buf, key, slog.StringValue(Redacted))
	}
	if h, ok := a.Value.Any().(http.Header); ok {
		for name, values := range RedactHeaders(h) {
			buf = appendGELFField(buf, key+"_"+name, slog.StringValue(strings.Join(values, ", ")))
		}
		return buf
	}
	return appendGELFField(buf, key, a.Value)
}

// appendGELFField appends one member: numbers stay numbers, everything
// else becomes a string (GELF allows nothing else).
func appendGELFField(buf []byte, key string, v slog.Value) []byte {
	buf = append(buf, `,"_`...)
	buf = appendGELFKey(buf, key)
	buf = append(buf, `":`...)
	switch v.Kind() {
	case slog.KindInt64:
		return strconv.AppendInt(buf, v.Int64(), 10)
	case slog.KindUint64:
		return strconv.AppendUint(buf, v.Uint64(), 10)
	case slog.KindFloat64:
		if f := v.Float64(); !math.IsNaN(f) && !math.IsInf(f, 0) {
			return strconv.AppendFloat(buf, f, 'g', -1, 64)
		}
	case slog.KindTime:
		return appendJSONString(buf, v.Time().Format(time.RFC3339Nano))
	case slog.KindAny:
		return appendJSONString(buf, capValue(anyString(v.Any())))
	}
	return appendJSONString(buf, capValue(v.String()))
}

// anyString renders an attribute value of kind Any.
func anyString(x any) string {
	switch x := x.(type) {
	case nil:
		return "null"
	case error:
		return x.Error()
	case json.RawMessage:
		return string(x)
	case []byte:
		return string(x)
	case fmt.Stringer:
		return x.String()
	case encoding.TextMarshaler:
		if b, err := x.MarshalText(); err == nil {
			return string(b)
		}
	}
	if b, err := json.Marshal(x); err == nil {
		return string(b)
	}
	return fmt.Sprint(x)
}

// appendGELFKey appends key with every character outside [A-Za-z0-9_.-]
// replaced by '_'; the reserved name "id" becomes "id_".
func appendGELFKey(buf []byte, key string) []byte {
	if key == "" {
		return append(buf, '_')
	}
	for i := 0; i < len(key) && i < 128; i++ {
		c := key[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-' {
			buf = append(buf, c)
		} else {
			buf = append(buf, '_')
		}
	}
	if key == "id" {
		buf = append(buf, '_')
	}
	return buf
}

// capValue cuts s to gelfMaxValue bytes on a character boundary.
func capValue(s string) string {
	if len(s) <= gelfMaxValue {
		return s
	}
	cut := gelfMaxValue - len(TruncationMark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + TruncationMark
}

// appendJSONString appends s as a JSON string; invalid UTF-8 becomes
// U+FFFD.
func appendJSONString(buf []byte, s string) []byte {
	const hex = "0123456789abcdef"
	buf = append(buf, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				buf = append(buf, '\\', c)
			case c == '\n':
				buf = append(buf, '\\', 'n')
			case c == '\r':
				buf = append(buf, '\\', 'r')
			case c == '\t':
				buf = append(buf, '\\', 't')
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				buf = append(buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			default:
				buf = append(buf, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			buf = append(buf, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			buf = append(buf, `\u202`...)
			buf = append(buf, hex[r&0xF])
		default:
			buf = append(buf, s[i:i+size]...)
		}
		i += size
	}
	return append(buf, '"')
}

// gelfTransport sends GELF messages: over UDP as one datagram, or chunked
// when longer than gelfDatagram; over TCP each message ends with a NUL
// byte. Messages are not compressed.
type gelfTransport struct {
	address string
	tcp     bool
	conn    net.Conn
}

func (t *gelfTransport) send(msg []byte, _ int) error {
	if t.conn == nil {
		network := "udp"
		if t.tcp {
			network = "tcp"
		}
		c, err := net.DialTimeout(network, t.address, sinkIOTimeout)
		if err != nil {
			return err
		}
		t.conn = c
	}
	_ = t.conn.SetWriteDeadline(time.Now().Add(sinkIOTimeout))
	if t.tcp {
		_, err := t.conn.Write(append(msg, 0))
		return err
	}
	if len(msg) <= gelfDatagram {
		_, err := t.conn.Write(msg)
		return err
	}
	return writeChunks(t.conn, msg)
}

// writeChunks sends msg as GELF chunks of at most gelfDatagram bytes.
func writeChunks(c net.Conn, msg []byte) error {
	const data = gelfDatagram - gelfChunkHeader
	n := (len(msg) + data - 1) / data
	if n > gelfMaxChunks {
		return fmt.Errorf("GELF message of %d bytes needs more than %d chunks", len(msg), gelfMaxChunks)
	}
	var id [8]byte
	binary.BigEndian.PutUint64(id[:], rand.Uint64())
	chunk := make([]byte, 0, gelfDatagram)
	for i := 0; i < n; i++ {
		part := msg[i*data : min((i+1)*data, len(msg))]
		chunk = append(chunk[:0], 0x1e, 0x0f)
		chunk = append(chunk, id[:]...)
		chunk = append(chunk, byte(i), byte(n))
		chunk = append(chunk, part...)
		if _, err := c.Write(chunk); err != nil {
			return err
		}
	}
	return nil
}

func (t *gelfTransport) close() {
	if t.conn != nil {
		_ = t.conn.Close()
		t.conn = nil
	}
}

// newGELFSink returns the GELF handler and its queue.
func newGELFSink(o LogOptions, level slog.Leveler, report func(string, int64, error)) (slog.Handler, *queue) {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "tributary"
	}
	q := newQueue("GELF", &gelfTransport{address: o.GELFAddress, tcp: o.GELFTCP}, report)
	return &gelfHandler{s: &gelfShared{level: level, host: host, prefix: o.Prefix, q: q}}, q
}
