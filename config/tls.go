package config

import "crypto/tls"

// serverTLS accepts only {"disabled": true}: server TLS is a [gap]. The
// other keys of a disabled block are KrakenD's and have no effect.
func (l *loader) serverTLS(m *member) {
	v := &m.val
	if !l.object(v, "$", m.key) {
		return
	}
	for i := range v.members {
		d := &v.members[i]
		if d.key != "disabled" {
			continue
		}
		on, ok := l.boolean(&d.val, "$.tls", d.key)
		if !ok || on {
			return
		}
	}
	l.errAt(m.pos, "$.tls", `server TLS ("tls") not supported yet`,
		`terminate TLS in front of Tributary, or set "disabled": true`)
}

// clientTLS decodes client_tls.
func (l *loader) clientTLS(c *Config, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	t := c.ClientTLS
	var maxNode *node
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "allow_insecure_connections":
			if b, ok := l.boolean(mv, path, m.key); ok && b {
				t.AllowInsecureConnections = true
				l.warnInsecure(mv, keyPath(path, m.key))
			}
		case "ca_certs":
			t.CACerts = l.fileList(mv, path, m.key)
		case "disable_system_ca_pool":
			l.setBool(&t.DisableSystemCAPool, mv, path, m.key)
		case "min_version":
			if ver, ok := l.tlsVersion(mv, path, m.key); ok {
				t.MinVersion = ver
			}
		case "max_version":
			if ver, ok := l.tlsVersion(mv, path, m.key); ok {
				t.MaxVersion = ver
				maxNode = mv
			}
		case "client_certs":
			t.ClientCerts = l.clientCerts(mv, path, m.key)
		default:
			l.unknownKey(objClientTLS, path, m)
		}
	}
	if maxNode != nil && t.MaxVersion < t.MinVersion {
		l.errNode(maxNode, keyPath(path, "max_version"), "max_version is below min_version", "")
	}
}

// fileList decodes a list of non-empty file paths.
func (l *loader) fileList(v *node, base, key string) []string {
	list, _ := l.strList(v, base, key)
	for i, s := range list {
		if s == "" {
			l.errAt(v.elems[i].pos, keyIndexPath(base, key, i), "empty file path", "")
		}
	}
	return list
}

func (l *loader) tlsVersion(v *node, base, key string) (uint16, bool) {
	s, ok := l.str(v, base, key)
	if !ok {
		return 0, false
	}
	switch s {
	case "TLS12":
		return tls.VersionTLS12, true
	case "TLS13":
		return tls.VersionTLS13, true
	case "SSL3.0", "TLS10", "TLS11":
		l.errNode(v, keyPath(base, key), "TLS version "+quoteJSON(s)+" is below the TLS 1.2 minimum", `use "TLS12" or "TLS13"`)
	default:
		l.errNode(v, keyPath(base, key), "unknown TLS version "+quoteJSON(s), `use "TLS12" or "TLS13"`)
	}
	return 0, false
}

func (l *loader) clientCerts(v *node, base, key string) []ClientCert {
	if v.kind != kindArray {
		l.wrongType(v, base, key, "an array of objects", "")
		return nil
	}
	var out []ClientCert
	for i := range v.elems {
		e := &v.elems[i]
		path := keyIndexPath(base, key, i)
		if e.kind != kindObject {
			l.errAt(e.pos, path, "expected an object, got "+e.kind.String(), `use {"certificate": "...", "private_key": "..."}`)
			continue
		}
		var cc ClientCert
		for m := range e.schemaMembers() {
			switch m.key {
			case "certificate":
				cc.Certificate, _ = l.str(&m.val, path, m.key)
			case "private_key":
				cc.PrivateKey, _ = l.str(&m.val, path, m.key)
			default:
				l.unknownKey(objClientCert, path, m)
			}
		}
		if cc.Certificate == "" {
			l.errAt(e.pos, path, `missing required key "certificate"`, "")
		}
		if cc.PrivateKey == "" {
			l.errAt(e.pos, path, `missing required key "private_key"`, "")
		}
		out = append(out, cc)
	}
	return out
}
