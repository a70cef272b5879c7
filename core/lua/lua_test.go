package lua

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

func mustCompile(t *testing.T, o Options) *Script {
	t.Helper()
	s, err := Compile(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func runPre(t *testing.T, s *Script, r *Request) error {
	t.Helper()
	sess, err := s.Begin(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.End()
	return sess.Pre(context.Background(), r)
}

func TestFrameLayout(t *testing.T) {
	checkFrameLayout()
	if !frameLayout.ok {
		t.Fatalf("gopher-lua call frame not located: %s", frameLayout.checkedProblem)
	}
}

func TestSyntaxErrorIsLocated(t *testing.T) {
	_, err := Compile(Options{Kind: Proxy, Pre: "local x = 1\nif x then\n"})
	var se *SyntaxError
	if !errors.As(err, &se) || se.Chunk != "pre" || !strings.Contains(se.Msg, "line 3") {
		t.Fatalf("got %v", err)
	}
	_, err = Compile(Options{Kind: Proxy, Post: "local x = 1\nlocal y = = 2\n"})
	if !errors.As(err, &se) || se.Chunk != "post" || !strings.Contains(se.Msg, "line:2") {
		t.Fatalf("got %v", err)
	}
	_, err = Compile(Options{Kind: Proxy, Sources: []Source{{Name: "lib.lua", Code: "function f(\n"}}})
	if !errors.As(err, &se) || se.Chunk != "lib.lua" {
		t.Fatalf("got %v", err)
	}
}

func TestSourceRuntimeErrorFailsCompile(t *testing.T) {
	_, err := Compile(Options{Kind: Proxy, Sources: []Source{{Name: "lib.lua", Code: "local x = nil\nx.y = 1\n"}}})
	var re *RuntimeError
	if !errors.As(err, &re) || !strings.Contains(re.Msg, "lib.lua:2:") {
		t.Fatalf("got %v", err)
	}
}

func TestRuntimeErrorHasLine(t *testing.T) {
	s := mustCompile(t, Options{Kind: Proxy, Pre: "local a = 1\nlocal b = nil\nb.c = a\n"})
	err := runPre(t, s, &Request{})
	var re *RuntimeError
	if !errors.As(err, &re) || !strings.Contains(re.Msg, "pre:3:") {
		t.Fatalf("got %v", err)
	}
}

func TestRequestAccessors(t *testing.T) {
	s := mustCompile(t, Options{Kind: Proxy, Sources: []Source{{Name: "lib.lua", Code: "function twice(s) return s .. s end"}},
		Pre: `local r = request.load()
r:headers("X-New", twice(r:headers("X-In")))
r:query("a=1&b=" .. r:params("Id"))
r:body("{}")
r:method("PUT")
r:params("Id", "99")
seen = r:url()`,
		Post: `local resp = response.load()
resp:data():set("seen", seen)
resp:data():set("complete", resp:isComplete())`})
	sess, err := s.Begin(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.End()
	r := &Request{Method: "GET", Path: "/a/7", URL: "/a/7?x=1", Header: http.Header{"X-In": {"ab"}}, Params: []Param{{Name: "id", Value: "7"}}}
	if err := sess.Pre(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if r.Query != "a=1&b=7" || string(r.Body) != "{}" || r.Method != "PUT" || r.Changed != ChangedQuery|ChangedBody|ChangedMethod {
		t.Fatalf("request %+v", r)
	}
	if len(r.HeaderSets) != 1 || r.HeaderSets[0] != (Param{"X-New", "abab"}) {
		t.Fatalf("headers %+v", r.HeaderSets)
	}
	if len(r.ParamSets) != 1 || r.ParamSets[0] != (Param{"id", "99"}) {
		t.Fatalf("params %+v", r.ParamSets)
	}
	resp := &Response{Complete: true, Data: NewObject([]Member{{"a", []byte(`{"b":[1,2.5,"x"]}`)}})}
	if err := sess.Post(context.Background(), r, resp); err != nil {
		t.Fatal(err)
	}
	b, err := resp.Data.MarshalJSON()
	if err != nil || string(b) != `{"a":{"b":[1,2.5,"x"]},"seen":"/a/7?x=1","complete":true}` {
		t.Fatalf("data %s %v", b, err)
	}
}

func TestGlobalsDoNotLeakBetweenRequests(t *testing.T) {
	s := mustCompile(t, Options{Kind: Proxy, Pre: `if leaked then error("leaked") end leaked = true`})
	for range 3 {
		if err := runPre(t, s, &Request{}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCustomError(t *testing.T) {
	s := mustCompile(t, Options{Kind: Proxy, Pre: `custom_error("nope", 418)`})
	err := runPre(t, s, &Request{})
	var ce *CustomError
	if !errors.As(err, &ce) || ce.Message != "nope" || ce.Status != 418 {
		t.Fatalf("got %v", err)
	}
}

func TestNoOSAccess(t *testing.T) {
	for _, code := range []string{`os.exit(1)`, `io.open("/etc/passwd")`, `debug.getinfo(1)`, `require("os")`,
		`dofile("/etc/passwd")`, `loadstring("return 1")()`, `coroutine.create(function() end)`, `http_response.new("http://127.0.0.1")`} {
		for _, open := range []bool{false, true} {
			s := mustCompile(t, Options{Kind: Proxy, OpenLibs: open, Pre: code})
			var re *RuntimeError
			if err := runPre(t, s, &Request{}); !errors.As(err, &re) {
				t.Errorf("%s (open %v): got %v", code, open, err)
			}
		}
	}
}

func TestOpenLibs(t *testing.T) {
	code := `local r = request.load(); r:body(string.upper("ab") .. table.concat({"c","d"}, ",") .. math.floor(2.5) .. string.format("%02d", 7) .. ("x"):rep(3) .. string.gsub("hello world", "(o)", "[%1]"))`
	s := mustCompile(t, Options{Kind: Proxy, OpenLibs: true, Pre: code})
	r := &Request{}
	if err := runPre(t, s, r); err != nil {
		t.Fatal(err)
	}
	if string(r.Body) != "ABc,d207xxxhell[o] w[o]rld" {
		t.Fatalf("body %q", r.Body)
	}
	s = mustCompile(t, Options{Kind: Proxy, Pre: code})
	if err := runPre(t, s, &Request{}); err == nil {
		t.Fatal("string library available without allow_open_libs")
	}
}

func TestGsubForms(t *testing.T) {
	code := `local r = request.load()
local a = string.gsub("abc", "%w", "%0%0")
local b = string.gsub("hello world", "(%w+)", {hello = "HI"})
local c, n = string.gsub("a,b,c", ",", function(s) return ";" end)
local d = string.gsub("abc", "", "-")
local e = string.gsub("aaa", "^a", "b")
r:body(a .. "|" .. b .. "|" .. c .. n .. "|" .. d .. "|" .. e)`
	s := mustCompile(t, Options{Kind: Proxy, OpenLibs: true, Pre: code})
	r := &Request{}
	if err := runPre(t, s, r); err != nil {
		t.Fatal(err)
	}
	if string(r.Body) != "aabbcc|HI world|a;b;c2|-a-b-c-|baa" {
		t.Fatalf("body %q", r.Body)
	}
}

func TestInfiniteLoopIsBounded(t *testing.T) {
	for _, code := range []string{`while true do end`, `while true do pcall(function() while true do end end) end`,
		`local function f() return f() end f()`, `local function f() f() end f()`} {
		s := mustCompile(t, Options{Kind: Proxy, Pre: code})
		err := runPre(t, s, &Request{})
		if err == nil {
			t.Fatalf("%s: no error", code)
		}
	}
	s := mustCompile(t, Options{Kind: Proxy, Pre: `while true do end`})
	var le *LimitError
	if err := runPre(t, s, &Request{}); !errors.As(err, &le) || !errors.Is(err, ErrSteps) {
		t.Fatalf("got %v", err)
	}
}

func TestMemoryBombIsBounded(t *testing.T) {
	for _, code := range []string{
		`local s = "x" while true do s = s .. s end`,
		`local t = {} local s = string.rep("x", 1000) local i = 0 while true do i = i + 1 t[i] = s .. i end`,
		`local s = string.rep("x", 1e9)`,
		`local s = string.rep("x", 4e6) local t = {} for i = 1, 100 do t[i] = s:upper() end`,
		`local s = string.rep("x", 1e6) local t = {} for i = 1, 100 do t[i] = table.concat({s, s}) end`,
		`local s = string.rep("x", 1e6) local x = string.gsub(s, "x", s)`,
		`local s = string.rep("x", 1e6) local x = string.gsub(s, "x", {x = s})`,
		`local s = string.format("%999999999d", 1)`,
		`local t = {} for i = 1, 1e9 do t[#t+1] = {} end`,
	} {
		s := mustCompile(t, Options{Kind: Proxy, OpenLibs: true, Pre: code})
		err := runPre(t, s, &Request{})
		if err == nil {
			t.Errorf("%s: no error", code)
			continue
		}
		t.Logf("%.40s: %v", code, err)
	}
	s := mustCompile(t, Options{Kind: Proxy, Pre: `local s = "x" while true do s = s .. s end`})
	if err := runPre(t, s, &Request{}); !errors.Is(err, ErrMemory) {
		t.Fatalf("got %v", err)
	}
}

func TestCancelledContextStops(t *testing.T) {
	s := mustCompile(t, Options{Kind: Proxy, Pre: `while true do end`, MaxSteps: 1 << 40})
	sess, _ := s.Begin(nil)
	defer sess.End()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sess.Pre(ctx, &Request{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
}

func TestEndpointCtxIsReadOnly(t *testing.T) {
	s := mustCompile(t, Options{Kind: Endpoint, Pre: `local c = ctx.load()
c:headers("X-A", c:method() .. " " .. c:path() .. " " .. c:query() .. " " .. c:host() .. " " .. c:body() .. " " .. c:params("Name"))`})
	r := &Request{Method: "POST", Path: "/p", Query: "q=1", Host: "h", Body: []byte("b"), Params: []Param{{"name", "n"}}}
	if err := runPre(t, s, r); err != nil {
		t.Fatal(err)
	}
	if r.HeaderSets[0].Value != "POST /p q=1 h b n" {
		t.Fatalf("got %q", r.HeaderSets[0].Value)
	}
	s = mustCompile(t, Options{Kind: Endpoint, Pre: `ctx.load():body("x")`})
	if err := runPre(t, s, &Request{}); err == nil {
		t.Fatal("body setter in lua-endpoint")
	}
}

func TestDataTables(t *testing.T) {
	s := mustCompile(t, Options{Kind: Backend, Post: `local d = response.load():data()
local l = d:get("list")
l:set(l:len(), "new")
l:del(0)
local n = luaTable.new()
n:set("k", {1, 2, {a = true}})
n:set("plain", {z = 1, y = "s"})
d:set("n", n)
d:del("gone")
d:set("num", d:get("num") + 1)
d:set("keys", d:keys())`})
	sess, _ := s.Begin(nil)
	defer sess.End()
	resp := &Response{Data: NewObject([]Member{{"list", []byte(`[1,2]`)}, {"gone", []byte(`1`)}, {"num", []byte(`41`)}, {"keep", []byte(`1.50`)}})}
	if err := sess.Post(context.Background(), nil, resp); err != nil {
		t.Fatal(err)
	}
	b, err := resp.Data.MarshalJSON()
	want := `{"list":[2,"new"],"num":42,"keep":1.50,"n":{"k":[1,2,{"a":true}],"plain":{"y":"s","z":1}},"keys":["list","num","keep","n"]}`
	if err != nil || string(b) != want {
		t.Fatalf("got %s %v\nwant %s", b, err, want)
	}
	if !resp.Data.KeysChanged() {
		t.Fatal("keys changed not reported")
	}
}

func TestSelfReferenceIsAnError(t *testing.T) {
	s := mustCompile(t, Options{Kind: Backend, Post: `local d = response.load():data() d:set("self", d)`})
	sess, _ := s.Begin(nil)
	defer sess.End()
	resp := &Response{Data: NewObject(nil)}
	if err := sess.Post(context.Background(), nil, resp); err != nil {
		t.Fatal(err)
	}
	if _, err := resp.Data.MarshalJSON(); err == nil {
		t.Fatal("cycle encoded")
	}
}

func TestSourcesAreBounded(t *testing.T) {
	_, err := Compile(Options{Kind: Proxy, Sources: []Source{{Name: "loop.lua", Code: "while true do end"}}})
	var le *LimitError
	if !errors.As(err, &le) || !errors.Is(err, ErrSteps) {
		t.Fatalf("got %v", err)
	}
}

func TestStateReusedAfterSuccessOnly(t *testing.T) {
	s := mustCompile(t, Options{Kind: Proxy, Pre: `if request.load():body() == "fail" then error("boom") end`})
	sess, _ := s.Begin(nil)
	v := sess.v
	if err := sess.Pre(context.Background(), &Request{Body: []byte("fail")}); err == nil {
		t.Fatal("no error")
	}
	sess.End()
	if !v.broken {
		t.Fatal("a state a run failed in is not marked")
	}
	sess, _ = s.Begin(nil)
	defer sess.End()
	if sess.v == v {
		t.Fatal("a failed state was reused")
	}
}
