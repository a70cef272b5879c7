package shape

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkFlatmapCollection is a move and a del with wildcards over a
// 50-item collection.
func BenchmarkFlatmapCollection(b *testing.B) {
	items := make([]string, 50)
	for i := range items {
		items[i] = fmt.Sprintf(`{"id":%d,"name":"item %d","secret":"s%d","price":%d.25}`, i, i, i, i)
	}
	body := []byte(`{"collection":[` + strings.Join(items, ",") + `]}`)
	f := mustFlatmap(b, op("move", "collection.*.id", "collection.*.key"), op("del", "collection.*.secret"))
	o, err := DecodeJSON(body, ExpectObject)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		out := f.Apply(o)
		if len(out.Members) != 1 {
			b.Fatal("bad result")
		}
	}
}
