package config

// The HTTP servers `tributary run` can serve a config with
// (tributary.server).
const (
	// ServerNetHTTP is Go's net/http server, the default.
	ServerNetHTTP = "net/http"
	// ServerFastHTTP is github.com/valyala/fasthttp's server.
	ServerFastHTTP = "fasthttp"
)

// serverImpl decodes tributary.server: "net/http" or "fasthttp". Lambda
// functions have no server and ignore it.
func (l *loader) serverImpl(c *Config, v *node, base, key string) {
	s, ok := l.str(v, base, key)
	if !ok {
		return
	}
	switch s {
	case ServerNetHTTP, ServerFastHTTP:
		c.Server = s
	default:
		l.errNode(v, keyPath(base, key), "unknown server "+quoteJSON(s), `use "net/http" (the default) or "fasthttp"`)
	}
}
