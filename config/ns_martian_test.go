package config

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Tests of the modifier/martian decoder: every modifier and filter, scopes,
// nested groups, and the exact diagnostics of what is refused.

// martianConfig is a one-backend config whose backend extra_config holds
// "modifier/martian": ns (line 3).
func martianConfig(ns string) string {
	return fmt.Sprintf(`{"version": 3, "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://h"], "url_pattern": "/a",
  "extra_config": {
    "modifier/martian": %s}}]}]}`, ns)
}

const martianPath = `$.endpoints[0].backend[0].extra_config["modifier/martian"]`

func loadMartian(t *testing.T, ns string) *Martian {
	t.Helper()
	cfg, err := Load("t.json", []byte(martianConfig(ns)), nil)
	if err != nil {
		t.Fatalf("%s: %v", ns, err)
	}
	for _, w := range cfg.Warnings {
		t.Errorf("unexpected warning: %v", w)
	}
	m := cfg.Endpoints[0].Backends[0].Martian
	if m == nil {
		t.Fatalf("%s: no modifier", ns)
	}
	return m
}

func TestMartianDecode(t *testing.T) {
	p := martianPath
	cases := []struct {
		ns   string
		want Martian
	}{
		{`{"header.Modifier": {"scope": ["request"], "name": "x-api-key", "value": "k"}}`,
			Martian{Type: MartianHeaderModifier, JSONPath: p + `["header.Modifier"]`, Request: true, Name: "X-Api-Key", Value: "k"}},
		{`{"header.Append": {"name": "Accept", "value": "text/plain"}}`,
			Martian{Type: MartianHeaderAppend, JSONPath: p + `["header.Append"]`, Request: true, Response: true, Name: "Accept", Value: "text/plain"}},
		{`{"header.Copy": {"scope": ["response"], "from": "x-a", "to": "x-b"}}`,
			Martian{Type: MartianHeaderCopy, JSONPath: p + `["header.Copy"]`, Response: true, From: "X-A", To: "X-B"}},
		{`{"header.Blacklist": {"scope": ["request", "response"], "names": ["x-debug", "Server"]}}`,
			Martian{Type: MartianHeaderBlacklist, JSONPath: p + `["header.Blacklist"]`, Request: true, Response: true, Names: []string{"X-Debug", "Server"}}},
		{`{"header.Id": {}}`, Martian{Type: MartianHeaderID, JSONPath: p + `["header.Id"]`, Request: true}},
		{`{"querystring.Modifier": {"name": "page", "value": "1"}}`,
			Martian{Type: MartianQueryModifier, JSONPath: p + `["querystring.Modifier"]`, Request: true, Name: "page", Value: "1"}},
		{`{"url.Modifier": {"scheme": "https", "path": "/v2/x", "query": "a=1&b=%20"}}`,
			Martian{Type: MartianURLModifier, JSONPath: p + `["url.Modifier"]`, Request: true, Scheme: "https", Path: "/v2/x", Query: "a=1&b=%20"}},
		{`{"body.Modifier": {"scope": ["request"], "contentType": "application/json", "body": "eyJhIjoxfQ=="}}`,
			Martian{Type: MartianBodyModifier, JSONPath: p + `["body.Modifier"]`, Request: true, ContentType: "application/json", Body: []byte(`{"a":1}`)}},
		{`{"cookie.Modifier": {"name": "sid", "value": "x1", "path": "/", "domain": "example.com", "expires": "2030-01-02T15:04:05Z", "secure": true, "httpOnly": true, "maxAge": 60}}`,
			Martian{Type: MartianCookieModifier, JSONPath: p + `["cookie.Modifier"]`, Request: true, Response: true, Name: "sid", Value: "x1",
				Path: "/", Domain: "example.com", Expires: time.Date(2030, 1, 2, 15, 4, 5, 0, time.UTC), Secure: true, HTTPOnly: true, MaxAge: 60}},
		{`{"port.Modifier": {"port": 8080}}`, Martian{Type: MartianPortModifier, JSONPath: p + `["port.Modifier"]`, Request: true, Port: 8080}},
		{`{"port.Modifier": {"defaultForScheme": true}}`, Martian{Type: MartianPortModifier, JSONPath: p + `["port.Modifier"]`, Request: true, DefaultForScheme: true}},
		{`{"port.Modifier": {"remove": true, "port": 0}}`, Martian{Type: MartianPortModifier, JSONPath: p + `["port.Modifier"]`, Request: true, Remove: true}},
		{`{"stash.Modifier": {"headerName": "x-original-url"}}`,
			Martian{Type: MartianStashModifier, JSONPath: p + `["stash.Modifier"]`, Request: true, Response: true, HeaderName: "X-Original-Url"}},
	}
	for _, tc := range cases {
		got := loadMartian(t, tc.ns)
		if !reflect.DeepEqual(*got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.ns, *got, tc.want)
		}
	}
}

