package lua

import (
	"net/http"
	"strconv"
	"strings"

	glua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/pm"
)

// Param is a path parameter or a header a script set.
type Param struct {
	// Name is the parameter's name as the endpoint template spells it, or
	// the canonical header name.
	Name string
	// Value is its value.
	Value string
}

// Changed flags record the request parts a script set.
type Changed uint8

// The Changed flags.
const (
	ChangedMethod Changed = 1 << iota
	ChangedPath
	ChangedQuery
	ChangedURL
	ChangedBody
)

// Request is the request a script reads and edits: ctx.load() in
// lua-endpoint, request.load() in lua-proxy and lua-backend. The caller
// fills the fields; after the run, Changed, HeaderSets and ParamSets say
// what the script set (the fields hold the new values).
type Request struct {
	// Method is the request method.
	Method string
	// Path is the escaped path.
	Path string
	// Query is the raw query without "?".
	Query string
	// URL is the URL as the script sees it: path and query for the
	// endpoint request, the whole backend URL in lua-backend.
	URL string
	// Host is the client's Host (lua-endpoint).
	Host string
	// Body is the body.
	Body []byte
	// Header holds the headers the getter reads; never modified.
	Header http.Header
	// Params are the path parameters; never modified.
	Params []Param
	// Allow, when set, hides the headers it refuses from the getter (the
	// headers the endpoint does not forward, in lua-proxy).
	Allow func(name string) bool

	// Changed says which of Method, Path, Query, URL and Body the script
	// set.
	Changed Changed
	// HeaderSets are the headers the script set, in order (canonical
	// names; a later one replaces an earlier one of the same name).
	HeaderSets []Param
	// ParamSets are the parameters the script set, in order, under the
	// template's spelling when the parameter exists.
	ParamSets []Param
}

// header returns the value a script sees for the header name.
func (r *Request) header(name string) string {
	name = http.CanonicalHeaderKey(name)
	for i := len(r.HeaderSets) - 1; i >= 0; i-- {
		if r.HeaderSets[i].Name == name {
			return r.HeaderSets[i].Value
		}
	}
	if r.Allow != nil && !r.Allow(name) {
		return ""
	}
	return r.Header.Get(name)
}

// paramName maps a script's parameter name to the template's: KrakenD
// upper-cases the first letter of each name, so {name} is params("Name").
func (r *Request) paramName(name string) (string, bool) {
	for _, p := range r.Params {
		if p.Name == name || upperFirst(p.Name) == name {
			return p.Name, true
		}
	}
	return name, false
}

