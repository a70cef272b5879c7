package config

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"strings"
)

// Lua is one of the "modifier/lua-endpoint", "modifier/lua-proxy" and
// "modifier/lua-backend" namespaces (§17.23). The scripts are only read
// here; core/plan compiles them (a syntax error is a load error there).
type Lua struct {
	// Namespace is the namespace name, e.g. "modifier/lua-proxy".
	Namespace string
	// JSONPath locates the namespace object, for diagnostics.
	JSONPath string
	// Pos is the position of the namespace object.
	Pos Position
	// Sources are the files of "sources", read at load, in file order.
	// They run once in each Lua state before pre and post, so the
	// functions they define are available to both. Default none.
	Sources []LuaSource
	// Pre is the Lua code run on the request; "" for none.
	Pre string
	// Post is the Lua code run on the response; "" for none (always ""
	// for lua-endpoint, which has no post).
	Post string
	// AllowOpenLibs opens the string, table and math libraries (os, io and
	// debug are never available). Default false.
	AllowOpenLibs bool
	// SkipNext (lua-proxy only) skips the backends: post runs on an empty
	// response and builds the whole answer. Default false.
	SkipNext bool
	// Live is accepted for compatibility; scripts are never reloaded.
	// Default false.
	Live bool
}

// LuaSource is one file of a Lua namespace's "sources".
type LuaSource struct {
	// Name is the path as the config spells it.
	Name string
	// Code is the file's content.
	Code string
}

// maxLuaSource bounds one sources file: scripts are code, not data.
const maxLuaSource = 1 << 20

var luaKeys = []string{"sources", "md5", "pre", "post", "live", "allow_open_libs", "skip_next"}

// lua decodes one of the Lua namespaces named ns.
func (l *loader) lua(ns string, v *node, base, key string) *Lua {
	if !l.object(v, base, key) {
		return nil
	}
	path := keyPath(base, key)
	o := &Lua{Namespace: ns, JSONPath: path, Pos: v.pos}
	ok := true
	var sums *member
	var srcNodes []*node
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "sources":
			list, good := l.strList(mv, path, m.key)
			if !good {
				ok = false
				continue
			}
			for i, name := range list {
				code, problem := readLuaSource(name)
				if problem != "" {
					l.errAt(mv.elems[i].pos, keyIndexPath(path, m.key, i), problem, "paths are relative to the working directory")
					ok = false
					continue
				}
				o.Sources = append(o.Sources, LuaSource{Name: name, Code: code})
				srcNodes = append(srcNodes, &mv.elems[i])
			}
		case "md5":
			if !l.object(mv, path, m.key) {
				ok = false
				continue
			}
			sums = m
		case "pre":
			if s, good := l.str(mv, path, m.key); good {
				o.Pre = s
			} else {
				ok = false
			}
		case "post":
			if s, good := l.str(mv, path, m.key); good {
				if ns == "modifier/lua-endpoint" && strings.TrimSpace(s) != "" {
					l.errNode(mv, keyPath(path, m.key), "lua-endpoint has no post script", "use modifier/lua-proxy to change the response")
					ok = false
					continue
				}
				o.Post = s
			} else {
				ok = false
			}
		case "live":
			if on, good := l.boolean(mv, path, m.key); good {
				o.Live = on
				if on {
					l.warnAt(m.pos, keyPath(path, m.key), "live reloading of Lua sources is not supported; the files are read once at load", "")
				}
			} else {
				ok = false
			}
		case "allow_open_libs":
			l.setBool(&o.AllowOpenLibs, mv, path, m.key)
		case "skip_next":
			if on, good := l.boolean(mv, path, m.key); good {
				if on && ns != "modifier/lua-proxy" {
					l.errNode(mv, keyPath(path, m.key), "skip_next is only valid in modifier/lua-proxy", "")
					ok = false
					continue
				}
				o.SkipNext = on
			} else {
				ok = false
			}
		default:
			l.unknownKey(objLua, path, m)
		}
	}
	if sums != nil && !l.luaChecksums(o, sums, path) {
		ok = false
	}
	if !ok {
		return nil
	}
	return o
}

// luaChecksums checks "md5": each key names a file of sources and its
// value is the file's hex MD5 sum (compared case-insensitively).
func (l *loader) luaChecksums(o *Lua, sums *member, path string) bool {
	ok := true
	mpath := keyPath(path, "md5")
	for i := range sums.val.members {
		m := &sums.val.members[i]
		want, good := l.str(&m.val, mpath, m.key)
		if !good {
			ok = false
			continue
		}
		var src *LuaSource
		for j := range o.Sources {
			if o.Sources[j].Name == m.key {
				src = &o.Sources[j]
				break
			}
		}
		if src == nil {
			l.errAt(m.pos, keyPath(mpath, m.key), "md5 names a file that is not in sources", "")
			ok = false
			continue
		}
		sum := md5.Sum([]byte(src.Code))
		if !strings.EqualFold(hex.EncodeToString(sum[:]), want) {
			l.errNode(&m.val, keyPath(mpath, m.key), "the md5 sum of "+quoteJSON(m.key)+" does not match its content", "the file changed since the sum was taken")
			ok = false
		}
	}
	return ok
}

// readLuaSource reads a sources file; problem is "" on success.
func readLuaSource(name string) (code, problem string) {
	if name == "" {
		return "", "empty sources path"
	}
	f, err := os.Open(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", "Lua source " + quoteJSON(name) + " not found"
		}
		return "", "reading Lua source " + quoteJSON(name) + ": " + err.Error()
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return "", "Lua source " + quoteJSON(name) + " is not a regular file"
	}
	if st.Size() > maxLuaSource {
		return "", "Lua source " + quoteJSON(name) + " is larger than 1 MiB"
	}
	buf, err := io.ReadAll(io.LimitReader(f, maxLuaSource+1))
	if err != nil {
		return "", "reading Lua source " + quoteJSON(name) + ": " + err.Error()
	}
	if len(buf) > maxLuaSource {
		return "", "Lua source " + quoteJSON(name) + " is larger than 1 MiB"
	}
	return string(buf), ""
}
