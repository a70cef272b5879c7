package config

import (
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"time"
)

// Bounds of auth/revoker.
const (
	// MaxRevokerEntries bounds N: the filter's memory grows with it.
	MaxRevokerEntries = 100_000_000
	// MaxRevokerTTL bounds TTL (one year).
	MaxRevokerTTL = 365 * 24 * time.Hour
)

// Revoker is the service "auth/revoker" namespace (§17.20), with defaults
// applied: a per-process deny-list of token claim values checked after
// every auth/validator.
type Revoker struct {
	// JSONPath locates the namespace.
	JSONPath string
	// Pos is the position of the namespace value.
	Pos Position

	// N is the number of entries the filter is sized for (N). Required.
	N int
	// P is the false-positive rate the filter is sized for, 0 < P < 1 (P).
	// Required.
	P float64
	// HashName is "default" or "optimal" (hash_name); both select the same
	// hashing in Tributary. Default "default".
	HashName string
	// TTL is how long an entry stays revoked (TTL, whole seconds).
	// Required.
	TTL time.Duration
	// TokenKeys are the claims whose values are looked up (token_keys), in
	// file order. An empty list checks nothing.
	TokenKeys []string
	// Port is KrakenD's RPC port (port); accepted, and no listener is
	// opened. 0 when unset.
	Port int
	// Admin is the Tributary-only admin path that adds entries
	// (tributary.revoke_admin at service scope); nil when off.
	Admin *RevokeAdmin

	// configured is set once the namespace itself is decoded (Admin may
	// be decoded first, from the tributary namespace).
	configured bool
}

// RevokeAdmin is tributary.revoke_admin: a POST path, answered before
// routing, that adds an entry to the revocation list of the process that
// receives it.
type RevokeAdmin struct {
	// JSONPath locates the option.
	JSONPath string
	// Pos is the position of the option's value.
	Pos Position
	// Path is the admin path (path). Default "/__revoke".
	Path string
	// SecretSHA256 is the SHA-256 digest of the bearer secret a caller
	// must present (secret_sha256, 64 hex digits). Required. The secret
	// itself never appears in the config.
	SecretSHA256 [32]byte
}

// Configured reports that the auth/revoker namespace itself was decoded
// (false when only tributary.revoke_admin was given).
func (r *Revoker) Configured() bool { return r != nil && r.configured }

// revoker decodes "auth/revoker".
func (l *loader) revoker(c *Config, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	r := &Revoker{JSONPath: path, Pos: v.pos, HashName: "default", configured: true}
	if c.Revoker != nil {
		r.Admin = c.Revoker.Admin // tributary.revoke_admin came first
	}
	var nNode, pNode, ttlNode *node
	ok := true
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "N":
			nNode = mv
			if n, good := l.intRange(mv, path, m.key, 1, MaxRevokerEntries); good {
				r.N = int(n)
			} else {
				ok = false
			}
		case "P":
			pNode = mv
			if p, good := l.revokerRate(mv, path, m.key); good {
				r.P = p
			} else {
				ok = false
			}
		case "hash_name":
			if s, good := l.str(mv, path, m.key); good {
				if s != "default" && s != "optimal" {
					l.errNode(mv, keyPath(path, m.key), "unknown hash_name "+quoteJSON(s), `use "default" or "optimal"`)
					ok = false
				} else {
					r.HashName = s
				}
			} else {
				ok = false
			}
		case "TTL":
			ttlNode = mv
			if n, good := l.intRange(mv, path, m.key, 1, int64(MaxRevokerTTL/time.Second)); good {
				r.TTL = time.Duration(n) * time.Second
			} else {
				ok = false
			}
		case "token_keys":
			if list, good := l.strList(mv, path, m.key); good {
				r.TokenKeys = signerDedup(list)
				for i, k := range list {
					if k == "" {
						l.errAt(mv.elems[i].pos, keyIndexPath(path, m.key, i), "empty claim name", "")
						ok = false
					}
				}
			} else {
				ok = false
			}
		case "port":
			if p, good := l.intRange(mv, path, m.key, 0, 65535); good {
				r.Port = int(p)
				l.warnAt(mv.pos, keyPath(path, m.key), "no RPC listener is opened for the revocation list",
					"entries are added through Tributary's admin path (tributary.revoke_admin); see the docs")
			}
		default:
			l.unknownKey(objRevoker, path, m)
		}
	}
	for _, req := range []struct {
		n    *node
		name string
	}{{nNode, "N"}, {pNode, "P"}, {ttlNode, "TTL"}} {
		if req.n == nil {
			l.errNode(v, path, "missing required key "+quoteJSON(req.name), "")
			ok = false
		}
	}
	if ok && len(r.TokenKeys) == 0 {
		l.warnAt(v.pos, path, "token_keys is empty: no token is ever found revoked", `list claims, e.g. ["jti"]`)
	}
	if ok {
		c.Revoker = r
	}
}

// revokeAdmin decodes tributary.revoke_admin.
func (l *loader) revokeAdmin(c *Config, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	a := &RevokeAdmin{JSONPath: path, Pos: v.pos, Path: "/__revoke"}
	var secret *node
	ok := true
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "path":
			if p, good := l.str(mv, path, m.key); good {
				if !validAdminPath(p) {
					l.errNode(mv, keyPath(path, m.key), "invalid admin path "+quoteJSON(p),
						`use a plain absolute path such as "/__revoke" (no placeholders, query, dot-segments or empty segments)`)
					ok = false
				} else {
					a.Path = p
				}
			} else {
				ok = false
			}
		case "secret_sha256":
			secret = mv
			if h, good := l.str(mv, path, m.key); good {
				d, err := hex.DecodeString(h)
				if err != nil || len(d) != 32 {
					l.errNode(mv, keyPath(path, m.key), "secret_sha256 must be 64 hexadecimal digits",
						"the SHA-256 of the admin secret, e.g. printf %s \"$SECRET\" | sha256sum")
					ok = false
				} else {
					copy(a.SecretSHA256[:], d)
				}
			} else {
				ok = false
			}
		default:
			l.unknownKey(objRevokeAdmin, path, m)
		}
	}
	if secret == nil {
		l.errNode(v, path, `missing required key "secret_sha256"`, "the admin path is never open without a secret")
		ok = false
	}
	if !ok {
		return
	}
	if c.Revoker == nil {
		c.Revoker = &Revoker{}
	}
	c.Revoker.Admin = a
}

// validAdminPath accepts "/a/b" paths of unreserved characters.
func validAdminPath(p string) bool {
	if len(p) < 2 || len(p) > 256 || p[0] != '/' || p[len(p)-1] == '/' {
		return false
	}
	for _, seg := range strings.Split(p[1:], "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~') {
				return false
			}
		}
	}
	return true
}

// revokerRate decodes P: a number strictly between 0 and 1.
func (l *loader) revokerRate(n *node, base, key string) (float64, bool) {
	if n.kind != kindNumber {
		l.wrongType(n, base, key, "a number between 0 and 1", "")
		return 0, false
	}
	p, err := strconv.ParseFloat(n.text, 64)
	if err != nil || math.IsNaN(p) || p <= 0 || p >= 1 {
		l.errNode(n, keyPath(base, key), "P must be between 0 and 1 (exclusive), got "+n.text, "e.g. 0.0000001")
		return 0, false
	}
	if p < 1e-12 {
		l.errNode(n, keyPath(base, key), "P "+n.text+" is too small; the smallest accepted is 1e-12", "")
		return 0, false
	}
	return p, true
}