func TestMartianDecodeTree(t *testing.T) {
	m := loadMartian(t, `{"fifo.Group": {"scope": ["request", "response"], "aggregateErrors": true, "modifiers": [
      {"header.Filter": {"name": "x-env", "value": "dev", "modifier": {"header.Modifier": {"name": "X-A", "value": "1"}},
        "else": {"header.Blacklist": {"names": ["X-A"]}}}},
      {"header.RegexFilter": {"scope": ["request"], "header": "User-Agent", "regex": "^curl/", "modifier": {"header.Id": {}}}},
      {"header.RegexFilter": {"name": "User-Agent", "value": "bot", "modifier": {"header.Id": {}}}},
      {"querystring.Filter": {"name": "debug", "modifier": {"querystring.Modifier": {"name": "debug", "value": "0"}}}},
      {"url.Filter": {"scheme": "http", "host": "*.Example.com", "path": "/a", "query": "x=1", "modifier": {"stash.Modifier": {"headerName": "X-U"}}}},
      {"priority.Group": {"modifiers": [
        {"priority": 10, "modifier": {"header.Append": {"name": "X-O", "value": "a"}}},
        {"priority": 5, "modifier": {"header.Append": {"name": "X-O", "value": "b"}}, "@c": 1}]}}]}}`)
	if m.Type != MartianFifoGroup || !m.AggregateErrors || len(m.Modifiers) != 6 {
		t.Fatalf("%+v", m)
	}
	f := m.Modifiers[0]
	if f.Type != MartianHeaderFilter || f.Name != "X-Env" || f.Value != "dev" || f.Then.Name != "X-A" || f.Else.Names[0] != "X-A" {
		t.Errorf("header.Filter %+v", f)
	}
	r := m.Modifiers[1]
	if r.Name != "User-Agent" || r.Value != "^curl/" || !r.Request || r.Response || r.Then.Type != MartianHeaderID {
		t.Errorf("header.RegexFilter %+v", r)
	}
	if r2 := m.Modifiers[2]; r2.Name != "User-Agent" || r2.Value != "bot" {
		t.Errorf("header.RegexFilter name/value %+v", r2)
	}
	if q := m.Modifiers[3]; q.Name != "debug" || q.Value != "" || q.Then.Type != MartianQueryModifier {
		t.Errorf("querystring.Filter %+v", q)
	}
	if u := m.Modifiers[4]; u.Host != "*.example.com" || u.Path != "/a" || u.Query != "x=1" || u.Scheme != "http" {
		t.Errorf("url.Filter %+v", u)
	}
	pg := m.Modifiers[5]
	if pg.Type != MartianPriorityGroup || !reflect.DeepEqual(pg.Priorities, []int64{10, 5}) || pg.Modifiers[1].Value != "b" {
		t.Errorf("priority.Group %+v", pg)
	}
}