func (r *Request) param(name string) string {
	name, _ = r.paramName(name)
	for i := len(r.ParamSets) - 1; i >= 0; i-- {
		if r.ParamSets[i].Name == name {
			return r.ParamSets[i].Value
		}
	}
	for _, p := range r.Params {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// Response is the response a post script reads and edits:
// response.load().
type Response struct {
	// Complete reports that every backend succeeded (isComplete()).
	Complete bool
	// Status is statusCode().
	Status int
	// Header holds the headers the getter reads; never modified.
	Header http.Header
	// Body is body().
	Body []byte
	// Data is data(). When nil, the first data() decodes Body if it holds
	// a JSON object, else starts from an empty object.
	Data *Object
	// HeaderSets are the headers the script set, in order.
	HeaderSets []Param
	// DataUsed reports that the script called data().
	DataUsed bool
}

func (r *Response) header(name string) string {
	name = http.CanonicalHeaderKey(name)
	for i := len(r.HeaderSets) - 1; i >= 0; i-- {
		if r.HeaderSets[i].Name == name {
			return r.HeaderSets[i].Value
		}
	}
	return r.Header.Get(name)
}

// openLibs opens the base library without the functions that reach
// outside the state, and, with open, the string, table and math
// libraries with the string makers bounded by the memory budget.
func (v *vm) openLibs(open bool) error {
	L := v.L
	call := func(f glua.LGFunction, name string) {
		L.Push(L.NewFunction(f))
		L.Push(glua.LString(name))
		L.Call(1, 0)
	}
	call(glua.OpenBase, "")
	g := L.G.Global
	for _, name := range []string{"collectgarbage", "dofile", "load", "loadfile", "loadstring", "_printregs",
		"module", "require", "newproxy", "getfenv", "setfenv", "_GOPHER_LUA_VERSION"} {
		g.RawSetString(name, glua.LNil)
	}
	g.RawSetString("print", L.NewFunction(v.print))
	if !open {
		return nil
	}
	call(glua.OpenString, glua.StringLibName)
	call(glua.OpenTable, glua.TabLibName)
	call(glua.OpenMath, glua.MathLibName)
	str, _ := g.RawGetString("string").(*glua.LTable)
	tbl, _ := g.RawGetString("table").(*glua.LTable)
	if str == nil || tbl == nil {
		return errSetup
	}
	str.RawSetString("dump", glua.LNil)
	str.RawSetString("rep", L.NewFunction(v.strRep))
	str.RawSetString("gsub", L.NewFunction(v.strGsub))
	for _, name := range []string{"format", "upper", "lower", "reverse", "char"} {
		orig, ok := str.RawGetString(name).(*glua.LFunction)
		if !ok || !orig.IsG {
			return errSetup
		}
		str.RawSetString(name, L.NewFunction(v.charged(name, orig.GFunction)))
	}
	orig, ok := tbl.RawGetString("concat").(*glua.LFunction)
	if !ok || !orig.IsG {
		return errSetup
	}
	tbl.RawSetString("concat", L.NewFunction(v.tableConcat(orig.GFunction)))
	return nil
}

type setupError string

func (e setupError) Error() string { return string(e) }

const errSetup = setupError("unexpected gopher-lua library layout")

// print logs its arguments instead of writing to stdout.
func (v *vm) print(L *glua.LState) int {
	n := L.GetTop()
	parts := make([]string, n)
	for i := 1; i <= n; i++ {
		parts[i-1] = L.ToStringMeta(L.Get(i)).String()
	}
	if v.log != nil {
		v.log.Info("lua print", "message", strings.Join(parts, "\t"))
	}
	return 0
}

// need charges n bytes or raises the memory error.
func (v *vm) need(L *glua.LState, n int64) {
	if !v.lim.charge(n) {
		L.RaiseError("%s", ErrMemory.Error())
	}
}

func (v *vm) strRep(L *glua.LState) int {
	s := L.CheckString(1)
	n := L.CheckInt(2)
	if n <= 0 || s == "" {
		L.Push(glua.LString(""))
		return 1
	}
	if int64(n) > v.lim.remaining()/int64(len(s)) {
		v.need(L, v.lim.remaining()+1)
	}
	v.need(L, int64(n)*int64(len(s)))
	L.Push(glua.LString(strings.Repeat(s, n)))
	return 1
}

// charged wraps a string maker: its input bounds its output for upper,
// lower and reverse, so the input's size is refused first; format's width
// and precision are capped at two digits; every result is charged.
func (v *vm) charged(name string, f glua.LGFunction) glua.LGFunction {
	return func(L *glua.LState) int {
		switch name {
		case "format":
			if !formatOK(L.CheckString(1)) {
				L.RaiseError("invalid format (width or precision longer than two digits)")
			}
		case "upper", "lower", "reverse":
			if int64(len(L.CheckString(1))) > v.lim.remaining() {
				v.need(L, v.lim.remaining()+1)
			}
		}
		n := f(L)
		if n > 0 {
			if s, ok := L.Get(-n).(glua.LString); ok {
				v.need(L, int64(len(s)))
			}
		}
		return n
	}
}

// formatOK reports whether no directive of a format has a width or
// precision of more than two digits.
func formatOK(f string) bool {
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		i++
		for i < len(f) && strings.IndexByte("-+ #0", f[i]) >= 0 {
			i++
		}
		digits := 0
		for i < len(f) && f[i] >= '0' && f[i] <= '9' {
			i++
			digits++
		}
		if digits > 2 {
			return false
		}
		if i < len(f) && f[i] == '.' {
			i++
			digits = 0
			for i < len(f) && f[i] >= '0' && f[i] <= '9' {
				i++
				digits++
			}
			if digits > 2 {
				return false
			}
		}
	}
	return true
}

// tableConcat charges the result of table.concat before making it.
func (v *vm) tableConcat(f glua.LGFunction) glua.LGFunction {
	return func(L *glua.LState) int {
		t := L.CheckTable(1)
		sep := L.OptString(2, "")
		i := L.OptInt(3, 1)
		j := L.OptInt(4, t.Len())
		var n int64
		for k := i; k <= j; k++ {
			switch e := t.RawGetInt(k).(type) {
			case glua.LString:
				n += int64(len(e))
			case glua.LNumber:
				n += chargeNumber
			}
			if k > i {
				n += int64(len(sep))
			}
			if n > v.lim.remaining() {
				break
			}
		}
		v.need(L, n)
		return f(L)
	}
}

// strGsub is string.gsub built on gopher-lua's pattern matcher one match
// at a time, so that the result grows linearly and every match is a step
// and every replacement is charged.
func (v *vm) strGsub(L *glua.LState) int {
	s := L.CheckString(1)
	pat := L.CheckString(2)
	L.CheckTypes(3, glua.LTString, glua.LTTable, glua.LTFunction)
	repl := L.Get(3)
	limit := L.OptInt(4, -1)
	var out strings.Builder
	prev, count := 0, 0
	src := []byte(s)
	for off := 0; off <= len(s) && (limit < 0 || count < limit); {
		mds, err := pm.Find(pat, src, off, 1)
		if err != nil {
			L.RaiseError("%s", err.Error())
		}
		if len(mds) == 0 {
			break
		}
		if v.lim.Done() != nil {
			L.RaiseError("%s", v.lim.Err().Error())
		}
		m := mds[0]
		start, end := m.Capture(0), m.Capture(1)
		whole := s[start:end]
		var rep string
		keep := false
		switch r := repl.(type) {
		case glua.LString:
			rep = expandRepl(L, string(r), s, m)
		case *glua.LTable:
			rep, keep = replValue(L, L.GetTable(r, firstCapture(s, m)))
		default:
			L.Push(repl)
			nargs := pushCaptures(L, s, m)
			L.Call(nargs, 1)
			ret := L.Get(-1)
			L.Pop(1)
			rep, keep = replValue(L, ret)
		}
		if keep {
			rep = whole
		}
		v.need(L, int64(start-prev+len(rep)))
		out.WriteString(s[prev:start])
		out.WriteString(rep)
		prev = end
		count++
		off = max(start+1, end)
		if strings.HasPrefix(pat, "^") {
			break
		}
	}
	v.need(L, int64(len(s)-prev))
	out.WriteString(s[prev:])
	L.Push(glua.LString(out.String()))
	L.Push(glua.LNumber(count))
	return 2
}

// replValue reads a table or function replacement: false or nil keeps the
// match.
func replValue(L *glua.LState, v glua.LValue) (string, bool) {
	switch r := v.(type) {
	case glua.LString:
		return string(r), false
	case glua.LNumber:
		return r.String(), false
	case *glua.LNilType:
		return "", true
	case glua.LBool:
		if !bool(r) {
			return "", true
		}
	}
	L.RaiseError("invalid replacement value (a %s)", v.Type().String())
	return "", true
}

// captureValue returns capture i of m (0: the whole match).
func captureValue(s string, m *pm.MatchData, i int) glua.LValue {
	if m.IsPosCapture(2 * i) {
		return glua.LNumber(m.Capture(2 * i))
	}
	return glua.LString(s[m.Capture(2*i):m.Capture(2*i+1)])
}

// firstCapture is the first capture, or the whole match without one.
func firstCapture(s string, m *pm.MatchData) glua.LValue {
	if m.CaptureLength() > 2 {
		return captureValue(s, m, 1)
	}
	return captureValue(s, m, 0)
}

func pushCaptures(L *glua.LState, s string, m *pm.MatchData) int {
	n := m.CaptureLength()/2 - 1
	if n <= 0 {
		L.Push(captureValue(s, m, 0))
		return 1
	}
	for i := 1; i <= n; i++ {
		L.Push(captureValue(s, m, i))
	}
	return n
}

// expandRepl expands %0-%9 and %% in a replacement string.
func expandRepl(L *glua.LState, repl, s string, m *pm.MatchData) string {
	if strings.IndexByte(repl, '%') < 0 {
		return repl
	}
	var b strings.Builder
	ncap := m.CaptureLength()/2 - 1
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		if c != '%' || i+1 == len(repl) {
			b.WriteByte(c)
			continue
		}
		i++
		d := repl[i]
		switch {
		case d == '0' || (d == '1' && ncap == 0):
			b.WriteString(s[m.Capture(0):m.Capture(1)])
		case d >= '1' && d <= '9':
			k := int(d - '0')
			if k > ncap {
				L.RaiseError("invalid capture index")
			}
			b.WriteString(glua.LVAsString(captureValue(s, m, k)))
		default:
			b.WriteByte(d)
		}
	}
	return b.String()
}

