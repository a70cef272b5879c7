package infra

import (
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/tributary-gw/tributary/config"
)

const (
	// maxLogicalIDLen bounds the per-endpoint logical IDs. CloudFormation
	// allows 255, but SAM derives longer names from them (…Role,
	// …HttpPermission), and short IDs read better in the console.
	maxLogicalIDLen = 64
	// hashLen is the length of the hash suffix: 8 lowercase hex digits.
	hashLen = 8
)

// LogicalID returns the CloudFormation logical ID of the per-endpoint
// function serving method and path: "Ep", the method in Pascal case
// ("GET" → "Get"), then every word of the path in Pascal case. A word is a
// run of ASCII letters and digits, so placeholders count as words and every
// other character only separates them:
//
//	LogicalID("GET", "/frontpage/{id_user}") == "EpGetFrontpageIdUser"
//
// The result is alphanumeric. When it would be longer than 64 characters
// it is cut and ends in an 8-hex-digit hash of "METHOD path" instead, so
// two long routes that share a prefix still differ. Generate adds the same
// suffix to every ID that collides with another one.
func LogicalID(method, path string) string {
	var b strings.Builder
	b.Grow(2 + len(method) + len(path))
	b.WriteString("Ep")
	writeWords(&b, strings.ToLower(method))
	writeWords(&b, path)
	id := b.String()
	if len(id) > maxLogicalIDLen {
		return withHash(id, method, path)
	}
	return id
}

// writeWords appends the ASCII alphanumeric words of s with the first
// letter of each upper-cased; everything else is dropped.
func writeWords(b *strings.Builder, s string) {
	start := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			if start {
				c -= 'a' - 'A'
			}
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		default:
			start = true
			continue
		}
		b.WriteByte(c)
		start = false
	}
}

// withHash cuts id so that it ends in routeHash(method, path) and is at
// most maxLogicalIDLen long.
func withHash(id, method, path string) string {
	if len(id) > maxLogicalIDLen-hashLen {
		id = id[:maxLogicalIDLen-hashLen]
	}
	return id + routeHash(method, path)
}

// routeHash is a short, stable hash of a route: FNV-1a (32 bits) of
// "METHOD path", as 8 lowercase hex digits.
func routeHash(method, path string) string {
	h := fnv.New32a()
	h.Write([]byte(method))
	h.Write([]byte{' '})
	h.Write([]byte(path))
	return fmt.Sprintf("%0*x", hashLen, h.Sum32())
}

// derivedSuffixes returns the endings SAM appends to a function's logical
// ID to name the resources it creates alongside it: the execution role and
// one permission per event (our events are named Http or Rest; a REST
// permission also gets "Stage").
func derivedSuffixes() [3]string {
	return [3]string{"Role", "HttpPermission", "RestPermissionStage"}
}

// assignIDs returns the logical ID of every endpoint's function, in
// endpoint order. IDs that collide with another endpoint's, or with a name
// SAM derives from another endpoint's ID, all get the route hash suffix,
// so the result does not depend on the order of the endpoints. The
// returned IDs are unique, also against the fixed resource names and
// every derived name; if the hash itself collided, assignIDs fails.
func assignIDs(eps []*config.Endpoint, fixed []string) ([]string, error) {
	ids := make([]string, len(eps))
	count := make(map[string]int, len(eps))
	for i, e := range eps {
		ids[i] = LogicalID(e.Method, e.Path)
		count[ids[i]]++
	}
	clash := make([]bool, len(eps))
	for i, id := range ids {
		clash[i] = count[id] > 1
		for _, suffix := range derivedSuffixes() {
			if base, ok := strings.CutSuffix(id, suffix); ok && count[base] > 0 {
				clash[i] = true
			}
		}
	}
	for i, e := range eps {
		if clash[i] {
			ids[i] = withHash(ids[i], e.Method, e.Path)
		}
	}
	taken := make(map[string]string, len(fixed)+4*len(ids))
	for _, name := range fixed {
		taken[name] = "a fixed resource"
	}
	for i, e := range eps {
		owner := e.Method + " " + e.Path
		s := derivedSuffixes()
		for _, name := range [...]string{ids[i], ids[i] + s[0], ids[i] + s[1], ids[i] + s[2]} {
			if prev, dup := taken[name]; dup {
				return nil, fmt.Errorf("infra: logical ID %s for endpoint %s is already used by %s", name, owner, prev)
			}
			taken[name] = "endpoint " + owner
		}
	}
	return ids, nil
}
