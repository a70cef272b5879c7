package lua

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/tributary-gw/tributary/internal/jsontext"
	glua "github.com/yuin/gopher-lua"
)

// maxDepth bounds the nesting of values converted between JSON and Lua.
const maxDepth = 64

// Object is a JSON object as scripts see it (a luaTable): members in
// order; top-level members made by NewObject stay as JSON text until a
// script reads them. Values are nil, bool, float64, json.Number, string,
// *Object and *List.
type Object struct {
	names []string
	vals  []any
	raws  [][]byte // raw JSON of members not read yet; nil entries once read
	dirty []bool   // members set, or read as a container
	// Changed reports a key added or removed.
	changedKeys bool
}

// List is a JSON array as scripts see it (a luaList).
type List struct {
	items []any
}

// Member is one top-level member of a JSON object in JSON text.
type Member struct {
	// Name is the decoded key.
	Name string
	// Value is compact JSON.
	Value []byte
}

// NewObject wraps members; their values are decoded only when a script
// reads them.
func NewObject(members []Member) *Object {
	o := &Object{
		names: make([]string, len(members)),
		vals:  make([]any, len(members)),
		raws:  make([][]byte, len(members)),
		dirty: make([]bool, len(members)),
	}
	for i, m := range members {
		o.names[i], o.raws[i] = m.Name, m.Value
	}
	return o
}

// KeysChanged reports whether a script added or removed a top-level key.
func (o *Object) KeysChanged() bool { return o.changedKeys }

// Members returns the object as JSON members in order: untouched members
// keep their original text.
func (o *Object) Members() ([]Member, error) {
	out := make([]Member, len(o.names))
	for i, name := range o.names {
		out[i].Name = name
		if o.raws[i] != nil && !o.dirty[i] {
			out[i].Value = o.raws[i]
			continue
		}
		b, err := appendValue(nil, o.vals[i], 0)
		if err != nil {
			return nil, err
		}
		out[i].Value = b
	}
	return out, nil
}

// MarshalJSON encodes the object.
func (o *Object) MarshalJSON() ([]byte, error) {
	return appendValue(nil, o, 0)
}

func (o *Object) index(name string) int {
	return slices.Index(o.names, name)
}

// get returns the value of name, decoding it on first read.
func (o *Object) get(name string) (any, bool, error) {
	i := o.index(name)
	if i < 0 {
		return nil, false, nil
	}
	if o.raws[i] != nil && !o.dirty[i] {
		v, err := DecodeJSON(o.raws[i])
		if err != nil {
			return nil, false, err
		}
		o.vals[i] = v
		switch v.(type) {
		case *Object, *List:
			// The script may edit it in place.
			o.dirty[i] = true
		default:
			o.raws[i] = nil
			o.dirty[i] = true
		}
	}
	return o.vals[i], true, nil
}

func (o *Object) set(name string, v any) {
	if i := o.index(name); i >= 0 {
		o.vals[i], o.dirty[i] = v, true
		return
	}
	o.names = append(o.names, name)
	o.vals = append(o.vals, v)
	o.raws = append(o.raws, nil)
	o.dirty = append(o.dirty, true)
	o.changedKeys = true
}

func (o *Object) del(name string) {
	i := o.index(name)
	if i < 0 {
		return
	}
	o.names = slices.Delete(o.names, i, i+1)
	o.vals = slices.Delete(o.vals, i, i+1)
	o.raws = slices.Delete(o.raws, i, i+1)
	o.dirty = slices.Delete(o.dirty, i, i+1)
	o.changedKeys = true
}

// DecodeJSON decodes one JSON value into nil, bool, json.Number, string,
// *Object or *List, keeping object key order (a repeated key keeps its
// first position and its last value).
func DecodeJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	v, err := decodeValue(d, 0)
	if err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON value")
	}
	return v, nil
}

func decodeValue(d *json.Decoder, depth int) (any, error) {
	if depth > maxDepth*4 {
		return nil, errors.New("JSON nested too deeply")
	}
	t, err := d.Token()
	if err != nil {
		return nil, err
	}
	switch t := t.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := &Object{}
			for d.More() {
				k, err := d.Token()
				if err != nil {
					return nil, err
				}
				name, _ := k.(string)
				v, err := decodeValue(d, depth+1)
				if err != nil {
					return nil, err
				}
				if i := o.index(name); i >= 0 {
					o.vals[i] = v
					continue
				}
				o.names = append(o.names, name)
				o.vals = append(o.vals, v)
				o.raws = append(o.raws, nil)
				o.dirty = append(o.dirty, true)
			}
			if _, err := d.Token(); err != nil {
				return nil, err
			}
			return o, nil
		case '[':
			l := &List{}
			for d.More() {
				v, err := decodeValue(d, depth+1)
				if err != nil {
					return nil, err
				}
				l.items = append(l.items, v)
			}
			if _, err := d.Token(); err != nil {
				return nil, err
			}
			return l, nil
		}
		return nil, errors.New("unexpected JSON delimiter")
	default:
		return t, nil
	}
}

