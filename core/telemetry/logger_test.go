package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"unicode/utf8"
)

// logAll logs one line at each of the five KrakenD levels.
func logAll(l *slog.Logger) {
	ctx := context.Background()
	l.Debug("d")
	l.Info("i")
	l.Warn("w")
	l.Error("e")
	l.Log(ctx, LevelCritical, "c")
}

// jsonLines decodes every line of out as one JSON object.
func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var recs []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %q is not JSON: %v", line, err)
		}
		recs = append(recs, m)
	}
	return recs
}

func TestNewLoggerLevels(t *testing.T) {
	all := []string{"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}
	tests := []struct {
		level string
		debug bool
		want  []string
	}{
		{"DEBUG", false, all},
		{"INFO", false, all[1:]},
		{"WARNING", false, all[2:]},
		{"ERROR", false, all[3:]},
		{"CRITICAL", false, all[4:]},
		{"warning", false, all[2:]},
		{"", false, all},
		{"VERBOSE", false, all},
		{"CRITICAL", true, all},
		{"ERROR", true, all},
	}
	for _, tt := range tests {
		t.Run(tt.level, func(t *testing.T) {
			var buf bytes.Buffer
			logAll(NewLogger(LogOptions{Level: tt.level, Stdout: true, Debug: tt.debug}, &buf))
			var got []string
			for _, rec := range jsonLines(t, buf.String()) {
				s, _ := rec["level"].(string)
				got = append(got, s)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("levels logged = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNewLoggerFormats(t *testing.T) {
	tests := []struct {
		name       string
		format     string
		terminal   bool
		wantJSON   bool
		timeKey    string
		messageKey string
	}{
		{"default off a terminal", "default", false, true, "time", "msg"},
		{"empty format off a terminal", "", false, true, "time", "msg"},
		{"default on a terminal", "default", true, false, "time", "msg"},
		{"logstash off a terminal", "logstash", false, true, "@timestamp", "message"},
		{"logstash on a terminal", "logstash", true, true, "@timestamp", "message"},
		{"unknown is default", "custom", true, false, "time", "msg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			l := NewLogger(LogOptions{Level: "INFO", Stdout: true, Format: tt.format, Terminal: tt.terminal}, &buf)
			l.Warn("hello", "k", "v", slog.Group("g", "msg", "inner"))
			out := buf.String()
			if !tt.wantJSON {
				for _, want := range []string{tt.timeKey + "=", " level=WARNING ", " msg=hello ", " k=v ", " g.msg=inner"} {
					if !strings.Contains(out, want) {
						t.Errorf("text line %q lacks %q", out, want)
					}
				}
				return
			}
			recs := jsonLines(t, out)
			if len(recs) != 1 {
				t.Fatalf("got %d lines, want 1: %q", len(recs), out)
			}
			rec := recs[0]
			if _, ok := rec[tt.timeKey].(string); !ok {
				t.Errorf("no %q key in %q", tt.timeKey, out)
			}
			if rec[tt.messageKey] != "hello" || rec["level"] != "WARNING" || rec["k"] != "v" {
				t.Errorf("unexpected record %q", out)
			}
			other := map[string]string{"time": "@timestamp", "@timestamp": "time", "msg": "message", "message": "msg"}
			if _, ok := rec[other[tt.timeKey]]; ok {
				t.Errorf("record %q carries both time keys", out)
			}
			if _, ok := rec[other[tt.messageKey]]; ok {
				t.Errorf("record %q carries both message keys", out)
			}
			if g, _ := rec["g"].(map[string]any); g["msg"] != "inner" {
				t.Errorf("grouped attribute renamed in %q", out)
			}
		})
	}
}

func TestNewLoggerPrefix(t *testing.T) {
	tests := []struct {
		name     string
		format   string
		terminal bool
		want     string
	}{
		{"json", "default", false, `"msg":"hello","prefix":"[GW]","k":"v"}`},
		{"logstash", "logstash", false, `"message":"hello","@version":"1","prefix":"[GW]","k":"v"}`},
		{"text", "default", true, ` level=INFO msg="[GW] hello" k=v` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			l := NewLogger(LogOptions{Level: "INFO", Stdout: true, Prefix: "[GW]", Format: tt.format, Terminal: tt.terminal}, &buf)
			l.Info("hello", "k", "v")
			if !strings.HasSuffix(strings.TrimSuffix(buf.String(), "\n"), strings.TrimSuffix(tt.want, "\n")) {
				t.Errorf("line = %q, want it to end with %q", buf.String(), tt.want)
			}
			buf.Reset()
			l.With("a", 1).WithGroup("grp").Info("again", "b", 2)
			if !strings.Contains(buf.String(), "[GW]") {
				t.Errorf("derived logger lost the prefix: %q", buf.String())
			}
		})
	}
}

func TestNewLoggerDiscards(t *testing.T) {
	tests := []struct {
		name string
		opts LogOptions
		nilW bool
	}{
		{"stdout false", LogOptions{Level: "DEBUG"}, false},
		{"nil writer", LogOptions{Level: "DEBUG", Stdout: true}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			var l *slog.Logger
			if tt.nilW {
				l = NewLogger(withFlags(tt.opts, false, true), nil)
			} else {
				l = NewLogger(withFlags(tt.opts, false, true), &buf)
			}
			logAll(l)
			if buf.Len() != 0 {
				t.Errorf("wrote %q, want nothing", buf.String())
			}
			if l.Enabled(context.Background(), LevelCritical) {
				t.Error("discarding logger reports CRITICAL enabled")
			}
		})
	}
}

func TestNewLoggerCapsJSONLines(t *testing.T) {
	long := strings.Repeat("x", 40<<10)
	tests := []struct {
		name    string
		format  string
		log     func(*slog.Logger)
		minKept int // the cut line keeps at least this many bytes
	}{
		{"long message", "default", func(l *slog.Logger) { l.Info(long) }, MaxLineBytes - 64},
		{"long message logstash", "logstash", func(l *slog.Logger) { l.Info(long) }, MaxLineBytes - 64},
		{"long attribute", "default", func(l *slog.Logger) { l.Info("m", "body", long, "after", 1) }, MaxLineBytes - 64},
		{"many attributes", "default", func(l *slog.Logger) {
			args := make([]any, 0, 8000)
			for i := range 4000 {
				args = append(args, "key", i)
			}
			l.Info("m", args...)
		}, MaxLineBytes - 64},
		{"nested groups", "default", func(l *slog.Logger) {
			args := make([]any, 0, 4000)
			for i := range 4000 {
				args = append(args, "k", i)
			}
			l.Info("m", slog.Group("a", slog.Group("b", args...)))
		}, MaxLineBytes - 64},
		{"long key", "default", func(l *slog.Logger) { l.Info("m", long, 1) }, 40},
		{"escapes", "default", func(l *slog.Logger) { l.Info(strings.Repeat("\"\n\x01\\", 8000)) }, MaxLineBytes - 64},
		{"multibyte", "default", func(l *slog.Logger) { l.Info(strings.Repeat("é€😀", 4000)) }, MaxLineBytes - 64},
		{"slice value", "default", func(l *slog.Logger) { l.Info("m", "ids", make([]int, 20000)) }, MaxLineBytes - 64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			tt.log(NewLogger(LogOptions{Level: "INFO", Stdout: true, Format: tt.format}, &buf))
			line := buf.Bytes()
			if len(line) > MaxLineBytes || len(line) < tt.minKept {
				t.Fatalf("line is %d bytes, want %d..%d", len(line), tt.minKept, MaxLineBytes)
			}
			if bytes.Count(line, []byte("\n")) != 1 || line[len(line)-1] != '\n' {
				t.Fatal("cut output is not exactly one newline-terminated line")
			}
			if !json.Valid(line) {
				t.Fatalf("cut line is not valid JSON: ...%q", line[max(0, len(line)-80):])
			}
			if !bytes.Contains(line, []byte(TruncationMark)) {
				t.Error("cut line lacks the truncation mark")
			}
			rec := jsonLines(t, buf.String())[0]
			if rec["level"] != "INFO" {
				t.Errorf("level lost: %v", rec["level"])
			}
		})
	}
}

func TestNewLoggerCapsTextLines(t *testing.T) {
	tests := []struct {
		name string
		msg  string
	}{
		{"ascii", strings.Repeat("y", 20<<10)},
		{"multibyte", strings.Repeat("€", 20<<10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			NewLogger(LogOptions{Level: "INFO", Stdout: true, Terminal: true}, &buf).Info(tt.msg)
			line := buf.String()
			if len(line) > MaxLineBytes || len(line) < MaxLineBytes-8 {
				t.Errorf("line is %d bytes, want about %d", len(line), MaxLineBytes)
			}
			if !strings.HasSuffix(line, TruncationMark+"\n") || !utf8.ValidString(line) {
				t.Errorf("bad cut line ending %q", line[len(line)-40:])
			}
		})
	}
}

func TestNewLoggerLeavesShortLinesAlone(t *testing.T) {
	var buf bytes.Buffer
	msg := strings.Repeat("z", MaxLineBytes-200)
	NewLogger(LogOptions{Level: "INFO", Stdout: true}, &buf).Info(msg)
	rec := jsonLines(t, buf.String())[0]
	if rec["msg"] != msg {
		t.Error("a line under the cap was changed")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestLineCapWriterReportsErrors(t *testing.T) {
	tests := []struct {
		name string
		line []byte
	}{
		{"short", []byte("{}\n")},
		{"long", append(bytes.Repeat([]byte("a"), 100), '\n')},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := lineCapWriter{w: failingWriter{}, limit: 50, json: false}
			if _, err := w.Write(tt.line); err == nil {
				t.Error("Write hid the sink's error")
			}
		})
	}
}

func BenchmarkLoggerJSON(b *testing.B) {
	l := NewLogger(LogOptions{Level: "INFO", Stdout: true, Prefix: "gw"}, discardWriter{})
	b.ReportAllocs()
	for b.Loop() {
		l.Info("backend call", "method", "GET", "url", "http://127.0.0.1:8001/products", "status", 200)
	}
}

func BenchmarkLoggerTruncating(b *testing.B) {
	l := NewLogger(LogOptions{Level: "INFO", Stdout: true}, discardWriter{})
	msg := strings.Repeat("x", 32<<10)
	b.ReportAllocs()
	for b.Loop() {
		l.Info(msg)
	}
}

type discardWriter struct{}

func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }

// withFlags returns o with Terminal and Debug set.
func withFlags(o LogOptions, terminal, debug bool) LogOptions {
	o.Terminal, o.Debug = terminal, debug
	return o
}
