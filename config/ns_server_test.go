package config

import (
	"strings"
	"testing"
)

// TestServerOption: tributary.server picks the HTTP server; anything but
// the two names, or a non-string, is a load error.
func TestServerOption(t *testing.T) {
	for _, tc := range []struct{ value, want string }{
		{`"fasthttp"`, ServerFastHTTP},
		{`"net/http"`, ServerNetHTTP},
	} {
		c := mustLoad(t, `{"version": 3, "extra_config": {"tributary": {"server": `+tc.value+`}}}`)
		if c.Server != tc.want {
			t.Errorf("server %s: got %q, want %q", tc.value, c.Server, tc.want)
		}
	}
	if c := mustLoad(t, `{"version": 3}`); c.Server != "" {
		t.Errorf("default server %q, want \"\" (net/http)", c.Server)
	}
	for _, tc := range []struct{ value, want string }{
		{`"nginx"`, `$.extra_config.tributary.server: unknown server "nginx"; use "net/http" (the default) or "fasthttp"`},
		{`true`, `$.extra_config.tributary.server: expected a string, got`},
	} {
		got := loadErr(t, `{"version": 3, "extra_config": {"tributary": {"server": `+tc.value+`}}}`)
		if !strings.Contains(got, tc.want) {
			t.Errorf("server %s: error %q, want it to contain %q", tc.value, got, tc.want)
		}
	}
}
