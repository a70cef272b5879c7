package config

import (
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultInfluxDB is telemetry/influx db when the option is absent.
const DefaultInfluxDB = "krakend"

// MinInfluxTTL is the shortest telemetry/influx ttl accepted: each push
// renders every metric and makes one HTTP request.
const MinInfluxTTL = time.Second

// GELF is the "telemetry/gelf" namespace: every log line is also sent to a
// Graylog GELF input.
type GELF struct {
	// Address is address, the GELF input's host:port. Required.
	Address string
	// TCP is enable_tcp: send over TCP (null-byte framed) instead of UDP
	// (chunked). Default false.
	TCP bool
	// Pos is the position of the namespace's value.
	Pos Position
	// JSONPath locates the namespace in the file.
	JSONPath string
}

// Logstash is the "telemetry/logstash" namespace.
type Logstash struct {
	// Enabled is enabled: true switches the log format to logstash, as
	// telemetry/logging format "logstash" does. Default false.
	Enabled bool
	// Pos is the position of the namespace's value.
	Pos Position
	// JSONPath locates the namespace in the file.
	JSONPath string
}

// Influx is the "telemetry/influx" namespace: the telemetry/metrics
// counters pushed to an InfluxDB 1.x server.
type Influx struct {
	// Address is address, the server's http:// or https:// base URL
	// (points are written to Address + "/write"). Required.
	Address string
	// TTL is ttl, the push period. Required, at least MinInfluxTTL.
	TTL time.Duration
	// BufferSize is buffer_size. It is accepted for compatibility and has
	// no effect: a failed push is dropped, never retried. Default 0.
	BufferSize int
	// DB is db, the database written to. Default DefaultInfluxDB.
	DB string
	// Username is username, sent with Password as HTTP basic
	// authentication when not empty. Default "".
	Username string
	// Password is password. It is never logged. Default "".
	Password string
	// Pos is the position of the namespace's value.
	Pos Position
	// JSONPath locates the namespace in the file.
	JSONPath string
}

// logSink decodes "telemetry/gelf", "telemetry/logstash" and
// "telemetry/influx" (service scope); name is the namespace's current name.
func (l *loader) logSink(c *Config, name string, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	switch name {
	case "telemetry/gelf":
		c.GELF = l.gelf(v, path)
	case "telemetry/logstash":
		c.Logstash = l.logstash(v, path)
	case "telemetry/influx":
		c.Influx = l.influx(v, path)
	}
}

func (l *loader) gelf(v *node, path string) *GELF {
	g := &GELF{Pos: v.pos, JSONPath: path}
	hasAddress := false
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "address":
			hasAddress = true
			if s, ok := l.str(mv, path, m.key); ok {
				if problem := hostPortProblem(s); problem != "" {
					l.errNode(mv, keyPath(path, m.key), "invalid GELF address "+quoteJSON(s)+": "+problem,
						`use host:port, e.g. "graylog:12201"`)
				} else {
					g.Address = s
				}
			}
		case "enable_tcp":
			l.setBool(&g.TCP, mv, path, m.key)
		default:
			l.unknownKey(objGELF, path, m)
		}
	}
	if !hasAddress {
		l.errAt(v.pos, path, `missing required key "address"`, `the GELF input's host:port, e.g. "graylog:12201"`)
	}
	return g
}

func (l *loader) logstash(v *node, path string) *Logstash {
	ls := &Logstash{Pos: v.pos, JSONPath: path}
	for m := range v.schemaMembers() {
		switch m.key {
		case "enabled":
			l.setBool(&ls.Enabled, &m.val, path, m.key)
		default:
			l.unknownKey(objLogstash, path, m)
		}
	}
	return ls
}