// errDepth is a value nested too deeply, or a table that contains itself.
var errDepth = errors.New("value nested too deeply (or containing itself)")

// appendValue appends v as compact JSON.
func appendValue(b []byte, v any, depth int) ([]byte, error) {
	if depth > maxDepth*4 {
		return nil, errDepth
	}
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case string:
		return jsontext.AppendString(b, v, jsontext.RawReplacement|jsontext.RawLineSeparators), nil
	case json.Number:
		return append(b, v...), nil
	case float64:
		return appendNumber(b, v), nil
	case *Object:
		b = append(b, '{')
		for i, name := range v.names {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsontext.AppendString(b, name, jsontext.RawReplacement|jsontext.RawLineSeparators)
			b = append(b, ':')
			var err error
			if v.raws[i] != nil && !v.dirty[i] {
				b = append(b, v.raws[i]...)
				continue
			}
			if b, err = appendValue(b, v.vals[i], depth+1); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case *List:
		b = append(b, '[')
		for i, e := range v.items {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendValue(b, e, depth+1); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	}
	return nil, errors.New("value cannot be encoded as JSON")
}

// appendNumber writes a Lua number: integers without a fraction, NaN and
// infinities as null (JSON has no literal for them).
func appendNumber(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return append(b, "null"...)
	case f == math.Trunc(f) && math.Abs(f) < 1e15:
		return strconv.AppendInt(b, int64(f), 10)
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}

// toLua converts a Go value for a script: numbers become Lua numbers,
// objects and lists stay shared (edits in Lua change them in place).
func (v *vm) toLua(x any) glua.LValue {
	switch x := x.(type) {
	case nil:
		return glua.LNil
	case bool:
		return glua.LBool(x)
	case string:
		return glua.LString(x)
	case float64:
		return glua.LNumber(x)
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return glua.LNumber(math.Inf(1))
		}
		return glua.LNumber(f)
	case *Object, *List:
		return v.wrap(x)
	}
	return glua.LNil
}

// fromLua converts a script's value: luaTable and luaList values are
// shared, Lua tables are copied (a table with only keys 1..n becomes a
// list, any other an object with its keys sorted).
func fromLua(x glua.LValue, depth int) (any, error) {
	if depth > maxDepth {
		return nil, errDepth
	}
	switch x := x.(type) {
	case *glua.LNilType:
		return nil, nil
	case glua.LBool:
		return bool(x), nil
	case glua.LString:
		return string(x), nil
	case glua.LNumber:
		return float64(x), nil
	case *glua.LUserData:
		switch u := x.Value.(type) {
		case *Object, *List:
			return u, nil
		}
	case *glua.LTable:
		n := x.MaxN()
		var keys []string
		var err error
		onlyArray := true
		x.ForEach(func(k, _ glua.LValue) {
			if kn, ok := k.(glua.LNumber); ok && float64(kn) == math.Trunc(float64(kn)) && kn >= 1 && int(kn) <= n {
				return
			}
			onlyArray = false
		})
		if onlyArray && n > 0 {
			l := &List{items: make([]any, 0, n)}
			for i := 1; i <= n; i++ {
				e, err := fromLua(x.RawGetInt(i), depth+1)
				if err != nil {
					return nil, err
				}
				l.items = append(l.items, e)
			}
			return l, nil
		}
		vals := map[string]glua.LValue{}
		x.ForEach(func(k, val glua.LValue) {
			var name string
			switch k := k.(type) {
			case glua.LString:
				name = string(k)
			case glua.LNumber:
				name = k.String()
			default:
				err = errors.New("a table key must be a string or a number")
				return
			}
			if _, dup := vals[name]; !dup {
				keys = append(keys, name)
			}
			vals[name] = val
		})
		if err != nil {
			return nil, err
		}
		slices.Sort(keys)
		o := &Object{}
		for _, k := range keys {
			e, err := fromLua(vals[k], depth+1)
			if err != nil {
				return nil, err
			}
			o.names = append(o.names, k)
			o.vals = append(o.vals, e)
			o.raws = append(o.raws, nil)
			o.dirty = append(o.dirty, true)
		}
		return o, nil
	}
	return nil, errors.New("a " + x.Type().String() + " cannot be stored in response data")
}

