// Package lua runs the Lua scripts of the modifier/lua-endpoint,
// modifier/lua-proxy and modifier/lua-backend namespaces with gopher-lua.
//
// A [Script] is compiled once at load: the sources files, pre and post
// become function prototypes shared by every Lua state. Lua states come
// from a pool; each one ran the sources once when it was made. A request
// takes one state for its [Session] (pre and post of one request share it)
// and gives it a fresh global table whose missing names fall back to the
// state's globals, so a global a script assigns is visible to the same
// request's post but never to another request.
//
// # Limits
//
// Every run of pre or post has a step budget and a memory budget.
//
// Steps: gopher-lua checks its context before every VM instruction; the
// state's context is a [context.Context] of this package that counts those
// checks, so the step budget is an exact instruction count. The request's
// own context is polled every 1024 steps. Go functions (string.find on a
// long subject, for example) run as one step.
//
// Memory: gopher-lua has no allocator hook, so the budget counts the bytes
// a script creates rather than the bytes it holds. Before each instruction
// the same check reads the instruction about to run (from the state's
// current call frame, located once with reflection) and charges string
// concatenation by the size of its result, table construction and stores
// by a fixed amount each, and closures likewise; the Go functions that
// make strings (string.rep, string.format, string.gsub, table.concat,
// string.upper, string.lower, string.reverse, string.char, and reading
// the body or data) charge what they return, refusing before they
// allocate when the result is known in advance. The count is cumulative
// for one run, so garbage counts too: a script that builds a large string
// by appending one character at a time uses its budget quadratically
// (table.concat does not). Coroutines, os, io, debug, package, load,
// loadstring, dofile and loadfile are never available.
package lua
