package config

// logging decodes "telemetry/logging" (§17.12).
func (l *loader) logging(c *Config, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	lg := Logging{Level: "DEBUG", Format: "default"}
	hasLevel := false
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "level":
			hasLevel = true
			if s, ok := l.str(mv, path, m.key); ok {
				if lv, ok := logLevel(s); ok {
					lg.Level = lv
				} else {
					l.errNode(mv, keyPath(path, m.key), "unknown log level "+quoteJSON(s),
						"use DEBUG, INFO, WARNING, ERROR or CRITICAL")
				}
			}
		case "prefix":
			lg.Prefix, _ = l.str(mv, path, m.key)
		case "stdout":
			l.setBool(&lg.Stdout, mv, path, m.key)
		case "format":
			if s, ok := l.str(mv, path, m.key); ok {
				switch s {
				case "default", "logstash":
					lg.Format = s
				case "custom":
					l.errNode(mv, keyPath(path, m.key), `log format "custom" not supported yet`, `use "default" or "logstash"`)
				default:
					l.errNode(mv, keyPath(path, m.key), "unknown log format "+quoteJSON(s), `use "default" or "logstash"`)
				}
			}
		case "syslog":
			// Also write every line to the local syslog socket. A Lambda
			// function refuses it at init: it has no syslog.
			l.setBool(&lg.Syslog, mv, path, m.key)
			if lg.Syslog {
				lg.SyslogAt = Diagnostic{File: l.file, Pos: mv.pos, Path: keyPath(path, m.key)}
			} else {
				lg.SyslogAt = Diagnostic{}
			}
		case "syslog_facility":
			// Accepted and unused while syslog is off.
			if s, ok := l.str(mv, path, m.key); ok {
				if syslogFacility(s) {
					lg.SyslogFacility = s
				} else {
					l.errNode(mv, keyPath(path, m.key), "unknown syslog facility "+quoteJSON(s),
						"use local0 … local7, user or daemon")
				}
			}
		default:
			l.unknownKey(objLogging, path, m)
		}
	}
	if !hasLevel {
		l.errAt(v.pos, path, `missing required key "level"`, "use DEBUG, INFO, WARNING, ERROR or CRITICAL")
	}
	if lg.Syslog && lg.SyslogFacility == "" {
		lg.SyslogFacility = "local3"
	}
	// With neither stdout nor syslog (nor telemetry/gelf) the lines are
	// discarded: resolveLogSinks warns once every namespace is read.
	c.Logging = lg
}

// logLevel matches a level name case-insensitively, as KrakenD does, and
// returns its upper-case form.
func logLevel(s string) (string, bool) {
	for _, lv := range []string{"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"} {
		if len(s) == len(lv) && asciiEqualFold(s, lv) {
			return lv, true
		}
	}
	return "", false
}

func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'a' <= x && x <= 'z' {
			x -= 'a' - 'A'
		}
		if 'a' <= y && y <= 'z' {
			y -= 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// syslogFacility reports KrakenD's syslog facility names.
func syslogFacility(s string) bool {
	switch s {
	case "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7", "user", "daemon":
		return true
	}
	return false
}