// register installs the objects scripts use: ctx (lua-endpoint) or
// request and response, custom_error, luaTable, luaList, and an
// http_response that explains it is not available.
func (v *vm) register(kind Kind) {
	L := v.L
	g := L.G.Global
	v.tblMT = v.objectMetatable()
	v.listMT = v.listMetatable()

	reqMT := L.NewTable()
	methods := L.NewTable()
	reqMT.RawSetString("__index", methods)
	v.reqUD = L.NewUserData()
	v.reqUD.Metatable = reqMT
	load := func(ud *glua.LUserData) *glua.LTable {
		t := L.NewTable()
		t.RawSetString("load", L.NewFunction(func(L *glua.LState) int {
			L.Push(ud)
			return 1
		}))
		return t
	}
	if kind == Endpoint {
		for name, f := range map[string]func(*Request) string{
			"method": func(r *Request) string { return r.Method },
			"url":    func(r *Request) string { return r.URL },
			"path":   func(r *Request) string { return r.Path },
			"query":  func(r *Request) string { return r.Query },
			"host":   func(r *Request) string { return r.Host },
			"body":   func(r *Request) string { return string(r.Body) },
		} {
			methods.RawSetString(name, L.NewFunction(v.getter(name, f)))
		}
		g.RawSetString("ctx", load(v.reqUD))
	} else {
		methods.RawSetString("method", L.NewFunction(v.accessor(func(r *Request) *string { return &r.Method }, ChangedMethod)))
		methods.RawSetString("path", L.NewFunction(v.accessor(func(r *Request) *string { return &r.Path }, ChangedPath)))
		methods.RawSetString("query", L.NewFunction(v.accessor(func(r *Request) *string { return &r.Query }, ChangedQuery)))
		methods.RawSetString("url", L.NewFunction(v.accessor(func(r *Request) *string { return &r.URL }, ChangedURL)))
		methods.RawSetString("body", L.NewFunction(v.reqBody))
		g.RawSetString("request", load(v.reqUD))

		respMT := L.NewTable()
		rm := L.NewTable()
		respMT.RawSetString("__index", rm)
		v.respUD = L.NewUserData()
		v.respUD.Metatable = respMT
		rm.RawSetString("isComplete", L.NewFunction(func(L *glua.LState) int {
			L.Push(glua.LBool(v.response(L).Complete))
			return 1
		}))
		rm.RawSetString("statusCode", L.NewFunction(func(L *glua.LState) int {
			L.Push(glua.LNumber(v.response(L).Status))
			return 1
		}))
		rm.RawSetString("headers", L.NewFunction(func(L *glua.LState) int {
			r := v.response(L)
			name := L.CheckString(2)
			if L.GetTop() >= 3 {
				r.HeaderSets = append(r.HeaderSets, Param{Name: http.CanonicalHeaderKey(name), Value: L.CheckString(3)})
				return 0
			}
			L.Push(glua.LString(r.header(name)))
			return 1
		}))
		rm.RawSetString("body", L.NewFunction(func(L *glua.LState) int {
			r := v.response(L)
			v.need(L, int64(len(r.Body)))
			L.Push(glua.LString(r.Body))
			return 1
		}))
		rm.RawSetString("data", L.NewFunction(func(L *glua.LState) int {
			r := v.response(L)
			if r.Data == nil {
				r.Data = &Object{}
				if len(r.Body) > 0 {
					v.need(L, int64(len(r.Body)))
					if d, err := DecodeJSON(r.Body); err == nil {
						if o, ok := d.(*Object); ok {
							r.Data = o
						}
					}
				}
			}
			r.DataUsed = true
			L.Push(v.wrap(r.Data))
			return 1
		}))
		g.RawSetString("response", load(v.respUD))
	}
	methods.RawSetString("params", L.NewFunction(v.params))
	methods.RawSetString("headers", L.NewFunction(v.reqHeaders))

	g.RawSetString("custom_error", L.NewFunction(func(L *glua.LState) int {
		ce := &CustomError{Message: L.OptString(1, "")}
		if L.GetTop() >= 2 {
			ce.Status = L.CheckInt(2)
		}
		ud := L.NewUserData()
		ud.Value = ce
		L.Error(ud, 1)
		return 0
	}))
	lt := L.NewTable()
	lt.RawSetString("new", L.NewFunction(func(L *glua.LState) int {
		L.Push(v.wrap(&Object{}))
		return 1
	}))
	g.RawSetString("luaTable", lt)
	ll := L.NewTable()
	ll.RawSetString("new", L.NewFunction(func(L *glua.LState) int {
		L.Push(v.wrap(&List{}))
		return 1
	}))
	g.RawSetString("luaList", ll)
	hr := L.NewTable()
	hr.RawSetString("new", L.NewFunction(func(L *glua.LState) int {
		L.RaiseError("http_response is not available: Lua scripts cannot make HTTP calls in this gateway")
		return 0
	}))
	g.RawSetString("http_response", hr)
}

