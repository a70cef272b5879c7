// Package influxtest is an InfluxDB 1.x /write endpoint for tests: it
// parses the line protocol it receives and keeps every point.
package influxtest

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// Point is one received point.
type Point struct {
	// Measurement is the measurement name, unescaped.
	Measurement string
	// Tags are the tags, unescaped.
	Tags map[string]string
	// Fields are the field values as written (e.g. "3i", "1.5").
	Fields map[string]string
	// Time is the timestamp as written.
	Time string
}

// Write is one /write request.
type Write struct {
	// DB and Precision are the query parameters.
	DB, Precision string
	// User and Password are the basic authentication credentials, if any.
	User, Password string
	// Points are the parsed points.
	Points []Point
	// Bad lists the lines that did not parse.
	Bad []string
}

// Receiver is a running test server. Status, when not 0, is the status
// every request is answered with (default 204).
type Receiver struct {
	*httptest.Server
	mu     sync.Mutex
	writes []Write
	status int
}

// New starts a receiver on 127.0.0.1; Close it when done.
func New() *Receiver {
	r := &Receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	return r
}

// SetStatus makes every later request answer status.
func (r *Receiver) SetStatus(status int) {
	r.mu.Lock()
	r.status = status
	r.mu.Unlock()
}

// Writes returns the requests received so far.
func (r *Receiver) Writes() []Write {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Write(nil), r.writes...)
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost || req.URL.Path != "/write" {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	body, _ := io.ReadAll(io.LimitReader(req.Body, 16<<20))
	wr := Write{DB: req.URL.Query().Get("db"), Precision: req.URL.Query().Get("precision")}
	wr.User, wr.Password, _ = req.BasicAuth()
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		if p, ok := Parse(line); ok {
			wr.Points = append(wr.Points, p)
		} else {
			wr.Bad = append(wr.Bad, line)
		}
	}
	r.mu.Lock()
	r.writes = append(r.writes, wr)
	status := r.status
	r.mu.Unlock()
	if status == 0 {
		status = http.StatusNoContent
	}
	if status/100 != 2 {
		http.Error(w, `{"error":"refused"}`, status)
		return
	}
	w.WriteHeader(status)
}

// Parse parses one line: measurement[,tag=v...] field=v[,field=v...] [time].
// Backslash escapes the next byte.
func Parse(line string) (Point, bool) {
	parts := splitUnescaped(line, ' ')
	if len(parts) != 2 && len(parts) != 3 {
		return Point{}, false
	}
	p := Point{Tags: map[string]string{}, Fields: map[string]string{}}
	head := splitUnescaped(parts[0], ',')
	p.Measurement = unescape(head[0])
	if p.Measurement == "" {
		return Point{}, false
	}
	for _, t := range head[1:] {
		kv := splitUnescaped(t, '=')
		if len(kv) != 2 || kv[0] == "" || kv[1] == "" {
			return Point{}, false
		}
		p.Tags[unescape(kv[0])] = unescape(kv[1])
	}
	for _, f := range splitUnescaped(parts[1], ',') {
		kv := splitUnescaped(f, '=')
		if len(kv) != 2 || kv[0] == "" || kv[1] == "" {
			return Point{}, false
		}
		p.Fields[unescape(kv[0])] = kv[1]
	}
	if len(parts) == 3 {
		p.Time = parts[2]
	}
	return p, len(p.Fields) > 0
}

// splitUnescaped splits s at each sep not preceded by a backslash.
func splitUnescaped(s string, sep byte) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
