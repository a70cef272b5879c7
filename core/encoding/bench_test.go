package encoding

import (
	"strconv"
	"strings"
	"testing"

	"github.com/tributary-gw/tributary/core/shape"
)

// benchXML is a catalogue of n products, attributes, text and repetition.
func benchXML(n int) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><catalog version="2">`)
	for i := range n {
		id := strconv.Itoa(i)
		b.WriteString(`<product id="` + id + `" available="true"><name>Product ` + id + `</name>` +
			`<price currency="EUR">` + id + `.99</price><tag>a</tag><tag>b</tag><description>Some text &amp; more</description></product>`)
	}
	b.WriteString(`</catalog>`)
	return []byte(b.String())
}

func BenchmarkDecodeXML(b *testing.B) {
	for _, n := range []int{1, 100} {
		body := benchXML(n)
		b.Run("products="+strconv.Itoa(n), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := DecodeXML(body, false); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecodeFeed(b *testing.B) {
	body := []byte(rss2)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeFeed(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	o, err := DecodeXML(benchXML(100), false)
	if err != nil {
		b.Fatal(err)
	}
	json := shape.AppendObject(nil, o)
	b.Run("xml", func(b *testing.B) {
		b.SetBytes(int64(len(json)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := AppendXML(nil, o); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("yaml", func(b *testing.B) {
		b.SetBytes(int64(len(json)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := AppendYAML(nil, o); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDecodeXMLManyElements is the worst case for memory: 2 MB of
// empty elements (4 bytes each) under one root.
func BenchmarkDecodeXMLManyElements(b *testing.B) {
	body := []byte("<r>" + strings.Repeat("<a/>", 500000) + "</r>")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeXML(body, false); err != nil {
			b.Fatal(err)
		}
	}
}