func (l *loader) influx(v *node, path string) *Influx {
	in := &Influx{DB: DefaultInfluxDB, Pos: v.pos, JSONPath: path}
	hasAddress, hasTTL := false, false
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "address":
			hasAddress = true
			if s, ok := l.str(mv, path, m.key); ok {
				if problem := influxAddressProblem(s); problem != "" {
					l.errNode(mv, keyPath(path, m.key), "invalid InfluxDB address "+quoteJSON(s)+": "+problem,
						`use the server's base URL, e.g. "http://influxdb:8086"`)
				} else {
					in.Address = strings.TrimSuffix(s, "/")
				}
			}
		case "ttl":
			hasTTL = true
			if d, ok := l.duration(mv, path, m.key); ok {
				if d < MinInfluxTTL {
					l.errNode(mv, keyPath(path, m.key), "ttl "+quoteJSON(mv.text)+" is below 1s",
						`each push renders every metric and makes one request; use 1s or more, e.g. "30s"`)
				} else {
					in.TTL = d
				}
			}
		case "buffer_size":
			if n, ok := l.intRange(mv, path, m.key, 0, 1<<20); ok {
				in.BufferSize = int(n)
				if n > 0 {
					l.warnAt(mv.pos, keyPath(path, m.key), "buffer_size has no effect: a failed push is dropped, never retried",
						"remove it")
				}
			}
		case "db":
			if s, ok := l.str(mv, path, m.key); ok {
				if s == "" {
					l.errNode(mv, keyPath(path, m.key), "empty database name", `omit the key for "krakend"`)
				} else {
					in.DB = s
				}
			}
		case "username":
			in.Username, _ = l.str(mv, path, m.key)
		case "password":
			in.Password, _ = l.str(mv, path, m.key)
		default:
			l.unknownKey(objInflux, path, m)
		}
	}
	if !hasAddress {
		l.errAt(v.pos, path, `missing required key "address"`, `the InfluxDB base URL, e.g. "http://influxdb:8086"`)
	}
	if !hasTTL {
		l.errAt(v.pos, path, `missing required key "ttl"`, `the push period, e.g. "30s"`)
	}
	return in
}

// resolveLogSinks applies the rules between the telemetry namespaces once
// the whole service extra_config v is decoded: telemetry/gelf and
// telemetry/logstash need telemetry/logging, telemetry/influx needs
// telemetry/metrics, telemetry/logstash enabled sets the log format, and
// a telemetry/logging that leaves the lines nowhere to go is warned about.
func (l *loader) resolveLogSinks(c *Config, v *node) {
	var logging *member
	for i := range v.members {
		m := &v.members[i]
		name := m.key
		if to, ok := aliasedNamespaces[name]; ok {
			name = to
		}
		if name == "telemetry/logging" && logging == nil {
			logging = m
		}
	}
	if logging != nil && logging.val.kind == kindObject && !c.Logging.Stdout && !c.Logging.Syslog && c.GELF == nil {
		l.warnAt(logging.val.pos, keyPath("$.extra_config", logging.key), "application logs are discarded (stdout is not true)",
			`set "stdout": true`)
	}
	const needLogging = `add "telemetry/logging", e.g. {"level": "INFO", "stdout": true}`
	if g := c.GELF; g != nil && logging == nil {
		l.errAt(g.Pos, g.JSONPath, "telemetry/gelf requires telemetry/logging", needLogging)
	}
	if ls := c.Logstash; ls != nil {
		if logging == nil {
			l.errAt(ls.Pos, ls.JSONPath, "telemetry/logstash requires telemetry/logging", needLogging)
		}
		if ls.Enabled {
			c.Logging.Format = "logstash"
		}
	}
	if in := c.Influx; in != nil && c.Metrics == nil {
		l.errAt(in.Pos, in.JSONPath, "telemetry/influx requires telemetry/metrics",
			`add "telemetry/metrics": {} (it keeps the counters that are pushed)`)
	}
}

// hostPortProblem says what is wrong with a host:port to dial, or "".
func hostPortProblem(s string) string {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "not host:port"
	}
	if host == "" {
		return "the host is missing"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "the port must be a number from 1 to 65535"
	}
	return ""
}

// influxAddressProblem says what is wrong with an InfluxDB base URL, or "".
func influxAddressProblem(s string) string {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "not a URL"
	case u.Scheme != "http" && u.Scheme != "https":
		return "the scheme must be http or https"
	case u.Host == "" || u.Hostname() == "":
		return "the host is missing"
	case u.User != nil:
		return "credentials in the URL would end up in logs; use username and password"
	case u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(s, "?") || strings.Contains(s, "#"):
		return "a query or fragment is not allowed"
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "the port must be a number from 1 to 65535"
		}
	}
	return ""
}
