package lua

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	glua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// Kind is the namespace a script belongs to; it decides the objects the
// script sees (ctx for lua-endpoint, request and response for the others)
// and which request setters exist.
type Kind uint8

// The three kinds.
const (
	// Endpoint is modifier/lua-endpoint: ctx.load(), pre only.
	Endpoint Kind = iota
	// Proxy is modifier/lua-proxy: pre on the endpoint request, post on
	// the merged response.
	Proxy
	// Backend is modifier/lua-backend: pre on one backend's request, post
	// on its response.
	Backend
)

// Source is one file of the sources option.
type Source struct {
	// Name is the file name, used as the chunk name in error messages.
	Name string
	// Code is the file's content.
	Code string
}

// Options describe one script.
type Options struct {
	// Kind is the namespace the script belongs to.
	Kind Kind
	// Sources run once in each Lua state, before pre and post.
	Sources []Source
	// Pre and Post are Lua code; "" for none.
	Pre, Post string
	// OpenLibs opens the string, table and math libraries.
	OpenLibs bool
	// MaxSteps is the step budget of one run of pre or post. Default
	// DefaultMaxSteps.
	MaxSteps int64
	// MaxMemory is the memory budget of one run, in bytes. Default
	// DefaultMaxMemory.
	MaxMemory int64
}

// Script is a compiled script; it is safe for concurrent use.
type Script struct {
	opts      Options
	sources   []*glua.FunctionProto
	pre, post *glua.FunctionProto
	pool      sync.Pool
}

// SyntaxError is a script that does not compile.
type SyntaxError struct {
	// Chunk is "pre", "post" or the sources file name.
	Chunk string
	// Msg is the parser's message, with the line.
	Msg string
}

// Error names the chunk and the parser's message.
func (e *SyntaxError) Error() string { return "Lua syntax error in " + e.Chunk + ": " + e.Msg }

// RuntimeError is a script that raised an error.
type RuntimeError struct {
	// Msg is the error, located as "<chunk>:<line>: ..." when Lua knows
	// the line.
	Msg string
}

// Error returns the located Lua message.
func (e *RuntimeError) Error() string { return "Lua error: " + e.Msg }

// CustomError is a script that called custom_error(msg[, status]).
type CustomError struct {
	// Message is msg.
	Message string
	// Status is status, or 0 when the script named none.
	Status int
}

// Error returns the script's message.
func (e *CustomError) Error() string { return "Lua custom_error: " + e.Message }

// LimitError is a run stopped by a budget (ErrSteps, ErrMemory) or by the
// request's context.
type LimitError struct {
	// Err is ErrSteps, ErrMemory or the context's error.
	Err error
}

// Error names the limit reached.
func (e *LimitError) Error() string { return e.Err.Error() }

// Unwrap returns Err.
func (e *LimitError) Unwrap() error { return e.Err }

// Compile compiles o. A syntax error is a *SyntaxError; a sources file that
// fails when run is a *RuntimeError (or *LimitError).
func Compile(o Options) (*Script, error) {
	checkFrameLayout()
	if o.MaxSteps <= 0 {
		o.MaxSteps = DefaultMaxSteps
	}
	if o.MaxMemory <= 0 {
		o.MaxMemory = DefaultMaxMemory
	}
	s := &Script{opts: o}
	for _, src := range o.Sources {
		p, err := compileChunk(src.Name, src.Code)
		if err != nil {
			return nil, err
		}
		s.sources = append(s.sources, p)
	}
	var err error
	if strings.TrimSpace(o.Pre) != "" {
		if s.pre, err = compileChunk("pre", o.Pre); err != nil {
			return nil, err
		}
	}
	if strings.TrimSpace(o.Post) != "" {
		if s.post, err = compileChunk("post", o.Post); err != nil {
			return nil, err
		}
	}
	// One state now: sources that fail fail the load, not a request.
	v, err := s.newVM()
	if err != nil {
		return nil, err
	}
	s.pool.Put(v)
	return s, nil
}

// HasPre reports whether the script has a pre part.
func (s *Script) HasPre() bool { return s.pre != nil }

// HasPost reports whether the script has a post part.
func (s *Script) HasPost() bool { return s.post != nil }

func compileChunk(name, code string) (*glua.FunctionProto, error) {
	chunk, err := parse.Parse(strings.NewReader(code), name)
	if err != nil {
		msg := strings.Join(strings.Fields(strings.TrimPrefix(err.Error(), name+" ")), " ")
		if strings.HasPrefix(msg, "at EOF") {
			msg = "line " + itoa(strings.Count(code, "\n")+1) + ": unexpected end of script (" + msg + ")"
		}
		return nil, &SyntaxError{Chunk: name, Msg: msg}
	}
	p, err := glua.Compile(chunk, name)
	if err != nil {
		return nil, &SyntaxError{Chunk: name, Msg: err.Error()}
	}
	// A main chunk has no "arg" local, so the compatibility table
	// gopher-lua would build for it on every call is never readable.
	p.IsVarArg &^= glua.VarArgNeedsArg
	return p, nil
}