// wrap returns the userdata a script handles for an *Object or *List.
func (v *vm) wrap(x any) *glua.LUserData {
	ud := v.L.NewUserData()
	ud.Value = x
	if _, ok := x.(*List); ok {
		ud.Metatable = v.listMT
	} else {
		ud.Metatable = v.tblMT
	}
	return ud
}

func (v *vm) checkObject(L *glua.LState) *Object {
	ud := L.CheckUserData(1)
	o, ok := ud.Value.(*Object)
	if !ok {
		L.ArgError(1, "luaTable expected")
	}
	return o
}

func (v *vm) checkList(L *glua.LState) *List {
	ud := L.CheckUserData(1)
	l, ok := ud.Value.(*List)
	if !ok {
		L.ArgError(1, "luaList expected")
	}
	return l
}

// setValue converts a script's value, raising the conversion's error.
func (v *vm) setValue(L *glua.LState, n int) any {
	x, err := fromLua(L.Get(n), 0)
	if err != nil {
		L.RaiseError("%s", err.Error())
	}
	v.need(L, chargeStore)
	return x
}

// objectMetatable makes the luaTable methods: get, set, del, keys, len.
func (v *vm) objectMetatable() *glua.LTable {
	L := v.L
	mt := L.NewTable()
	m := L.NewTable()
	mt.RawSetString("__index", m)
	m.RawSetString("get", L.NewFunction(func(L *glua.LState) int {
		o := v.checkObject(L)
		x, _, err := o.get(L.CheckString(2))
		if err != nil {
			L.RaiseError("%s", err.Error())
		}
		if s, ok := x.(string); ok {
			v.need(L, int64(len(s)))
		}
		L.Push(v.toLua(x))
		return 1
	}))
	m.RawSetString("set", L.NewFunction(func(L *glua.LState) int {
		o := v.checkObject(L)
		name := L.CheckString(2)
		o.set(name, v.setValue(L, 3))
		return 0
	}))
	m.RawSetString("del", L.NewFunction(func(L *glua.LState) int {
		v.checkObject(L).del(L.CheckString(2))
		return 0
	}))
	m.RawSetString("keys", L.NewFunction(func(L *glua.LState) int {
		o := v.checkObject(L)
		t := L.CreateTable(len(o.names), 0)
		v.need(L, int64(chargeStore*len(o.names)))
		for _, k := range o.names {
			t.Append(glua.LString(k))
		}
		L.Push(t)
		return 1
	}))
	m.RawSetString("len", L.NewFunction(func(L *glua.LState) int {
		L.Push(glua.LNumber(len(v.checkObject(L).names)))
		return 1
	}))
	return mt
}

// listMetatable makes the luaList methods: get, set, del, len (0-based
// indexes, as KrakenD's).
func (v *vm) listMetatable() *glua.LTable {
	L := v.L
	mt := L.NewTable()
	m := L.NewTable()
	mt.RawSetString("__index", m)
	m.RawSetString("get", L.NewFunction(func(L *glua.LState) int {
		l := v.checkList(L)
		i := L.CheckInt(2)
		if i < 0 || i >= len(l.items) {
			L.Push(glua.LNil)
			return 1
		}
		L.Push(v.toLua(l.items[i]))
		return 1
	}))
	m.RawSetString("set", L.NewFunction(func(L *glua.LState) int {
		l := v.checkList(L)
		i := L.CheckInt(2)
		x := v.setValue(L, 3)
		switch {
		case i >= 0 && i < len(l.items):
			l.items[i] = x
		case i == len(l.items):
			l.items = append(l.items, x)
		default:
			L.ArgError(2, "index out of range (0.."+itoa(len(l.items))+")")
		}
		return 0
	}))
	m.RawSetString("del", L.NewFunction(func(L *glua.LState) int {
		l := v.checkList(L)
		if i := L.CheckInt(2); i >= 0 && i < len(l.items) {
			l.items = slices.Delete(l.items, i, i+1)
		}
		return 0
	}))
	m.RawSetString("len", L.NewFunction(func(L *glua.LState) int {
		L.Push(glua.LNumber(len(v.checkList(L).items)))
		return 1
	}))
	return mt
}
