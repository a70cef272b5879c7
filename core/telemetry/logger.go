// Package telemetry sets up Tributary's structured logging on log/slog
// (krakend-compat.md §17.12): the five KrakenD levels, the "default" and
// "logstash" formats, the line prefix, a 16 KiB cap on every line, and the
// redaction of credentials before headers reach a log line (security.md §2
// rule 20, [H20]). [OpenLogger] adds the network outputs: the local syslog
// and a Graylog GELF input, each behind a bounded queue that drops instead
// of blocking (docs/logging.md).
package telemetry

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
)

// LevelCritical is the slog level of KrakenD's CRITICAL; it renders as
// "CRITICAL".
const LevelCritical = slog.LevelError + 4

// Format names accepted in [LogOptions.Format].
const (
	// FormatDefault writes JSON when the sink is not a terminal and text when it is.
	FormatDefault = "default"
	// FormatLogstash always writes one JSON object per line, with "@timestamp"
	// and "message" as the time and message keys.
	FormatLogstash = "logstash"
)

// LogOptions mirrors the "telemetry/logging" namespace (config.Logging)
// without importing the config package.
type LogOptions struct {
	// Level is DEBUG, INFO, WARNING, ERROR or CRITICAL, matched without
	// regard to case. Empty or any other value means DEBUG, the level
	// KrakenD uses without the namespace.
	Level string
	// Prefix is added to every line: as the first attribute "prefix" in JSON,
	// and before the message, followed by one space, in text. Default "".
	Prefix string
	// Stdout enables the log sink; false discards every line.
	Stdout bool
	// Format is FormatDefault (also when empty or unknown) or FormatLogstash.
	Format string
	// Terminal says the sink is a terminal: FormatDefault then writes text
	// instead of JSON. FormatLogstash ignores it. Default false.
	Terminal bool
	// Debug forces the DEBUG level, whatever Level says (tributary run -d).
	// Default false.
	Debug bool
	// Syslog also sends every line to the local syslog socket (OpenLogger
	// only). Default false.
	Syslog bool
	// SyslogFacility is local0…local7, user or daemon; empty or unknown
	// means local3.
	SyslogFacility string
	// GELFAddress, when not empty, also sends every line to this Graylog
	// GELF input (host:port; OpenLogger only). Default "".
	GELFAddress string
	// GELFTCP sends GELF over TCP instead of UDP. Default false.
	GELFTCP bool

	// syslogPath replaces the local syslog sockets (tests).
	syslogPath string
}

// NewLogger returns a logger writing to w according to o. When w is nil or
// o.Stdout is false, the logger discards everything. Levels render as DEBUG, INFO,
// WARNING, ERROR and CRITICAL. Every line, newline included, is at most
// [MaxLineBytes] long: a longer one is cut and marked "…(truncated)", and a
// cut JSON line is still one valid JSON object. Attributes named like a
// credential header, and every credential value of an http.Header
// attribute, are written as [Redacted]. NewLogger ignores the network
// sinks (Syslog, GELFAddress): use [OpenLogger] for them.
func NewLogger(o LogOptions, w io.Writer) *slog.Logger {
	return slog.New(mainHandler(o, w))
}

// Sinks are the network outputs of a logger opened by [OpenLogger]: each
// has a bounded queue and one sending goroutine, so logging never waits
// for the network; a line that finds its queue full, or a receiver down,
// is dropped (and counted in a warning on the main output, at most once a
// minute).
type Sinks struct {
	queues []*queue
}

