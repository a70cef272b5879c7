package shape

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// Benchmark bodies, generated so that no fixture is needed.

// benchUser is a ~300 byte object.
func benchUser(id int) string {
	return `{"id":` + strconv.Itoa(id) + `,"name":"Ada Lovelace","email":"ada@example.com","active":true,"score":12.5,` +
		`"address":{"street":"12 Analytical Engine Road","city":"London","zip":"NW1 2DB","geo":{"lat":51.5237,"lng":-0.1585}},` +
		`"tags":["math","poetry","engines"],"created_at":"2024-03-01T10:00:00Z","manager":null,"teams":[{"id":1,"role":"lead"}]}`
}

// benchCollection is a ~11 KB array of 50 items.
func benchCollection() string {
	parts := make([]string, 50)
	for i := range parts {
		parts[i] = `{"id":` + strconv.Itoa(i) + `,"sku":"SKU-` + strconv.Itoa(100000+i) + `","title":"Product number ` + strconv.Itoa(i) +
			` with a longer title","price":` + strconv.Itoa(1000+i) + `.99,"currency":"EUR","stock":` + strconv.Itoa(i*7) +
			`,"tags":["new","sale"],"rating":4.5,"description":"A product that is described in a sentence of some length."}`
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// benchLarge is a ~1 MB object: many top-level members holding nested objects
// and arrays.
func benchLarge() string {
	var b strings.Builder
	b.WriteString(`{"meta":{"total":3000,"page":1,"secret":"s3cr3t"}`)
	for i := 0; b.Len() < 1<<20; i++ {
		b.WriteString(`,"user` + strconv.Itoa(i) + `":`)
		b.WriteString(benchUser(i))
	}
	b.WriteString("}")
	return b.String()
}

// indent pretty-prints a JSON text the way many backends send it.
func indent(s string) []byte {
	var out bytes.Buffer
	if err := json.Indent(&out, []byte(s), "", "  "); err != nil {
		panic(err)
	}
	return out.Bytes()
}

func BenchmarkDecodeJSON(b *testing.B) {
	large := []byte(benchLarge())
	cases := []struct {
		name       string
		body       []byte
		collection bool
	}{
		{"object-300B", []byte(benchUser(1)), false},
		{"collection-11KB", []byte(benchCollection()), true},
		{"object-1MB", large, false},
		{"object-1MB-indented", indent(string(large)), false},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.body)))
			for b.Loop() {
				if _, err := DecodeJSON(c.body, expectOf(c.collection)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCompact measures pure validation speed on a compact body, and
// compaction of an indented one.
func BenchmarkCompact(b *testing.B) {
	large := []byte(benchLarge())
	for _, c := range []struct {
		name string
		body []byte
	}{{"1MB", large}, {"1MB-indented", indent(string(large))}} {
		b.Run(c.name, func(b *testing.B) {
			dst := make([]byte, 0, len(c.body))
			b.ReportAllocs()
			b.SetBytes(int64(len(c.body)))
			for b.Loop() {
				var err error
				if dst, err = Compact(dst[:0], c.body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEncodingJSONValid is the standard library's validator on the same
// body, for scale.
func BenchmarkEncodingJSONValid(b *testing.B) {
	body := []byte(benchLarge())
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if !json.Valid(body) {
			b.Fatal("invalid")
		}
	}
}

func BenchmarkApplyAllowNested(b *testing.B) {
	body := []byte(benchUser(1))
	s := mustCompile(b, SpecConfig{Allow: []string{"id", "name", "address.city", "address.geo.lat", "teams"}})
	o, err := DecodeJSON(body, ExpectObject)
	if err != nil {
		b.Fatal(err)
	}
	scratch := make([]Member, len(o.Members))
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		copy(scratch, o.Members) // Apply reuses the backing array
		if r := s.Apply(Object{Members: scratch}); len(r.Members) != 4 {
			b.Fatalf("got %d members", len(r.Members))
		}
	}
}

func BenchmarkApplyDeny1MB(b *testing.B) {
	body := []byte(benchLarge())
	s := mustCompile(b, SpecConfig{Deny: []string{"meta.secret", "user7.email", "user100.address.geo", "user2000"}})
	dst := make([]byte, 0, len(body))
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		o, err := DecodeJSON(body, ExpectObject)
		if err != nil {
			b.Fatal(err)
		}
		dst = AppendObject(dst[:0], s.Apply(o))
	}
	if bytes.Contains(dst, []byte("s3cr3t")) {
		b.Fatal("deny did not delete")
	}
}

func BenchmarkMerge4(b *testing.B) {
	docs := []Object{
		mustDecode(b, benchUser(1)),
		mustDecode(b, `{"products":[1,2,3],"promos":{"a":1},"name":"override"}`),
		mustDecode(b, `{"cart":{"items":[{"sku":"x","qty":1}],"total":10.5},"id":7}`),
		mustDecode(b, `{"locale":"es","flags":{"beta":true},"score":99}`),
	}
	b.Run("Merge", func(b *testing.B) {
		scratch := make([]Member, 0, 32)
		b.ReportAllocs()
		for b.Loop() {
			m := Object{Members: append(scratch[:0], docs[0].Members...)}
			for _, d := range docs[1:] {
				m = Merge(m, d)
			}
			if len(m.Members) != 15 {
				b.Fatalf("got %d members", len(m.Members))
			}
		}
	})
	b.Run("MergeAll", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if m := MergeAll(docs...); len(m.Members) != 15 {
				b.Fatalf("got %d members", len(m.Members))
			}
		}
	})
}

func BenchmarkAppendObject(b *testing.B) {
	coll, err := DecodeJSON([]byte(benchCollection()), ExpectCollection)
	if err != nil {
		b.Fatal(err)
	}
	o := MergeAll(mustDecode(b, benchUser(1)), DecodeString([]byte("some text")), coll)
	dst := AppendObject(nil, o)
	b.ReportAllocs()
	b.SetBytes(int64(len(dst)))
	for b.Loop() {
		dst = AppendObject(dst[:0], o)
	}
}
