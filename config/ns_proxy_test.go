package config

import (
	"strings"
	"testing"
)

// TestProxyLoad: sequential, static and flatmap options land in the model,
// with the lint warnings of §9 and §12.2.
func TestProxyLoad(t *testing.T) {
	cfg, err := Load("t.json", []byte(`{
  "version": 3,
  "host": ["http://h"],
  "endpoints": [
    {"endpoint": "/a/{id}", "extra_config": {"proxy": {"sequential": true, "sequential_propagated_params": ["resp0_user.id", "resp1"],
      "static": {"strategy": "incomplete", "data": {"n": 12345678901234567890, "s": {"x": [1]}}},
      "flatmap_filter": [{"type": "move", "args": ["a.*.b", "a.*.c"]}, {"type": "del", "args": ["x", "y.0"]}]}},
     "backend": [
      {"url_pattern": "/u/{id}", "group": "g"},
      {"url_pattern": "/v/{resp0_g.user.id}?q={resp0_g.n}"},
      {"url_pattern": "/w/{resp1_id}/{id}", "allow": ["a"], "extra_config": {"proxy": {"flatmap_filter": [{"type": "append", "args": ["a", "b"]}]}}}
    ]},
    {"endpoint": "/b", "extra_config": {"proxy": {"sequential": true, "static": {"data": {}}}}, "backend": [{"url_pattern": "/m"}]}
  ]
}`), nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	e := cfg.Endpoints[0]
	if !e.Sequential || len(e.SequentialPropagatedParams) != 2 || e.Static == nil || e.Static.Strategy != StaticIncomplete ||
		string(e.Static.Data) != `{"n":12345678901234567890,"s":{"x":[1]}}` || len(e.Flatmap) != 2 || e.Flatmap[1].Args[1] != "y.0" {
		t.Errorf("endpoint proxy fields: %+v %+v %+v", e.Sequential, e.Static, e.Flatmap)
	}
	if b := e.Backends[2]; len(b.Flatmap) != 1 || b.Flatmap[0].Type != "append" {
		t.Errorf("backend flatmap: %+v", b.Flatmap)
	}
	if s := cfg.Endpoints[1].Static; s == nil || s.Strategy != StaticAlways || string(s.Data) != "{}" {
		t.Errorf("default strategy: %+v", s)
	}
	if cfg.Endpoints[0].proxyAt != nil {
		t.Errorf("load-time nodes kept")
	}
	var got []string
	for _, w := range cfg.Warnings {
		got = append(got, w.String())
	}
	want := []string{
		`t.json:5:108: $.endpoints[0].extra_config.proxy.sequential_propagated_params: sequential_propagated_params is accepted but not used; Tributary has no consumer for propagated params yet`,
		`t.json:11:7: $.endpoints[0].backend[2]: allow, deny and mapping are ignored because the backend has a flatmap_filter; express them as flatmap operations, or remove them`,
		`t.json:13:65: $.endpoints[1].extra_config.proxy.sequential: proxy.sequential has no effect with one backend; remove it`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings differ\ngot:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestProxyRefused: the load errors of §6.1, §11.6, §12.2, §12.3 and
// §17.17.
func TestProxyRefused(t *testing.T) {
	for _, tc := range []brokenCase{
		{
			name: "resp_placeholders",
			json: `{
  "version": 3,
  "host": ["http://h"],
  "endpoints": [
    {"endpoint": "/a", "backend": [{"url_pattern": "/m"}, {"url_pattern": "/n/{resp0_id}"}]},
    {"endpoint": "/b", "extra_config": {"proxy": {"sequential": true}}, "backend": [
      {"url_pattern": "/m/{resp0_id}"}, {"url_pattern": "/n/{resp1_id}"}, {"url_pattern": "/o/{resp0}"}, {"url_pattern": "/p/{resp0_a..b}"}]}
  ]
}`,
			want: []string{
				`t.json:5:75: $.endpoints[0].backend[1].url_pattern: placeholder {resp0_id} needs proxy.sequential: true on the endpoint; add "extra_config": {"proxy": {"sequential": true}} to the endpoint`,
				`t.json:7:23: $.endpoints[1].backend[0].url_pattern: placeholder {resp0_id} in backend 0 refers to backend 0, which does not run before it; backend 0 runs first, so it cannot use responses`,
				`t.json:7:57: $.endpoints[1].backend[1].url_pattern: placeholder {resp1_id} in backend 1 refers to backend 1, which does not run before it; only backend 0 runs before it`,
				`t.json:7:91: $.endpoints[1].backend[2].url_pattern: placeholder {resp0} names no field; a whole response cannot be used in a URL; name a field, e.g. {resp0_id}`,
				`t.json:7:122: $.endpoints[1].backend[3].url_pattern: invalid placeholder {resp0_a..b}; write {resp<N>_<path>}, e.g. {resp0_user.id}`,
			},
		},
		{
			name: "sequential_rules",
			json: `{
  "version": 3,
  "host": ["http://h"],
  "endpoints": [
    {"endpoint": "/a", "output_encoding": "no-op", "extra_config": {"proxy": {"sequential": true, "static": {"data": {}}}}, "backend": [{"url_pattern": "/m"}]},
    {"endpoint": "/b", "extra_config": {"proxy": {"sequential": true}}, "backend": [{"url_pattern": "/m"},
      {"url_pattern": "/s", "extra_config": {"proxy": {"shadow": true}}}]},
    {"endpoint": "/c", "extra_config": {"proxy": {"sequential": "yes", "sequential_propagated_params": ["resp9_x", "foo", "resp1_x"]}},
      "backend": [{"url_pattern": "/m"}, {"url_pattern": "/n"}]}
  ]
}`,
			want: []string{
				`t.json:5:93: $.endpoints[0].extra_config.proxy.sequential: proxy.sequential cannot serve an output_encoding "no-op" endpoint; a passthrough has one backend; remove sequential`,
				`t.json:5:109: $.endpoints[0].extra_config.proxy.static: proxy.static cannot serve an output_encoding "no-op" endpoint; a passthrough answers with the backend's own response`,
				`t.json:6:65: $.endpoints[1].extra_config.proxy.sequential: proxy.sequential cannot be combined with a shadow backend ($.endpoints[1].backend[1]); remove the shadow backend, or the sequential flag`,
				`t.json:8:65: $.endpoints[2].extra_config.proxy.sequential: expected true or false, got string`,
				`t.json:8:105: $.endpoints[2].extra_config.proxy.sequential_propagated_params[0]: propagated param "resp9_x" refers to backend 9, which no later backend follows; the endpoint has 2 backends, numbered from 0`,
				`t.json:8:116: $.endpoints[2].extra_config.proxy.sequential_propagated_params[1]: invalid propagated param "foo"; write resp<N> or resp<N>_<path>, e.g. "resp0_user.id"`,
				`t.json:8:123: $.endpoints[2].extra_config.proxy.sequential_propagated_params[2]: propagated param "resp1_x" refers to backend 1, which no later backend follows; the endpoint has 2 backends, numbered from 0`,
			},
		},
		{
			name: "static_rules",
			json: `{
  "version": 3,
  "host": ["http://h"],
  "endpoints": [
    {"endpoint": "/a", "extra_config": {"proxy": {"static": {"strategy": "alwys", "data": {}}}}, "backend": [{"url_pattern": "/m"}]},
    {"endpoint": "/b", "extra_config": {"proxy": {"static": {"strategy": "always", "data": [1]}}}, "backend": [{"url_pattern": "/m"}]},
    {"endpoint": "/c", "extra_config": {"proxy": {"static": {"strategy": "success"}}}, "backend": [{"url_pattern": "/m"}]},
    {"endpoint": "/d", "extra_config": {"proxy": {"static": {"data": {}, "dta": 1}}}, "backend": [{"url_pattern": "/m"}]}
  ]
}`,
			want: []string{
				`t.json:5:74: $.endpoints[0].extra_config.proxy.static.strategy: unknown static strategy "alwys"; did you mean "always"?`,
				`t.json:6:92: $.endpoints[1].extra_config.proxy.static.data: expected an object, got array`,
				`t.json:7:61: $.endpoints[2].extra_config.proxy.static: missing required key "data"; the static data is an object, e.g. "data": {"promo": null}`,
				`t.json:8:74: $.endpoints[3].extra_config.proxy.static.dta: unknown key; did you mean "data"?`,
			},
		},
		{
			name: "flatmap_rules",
			json: `{
  "version": 3,
  "host": ["http://h"],
  "endpoints": [
    {"endpoint": "/a", "extra_config": {"proxy": {"flatmap_filter": [{"type": "del", "args": ["a"]}]}}, "backend": [{"url_pattern": "/m"}]},
    {"endpoint": "/b", "backend": [{"url_pattern": "/m", "extra_config": {"proxy": {"flatmap_filter": [
      {"type": "mvoe", "args": ["a", "b"]},
      {"type": "move", "args": ["a"]},
      {"type": "del", "args": []},
      {"type": "append", "args": ["a.*", "b"]},
      {"type": "move", "args": ["a.b", "c.d"]},
      {"type": "move", "args": ["a.*.b", "a.*.*"]},
      {"type": "move", "args": ["a..b", "c"]},
      {"args": ["a"]},
      "del"
    ]}}}]}
  ]
}`,
			want: []string{
				`t.json:5:69: $.endpoints[0].extra_config.proxy.flatmap_filter: an endpoint flatmap_filter needs at least 2 backends (shadows do not count); move it to the backend: extra_config.proxy.flatmap_filter on the backend object`,
				`t.json:7:16: $.endpoints[1].backend[0].extra_config.proxy.flatmap_filter[0].type: unknown flatmap operation "mvoe"; did you mean "move"?`,
				`t.json:8:32: $.endpoints[1].backend[0].extra_config.proxy.flatmap_filter[1].args: move: needs exactly 2 args (source and destination), got 1`,
				`t.json:9:31: $.endpoints[1].backend[0].extra_config.proxy.flatmap_filter[2].args: del: needs at least 1 path in args`,
				`t.json:10:34: $.endpoints[1].backend[0].extra_config.proxy.flatmap_filter[3].args: append: append does not take wildcards; name both arrays with literal paths`,
				`t.json:11:32: $.endpoints[1].backend[0].extra_config.proxy.flatmap_filter[4].args: move: the destination must start with the source's parent path; a move renames or embeds a value under its own parent; use several ops to move it elsewhere`,
				`t.json:12:32: $.endpoints[1].backend[0].extra_config.proxy.flatmap_filter[5].args: move: the destination has more wildcards than the source`,
				`t.json:13:32: $.endpoints[1].backend[0].extra_config.proxy.flatmap_filter[6].args: move: path "a..b": empty segment in dot path`,
				`t.json:14:7: $.endpoints[1].backend[0].extra_config.proxy.flatmap_filter[7]: missing required key "type"; use "move", "del" or "append"`,
				`t.json:15:7: $.endpoints[1].backend[0].extra_config.proxy.flatmap_filter[8]: expected an operation object, got string; write {"type": "move", "args": ["a", "b"]}`,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) { checkBroken(t, tc) })
	}
}
