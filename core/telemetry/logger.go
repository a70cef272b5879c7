// Package telemetry sets up Tributary's structured logging on log/slog
// (krakend-compat.md §17.12): the five KrakenD levels, the "default" and
// "logstash" formats, the line prefix, a 16 KiB cap on every line, and the
// redaction of credentials before headers reach a log line (security.md §2
// rule 20, [H20]).
package telemetry

import (
	"context"
	"io"
	"log/slog"
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
}

// NewLogger returns a logger writing to w according to o. When w is nil or
// o.Stdout is false, the logger discards everything. Levels render as DEBUG, INFO,
// WARNING, ERROR and CRITICAL. Every line, newline included, is at most
// [MaxLineBytes] long: a longer one is cut and marked "…(truncated)", and a
// cut JSON line is still one valid JSON object.
func NewLogger(o LogOptions, w io.Writer) *slog.Logger {
	if w == nil || !o.Stdout {
		return slog.New(slog.DiscardHandler)
	}
	level := parseLevel(o.Level)
	if o.Debug {
		level = slog.LevelDebug
	}
	logstash := strings.EqualFold(o.Format, FormatLogstash)
	asJSON := logstash || !o.Terminal
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: renameLevel}
	if logstash {
		opts.ReplaceAttr = renameLogstash
	}
	sink := lineCapWriter{w: w, limit: MaxLineBytes, json: asJSON}

	var h slog.Handler
	switch {
	case asJSON:
		h = slog.NewJSONHandler(sink, opts)
		if o.Prefix != "" {
			h = h.WithAttrs([]slog.Attr{slog.String("prefix", o.Prefix)})
		}
	default:
		h = slog.NewTextHandler(sink, opts)
		if o.Prefix != "" {
			h = prefixHandler{Handler: h, prefix: o.Prefix + " "}
		}
	}
	return slog.New(h)
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

// renameLevel is the ReplaceAttr of the default format.
func renameLevel(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.LevelKey {
		if l, ok := a.Value.Any().(slog.Level); ok {
			a.Value = slog.StringValue(levelName(l))
		}
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
