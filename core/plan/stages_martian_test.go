package plan

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/martian"
	"github.com/tributary-gw/tributary/core/qos"
	"github.com/tributary-gw/tributary/core/stage"
)

// compileMartianConfig compiles a one-backend config whose backend
// extra_config is extra, and returns the backend's stages.
func compileMartianConfig(t *testing.T, extra string) []stage.Backend {
	t.Helper()
	cfg, err := config.Load("t.json", []byte(`{"version": 3, "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://h"], "url_pattern": "/a",
  "extra_config": `+extra+`}]}]}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p.Endpoints[0].Backends[0].Stages
}

// TestMartianStageOrder: the martian stage runs last among the backend
// stages (§9 step 6), after the breaker.
func TestMartianStageOrder(t *testing.T) {
	st := compileMartianConfig(t, `{"modifier/martian": {"header.Id": {}}, "qos/circuit-breaker": {"interval": 1, "timeout": 1, "max_errors": 1}}`)
	if len(st) != 2 {
		t.Fatalf("%d stages", len(st))
	}
	if _, ok := st[0].(*qos.Breaker); !ok {
		t.Errorf("first stage %T", st[0])
	}
	if _, ok := st[1].(*martian.Stage); !ok {
		t.Errorf("last stage %T, want the martian stage", st[1])
	}
	if _, ok := st[1].(stage.ResponseModifier); !ok {
		t.Error("the martian stage does not modify responses")
	}
}

// TestMartianScopes: each modifier runs on the sides its scope and its
// enclosing groups and filters allow.
func TestMartianScopes(t *testing.T) {
	st := compileMartianConfig(t, `{"modifier/martian": {"fifo.Group": {"modifiers": [
    {"header.Modifier": {"name": "X-Both", "value": "1"}},
    {"header.Modifier": {"scope": ["request"], "name": "X-Req", "value": "1"}},
    {"header.Modifier": {"scope": ["response"], "name": "X-Resp", "value": "1"}},
    {"fifo.Group": {"scope": ["response"], "modifiers": [{"header.Modifier": {"name": "X-Nested-Resp", "value": "1"}}]}},
    {"header.Filter": {"scope": ["request"], "name": "X-In", "value": "1",
      "modifier": {"header.Modifier": {"name": "X-Filtered", "value": "then"}},
      "else": {"header.Modifier": {"scope": ["response"], "name": "X-Else", "value": "1"}}}},
    {"priority.Group": {"modifiers": [
      {"priority": 1, "modifier": {"header.Append": {"name": "X-Order", "value": "low"}}},
      {"priority": 9, "modifier": {"header.Append": {"name": "X-Order", "value": "high"}}}]}}
  ]}}}`)
	s := st[0].(*martian.Stage)
	u, _ := url.Parse("http://h/a")
	c := &stage.Call{URL: u, Header: http.Header{"X-In": {"1"}}}
	if _, err := s.Before(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	want := http.Header{"X-In": {"1"}, "X-Both": {"1"}, "X-Req": {"1"}, "X-Filtered": {"then"}, "X-Order": {"high", "low"}}
	if !sameHeader(c.Header, want) {
		t.Errorf("request header %v, want %v", c.Header, want)
	}
	_, h, _, err := s.ModifyResponse(c, 200, http.Header{"X-In": {"1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want = http.Header{"X-In": {"1"}, "X-Both": {"1"}, "X-Resp": {"1"}, "X-Nested-Resp": {"1"}, "X-Order": {"high", "low"}}
	if !sameHeader(h, want) {
		t.Errorf("response header %v, want %v", h, want)
	}
	// A block that never runs compiles to no stage at all.
	if st := compileMartianConfig(t, `{"modifier/martian": {"fifo.Group": {"scope": ["request"], "modifiers": [{"header.Modifier": {"scope": ["response"], "name": "X", "value": "1"}}]}}}`); len(st) != 0 {
		t.Errorf("%d stages for a block that never runs", len(st))
	}
}

func sameHeader(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// FuzzMartianApply loads arbitrary modifier trees and applies the accepted
// ones to a call and a response: no panic, and every outgoing header stays
// a valid field (no control characters) under a valid name.
func FuzzMartianApply(f *testing.F) {
	f.Add(`{"header.Modifier": {"name": "X", "value": "1"}}`, "a=1", "v")
	f.Add(`{"fifo.Group": {"modifiers": [{"querystring.Modifier": {"name": "a", "value": "b c"}}, {"port.Modifier": {"remove": true}}, {"stash.Modifier": {"headerName": "S"}}]}}`, "a=%20", "x")
	f.Add(`{"header.RegexFilter": {"header": "X-In", "regex": "^a", "modifier": {"body.Modifier": {"body": "YQ=="}}, "else": {"cookie.Modifier": {"name": "c", "value": "d"}}}}`, "", "abc")
	f.Add(`{"url.Filter": {"host": "*.h", "modifier": {"url.Modifier": {"path": "/p q"}}, "else": {"header.Copy": {"from": "X-In", "to": "X-Out"}}}}`, "q", "")
	f.Fuzz(func(t *testing.T, ns, rawQuery, in string) {
		cfg, err := config.Load("t.json", []byte(`{"version": 3, "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://h"], "url_pattern": "/a",
  "extra_config": {"modifier/martian": `+ns+`}}]}]}`), nil)
		if err != nil {
			return
		}
		p, err := Compile(cfg)
		if err != nil {
			t.Fatalf("accepted config does not compile: %v", err)
		}
		st := p.Endpoints[0].Backends[0].Stages
		if len(st) == 0 {
			return
		}
		s := st[0].(*martian.Stage)
		c := &stage.Call{URL: &url.URL{Scheme: "http", Host: "x.h:81", Path: "/a", RawQuery: rawQuery}, Header: http.Header{"X-In": {in}}}
		if _, err := s.Before(context.Background(), c); err != nil {
			t.Fatal(err)
		}
		for k, vs := range c.Header {
			if k == "X-In" {
				continue
			}
			for _, v := range vs {
				for i := 0; i < len(v); i++ {
					if b := v[i]; b < ' ' && b != '\t' || b == 0x7f {
						t.Fatalf("header %s = %q", k, v)
					}
				}
			}
		}
		if _, _, _, err := s.ModifyResponse(c, 200, http.Header{"X-In": {in}}, []byte(in)); err != nil {
			t.Fatal(err)
		}
	})
}
