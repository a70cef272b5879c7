package exec

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"unicode/utf8"

	"github.com/tributary-gw/tributary/core/plan"
	"github.com/tributary-gw/tributary/core/shape"
	"github.com/tributary-gw/tributary/core/stage"
)

// finisher is a Finish stage that records the document it saw and applies
// edit to it.
type finisher struct {
	saw   stage.Document
	names []string
	x     *stage.Exchange
	edit  func(d *stage.Document) *stage.Reply
}

func (f *finisher) Finish(_ context.Context, x *stage.Exchange, d *stage.Document) *stage.Reply {
	f.saw, f.x = *d, x
	f.names = nil
	for _, m := range d.Members {
		f.names = append(f.names, m.Name)
	}
	if f.edit != nil {
		return f.edit(d)
	}
	return nil
}

func TestFinishStageReplacesMembers(t *testing.T) {
	a := newStgBackend(t, `{"a":{"k":1},"s":"x"}`)
	b := newStgBackend(t, `{"b":2}`)
	p, gw := stgGateway(t, a.srv.URL, b.srv.URL)
	f := &finisher{edit: func(d *stage.Document) *stage.Reply {
		d.Members[0].Value = []byte(`"signed"`)
		return nil
	}}
	p.Endpoints[0].Finish = []stage.Finish{f}
	resp := gw.Serve(context.Background(), stgRequest("/items/1", ""))
	if resp.Status != http.StatusOK || string(resp.Bytes()) != `{"a":"signed","s":"x","b":2}` {
		t.Fatalf("status %d body %s", resp.Status, resp.Bytes())
	}
	if !f.saw.Complete || !f.saw.HasData || len(f.names) != 3 || f.names[0] != "a" || f.names[2] != "b" {
		t.Errorf("the stage saw %+v, names %v", f.saw, f.names)
	}
	if f.x == nil || f.x.Route != "/items/{id}" {
		t.Errorf("the stage got Exchange %+v", f.x)
	}
	if resp.Header.Get(HeaderCompleted) != "true" {
		t.Errorf("completed = %q", resp.Header.Get(HeaderCompleted))
	}
}

func TestFinishStageOutcomes(t *testing.T) {
	ok := newStgBackend(t, `{"a":1}`)
	down := refusedURL(t)
	for _, tc := range []struct {
		name           string
		hosts          []string
		edit           func(d *stage.Document) *stage.Reply
		complete, data bool
		status         int
		code           string
	}{
		{"partial", []string{ok.srv.URL, down}, nil, false, true, 200, ""},
		{"no data", []string{down}, nil, false, false, 502, "bad_gateway"},
		{"reply", []string{ok.srv.URL}, func(*stage.Document) *stage.Reply {
			return &stage.Reply{Status: 400, Code: "signing_failed", Message: "no"}
		}, true, true, 400, "signing_failed"},
		{"reply without data", []string{down}, func(*stage.Document) *stage.Reply {
			return &stage.Reply{Status: 400, Code: "signing_failed", Message: "no"}
		}, false, false, 400, "signing_failed"},
		{"member removed", []string{ok.srv.URL}, func(d *stage.Document) *stage.Reply {
			d.Members = d.Members[:0]
			return nil
		}, true, true, 500, "internal_error"},
		{"member renamed", []string{ok.srv.URL}, func(d *stage.Document) *stage.Reply {
			d.Members[0].Name = "z"
			return nil
		}, true, true, 500, "internal_error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, gw := stgGateway(t, tc.hosts...)
			f := &finisher{edit: tc.edit}
			p.Endpoints[0].Finish = []stage.Finish{f}
			resp := gw.Serve(context.Background(), stgRequest("/items/1", ""))
			if resp.Status != tc.status {
				t.Fatalf("status %d, want %d (body %s)", resp.Status, tc.status, resp.Bytes())
			}
			if f.saw.Complete != tc.complete || f.saw.HasData != tc.data {
				t.Errorf("the stage saw complete=%v data=%v", f.saw.Complete, f.saw.HasData)
			}
			if tc.code != "" {
				var e struct{ Error string }
				if err := json.Unmarshal(resp.Bytes(), &e); err != nil || e.Error != tc.code {
					t.Errorf("body %s, want error %q", resp.Bytes(), tc.code)
				}
				if resp.Header.Get(HeaderCompleted) != "false" {
					t.Errorf("completed = %q", resp.Header.Get(HeaderCompleted))
				}
			}
		})
	}
}

// nilPlan is an empty plan, enough for combine.
func nilPlan() *plan.Plan { return &plan.Plan{} }

// fuzzEndpoint is a JSON endpoint of n backends with one Finish stage.
func fuzzEndpoint(n int, f stage.Finish) *plan.Endpoint {
	ep := &plan.Endpoint{Method: "GET", Path: "/f", Output: plan.OutputJSON, Finish: []stage.Finish{f}}
	for i := range n {
		ep.Backends = append(ep.Backends, &plan.Backend{Index: i})
	}
	return ep
}

// refusedURL is a loopback URL that refuses connections.
func refusedURL(t *testing.T) string {
	srv := newStgBackend(t, `{}`)
	u := srv.srv.URL
	srv.srv.Close()
	return u
}

// FuzzFinishReplace merges arbitrary backend objects, lets a Finish stage
// replace one member with an arbitrary string value, and checks that the
// answer is always one valid JSON object with the same member names.
func FuzzFinishReplace(f *testing.F) {
	f.Add([]byte(`{"a":{"x":1},"b":[1,2]}`), []byte(`{"b":"y","c":null}`), uint8(0), "signed")
	f.Add([]byte(`{}`), []byte(`{"k":{"\u0000":"\"}"}}`), uint8(7), "\x00\"\\</script>")
	f.Add([]byte(`{"a":1}`), []byte(`not json`), uint8(1), "")
	g := New(nilPlan(), Options{})
	f.Fuzz(func(t *testing.T, body1, body2 []byte, idx uint8, value string) {
		var results []result
		for _, b := range [][]byte{body1, body2} {
			o, err := shape.DecodeJSON(b, shape.ExpectObject)
			if err != nil {
				results = append(results, result{err: err})
				continue
			}
			results = append(results, result{ok: true, data: o})
		}
		repl, _ := json.Marshal(value)
		st := &finisher{edit: func(d *stage.Document) *stage.Reply {
			if len(d.Members) > 0 {
				d.Members[int(idx)%len(d.Members)].Value = repl
			}
			return nil
		}}
		ep := fuzzEndpoint(len(results), st)
		resp := g.combine(context.Background(), ep, results, nil)
		if resp.Status != http.StatusOK {
			return
		}
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(resp.Bytes(), &doc); err != nil {
			t.Fatalf("invalid JSON %q: %v", resp.Bytes(), err)
		}
		if len(doc) != len(st.names) {
			t.Fatalf("%d members out, the stage saw %d", len(doc), len(st.names))
		}
		if len(st.names) > 0 {
			name := st.names[int(idx)%len(st.names)]
			var got string
			if err := json.Unmarshal(doc[name], &got); err != nil {
				t.Fatalf("member %q = %s: %v", name, doc[name], err)
			}
			if utf8.ValidString(value) && got != value {
				t.Fatalf("member %q = %q, want %q", name, got, value)
			}
		}
	})
}
