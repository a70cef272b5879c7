package planviz

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/plan"
)

// repoRoot is the repository root, seen from this package's directory.
const repoRoot = "../.."

// exampleConfig has a sequential chain with placeholders, shaping,
// service, endpoint and backend stages, static data, a post-merge
// flatmap, and a second endpoint with a shadow backend and a deep merge.
const exampleConfig = `{
  "version": 3,
  "name": "shop",
  "extra_config": {
    "security/cors": {"allow_origins": ["https://shop.example"]},
    "security/http": {"frame_deny": true}
  },
  "endpoints": [
    {
      "endpoint": "/orders/{id}",
      "extra_config": {
        "qos/ratelimit/router": {"max_rate": 100},
        "validation/cel": [{"check_expr": "int(req_params.Id) > 0"}, {"check_expr": "has(resp_data.id)"}],
        "proxy": {
          "sequential": true,
          "static": {"strategy": "incomplete", "data": {"degraded": true}},
          "flatmap_filter": [{"type": "del", "args": ["customer.notes"]}]
        }
      },
      "backend": [
        {"host": ["http://orders:8080"], "url_pattern": "/orders/{id}", "allow": ["id", "customer_id"],
         "extra_config": {"qos/circuit-breaker": {"interval": 60, "timeout": 10, "max_errors": 3}, "qos/http-cache": {}}},
        {"host": ["http://customers:8080"], "url_pattern": "/customers/{resp0_customer_id}", "group": "customer",
         "extra_config": {"qos/ratelimit/proxy": {"max_rate": 50, "capacity": 50}}}
      ]
    },
    {
      "endpoint": "/catalog",
      "extra_config": {"tributary": {"merge": "deep"}},
      "backend": [
        {"host": ["http://catalog:8080"], "url_pattern": "/products", "is_collection": true, "mapping": {"collection": "products"}},
        {"host": ["http://promos:8080"], "url_pattern": "/promos", "target": "data", "group": "promos"},
        {"host": ["http://catalog-v2:8080"], "url_pattern": "/products", "extra_config": {"proxy": {"shadow": true}}}
      ]
    }
  ]
}`

func loadExample(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Load("example.json", []byte(exampleConfig), nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func render(t *testing.T, g *Graph, f Format) string {
	t.Helper()
	var b bytes.Buffer
	if err := Render(&b, g, f); err != nil {
		t.Fatalf("%s: %v", f, err)
	}
	return b.String()
}

// svgText parses s as XML and returns the text of every <text> element,
// failing on a parse error or on an element no renderer writes.
func svgText(t *testing.T, s string) []string {
	t.Helper()
	allowed := map[string]bool{"svg": true, "title": true, "style": true, "defs": true, "marker": true,
		"path": true, "rect": true, "text": true, "g": true, "line": true}
	dec := xml.NewDecoder(strings.NewReader(s))
	var texts []string
	var in []string
	root := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse as XML: %v", err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			if !allowed[tk.Name.Local] {
				t.Errorf("SVG holds a <%s> element", tk.Name.Local)
			}
			if len(in) == 0 {
				root++
			}
			in = append(in, tk.Name.Local)
		case xml.EndElement:
			in = in[:len(in)-1]
		case xml.CharData:
			if len(in) > 0 && in[len(in)-1] == "text" {
				texts = append(texts, string(tk))
			}
		}
	}
	if root != 1 {
		t.Errorf("SVG has %d root elements", root)
	}
	return texts
}

// checkDOT lexes a DOT document: quoted strings must close on their line,
// braces and brackets balance outside them, and outside them no character
// could start an HTML label or a second statement on a node line.
func checkDOT(t *testing.T, s string) {
	t.Helper()
	if !strings.HasPrefix(s, "digraph tributary {\n") || !strings.HasSuffix(s, "}\n") {
		t.Fatalf("DOT is not one digraph:\n%s", s)
	}
	for i, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		depth := 0
		inStr := false
		for j := 0; j < len(line); j++ {
			c := line[j]
			if inStr {
				switch c {
				case '\\':
					j++
				case '"':
					inStr = false
				}
				continue
			}
			switch c {
			case '"':
				inStr = true
			case '[':
				depth++
			case ']':
				depth--
			case '<', '>':
				if c == '>' && j > 0 && line[j-1] == '-' {
					continue
				}
				t.Errorf("DOT line %d: %q outside a string: %s", i+1, c, line)
			}
		}
		if inStr || depth != 0 {
			t.Errorf("DOT line %d: unbalanced string or brackets: %s", i+1, line)
		}
	}
}