func (v *vm) request(L *glua.LState) *Request {
	if v.req == nil {
		L.RaiseError("no request in this script")
	}
	return v.req
}

func (v *vm) response(L *glua.LState) *Response {
	if v.resp == nil {
		L.RaiseError("no response in a pre script")
	}
	return v.resp
}

// getter is a read-only method of ctx.load().
func (v *vm) getter(name string, f func(*Request) string) glua.LGFunction {
	return func(L *glua.LState) int {
		if L.GetTop() >= 2 {
			L.RaiseError("%s is read-only in lua-endpoint", name)
		}
		s := f(v.request(L))
		if name == "body" {
			v.need(L, int64(len(s)))
		}
		L.Push(glua.LString(s))
		return 1
	}
}

// accessor is a getter without its argument and a setter with it.
func (v *vm) accessor(field func(*Request) *string, flag Changed) glua.LGFunction {
	return func(L *glua.LState) int {
		r := v.request(L)
		p := field(r)
		if L.GetTop() >= 2 {
			*p = L.CheckString(2)
			r.Changed |= flag
			return 0
		}
		L.Push(glua.LString(*p))
		return 1
	}
}

func (v *vm) reqBody(L *glua.LState) int {
	r := v.request(L)
	if L.GetTop() >= 2 {
		r.Body = []byte(L.CheckString(2))
		r.Changed |= ChangedBody
		return 0
	}
	v.need(L, int64(len(r.Body)))
	L.Push(glua.LString(r.Body))
	return 1
}

func (v *vm) params(L *glua.LState) int {
	r := v.request(L)
	name := L.CheckString(2)
	if L.GetTop() >= 3 {
		val := L.CheckString(3)
		name, _ = r.paramName(name)
		r.ParamSets = append(r.ParamSets, Param{Name: name, Value: val})
		return 0
	}
	L.Push(glua.LString(r.param(name)))
	return 1
}

func (v *vm) reqHeaders(L *glua.LState) int {
	r := v.request(L)
	name := L.CheckString(2)
	if L.GetTop() >= 3 {
		val := L.CheckString(3)
		r.HeaderSets = append(r.HeaderSets, Param{Name: http.CanonicalHeaderKey(name), Value: val})
		return 0
	}
	L.Push(glua.LString(r.header(name)))
	return 1
}

// itoa is strconv.Itoa.
func itoa(i int) string { return strconv.Itoa(i) }
