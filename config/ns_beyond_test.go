package config

import (
	"fmt"
	"strings"
	"testing"
)

// Tests of the Tributary extensions beyond KrakenD: tributary.merge
// (endpoint) and tributary.target_arrays (backend).

// beyondConfig is a two-backend config; ep is the endpoint's tributary
// namespace (line 2) and be the first backend's extra lines (line 3).
func beyondConfig(ep, be string) string {
	return fmt.Sprintf(`{"version": 3, "endpoints": [{"endpoint": "/a", "extra_config": {"tributary": %s},
  "backend": [{"host": ["http://h"], "url_pattern": "/a"%s},
    {"host": ["http://h"], "url_pattern": "/b"}]}]}`, ep, be)
}

func TestBeyondDecode(t *testing.T) {
	cases := []struct {
		ep, be       string
		deep, arrays bool
	}{
		{`{}`, ``, false, false},
		{`{"merge": "shallow"}`, ``, false, false},
		{`{"merge": "deep"}`, ``, true, false},
		{`{}`, `, "target": "d", "extra_config": {"tributary": {"target_arrays": true}}`, false, true},
		{`{}`, `, "target": "d", "extra_config": {"tributary": {"target_arrays": false}}`, false, false},
	}
	for _, c := range cases {
		cfg := mustLoad(t, beyondConfig(c.ep, c.be))
		e := cfg.Endpoints[0]
		if e.DeepMerge != c.deep || e.Backends[0].TargetArrays != c.arrays || e.Backends[1].TargetArrays {
			t.Errorf("%s %s: DeepMerge %v TargetArrays %v", c.ep, c.be, e.DeepMerge, e.Backends[0].TargetArrays)
		}
		if w := warningLines(cfg); len(w) != 0 {
			t.Errorf("%s %s: warnings %q", c.ep, c.be, w)
		}
	}
}

func TestBeyondWarnings(t *testing.T) {
	cfg, err := Load("t.json", []byte(beyondConfig(`{}`, `, "extra_config": {"tributary": {"target_arrays": true}}`)), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `t.json:2:15: $.endpoints[0].backend[0].extra_config.tributary.target_arrays: target_arrays has no effect without a target; set "target", or remove target_arrays`
	if got := strings.Join(warningLines(cfg), "\n"); got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
}

func TestBeyondBroken(t *testing.T) {
	p := `$.endpoints[0].extra_config.tributary`
	b := `$.endpoints[0].backend[0].extra_config.tributary`
	cases := []brokenCase{
		{name: "merge_unknown", json: beyondConfig(`{"merge": "deeep"}`, ``),
			want: []string{`t.json:1:89: ` + p + `.merge: unknown merge mode "deeep"; did you mean "deep"?`}},
		{name: "merge_other", json: beyondConfig(`{"merge": "concat"}`, ``),
			want: []string{`t.json:1:89: ` + p + `.merge: unknown merge mode "concat"; use "shallow" (the default) or "deep"`}},
		{name: "merge_bool", json: beyondConfig(`{"merge": true}`, ``),
			want: []string{`t.json:1:89: ` + p + `.merge: expected a string, got boolean`}},
		{name: "merge_typo_key", json: beyondConfig(`{"marge": "deep"}`, ``),
			want: []string{`t.json:1:80: ` + p + `.marge: unknown key; did you mean "merge"?`}},
		{name: "target_arrays_string", json: beyondConfig(`{}`, `, "target": "d", "extra_config": {"tributary": {"target_arrays": "true"}}`),
			want: []string{`t.json:2:122: ` + b + `.target_arrays: expected true or false, got string; booleans are not strings; remove the quotes`}},
		{name: "target_arrays_typo", json: beyondConfig(`{}`, `, "target": "d", "extra_config": {"tributary": {"target_array": true}}`),
			want: []string{`t.json:2:105: ` + b + `.target_array: unknown key; did you mean "target_arrays"?`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkBroken(t, tc) })
	}
}