func TestMartianLegacyName(t *testing.T) {
	cfg, err := Load("t.json", []byte(strings.Replace(martianConfig(`{"header.Id": {}}`), "modifier/martian", "github.com/devopsfaith/krakend-martian", 1)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Endpoints[0].Backends[0].Martian == nil || len(cfg.Warnings) != 1 {
		t.Errorf("martian %v warnings %v", cfg.Endpoints[0].Backends[0].Martian, cfg.Warnings)
	}
}

func TestMartianWarnings(t *testing.T) {
	cfg, err := Load("t.json", []byte(martianConfig(`{"header.Modifier": {"name": "X", "value": "1", "owner": "me"}}`)), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `t.json:3:73: ` + martianPath + `["header.Modifier"].owner: unknown key "owner" ignored, as KrakenD does`
	if len(cfg.Warnings) != 1 || cfg.Warnings[0].String() != want {
		t.Errorf("warnings %v\nwant %s", cfg.Warnings, want)
	}
	// At endpoint scope the namespace is ignored with a warning, as KrakenD
	// ignores it there.
	cfg, err = Load("t.json", []byte(`{"version": 3, "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://h"], "url_pattern": "/a"}],
  "extra_config": {"modifier/martian": {"header.Id": {}}}}]}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0].String(), `"modifier/martian" ignored at endpoint scope, as KrakenD does; valid at backend`) {
		t.Errorf("endpoint scope: %v", cfg.Warnings)
	}
}

func TestMartianBroken(t *testing.T) {
	p := martianPath
	cfg := martianConfig
	cases := []brokenCase{
		{name: "not_object", json: cfg(`[]`), want: []string{`t.json:3:25: ` + p + `: expected an object, got array`}},
		{name: "none", json: cfg(`{"@c": 1}`),
			want: []string{`t.json:3:25: ` + p + `: expected exactly one modifier, found none; e.g. {"header.Modifier": {"name": "X-Example", "value": "1"}}`}},
		{name: "two", json: cfg(`{"header.Id": {}, "header.Modifier": {}}`),
			want: []string{`t.json:3:43: ` + p + `["header.Modifier"]: more than one modifier in one object; put several modifiers in a "fifo.Group"`}},
		{name: "unsupported", json: cfg(`{"skip.RoundTrip": {}}`),
			want: []string{`t.json:3:26: ` + p + `["skip.RoundTrip"]: martian modifier "skip.RoundTrip" not supported; supported: header.Modifier, header.Append, header.Copy, header.Blacklist, header.Id, header.Filter, header.RegexFilter, querystring.Modifier, querystring.Filter, url.Modifier, url.Filter, body.Modifier, cookie.Modifier, port.Modifier, stash.Modifier, fifo.Group, priority.Group`}},
		{name: "typo_type", json: cfg(`{"header.Modifer": {}}`),
			want: []string{`t.json:3:26: ` + p + `["header.Modifer"]: martian modifier "header.Modifer" not supported; did you mean "header.Modifier"?`}},
		{name: "nested_unsupported", json: cfg(`{"fifo.Group": {"modifiers": [{"log.Logger": {}}]}}`),
			want: []string{`t.json:3:56: ` + p + `["fifo.Group"].modifiers[0]["log.Logger"]: martian modifier "log.Logger" not supported; supported: header.Modifier, header.Append, header.Copy, header.Blacklist, header.Id, header.Filter, header.RegexFilter, querystring.Modifier, querystring.Filter, url.Modifier, url.Filter, body.Modifier, cookie.Modifier, port.Modifier, stash.Modifier, fifo.Group, priority.Group`}},
		{name: "typo_key", json: cfg(`{"header.Modifier": {"nmae": "X", "value": "1"}}`),
			want: []string{
				`t.json:3:45: ` + p + `["header.Modifier"]: header.Modifier needs "name"`,
				`t.json:3:46: ` + p + `["header.Modifier"].nmae: unknown key; did you mean "name"?`}},
		{name: "forbidden_headers", json: cfg(`{"fifo.Group": {"modifiers": [{"header.Modifier": {"name": "host", "value": "x"}}, {"header.Append": {"name": "Content-Length", "value": "1"}}, {"header.Copy": {"from": "X-A", "to": "connection"}}, {"header.Blacklist": {"names": ["Transfer-Encoding"]}}, {"stash.Modifier": {"headerName": "Upgrade"}}]}}`),
			want: []string{
				`t.json:3:84: ` + p + `["fifo.Group"].modifiers[0]["header.Modifier"].name: header "Host" cannot be changed by a modifier; the gateway manages Host, Content-Length and the hop-by-hop headers itself`,
				`t.json:3:135: ` + p + `["fifo.Group"].modifiers[1]["header.Append"].name: header "Content-Length" cannot be changed by a modifier; the gateway manages Host, Content-Length and the hop-by-hop headers itself`,
				`t.json:3:207: ` + p + `["fifo.Group"].modifiers[2]["header.Copy"].to: header "Connection" cannot be changed by a modifier; the gateway manages Host, Content-Length and the hop-by-hop headers itself`,
				`t.json:3:255: ` + p + `["fifo.Group"].modifiers[3]["header.Blacklist"].names[0]: header "Transfer-Encoding" cannot be changed by a modifier; the gateway manages Host, Content-Length and the hop-by-hop headers itself`,
				`t.json:3:313: ` + p + `["fifo.Group"].modifiers[4]["stash.Modifier"].headerName: header "Upgrade" cannot be changed by a modifier; the gateway manages Host, Content-Length and the hop-by-hop headers itself`}},
		{name: "bad_header", json: cfg(`{"header.Modifier": {"name": "X Y", "value": "a\r\nb"}}`),
			want: []string{
				`t.json:3:54: ` + p + `["header.Modifier"].name: invalid header name "X Y"`,
				`t.json:3:70: ` + p + `["header.Modifier"].value: value contains a control character`}},
		{name: "scope", json: cfg(`{"fifo.Group": {"modifiers": [{"header.Id": {"scope": ["response"]}}, {"querystring.Modifier": {"scope": ["request", "both"], "name": "a"}}, {"header.Id": {"scope": []}}, {"url.Modifier": {"scope": "request", "path": "/x"}}]}}`),
			want: []string{
				`t.json:3:80: ` + p + `["fifo.Group"].modifiers[0]["header.Id"].scope[0]: header.Id has no response side; use ["request"]`,
				`t.json:3:142: ` + p + `["fifo.Group"].modifiers[1]["querystring.Modifier"].scope[1]: invalid scope "both"; use "request" or "response"`,
				`t.json:3:190: ` + p + `["fifo.Group"].modifiers[2]["header.Id"].scope: empty scope: the modifier would never run; use ["request"], ["response"] or both; omit scope for every side the modifier has`,
				`t.json:3:223: ` + p + `["fifo.Group"].modifiers[3]["url.Modifier"].scope: expected an array of strings, got string; wrap it in brackets: ["request"]`}},
		{name: "url", json: cfg(`{"fifo.Group": {"modifiers": [{"url.Modifier": {"host": "evil.example"}}, {"url.Modifier": {"scheme": "ftp", "path": "x", "query": "a=%zz"}}, {"url.Filter": {"host": "a b"}}]}}`),
			want: []string{
				`t.json:3:81: ` + p + `["fifo.Group"].modifiers[0]["url.Modifier"].host: url.Modifier cannot change the host; the backend host comes from the backend's "host" list; declare another backend for another host`,
				`t.json:3:127: ` + p + `["fifo.Group"].modifiers[1]["url.Modifier"].scheme: scheme "ftp" not supported; use "http" or "https"`,
				`t.json:3:142: ` + p + `["fifo.Group"].modifiers[1]["url.Modifier"].path: invalid path "x"; a path starts with "/" and holds no "?", "#" or control character`,
				`t.json:3:156: ` + p + `["fifo.Group"].modifiers[1]["url.Modifier"].query: invalid query "a=%zz"; write it encoded and without "?", e.g. "a=1&b=x%20y"`,
				`t.json:3:182: ` + p + `["fifo.Group"].modifiers[2]["url.Filter"]: url.Filter needs a "modifier" modifier; e.g. "modifier": {"header.Modifier": {...}}`,
				`t.json:3:191: ` + p + `["fifo.Group"].modifiers[2]["url.Filter"].host: invalid host "a b"`}},
		{name: "body", json: cfg(`{"body.Modifier": {"contentType": "text/plain", "body": "not base64!"}}`),
			want: []string{`t.json:3:81: ` + p + `["body.Modifier"].body: body is not valid base64; encode the body with standard base64 (RFC 4648, with padding)`}},
		{name: "cookie", json: cfg(`{"cookie.Modifier": {"name": "a b", "value": "x;y", "expires": "tomorrow", "maxAge": 1.5}}`),
			want: []string{
				`t.json:3:54: ` + p + `["cookie.Modifier"].name: invalid cookie name "a b"`,
				`t.json:3:70: ` + p + `["cookie.Modifier"].value: invalid cookie value "x;y"; a cookie value holds no space, control character, DQUOTE, comma, semicolon or backslash`,
				`t.json:3:88: ` + p + `["cookie.Modifier"].expires: invalid expires "tomorrow"; use RFC 3339, e.g. "2030-01-02T15:04:05Z"`,
				`t.json:3:110: ` + p + `["cookie.Modifier"].maxAge: expected an integer, got 1.5`}},
		{name: "cookie_domain", json: cfg(`{"cookie.Modifier": {"name": "a", "domain": "a..b"}}`),
			want: []string{`t.json:3:45: ` + p + `["cookie.Modifier"]: invalid cookie: http: invalid Cookie.Domain`}},
		{name: "port", json: cfg(`{"fifo.Group": {"modifiers": [{"port.Modifier": {"port": 80, "remove": true}}, {"port.Modifier": {}}, {"port.Modifier": {"port": 70000}}]}}`),
			want: []string{
				`t.json:3:73: ` + p + `["fifo.Group"].modifiers[0]["port.Modifier"]: port.Modifier needs exactly one of port, defaultForScheme or remove`,
				`t.json:3:122: ` + p + `["fifo.Group"].modifiers[1]["port.Modifier"]: port.Modifier needs exactly one of port, defaultForScheme or remove`,
				`t.json:3:154: ` + p + `["fifo.Group"].modifiers[2]["port.Modifier"].port: value 70000 out of range; must be 0–65535`}},
		{name: "filters", json: cfg(`{"fifo.Group": {"modifiers": [{"header.Filter": {"name": "X"}}, {"header.RegexFilter": {"header": "X", "regex": "(", "modifier": {"header.Id": {}}}}, {"header.RegexFilter": {"header": "X", "name": "Y", "modifier": {"header.Id": {}}}}, {"querystring.Filter": {"value": "1", "modifier": {"header.Id": {}}}}]}}`),
			want: []string{
				`t.json:3:73: ` + p + `["fifo.Group"].modifiers[0]["header.Filter"]: header.Filter needs a "modifier" modifier; e.g. "modifier": {"header.Modifier": {...}}`,
				`t.json:3:137: ` + p + `["fifo.Group"].modifiers[1]["header.RegexFilter"].regex: invalid regular expression "("; error parsing regexp: missing closing ): ` + "`(`",
				`t.json:3:198: ` + p + `["fifo.Group"].modifiers[2]["header.RegexFilter"]: header.RegexFilter needs "regex"`,
				`t.json:3:214: ` + p + `["fifo.Group"].modifiers[2]["header.RegexFilter"].name: "name" and "header" are the same field; keep "header"`,
				`t.json:3:283: ` + p + `["fifo.Group"].modifiers[3]["querystring.Filter"]: querystring.Filter needs a non-empty "name"`}},
		{name: "groups", json: cfg(`{"fifo.Group": {"modifiers": [{"fifo.Group": {"modifiers": []}}, {"priority.Group": {}}, {"priority.Group": {"modifiers": [{"priority": 1}, 3, {"priority": 1, "modifer": {}}]}}]}}`),
			want: []string{
				`t.json:3:84: ` + p + `["fifo.Group"].modifiers[0]["fifo.Group"].modifiers: empty modifiers: the group would do nothing`,
				`t.json:3:109: ` + p + `["fifo.Group"].modifiers[1]["priority.Group"]: priority.Group needs "modifiers"`,
				`t.json:3:148: ` + p + `["fifo.Group"].modifiers[2]["priority.Group"].modifiers[0]: priority.Group entry needs a "modifier"`,
				`t.json:3:165: ` + p + `["fifo.Group"].modifiers[2]["priority.Group"].modifiers[1]: expected an object, got number; e.g. {"priority": 10, "modifier": {...}}`,
				`t.json:3:168: ` + p + `["fifo.Group"].modifiers[2]["priority.Group"].modifiers[2]: priority.Group entry needs a "modifier"`,
				`t.json:3:184: ` + p + `["fifo.Group"].modifiers[2]["priority.Group"].modifiers[2].modifer: unknown key; did you mean "modifier"?`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkBroken(t, tc) })
	}
}

// FuzzMartianJSON feeds arbitrary modifier trees to the loader: it never
// panics, and an accepted tree has a modifier whose sides are set.
func FuzzMartianJSON(f *testing.F) {
	for _, s := range []string{
		`{"header.Modifier": {"name": "X", "value": "1"}}`,
		`{"fifo.Group": {"modifiers": [{"header.Id": {}}, {"priority.Group": {"modifiers": [{"priority": 1, "modifier": {"url.Modifier": {"path": "/x"}}}]}}]}}`,
		`{"header.RegexFilter": {"header": "A", "regex": "a+", "modifier": {"body.Modifier": {"body": "YQ=="}}, "else": {"cookie.Modifier": {"name": "a"}}}}`,
		`{"url.Filter": {"host": "*.a", "modifier": {"port.Modifier": {"remove": true}}}}`,
		`{"querystring.Filter": {"name": "a", "scope": ["response"], "modifier": {"stash.Modifier": {"headerName": "X"}}}}`,
		`{}`, `[]`, `{"a": 1, "b": 2}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ns string) {
		cfg, err := Load("t.json", []byte(martianConfig(ns)), nil)
		if err != nil || len(cfg.Endpoints) == 0 {
			return
		}
		var walk func(m *Martian)
		walk = func(m *Martian) {
			if m == nil {
				return
			}
			if _, ok := martianSides(m.Type); !ok || !m.Request && !m.Response {
				t.Fatalf("accepted %+v", m)
			}
			for _, c := range m.Modifiers {
				if c == nil {
					t.Fatal("nil group member accepted")
				}
				walk(c)
			}
			walk(m.Then)
			walk(m.Else)
		}
		walk(cfg.Endpoints[0].Backends[0].Martian)
	})
}
