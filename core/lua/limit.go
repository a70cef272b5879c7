package lua

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"time"
	"unsafe"

	glua "github.com/yuin/gopher-lua"
)

// Limit errors. A run that ends with one of them is reported as a
// *LimitError wrapping it.
var (
	// ErrSteps is the step budget running out.
	ErrSteps = errors.New("Lua step limit exceeded")
	// ErrMemory is the memory budget running out.
	ErrMemory = errors.New("Lua memory limit exceeded")
)

// Defaults of Options.MaxSteps and Options.MaxMemory.
const (
	DefaultMaxSteps  = 1_000_000
	DefaultMaxMemory = 10 << 20
)

// Fixed charges of the instructions that grow tables or make closures.
const (
	chargeTable   = 64
	chargeStore   = 16
	chargeClosure = 64
	chargeNumber  = 24
)

// closedChan is returned by limiter.Done once a limit is reached.
var closedChan = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// limiter is the context a Lua state runs under: gopher-lua calls Done
// before every instruction, so Done counts steps and charges memory.
type limiter struct {
	L        *glua.LState
	parent   context.Context
	steps    int64
	maxSteps int64
	mem      int64
	maxMem   int64
	err      error
}

func (l *limiter) reset(parent context.Context, maxSteps, maxMem int64) {
	l.parent, l.steps, l.maxSteps, l.mem, l.maxMem, l.err = parent, 0, maxSteps, 0, maxMem, nil
}

// Deadline implements context.Context.
func (l *limiter) Deadline() (time.Time, bool) { return l.parent.Deadline() }

// Value implements context.Context.
func (l *limiter) Value(key any) any { return l.parent.Value(key) }

// Err implements context.Context: the limit reached, or the parent's
// error.
func (l *limiter) Err() error {
	if l.err != nil {
		return l.err
	}
	return l.parent.Err()
}

// Done implements context.Context. It returns a closed channel once a
// limit is reached (and from then on, so that a pcall cannot resume the
// script), else nil, which gopher-lua's select never picks.
func (l *limiter) Done() <-chan struct{} {
	if l.err != nil {
		return closedChan
	}
	l.steps++
	if l.steps > l.maxSteps {
		l.err = ErrSteps
		return closedChan
	}
	if l.steps&1023 == 0 {
		if err := l.parent.Err(); err != nil {
			l.err = err
			return closedChan
		}
	}
	if frameLayout.ok {
		l.account()
		if l.err != nil {
			return closedChan
		}
	}
	return nil
}

// charge adds n bytes to the memory used; it reports false once the
// budget is exceeded.
func (l *limiter) charge(n int64) bool {
	l.mem += n
	if l.mem > l.maxMem {
		if l.err == nil {
			l.err = ErrMemory
		}
		return false
	}
	return true
}

// remaining is the memory budget left.
func (l *limiter) remaining() int64 { return l.maxMem - l.mem }

// account charges the instruction about to run.
func (l *limiter) account() {
	cf := *(*unsafe.Pointer)(unsafe.Add(unsafe.Pointer(l.L), frameLayout.frame))
	if cf == nil {
		return
	}
	fn := *(**glua.LFunction)(unsafe.Add(cf, frameLayout.fn))
	if fn == nil || fn.IsG || fn.Proto == nil {
		return
	}
	pc := *(*int)(unsafe.Add(cf, frameLayout.pc)) - 1
	if pc < 0 || pc >= len(fn.Proto.Code) {
		return
	}
	inst := fn.Proto.Code[pc]
	switch int(inst >> 26) {
	case glua.OP_CONCAT:
		b, c := int(inst&0x1ff), int(inst>>9)&0x1ff
		var n int64
		for r := b; r <= c; r++ {
			switch v := l.L.Get(r + 1).(type) {
			case glua.LString:
				n += int64(len(v))
			case glua.LNumber:
				n += chargeNumber
			}
		}
		l.charge(n)
	case glua.OP_NEWTABLE:
		l.charge(chargeTable)
	case glua.OP_SETTABLE, glua.OP_SETTABLEKS:
		l.charge(chargeStore)
	case glua.OP_SETLIST:
		n := int64(inst & 0x1ff)
		if n == 0 {
			n = int64(glua.FieldsPerFlush)
		}
		l.charge(chargeStore * n)
	case glua.OP_CLOSURE:
		l.charge(chargeClosure)
	}
}

// frameLayout locates gopher-lua's current call frame inside an LState
// and the fields account reads in it. It is checked with reflection the
// first time a Script is compiled; if the layout is not the expected one,
// ok stays false and only the Go functions charge memory.
var frameLayout struct {
	ok             bool
	frame, fn, pc  uintptr
	checkedOnce    sync.Once
	checkedProblem string
}

// checkFrameLayout fills frameLayout.
func checkFrameLayout() {
	frameLayout.checkedOnce.Do(func() {
		f, ok := reflect.TypeOf(glua.LState{}).FieldByName("currentFrame")
		if !ok || f.Type.Kind() != reflect.Pointer || f.Type.Elem().Kind() != reflect.Struct {
			frameLayout.checkedProblem = "LState.currentFrame not found"
			return
		}
		cf := f.Type.Elem()
		fn, ok1 := cf.FieldByName("Fn")
		pc, ok2 := cf.FieldByName("Pc")
		if !ok1 || !ok2 || fn.Type != reflect.TypeOf((*glua.LFunction)(nil)) || pc.Type.Kind() != reflect.Int {
			frameLayout.checkedProblem = "callFrame.Fn or callFrame.Pc not found"
			return
		}
		frameLayout.frame, frameLayout.fn, frameLayout.pc = f.Offset, fn.Offset, pc.Offset
		frameLayout.ok = true
	})
}