var (
	mermaidNode   = regexp.MustCompile(`^    e\d+_n\d+(\(\["[^"]*"\]\)|\{\{"[^"]*"\}\}|\[\("[^"]*"\)\]|\[/"[^"]*"/\]|\[/"[^"]*"\\\]|\[\["[^"]*"\]\]|\["[^"]*"\])$`)
	mermaidEdge   = regexp.MustCompile(`^  e\d+_n\d+ (-->|-\.->)(\|"[^"]*"\|)? e\d+_n\d+$`)
	mermaidGraph  = regexp.MustCompile(`^  subgraph ep\d+\["[^"]*"\]$`)
	mermaidOther  = regexp.MustCompile(`^(flowchart TD|    direction TB|  end|  classDef [a-z]+ [a-z0-9:#,. -]+|  class [a-z0-9_,]+ [a-z]+)$`)
	mermaidTag    = regexp.MustCompile(`<b>|</b>|<br/>`)
	mermaidQuoted = regexp.MustCompile(`"([^"]*)"`)
	mermaidSafe   = regexp.MustCompile(`^([A-Za-z0-9 .,:/_=+*@!?${}()-]|#[0-9]+;)*$`)
)

// checkMermaid checks every line of a Mermaid chart against the shapes
// the renderer writes, and every label against the escaped alphabet.
func checkMermaid(t *testing.T, s string) (nodes, edges int) {
	t.Helper()
	for i, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		switch {
		case mermaidNode.MatchString(line):
			nodes++
		case mermaidEdge.MatchString(line):
			edges++
		case mermaidGraph.MatchString(line), mermaidOther.MatchString(line):
		default:
			t.Errorf("Mermaid line %d is not one the renderer writes: %s", i+1, line)
			continue
		}
		for _, m := range mermaidQuoted.FindAllStringSubmatch(line, -1) {
			if text := mermaidTag.ReplaceAllString(m[1], ""); !mermaidSafe.MatchString(text) {
				t.Errorf("Mermaid line %d: label %q is not escaped", i+1, m[1])
			}
		}
	}
	return nodes, edges
}

// countNodes is the number of nodes the diagrams of g must have.
func countNodes(g *Graph) int {
	n := 0
	for _, e := range g.Endpoints {
		n += 4 + len(e.Service) + len(e.Stages) + len(e.Finish) // client, route, merge, response
		for _, b := range append(append([]*Backend(nil), e.Backends...), e.Shadows...) {
			n += 1 + len(b.Stages)
		}
		if e.StaticStrategy != "" {
			n++
		}
		if len(e.Flatmap) > 0 {
			n++
		}
	}
	return n
}

// checkAll renders g in every format and checks each.
func checkAll(t *testing.T, g *Graph) (svg, dot, mermaid string) {
	t.Helper()
	svg = render(t, g, SVG)
	svgText(t, svg)
	if got, want := strings.Count(svg, `<g class="node">`), countNodes(g); got != want {
		t.Errorf("SVG has %d nodes, want %d", got, want)
	}
	dot = render(t, g, DOT)
	checkDOT(t, dot)
	mermaid = render(t, g, Mermaid)
	if nodes, _ := checkMermaid(t, mermaid); nodes != countNodes(g) {
		t.Errorf("Mermaid has %d nodes, want %d", nodes, countNodes(g))
	}
	return svg, dot, mermaid
}

