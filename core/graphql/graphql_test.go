package graphql

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
)

func lookup(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestBodyQuery(t *testing.T) {
	op := Compile("query User($id: ID!) { user(id: $id) { name } }", "User", false, []Var{
		{Name: "id", Param: "id"},
		{Name: "fixed", Value: []byte(`"x"`)},
	})
	got, err := op.Body(nil, lookup(map[string]string{"id": "42"}), []byte(`{"ignored":true}`))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"query":"query User($id: ID!) { user(id: $id) { name } }","operationName":"User","variables":{"fixed":"x","id":"42"}}`
	if string(got) != want {
		t.Errorf("body =\n%s\nwant\n%s", got, want)
	}
}

func TestBodyOmitsEmpty(t *testing.T) {
	op := Compile("{ a }\n", "", false, nil)
	got, err := op.Body(nil, lookup(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"query":"{ a }\n"}`; string(got) != want {
		t.Errorf("body = %s, want %s", got, want)
	}
}

// TestInjectionEscaped: a parameter only ever becomes one JSON string
// inside variables, whatever it holds.
func TestInjectionEscaped(t *testing.T) {
	op := Compile("query Q($id: ID!) { user(id: $id) { name } }", "", false, []Var{{Name: "id", Param: "id"}})
	hostile := `42" } } mutation { deleteAll } #","x":"` + "\x00\n\u2028\xff"
	got, err := op.Body(nil, lookup(map[string]string{"id": hostile}), nil)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Query     string            `json:"query"`
		Variables map[string]string `json:"variables"`
	}
	dec := json.NewDecoder(strings.NewReader(string(got)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("body is not the expected JSON: %v\n%s", err, got)
	}
	if doc.Query != "query Q($id: ID!) { user(id: $id) { name } }" || len(doc.Variables) != 1 {
		t.Errorf("operation changed: %+v", doc)
	}
	if want := strings.ToValidUTF8(hostile, "\uFFFD"); doc.Variables["id"] != want {
		t.Errorf("id = %q, want %q", doc.Variables["id"], want)
	}
}

func TestMutationMerge(t *testing.T) {
	op := Compile("mutation M($in: In!) { m(in: $in) }", "M", true, []Var{
		{Name: "a", Value: []byte(`1`)},
		{Name: "b", Value: []byte(`"conf"`)},
		{Name: "id", Param: "id"},
	})
	got, err := op.Body(nil, lookup(map[string]string{"id": "7"}), []byte(` {"b": {"x" : [1, 2]}, "z": null, "a":2.50} `))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"query":"mutation M($in: In!) { m(in: $in) }","operationName":"M","variables":{"a":2.50,"b":{"x":[1,2]},"id":"7","z":null}}`
	if string(got) != want {
		t.Errorf("body =\n%s\nwant\n%s", got, want)
	}
}

func TestMutationBadBody(t *testing.T) {
	op := Compile("mutation { m }", "", true, nil)
	for _, body := range []string{`[1]`, `"s"`, `{"a":`, `null`, `{"a":1} x`} {
		if _, err := op.Body(nil, lookup(nil), []byte(body)); !errors.Is(err, ErrBody) {
			t.Errorf("%s: err = %v", body, err)
		}
	}
	if got, err := op.Body(nil, lookup(nil), []byte("  ")); err != nil || string(got) != `{"query":"mutation { m }"}` {
		t.Errorf("blank body: %s %v", got, err)
	}
}

func TestAppendQuery(t *testing.T) {
	op := Compile("query($id: ID!) { u(id: $id) { n } }", "U", false, []Var{{Name: "id", Param: "id"}})
	q, err := op.AppendQuery("lang=en", lookup(map[string]string{"id": "a&b=c"}))
	if err != nil {
		t.Fatal(err)
	}
	v, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(q, "lang=en&query=") || v.Get("query") != "query($id: ID!) { u(id: $id) { n } }" ||
		v.Get("operationName") != "U" || v.Get("variables") != `{"id":"a&b=c"}` || len(v) != 4 {
		t.Errorf("query = %s", q)
	}
}

func TestFailed(t *testing.T) {
	for _, tc := range []struct {
		data, errs string
		fail       bool
		msg        string
	}{
		{`null`, `[{"message":"not found"},{"message":"second"}]`, true, "graphql errors: not found; second"},
		{``, `[{"message":"x"}]`, true, "graphql errors: x"},
		{``, `[{}]`, true, "graphql errors: (no message)"},
		{`{"u":1}`, `[{"message":"partial"}]`, false, ""},
		{`null`, `[]`, false, ""},
		{`null`, ``, false, ""},
		{`null`, `"oops"`, false, ""},
	} {
		msg, fail := Failed([]byte(tc.data), []byte(tc.errs))
		if fail != tc.fail || msg != tc.msg {
			t.Errorf("Failed(%s, %s) = %q %v", tc.data, tc.errs, msg, fail)
		}
	}
	long := `[` + strings.Repeat(`{"message":"`+strings.Repeat("e", 100)+`"},`, 50) + `{}]`
	if msg, _ := Failed(nil, []byte(long)); len(msg) > maxErrorText+4 {
		t.Errorf("message not bounded: %d bytes", len(msg))
	}
}

func BenchmarkBody(b *testing.B) {
	op := Compile("query User($id: ID!) { user(id: $id) { name email posts { id title } } }", "User", false, []Var{
		{Name: "id", Param: "id"}, {Name: "limit", Value: []byte(`10`)}, {Name: "lang", Value: []byte(`"en"`)},
	})
	look := lookup(map[string]string{"id": "42"})
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = op.Body(buf[:0], look, nil); err != nil {
			b.Fatal(err)
		}
	}
}