// Flush waits until the lines logged before the call are sent (or
// dropped), giving up when ctx ends; a Lambda function calls it before an
// invocation returns. It is safe on a nil *Sinks.
func (s *Sinks) Flush(ctx context.Context) error {
	if s == nil {
		return nil
	}
	var first error
	for _, q := range s.queues {
		if err := q.flush(ctx); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Close stops the sinks: lines already queued are sent, until ctx ends.
// It is safe on a nil *Sinks and safe to call more than once.
func (s *Sinks) Close(ctx context.Context) error {
	if s == nil {
		return nil
	}
	var first error
	for _, q := range s.queues {
		if err := q.shutdown(ctx); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// OpenLogger returns the logger of [NewLogger] that also writes to the
// network sinks o asks for: the local syslog (o.Syslog) and a GELF input
// (o.GELFAddress). Sinks connect lazily and reconnect after a failure, so
// OpenLogger never fails and never waits; close the sinks on shutdown.
// Without network sinks, Sinks is nil.
func OpenLogger(o LogOptions, w io.Writer) (*slog.Logger, *Sinks) {
	main := mainHandler(o, w)
	if !o.Syslog && o.GELFAddress == "" {
		return slog.New(main), nil
	}
	report := func(msg string, dropped int64, err error) {
		attrs := []slog.Attr{slog.Int64("dropped", dropped)}
		if err != nil {
			attrs = append(attrs, slog.String("err", err.Error()))
		}
		slog.New(main).LogAttrs(context.Background(), slog.LevelWarn, msg, attrs...)
	}
	level := logLevel(o)
	handlers := []slog.Handler{main}
	sinks := &Sinks{}
	if o.Syslog {
		h, q := newSyslogSink(o, handlerOptions(o, level), report)
		handlers = append(handlers, h)
		sinks.queues = append(sinks.queues, q)
	}
	if o.GELFAddress != "" {
		h, q := newGELFSink(o, level, report)
		handlers = append(handlers, h)
		sinks.queues = append(sinks.queues, q)
	}
	return slog.New(slog.NewMultiHandler(handlers...)), sinks
}

// logLevel is the level o asks for.
func logLevel(o LogOptions) slog.Level {
	if o.Debug {
		return slog.LevelDebug
	}
	return parseLevel(o.Level)
}

// handlerOptions are the slog options of the JSON and text formats.
func handlerOptions(o LogOptions, level slog.Level) *slog.HandlerOptions {
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: renameLevel}
	if strings.EqualFold(o.Format, FormatLogstash) {
		opts.ReplaceAttr = renameLogstash
	}
	return opts
}

// jsonHandler is the JSON form of format o.Format writing to w: logstash
// adds "@version", and a prefix is the attribute "prefix".
func jsonHandler(o LogOptions, opts *slog.HandlerOptions, w io.Writer) slog.Handler {
	var h slog.Handler = slog.NewJSONHandler(w, opts)
	if strings.EqualFold(o.Format, FormatLogstash) {
		h = h.WithAttrs([]slog.Attr{slog.String("@version", "1")})
	}
	if o.Prefix != "" {
		h = h.WithAttrs([]slog.Attr{slog.String("prefix", o.Prefix)})
	}
	return h
}

// mainHandler is the handler of the main output w (stdout).
func mainHandler(o LogOptions, w io.Writer) slog.Handler {
	if w == nil || !o.Stdout {
		return slog.DiscardHandler
	}
	logstash := strings.EqualFold(o.Format, FormatLogstash)
	asJSON := logstash || !o.Terminal
	opts := handlerOptions(o, logLevel(o))
	sink := lineCapWriter{w: w, limit: MaxLineBytes, json: asJSON}
	if asJSON {
		return jsonHandler(o, opts, sink)
	}
	var h slog.Handler = slog.NewTextHandler(sink, opts)
	if o.Prefix != "" {
		h = prefixHandler{Handler: h, prefix: o.Prefix + " "}
	}
	return h
}

// parseLevel maps a KrakenD level name onto a slog level.
func parseLevel(s string) slog.Level {
	switch strings.ToUpper(s) {
	case "INFO":
		return slog.LevelInfo
	case "WARNING":
		return slog.LevelWarn
	case "ERROR":
		return slog.LevelError
	case "CRITICAL":
		return LevelCritical
	default:
		return slog.LevelDebug
	}
}

// levelName renders l with KrakenD's names; levels in between keep slog's
// "INFO+1" style.
func levelName(l slog.Level) string {
	switch l {
	case slog.LevelDebug:
		return "DEBUG"
	case slog.LevelInfo:
		return "INFO"
	case slog.LevelWarn:
		return "WARNING"
	case slog.LevelError:
		return "ERROR"
	case LevelCritical:
		return "CRITICAL"
	default:
		return l.String()
	}
}

// renameLevel is the ReplaceAttr of the default format. It also redacts
// credentials (see [redactAttr]).
func renameLevel(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.LevelKey {
		if l, ok := a.Value.Any().(slog.Level); ok {
			a.Value = slog.StringValue(levelName(l))
			return a
		}
	}
	return redactAttr(a)
}

// redactAttr replaces the value of an attribute named like a credential
// header (Authorization, Cookie, …) by [Redacted], and an http.Header
// value by its [RedactHeaders] copy, so that no log line carries a
// credential even when a caller forgot to redact.
func redactAttr(a slog.Attr) slog.Attr {
	switch a.Value.Kind() {
	case slog.KindGroup:
		return a
	case slog.KindAny:
		if h, ok := a.Value.Any().(http.Header); ok {
			a.Value = slog.AnyValue(RedactHeaders(h))
			return a
		}
	}
	if isCredentialHeader(a.Key) {
		a.Value = slog.StringValue(Redacted)
	}
	return a
}

// renameLogstash is the ReplaceAttr of the logstash format: the built-in time
// and message keys become "@timestamp" and "message".
func renameLogstash(groups []string, a slog.Attr) slog.Attr {
	if len(groups) != 0 {
		return a
	}
	switch a.Key {
	case slog.TimeKey:
		if a.Value.Kind() == slog.KindTime {
			a.Key = "@timestamp"
		}
	case slog.MessageKey:
		a.Key = "message"
	}
	return renameLevel(groups, a)
}

// prefixHandler prepends a fixed prefix to each record's message (text format).
type prefixHandler struct {
	slog.Handler
	prefix string
}

// Handle implements slog.Handler.
func (h prefixHandler) Handle(ctx context.Context, r slog.Record) error {
	r.Message = h.prefix + r.Message
	return h.Handler.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h prefixHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return prefixHandler{Handler: h.Handler.WithAttrs(attrs), prefix: h.prefix}
}

// WithGroup implements slog.Handler.
func (h prefixHandler) WithGroup(name string) slog.Handler {
	return prefixHandler{Handler: h.Handler.WithGroup(name), prefix: h.prefix}
}