func TestExampleStructure(t *testing.T) {
	g := Build(loadExample(t))
	if len(g.Endpoints) != 2 {
		t.Fatalf("%d endpoints", len(g.Endpoints))
	}
	orders, catalog := g.Endpoints[0], g.Endpoints[1]
	names := func(ss []Stage) []string {
		var out []string
		for _, s := range ss {
			out = append(out, s.Name)
		}
		return out
	}
	if got := strings.Join(names(orders.Service), ","); got != "security/cors,security/http" {
		t.Errorf("service stages %s", got)
	}
	if got := strings.Join(names(orders.Stages), ","); got != "qos/ratelimit/router,validation/cel (request)" {
		t.Errorf("endpoint stages %s", got)
	}
	if got := strings.Join(names(orders.Finish), ","); got != "validation/cel (response)" {
		t.Errorf("finish stages %s", got)
	}
	if got := strings.Join(names(orders.Backends[0].Stages), ","); got != "qos/http-cache,qos/circuit-breaker" {
		t.Errorf("backend 0 stages %s", got)
	}
	if !orders.Sequential || len(orders.Backends[1].Resp) != 1 || orders.Backends[1].Resp[0] != "{resp0_customer_id}" {
		t.Errorf("sequential %v, resp %v", orders.Sequential, orders.Backends[1].Resp)
	}
	if !catalog.DeepMerge || len(catalog.Shadows) != 1 || len(catalog.Backends) != 2 {
		t.Errorf("catalog: deep %v, %d backends, %d shadows", catalog.DeepMerge, len(catalog.Backends), len(catalog.Shadows))
	}

	svg, dot, mermaid := checkAll(t, g)
	texts := strings.Join(svgText(t, svg), "\n")
	for _, want := range []string{"GET /orders/{id}", "backend 0", "backend 1", "shadow backend 2", "security/cors",
		"qos/ratelimit/router", "validation/cel (request)", "validation/cel (response)", "qos/http-cache",
		"qos/circuit-breaker", "qos/ratelimit/proxy", "proxy.static", "merge (shallow)", "merge (deep)",
		"flatmap_filter (after the merge)", "del customer.notes", "allow: id, customer_id", "group: customer",
		"mapping: collection→products", "target: data", "{resp0_customer_id}", "order: backend 0, 1"} {
		if !strings.Contains(texts, want) {
			t.Errorf("SVG text lacks %q", want)
		}
	}
	// The chain edge carries the placeholder; the shadow's edge is dashed.
	if !regexp.MustCompile(`e0_n\d+ -> e0_n\d+ \[label="\{resp0_customer_id\}"\]`).MatchString(dot) {
		t.Errorf("DOT lacks the sequential edge:\n%s", dot)
	}
	if !regexp.MustCompile(`e1_n\d+ -> e1_n\d+ \[label="copy", style=dashed\]`).MatchString(dot) {
		t.Errorf("DOT lacks the dashed shadow edge:\n%s", dot)
	}
	if !regexp.MustCompile(`(?m)^  e1_n\d+ -\.->\|"copy"\| e1_n\d+$`).MatchString(mermaid) {
		t.Errorf("Mermaid lacks the dashed shadow edge:\n%s", mermaid)
	}
	if !strings.Contains(dot, "shape=cylinder, style=\"dashed,filled\"") {
		t.Error("DOT: the shadow backend is not a dashed cylinder")
	}
}

// hostile strings a config may hold in free-text fields.
const hostile = `"]--><script>alert(1)</script>#x;\n`

func TestHostileTextIsEscaped(t *testing.T) {
	cfg := &config.Config{
		Name:        hostile,
		BotDetector: &config.BotDetector{Deny: []string{hostile}},
		HTTPSecure:  &config.HTTPSecure{ContentSecurityPolicy: hostile},
		Endpoints: []*config.Endpoint{{
			Method: "GET", Path: "/x/" + hostile, OutputEncoding: "json", InputHeaders: []string{hostile},
			CEL: []config.CELCheck{{Expr: "req_" + hostile}},
			Backends: []*config.Backend{{
				Method: "GET", URLPattern: "/" + hostile, Host: []string{"http://" + hostile}, Encoding: "json",
				Target: hostile, Group: hostile + "\x00\x01\nline\u2028", Allow: []string{hostile}, Mapping: []config.Rename{{From: hostile, To: hostile}},
				CircuitBreaker: &config.CircuitBreaker{Name: hostile},
				Martian:        &config.Martian{Type: "header.Modifier", Name: hostile},
			}, {
				Method: "GET", URLPattern: "/" + hostile, Host: []string{"http://" + hostile}, Encoding: "json", Shadow: true,
			}},
			Static:  &config.Static{Strategy: hostile, Data: []byte(`{"` + hostile + `":1}`)},
			Flatmap: []config.FlatmapOp{{Type: "move", Args: []string{hostile, hostile}}},
		}},
	}
	g := Build(cfg)
	svg, dot, mermaid := checkAll(t, g)

	// SVG: the text comes back intact (newlines as spaces), never as markup.
	texts := svgText(t, svg)
	found := false
	for _, s := range texts {
		if strings.Contains(s, `"]--><script>alert(1)</script>#x;\n`) {
			found = true
		}
	}
	if !found {
		t.Errorf("SVG text lacks the hostile string: %q", texts)
	}
	if strings.Contains(svg, "<script") {
		t.Error("SVG holds <script")
	}
	for _, out := range []string{svg, dot, mermaid} {
		if strings.ContainsAny(out, "\x00\x01\u2028") || strings.Contains(out, "\nline") {
			t.Error("a control character or line break of the config reached the output")
		}
	}
	// DOT: quotes and backslashes escaped.
	if !strings.Contains(dot, `\"]--><script>alert(1)</script>#x;\\n`) {
		t.Errorf("DOT does not carry the escaped string:\n%s", dot)
	}
	// Mermaid: no raw quote, bracket, angle bracket or '#' in labels.
	for _, bad := range []string{"<script", `"]-->`, "\x00", "\x01"} {
		if strings.Contains(mermaid, bad) {
			t.Errorf("Mermaid holds %q", bad)
		}
	}
	if !strings.Contains(mermaid, "#34;#93;--#62;#60;script#62;") {
		t.Errorf("Mermaid does not carry the escaped string:\n%s", mermaid)
	}
}

