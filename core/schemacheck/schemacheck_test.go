package schemacheck

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func mustCompile(t testing.TB, raw string) *Schema {
	t.Helper()
	s, err := Compile([]byte(raw))
	if err != nil {
		t.Fatalf("Compile(%s): %v", raw, err)
	}
	return s
}

const userSchema = `{
  "type": "object",
  "required": ["name", "age"],
  "properties": {
    "name": {"type": "string", "minLength": 1},
    "age": {"type": "integer", "minimum": 0},
    "tags": {"type": "array", "items": {"$ref": "#/definitions/tag"}}
  },
  "definitions": {"tag": {"type": "string", "maxLength": 3}}
}`

func TestValidate(t *testing.T) {
	s := mustCompile(t, userSchema)
	cases := []struct {
		body string
		want string // "" = valid; else a fragment of the reason
	}{
		{`{"name":"a","age":3}`, ""},
		{`{"name":"a","age":3,"tags":["x","yz"]}`, ""},
		{`{"name":"a"}`, "missing property 'age'"},
		{`{"name":"","age":-1}`, "/age"},
		{`{"name":"a","age":3,"tags":["toolong"]}`, "/tags/0"},
		{`{"name":"a","age":3.5}`, "/age"},
		{``, "empty"},
		{`   `, "empty"},
		{`{"name":"a","age":3} {}`, "not valid JSON"},
		{`{"name":`, "not valid JSON"},
		{`[1,2]`, "/:"},
		{strings.Repeat("[", 300) + strings.Repeat("]", 300), "deeper"},
		{`{"name":"a","age":1e9999999}`, "exponent"},
		{`{"name":"a","age":1e-9999999}`, "exponent"},
		{`{"name":"a","age":1` + strings.Repeat("0", 300) + `}`, "longer than"},
		{`{"name":"1e9999999 [[[","age":3}`, ""},
		{`{"name":"a","age":3e2}`, ""},
	}
	for _, c := range cases {
		got := s.Validate([]byte(c.body))
		switch {
		case c.want == "" && got != "":
			t.Errorf("Validate(%.40s) = %q, want valid", c.body, got)
		case c.want != "" && !strings.Contains(got, c.want):
			t.Errorf("Validate(%.40s) = %q, want it to mention %q", c.body, got, c.want)
		}
		if strings.Contains(got, "\n") {
			t.Errorf("Validate(%.40s): multi-line reason %q", c.body, got)
		}
	}
}

func TestViolationsCapped(t *testing.T) {
	props := make([]string, 0, 20)
	body := make([]string, 0, 20)
	for i := range 20 {
		props = append(props, fmt.Sprintf(`"p%d":{"type":"string"}`, i))
		body = append(body, fmt.Sprintf(`"p%d":%d`, i, i))
	}
	s := mustCompile(t, `{"properties":{`+strings.Join(props, ",")+`}}`)
	got := s.Validate([]byte(`{` + strings.Join(body, ",") + `}`))
	if n := strings.Count(got, "; "); n != MaxViolations {
		t.Fatalf("%d separators in %q, want %d (10 violations and an ellipsis)", n, got, MaxViolations)
	}
	if !strings.HasSuffix(got, "…") {
		t.Fatalf("%q does not end with an ellipsis", got)
	}
}

func TestDrafts(t *testing.T) {
	cases := []struct {
		schema, good, bad string
	}{
		// draft-04: exclusiveMaximum is a boolean.
		{`{"$schema":"http://json-schema.org/draft-04/schema#","maximum":5,"exclusiveMaximum":true}`, `4`, `5`},
		// default draft-07: if/then.
		{`{"if":{"type":"string"},"then":{"minLength":2}}`, `"ab"`, `"a"`},
		{`{"$schema":"http://json-schema.org/draft-06/schema#","contains":{"const":1}}`, `[1]`, `[2]`},
		{`{"$schema":"https://json-schema.org/draft/2019-09/schema","$defs":{"n":{"type":"number"}},"$ref":"#/$defs/n"}`, `1`, `"x"`},
		{`{"$schema":"https://json-schema.org/draft/2020-12/schema","prefixItems":[{"type":"string"}],"items":false}`, `["a"]`, `["a",1]`},
		{`true`, `{}`, ``},
		{`false`, ``, `{}`},
	}
	for _, c := range cases {
		s := mustCompile(t, c.schema)
		if c.good != "" {
			if got := s.Validate([]byte(c.good)); got != "" {
				t.Errorf("%s: %s rejected: %s", c.schema, c.good, got)
			}
		}
		if c.bad != "" {
			if got := s.Validate([]byte(c.bad)); got == "" {
				t.Errorf("%s: %s accepted", c.schema, c.bad)
			}
		}
	}
}

