package httpsyntax

// hopByHop is the list HopByHop returns.
var hopByHop = [...]string{
	"Connection",
	"Keep-Alive",
	"Proxy-Connection",
	"Proxy-Authenticate",
	"Proxy-Authorization",
	"Te",
	"Trailer",
	"Transfer-Encoding",
	"Upgrade",
}

// HopByHop returns, in canonical form, the header fields that describe one
// connection rather than the message and that a gateway forwards in
// neither direction: those of RFC 9110 §7.6.1 (Connection, Proxy-Connection,
// Keep-Alive, TE, Transfer-Encoding, Upgrade), Trailer, and
// Proxy-Authenticate and Proxy-Authorization, which belong to the next hop
// (RFC 9110 §11.7). Content-Length is not among them: it frames the
// message, and every caller decides about it. The fields a Connection
// header names are hop-by-hop too, for that message only.
//
// The result is a copy: ranging over it allocates nothing.
func HopByHop() [9]string { return hopByHop }

// IsHopByHop reports whether name, in canonical form (as
// http.CanonicalHeaderKey gives it), is one of HopByHop. It does not
// allocate. (The switch lists the names of hopByHop again because it is
// faster than a loop or a map; a test keeps the two the same.)
func IsHopByHop(name string) bool {
	switch name {
	case "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
		"Te", "Trailer", "Transfer-Encoding", "Upgrade":
		return true
	}
	return false
}
