package demo

import (
	"bytes"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// ParsePorts reads the value of `tributary run --demo-ports`: two ports,
// "CATALOG,USERS" (e.g. "9001,9002"), each 1–65535 and different from the
// other. It returns the loopback addresses to pass to [Start] and to
// [RewriteHosts].
func ParsePorts(s string) (catalogAddr, usersAddr string, err error) {
	parts := strings.Split(s, ",")
	if len(parts) != 2 {
		return "", "", fmt.Errorf("%q: want two ports, CATALOG,USERS (e.g. 9001,9002)", s)
	}
	var ports [2]int
	for i, part := range parts {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 1 || n > 65535 {
			return "", "", fmt.Errorf("%q: %q is not a port 1-65535", s, part)
		}
		ports[i] = n
	}
	if ports[0] == ports[1] {
		return "", "", fmt.Errorf("%q: the catalog and users backends need different ports", s)
	}
	host, _, _ := net.SplitHostPort(CatalogAddr)
	return net.JoinHostPort(host, strconv.Itoa(ports[0])), net.JoinHostPort(host, strconv.Itoa(ports[1])), nil
}

// RewriteHosts returns a copy of cfg (the bundled config's JSON) whose
// backend hosts point at catalogAddr and usersAddr instead of [CatalogAddr]
// and [UsersAddr]. Only whole JSON strings "http://<default address>" are
// replaced, so line and column numbers of everything before them stay
// meaningful and nothing else in the file changes.
func RewriteHosts(cfg []byte, catalogAddr, usersAddr string) []byte {
	out := bytes.ReplaceAll(cfg, []byte(`"http://`+CatalogAddr+`"`), []byte(`"http://`+catalogAddr+`"`))
	return bytes.ReplaceAll(out, []byte(`"http://`+UsersAddr+`"`), []byte(`"http://`+usersAddr+`"`))
}
