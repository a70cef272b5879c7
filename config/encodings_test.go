package config

import (
	"strings"
	"testing"
)

// Tests of the encodings that come with the XML and YAML codecs: backend
// encodings xml and rss, output encodings xml, yaml and negotiate.

func TestEncodingsAccepted(t *testing.T) {
	src := `{"version": 3, "output_encoding": "yaml", "host": ["http://h"], "endpoints": [
  {"endpoint": "/a", "output_encoding": "xml", "backend": [{"url_pattern": "/x", "encoding": "xml", "is_collection": true}]},
  {"endpoint": "/b", "output_encoding": "negotiate", "backend": [{"url_pattern": "/x", "encoding": "rss"}]},
  {"endpoint": "/c", "backend": [{"url_pattern": "/x", "encoding": "XML"}]}
]}`
	cfg, err := Load("t.json", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.OutputEncoding != OutputYAML {
		t.Errorf("service output %q", cfg.OutputEncoding)
	}
	wantOut := []string{OutputXML, OutputNegotiate, OutputYAML}
	wantEnc := []string{EncodingXML, EncodingRSS, EncodingXML}
	for i, e := range cfg.Endpoints {
		if e.OutputEncoding != wantOut[i] || e.Backends[0].Encoding != wantEnc[i] {
			t.Errorf("endpoint %d: output %q encoding %q", i, e.OutputEncoding, e.Backends[0].Encoding)
		}
	}
	if !cfg.Endpoints[0].Backends[0].IsCollection {
		t.Error("is_collection lost under encoding xml")
	}
	want := `t.json:4:68: $.endpoints[2].backend[0].encoding: encoding "XML" lower-cased to "xml"; write it in lower case`
	if len(cfg.Warnings) != 1 || cfg.Warnings[0].String() != want {
		t.Errorf("warnings %v", cfg.Warnings)
	}
}

func TestEncodingsRefused(t *testing.T) {
	cases := []brokenCase{
		{
			name: "encodings_still_refused",
			json: `{"version": 3, "output_encoding": "fast-json", "host": ["http://h"], "endpoints": [
  {"endpoint": "/a", "output_encoding": "xmll", "backend": [{"url_pattern": "/x", "encoding": "yaml"}]}]}`,
			want: []string{
				`t.json:1:35: $.output_encoding: output encoding "fast-json" not supported yet`,
				`t.json:2:41: $.endpoints[0].output_encoding: unknown output encoding "xmll"; did you mean "xml"?`,
				`t.json:2:95: $.endpoints[0].backend[0].encoding: encoding "yaml" not supported yet`,
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkBroken(t, tc) })
	}
}

func TestEncodingUnknownSuggestsXML(t *testing.T) {
	cfg, err := Load("t.json", []byte(`{"version": 3, "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://h"], "url_pattern": "/x", "encoding": "rsss"}]}]}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0].String(), `did you mean "rss"?`) {
		t.Errorf("warnings %v", cfg.Warnings)
	}
}