// Session is one request's Lua state: pre and post of the request run in
// it and share its globals. A Session is used by one goroutine at a time.
type Session struct {
	s   *Script
	v   *vm
	env *glua.LTable
}

// Begin takes a Lua state for one request; End gives it back. log
// receives print output (nil: discarded).
func (s *Script) Begin(log *slog.Logger) (*Session, error) {
	v, _ := s.pool.Get().(*vm)
	if v == nil {
		var err error
		if v, err = s.newVM(); err != nil {
			return nil, err
		}
	}
	v.log = log
	env := v.spareEnv
	v.spareEnv = nil
	if env == nil {
		env = v.L.NewTable()
		env.Metatable = v.envMT
	}
	// A Session of its own (not a field of the pooled state), so that a
	// stale holder can never reach the state's next request.
	return &Session{s: s, v: v, env: env}, nil
}

// End returns the state to the pool, unless a run failed in it. The
// Session must not be used afterwards.
func (ss *Session) End() {
	v := ss.v
	if v == nil {
		return
	}
	if k, _ := ss.env.Next(glua.LNil); k == glua.LNil && ss.env.Metatable == v.envMT {
		// No global was assigned: the table is as new.
		v.spareEnv = ss.env
	}
	ss.v, ss.env = nil, nil
	v.log = nil
	if !v.broken {
		ss.s.pool.Put(v)
	}
}

// Pre runs the pre script on req; nothing happens without one.
func (ss *Session) Pre(ctx context.Context, req *Request) error {
	if ss.s.pre == nil {
		return nil
	}
	return ss.run(ctx, ss.v.preFn, req, nil)
}

// Post runs the post script on resp (req is the request as pre left it,
// or nil); nothing happens without one.
func (ss *Session) Post(ctx context.Context, req *Request, resp *Response) error {
	if ss.s.post == nil {
		return nil
	}
	return ss.run(ctx, ss.v.postFn, req, resp)
}

func (ss *Session) run(ctx context.Context, fn *glua.LFunction, req *Request, resp *Response) (err error) {
	v := ss.v
	if v == nil {
		return errors.New("Lua session already ended")
	}
	v.req, v.resp = req, resp
	v.lim.reset(ctx, ss.s.opts.MaxSteps, ss.s.opts.MaxMemory)
	fn.Env = ss.env
	v.L.Push(fn)
	err = v.L.PCall(0, 0, nil)
	v.req, v.resp = nil, nil
	lerr := v.lim.err
	v.lim.parent = context.Background()
	if err == nil {
		return nil
	}
	v.broken = true
	return classify(err, lerr)
}

// classify turns a PCall error into one of the package's errors.
func classify(err, limit error) error {
	if limit != nil {
		return &LimitError{Err: limit}
	}
	var api *glua.ApiError
	if errors.As(err, &api) {
		if ud, ok := api.Object.(*glua.LUserData); ok {
			if ce, ok := ud.Value.(*CustomError); ok {
				return ce
			}
		}
		if api.Object != nil {
			return &RuntimeError{Msg: api.Object.String()}
		}
	}
	return &RuntimeError{Msg: err.Error()}
}

// vm is one pooled Lua state.
type vm struct {
	L      *glua.LState
	lim    limiter
	envMT  *glua.LTable
	preFn  *glua.LFunction
	postFn *glua.LFunction
	tblMT  *glua.LTable
	listMT *glua.LTable
	reqUD  *glua.LUserData
	respUD *glua.LUserData
	log    *slog.Logger
	req    *Request
	resp   *Response
	// spareEnv is a per-request global table no script wrote to, kept for
	// the next request.
	spareEnv *glua.LTable
	// broken marks a state a run failed in: it is not reused.
	broken bool
}

// newVM makes a Lua state: the libraries, the API objects, then the
// sources.
func (s *Script) newVM() (v *vm, err error) {
	L := glua.NewState(glua.Options{
		SkipOpenLibs:    true,
		CallStackSize:   200,
		RegistrySize:    1024,
		RegistryMaxSize: 64 * 1024,
	})
	v = &vm{L: L}
	v.lim.L = L
	v.lim.reset(context.Background(), s.opts.MaxSteps, s.opts.MaxMemory)
	L.SetContext(&v.lim)
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("preparing the Lua state: %v", p)
		}
		if err != nil {
			L.Close()
			v = nil
		}
	}()
	if err = v.openLibs(s.opts.OpenLibs); err != nil {
		return nil, err
	}
	v.register(s.opts.Kind)
	for _, p := range s.sources {
		v.lim.reset(context.Background(), s.opts.MaxSteps, s.opts.MaxMemory)
		L.Push(L.NewFunctionFromProto(p))
		if perr := L.PCall(0, 0, nil); perr != nil {
			return nil, classify(perr, v.lim.err)
		}
	}
	if s.pre != nil {
		v.preFn = L.NewFunctionFromProto(s.pre)
	}
	if s.post != nil {
		v.postFn = L.NewFunctionFromProto(s.post)
	}
	v.envMT = L.NewTable()
	v.envMT.RawSetString("__index", L.G.Global)
	return v, nil
}
