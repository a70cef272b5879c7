package plan

import (
	"testing"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/shape"
)

func TestCompileProxy(t *testing.T) {
	cfg, err := config.Load("t.json", []byte(`{"version": 3, "host": ["http://h"], "endpoints": [
	  {"endpoint": "/a/{id}", "extra_config": {"proxy": {"sequential": true,
	    "static": {"strategy": "errored", "data": {"s": 1}},
	    "flatmap_filter": [{"type": "del", "args": ["x"]}]}},
	   "backend": [
	    {"url_pattern": "/u/{id}", "target": "data", "group": "g", "extra_config": {"proxy": {"flatmap_filter": [{"type": "move", "args": ["a", "b"]}]}}},
	    {"url_pattern": "/v/{resp0_g.b}/{id}?q={resp0_g.c.d}"}
	  ]}]}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ep := p.Endpoints[0]
	if !ep.Sequential || ep.Flatmap == nil || ep.Static == nil || ep.Static.Strategy != StaticErrored {
		t.Fatalf("endpoint: %+v", ep)
	}
	if ep.Static.Applies(false, true) || !ep.Static.Applies(true, false) {
		t.Errorf("errored strategy")
	}
	b1 := ep.Backends[1]
	if len(b1.Resp) != 2 || b1.Resp[0].Name != "resp0_g.b" || b1.Resp[0].Backend != 0 || len(b1.Resp[1].Path) != 3 {
		t.Errorf("Resp = %+v", b1.Resp)
	}
	o, err := shape.DecodeJSON([]byte(`{"data":{"a":1,"k":2},"z":3}`), shape.ExpectObject)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(shape.AppendObject(nil, ep.Backends[0].ApplyShape(o))); got != `{"g":{"k":2,"b":1}}` {
		t.Errorf("ApplyShape = %s", got)
	}
}
