package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Tests of the modifier/lua-endpoint, modifier/lua-proxy and
// modifier/lua-backend decoders.

func TestLuaEveryOption(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "lib.lua")
	if err := os.WriteFile(lib, []byte("function f() return 1 end\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	src := `{"version": 3, "extra_config": {"modifier/lua-endpoint": {"pre": "ctx.load()"}},
"endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://h"], "url_pattern": "/a",
    "extra_config": {"modifier/lua-backend": {"pre": "b1", "post": "b2", "allow_open_libs": true}}}],
  "extra_config": {
    "modifier/lua-endpoint": {"pre": "e1", "@comment": "x"},
    "modifier/lua-proxy": {"sources": ["` + lib + `"], "md5": {"` + lib + `": "276725C8C6E52924131CF81652DE7613"},
      "pre": "p1", "post": "p2", "live": false, "allow_open_libs": false, "skip_next": true}}}]}`
	cfg := mustLoad(t, src)
	if cfg.LuaEndpoint == nil || cfg.LuaEndpoint.Pre != "ctx.load()" || cfg.LuaEndpoint.Namespace != "modifier/lua-endpoint" {
		t.Fatalf("service lua-endpoint %+v", cfg.LuaEndpoint)
	}
	e := cfg.Endpoints[0]
	if e.LuaEndpoint == nil || e.LuaEndpoint.Pre != "e1" {
		t.Errorf("endpoint lua-endpoint %+v", e.LuaEndpoint)
	}
	want := &Lua{Namespace: "modifier/lua-proxy", JSONPath: `$.endpoints[0].extra_config["modifier/lua-proxy"]`,
		Pos:     e.LuaProxy.Pos,
		Sources: []LuaSource{{Name: lib, Code: "function f() return 1 end\n"}}, Pre: "p1", Post: "p2", SkipNext: true}
	if !reflect.DeepEqual(e.LuaProxy, want) {
		t.Errorf("lua-proxy = %+v, want %+v", e.LuaProxy, want)
	}
	b := e.Backends[0].LuaBackend
	if b == nil || b.Pre != "b1" || b.Post != "b2" || !b.AllowOpenLibs {
		t.Errorf("lua-backend %+v", b)
	}
	if len(cfg.Warnings) != 0 {
		t.Errorf("warnings: %v", warningLines(cfg))
	}
}

func TestLuaLiveWarns(t *testing.T) {
	cfg := mustLoad(t, `{"version": 3, "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://h"], "url_pattern": "/a"}],
  "extra_config": {"modifier/lua-proxy": {"pre": "x = 1", "live": true}}}]}`)
	got := strings.Join(warningLines(cfg), "\n")
	if !strings.Contains(got, `modifier/lua-proxy"].live: live reloading of Lua sources is not supported`) {
		t.Errorf("warnings: %s", got)
	}
}

func TestLuaRefused(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "lib.lua")
	if err := os.WriteFile(lib, []byte("x = 1"), 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.lua")
	if err := os.WriteFile(big, []byte(strings.Repeat("-", maxLuaSource+1)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ns, body, want string
	}{
		{"modifier/lua-proxy", `{"sources": ["` + filepath.Join(dir, "nope.lua") + `"]}`, `not found; paths are relative to the working directory`},
		{"modifier/lua-proxy", `{"sources": ["` + dir + `"]}`, `is not a regular file`},
		{"modifier/lua-proxy", `{"sources": ["` + big + `"]}`, `is larger than 1 MiB`},
		{"modifier/lua-proxy", `{"sources": [""]}`, `empty sources path`},
		{"modifier/lua-proxy", `{"sources": "x.lua"}`, `expected an array of strings`},
		{"modifier/lua-proxy", `{"sources": ["` + lib + `"], "md5": {"` + lib + `": "00"}}`, `does not match its content`},
		{"modifier/lua-proxy", `{"md5": {"other.lua": "00"}}`, `md5 names a file that is not in sources`},
		{"modifier/lua-proxy", `{"pre": 1}`, `pre: expected a string`},
		{"modifier/lua-proxy", `{"allow_open_libs": "true"}`, `booleans are not strings`},
		{"modifier/lua-proxy", `{"pre": "x", "prre": "y"}`, `prre: unknown key; did you mean "pre"?`},
		{"modifier/lua-endpoint", `{"post": "x = 1"}`, `lua-endpoint has no post script`},
		{"modifier/lua-endpoint", `{"skip_next": true}`, `skip_next is only valid in modifier/lua-proxy`},
		{"modifier/lua-proxy", `[]`, `expected an object`},
	} {
		src := `{"version": 3, "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://h"], "url_pattern": "/a"}],
  "extra_config": {"` + tc.ns + `": ` + tc.body + `}}]}`
		_, err := Load("t.json", []byte(src), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %s: got %v, want %q", tc.ns, tc.body, err, tc.want)
		}
	}
}

func TestLuaScopes(t *testing.T) {
	// lua-proxy at service scope and lua-backend at endpoint scope are
	// ignored with a warning, as KrakenD does.
	cfg := mustLoad(t, `{"version": 3, "extra_config": {"modifier/lua-proxy": {"pre": "x = 1"}},
"endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://h"], "url_pattern": "/a"}],
  "extra_config": {"modifier/lua-backend": {"pre": "x = 1"}}}]}`)
	got := strings.Join(warningLines(cfg), "\n")
	for _, want := range []string{`"modifier/lua-proxy" ignored at service scope`, `"modifier/lua-backend" ignored at endpoint scope`} {
		if !strings.Contains(got, want) {
			t.Errorf("warnings %s: missing %q", got, want)
		}
	}
	if cfg.Endpoints[0].LuaProxy != nil || cfg.Endpoints[0].LuaEndpoint != nil {
		t.Error("a namespace at the wrong scope was decoded")
	}
}