func TestCompileErrors(t *testing.T) {
	cases := map[string]string{
		`{"$ref":"https://example.com/s.json"}`:                  "refused",
		`{"$ref":"other.json"}`:                                  "refused",
		`{"$ref":"file:///etc/passwd"}`:                          "refused",
		`{"$schema":"https://example.com/meta","type":"string"}`: "refused",
		`{"properties":{"a":{"$ref":"#/definitions/missing"}}}`:  "",
		`{"type":"strin"}`:                                       "",
		`{"minimum":"3"}`:                                        "",
		`[1]`:                                                    "object or a boolean",
		`"x"`:                                                    "object or a boolean",
		`{"pattern":"("}`:                                        "",
		`{"$id":"https://example.com/root.json","$ref":"other.json"}`: "refused",
	}
	for raw, want := range cases {
		_, err := Compile([]byte(raw))
		if err == nil {
			t.Errorf("Compile(%s) succeeded", raw)
			continue
		}
		if want != "" && !strings.Contains(err.Error(), want) {
			t.Errorf("Compile(%s) = %v, want it to mention %q", raw, err, want)
		}
		if strings.Contains(err.Error(), resourceURL) {
			t.Errorf("Compile(%s) = %v: names the internal resource", raw, err)
		}
	}
	if _, err := Compile([]byte(`{"$ref":"https://example.com/s.json"}`)); !errors.Is(err, ErrRemoteRef) && !strings.Contains(err.Error(), ErrRemoteRef.Error()) {
		t.Errorf("remote ref error %v does not explain the refusal", err)
	}
}

// TestLocalRefsWithID: a schema with a remote-looking $id may still refer
// to its own parts.
func TestLocalRefsWithID(t *testing.T) {
	s := mustCompile(t, `{"$id":"https://example.com/root.json","definitions":{"a":{"type":"integer"}},"properties":{"x":{"$ref":"#/definitions/a"}}}`)
	if got := s.Validate([]byte(`{"x":"no"}`)); !strings.Contains(got, "/x") {
		t.Fatalf("got %q", got)
	}
}

func BenchmarkValidate(b *testing.B) {
	s := mustCompile(b, userSchema)
	body := []byte(`{"name":"alice","age":30,"tags":["a","b","c"]}`)
	b.ReportAllocs()
	for b.Loop() {
		if got := s.Validate(body); got != "" {
			b.Fatal(got)
		}
	}
}

// FuzzValidate: any body against a recursive schema using every numeric,
// string and array keyword ends in a verdict; the library never panics
// (Validate would recover, and the target fails on that).
func FuzzValidate(f *testing.F) {
	s := mustCompile(f, `{"definitions":{"n":{"anyOf":[
  {"type":"number","minimum":-5,"exclusiveMaximum":1e300,"multipleOf":0.5},
  {"type":"string","pattern":"^[a-z]+$","format":"date-time","maxLength":5},
  {"type":"array","uniqueItems":true,"items":{"$ref":"#/definitions/n"}},
  {"type":"object","additionalProperties":{"$ref":"#/definitions/n"},"propertyNames":{"format":"email"}}]}},
  "$ref":"#/definitions/n"}`)
	f.Add([]byte(`[1,[2,{"a":3}]]`))
	f.Add([]byte(`{"a":"x"}`))
	f.Add([]byte(`"\ud800"`))
	f.Add([]byte(`[1e5, -1.5e-3, 0.5, 2E+2, "2020-01-01T00:00:00Z", {"a@b.c": [1, 1]}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if got := s.Validate(body); got == "the body could not be validated" {
			t.Fatalf("the library panicked on %q", body)
		}
	})
}