func TestSelect(t *testing.T) {
	g := Build(loadExample(t))
	for _, tc := range []struct {
		sel  []string
		want int
	}{
		{nil, 2}, {[]string{"/catalog"}, 1}, {[]string{"GET /catalog"}, 1}, {[]string{"get /catalog"}, 1},
		{[]string{"/catalog", "/orders/{id}", "/catalog"}, 2}, {[]string{"catalog"}, 1},
	} {
		s, err := g.Select(tc.sel)
		if err != nil || len(s.Endpoints) != tc.want {
			t.Errorf("Select(%q): %v endpoints, %v", tc.sel, s, err)
		}
	}
	for _, sel := range []string{"/nope", "POST /catalog", "/catalog/"} {
		_, err := g.Select([]string{sel})
		var u *UnknownEndpointError
		if !errors.As(err, &u) || !strings.Contains(err.Error(), "GET /orders/{id}") || !strings.Contains(err.Error(), "GET /catalog") {
			t.Errorf("Select(%q): %v", sel, err)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"svg": SVG, "DOT": DOT, "gv": DOT, "mermaid": Mermaid, "mmd": Mermaid} {
		if f, err := ParseFormat(in); err != nil || f != want {
			t.Errorf("ParseFormat(%q) = %q, %v", in, f, err)
		}
	}
	if _, err := ParseFormat("png"); err == nil {
		t.Error("png accepted")
	}
	if err := Render(io.Discard, &Graph{}, "png"); err == nil {
		t.Error("Render png accepted")
	}
}

func TestEmptyGraph(t *testing.T) {
	checkAll(t, &Graph{})
}

func TestBundledConfig(t *testing.T) {
	cfg, err := config.LoadFile(filepath.Join(repoRoot, "config", "gateway.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	g := Build(cfg)
	svg, _, _ := checkAll(t, g)
	texts := strings.Join(svgText(t, svg), "\n")
	for _, e := range cfg.Endpoints {
		if !strings.Contains(texts, e.Method+" "+e.Path) {
			t.Errorf("SVG lacks %s %s", e.Method, e.Path)
		}
		for _, b := range e.Backends {
			if !strings.Contains(texts, b.Method+" "+b.URLPattern) {
				t.Errorf("SVG lacks backend %s %s", b.Method, b.URLPattern)
			}
		}
	}
	matchesPlan(t, "config/gateway.json", cfg, g)
}

// matchesPlan compares g's stage counts with the compiled plan's, so the
// drawing cannot drift from what the engine runs. A config that does not
// compile here (a key set to fetch, a build without a feature) is
// skipped.
func matchesPlan(t *testing.T, name string, cfg *config.Config, g *Graph) bool {
	t.Helper()
	p, err := plan.Compile(cfg)
	if err != nil {
		return false
	}
	if len(g.Endpoints) > 0 && len(g.Endpoints[0].Service) != len(p.Stages) {
		t.Errorf("%s: %d service stages drawn, plan has %d", name, len(g.Endpoints[0].Service), len(p.Stages))
	}
	for i, pe := range p.Endpoints {
		e := g.Endpoints[i]
		if len(e.Stages) != len(pe.Stages) || len(e.Finish) != len(pe.Finish) {
			t.Errorf("%s: %s: %d+%d stages drawn, plan has %d+%d", name, e.ID(), len(e.Stages), len(e.Finish), len(pe.Stages), len(pe.Finish))
		}
		if len(e.Backends) != len(pe.Backends) || len(e.Shadows) != len(pe.Shadows) || e.Sequential != pe.Sequential {
			t.Errorf("%s: %s: backends/shadows/sequential differ from the plan", name, e.ID())
			continue
		}
		for j, pb := range pe.Backends {
			if len(e.Backends[j].Stages) != len(pb.Stages) {
				t.Errorf("%s: %s backend %d: %d stages drawn, plan has %d", name, e.ID(), j, len(e.Backends[j].Stages), len(pb.Stages))
			}
		}
	}
	return true
}

// corpus returns every config the repository holds as an example: the
// bundled one, the Flexible Config fixture, the JSON examples of docs/
// (endpoint objects are wrapped in a config) and the conformance cases'
// configs (their "{{backend}}" hosts pointed at a closed port).
func corpus(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{"config/gateway.json": readFile(t, "config/gateway.json")}
	docs, _ := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	fence := regexp.MustCompile("(?s)```json\n(.*?)```")
	for _, f := range docs {
		for i, m := range fence.FindAllSubmatch(readFile(t, mustRel(t, f)), -1) {
			var obj map[string]json.RawMessage
			if json.Unmarshal(m[1], &obj) != nil {
				continue
			}
			name := mustRel(t, f) + "#" + string(rune('a'+i%26))
			switch {
			case obj["version"] != nil:
				out[name] = m[1]
			case obj["endpoint"] != nil && obj["backend"] != nil:
				out[name] = []byte(`{"version": 3, "endpoints": [` + string(m[1]) + `]}`)
			}
		}
	}
	cases, _ := filepath.Glob(filepath.Join(repoRoot, "adapters", "conformance", "testdata", "cases", "*", "*.json"))
	placeholder := regexp.MustCompile(`\{\{[a-z0-9_]+\}\}`)
	for _, f := range cases {
		var c struct {
			Config json.RawMessage `json:"config"`
		}
		if json.Unmarshal(readFile(t, mustRel(t, f)), &c) != nil || c.Config == nil {
			continue
		}
		out[mustRel(t, f)] = placeholder.ReplaceAll(c.Config, []byte("http://127.0.0.1:9"))
	}
	return out
}

func readFile(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustRel(t *testing.T, path string) string {
	t.Helper()
	rel, err := filepath.Rel(repoRoot, path)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.ToSlash(rel)
}

// TestCorpusRenders renders every example config that loads, in every
// format, and checks the drawing against the compiled plan.
func TestCorpusRenders(t *testing.T) {
	loaded, compiled := 0, 0
	for name, data := range corpus(t) {
		cfg, err := config.Load(name, data, nil)
		if err != nil {
			continue
		}
		loaded++
		t.Run(name, func(t *testing.T) {
			g := Build(cfg)
			checkAll(t, g)
			if matchesPlan(t, name, cfg, g) {
				compiled++
			}
		})
	}
	fixture := filepath.Join(repoRoot, "config", "testdata", "flexible")
	cfg, err := config.LoadFile(filepath.Join(fixture, "gateway.tmpl.json"), []string{
		"FC_ENABLE=1",
		"FC_SETTINGS=" + filepath.Join(fixture, "settings"),
		"FC_TEMPLATES=" + filepath.Join(fixture, "templates"),
		"FC_PARTIALS=" + filepath.Join(fixture, "partials"),
	})
	if err == nil {
		loaded++
		checkAll(t, Build(cfg))
	}
	t.Logf("%d example configs loaded and rendered, %d compared with their plan", loaded, compiled)
	if loaded < 50 || compiled < 40 {
		t.Errorf("only %d configs loaded (%d compiled): the corpus went missing", loaded, compiled)
	}
}

// TestDocsImage: the image docs/graph.md shows is a well-formed drawing
// of a sequential endpoint (regenerate it with the command the page
// gives after a change of the renderer).
func TestDocsImage(t *testing.T) {
	texts := strings.Join(svgText(t, string(readFile(t, "docs/images/graph-example.svg"))), "\n")
	for _, want := range []string{"GET /orders/{id}", "backend 0", "backend 1", "{resp0_customer_id}", "merge (shallow)", "proxy.static"} {
		if !strings.Contains(texts, want) {
			t.Errorf("docs/images/graph-example.svg lacks %q", want)
		}
	}
}

// TestStageOrder: with every stage turned on, each is drawn where the
// engine runs it, in its order.
func TestStageOrder(t *testing.T) {
	lua := func(pre, post string) *config.Lua {
		return &config.Lua{Pre: pre, Post: post, Sources: []config.LuaSource{{Name: "x.lua", Code: "secret code"}}}
	}
	cfg := &config.Config{
		CORS:        &config.CORS{},
		HTTPSecure:  &config.HTTPSecure{},
		BotDetector: &config.BotDetector{},
		Revoker:     &config.Revoker{TokenKeys: []string{"jti"}, Admin: &config.RevokeAdmin{Path: "/__revoke"}},
		LuaEndpoint: lua("p()", ""),
		Endpoints: []*config.Endpoint{{
			Method: "GET", Path: "/a/{fn}", OutputEncoding: "json",
			BotDetector: &config.BotDetector{},
			Validator:   &config.Validator{Alg: "RS256"},
			Signer:      &config.Signer{Alg: "HS256", Full: true},
			RateLimit:   &config.RouterRateLimit{MaxRate: 1},
			JSONSchema:  &config.JSONSchema{},
			CEL:         []config.CELCheck{{Expr: "JWT.sub != ''"}, {Expr: "req_method == 'GET'"}, {Expr: "has(resp_data.a)"}},
			LuaEndpoint: lua("p()", ""),
			LuaProxy:    lua("p()", "q()"),
			Backends: []*config.Backend{{
				Method: "GET", URLPattern: "/", Encoding: "json",
				Lambda:            &config.Lambda{FunctionParam: "fn"},
				CEL:               []config.CELCheck{{Expr: "req_method == 'GET'"}, {Expr: "resp_status == 200"}},
				HTTPCache:         &config.HTTPCache{},
				RateLimit:         &config.ProxyRateLimit{MaxRate: 1},
				CircuitBreaker:    &config.CircuitBreaker{},
				ClientCredentials: &config.ClientCredentials{ClientSecret: "hunter2", TokenURL: "http://t"},
				Martian:           &config.Martian{Type: "header.Modifier", Name: "X-Key", Value: "hunter3"},
				LuaBackend:        lua("", "q()"),
			}},
		}},
	}
	g := Build(cfg)
	e := g.Endpoints[0]
	names := func(ss []Stage) string {
		var out []string
		for _, s := range ss {
			out = append(out, s.Name)
		}
		return strings.Join(out, ", ")
	}
	for _, tc := range []struct{ what, got, want string }{
		{"service", names(e.Service), "security/cors, security/http, auth/revoker admin, security/bot-detector"},
		{"endpoint", names(e.Stages), "security/bot-detector, backend/lambda, auth/validator, validation/cel (JWT), auth/revoker, " +
			"modifier/lua-endpoint (service), modifier/lua-endpoint, qos/ratelimit/router, validation/json-schema, " +
			"validation/cel (request), modifier/lua-proxy"},
		{"backend", names(e.Backends[0].Stages), "validation/cel (request), qos/http-cache, qos/ratelimit/proxy, qos/circuit-breaker, " +
			"auth/client-credentials, modifier/martian, modifier/lua-backend, validation/cel (response)"},
		{"finish", names(e.Finish), "modifier/lua-proxy, validation/cel (response), auth/signer"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s stages:\n got %s\nwant %s", tc.what, tc.got, tc.want)
		}
	}
	svg, dot, mermaid := checkAll(t, g)
	for _, out := range []string{svg, dot, mermaid} {
		for _, secret := range []string{"hunter2", "hunter3", "secret code"} {
			if strings.Contains(out, secret) {
				t.Errorf("the drawing shows %q", secret)
			}
		}
	}
}
