package lua

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
)

// FuzzConversion sends arbitrary JSON members through a post script that
// reads every value into Lua and writes it back: the result must be valid
// JSON that means the same as the input (numbers compared as float64, as
// Lua sees them), and nothing may panic.
func FuzzConversion(f *testing.F) {
	for _, seed := range []string{`{"a":1}`, `{"a":{"b":[1,"x",null,true,{"c":1.5e300}]}}`, `{"a":"\u2028\ud800"}`,
		`{"a":[[[[]]]],"b":{}}`, `{"":-0,"x":1e999}`, `{"a":"a","a":"b"}`} {
		f.Add([]byte(seed))
	}
	s, err := Compile(Options{Kind: Backend, Post: `local d = response.load():data()
for _, k in ipairs(d:keys()) do d:set(k, d:get(k)) end
d:set("copy", d:get("a"))`})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in map[string]any
		if json.Unmarshal(body, &in) != nil {
			return
		}
		sess, err := s.Begin(nil)
		if err != nil {
			t.Fatal(err)
		}
		defer sess.End()
		resp := &Response{Body: body}
		if err := sess.Post(context.Background(), nil, resp); err != nil {
			return // a limit or a conversion error is a clean failure
		}
		out, err := resp.Data.MarshalJSON()
		if err != nil {
			return
		}
		var got map[string]any
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("invalid JSON %q from %q: %v", out, body, err)
		}
		delete(got, "copy")
		if !sameJSON(t, in, got) {
			t.Fatalf("round trip changed %q into %q", body, out)
		}
	})
}

// sameJSON compares two decoded documents after normalising both through
// Lua's number model (float64, non-finite as null).
func sameJSON(t *testing.T, a, b any) bool {
	ab, err1 := json.Marshal(normalise(a))
	bb, err2 := json.Marshal(normalise(b))
	return err1 == nil && err2 == nil && bytes.Equal(ab, bb)
}

func normalise(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = normalise(e)
		}
		return v
	case []any:
		for i, e := range v {
			v[i] = normalise(e)
		}
		return v
	case float64:
		b := appendNumber(nil, v)
		var f any
		_ = json.Unmarshal(b, &f)
		return f
	}
	return v
}
