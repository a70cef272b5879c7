// Package celcheck compiles and evaluates the boolean Common Expression
// Language checks of the validation/cel namespace. Expressions are
// compiled once, at load; each evaluation is bounded by a cost limit and by
// the request's context, so a hostile expression or a hostile input ends in
// a failed check, never in a hang.
//
// The package is a core leaf: it knows nothing of stages or plans. Callers
// fill a Vars with what the phase knows and ask a Check whether it holds.
package celcheck

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/ext"
	"github.com/google/cel-go/interpreter"
)

// Phase is a set of evaluation phases, chosen by the variables an
// expression names.
type Phase uint8

// The phases an expression may run in.
const (
	// PhaseJWT runs with the validated token claims, right after the
	// token is accepted.
	PhaseJWT Phase = 1 << iota
	// PhaseRequest runs before the request reaches the backends.
	PhaseRequest
	// PhaseResponse runs on the response, before it is encoded.
	PhaseResponse
)

// Limits of compilation and evaluation.
const (
	// MaxExprBytes bounds the length of one expression.
	MaxExprBytes = 8 << 10
	// CostLimit bounds the runtime cost of one evaluation, in cel-go cost
	// units (roughly one per operation, more for work proportional to the
	// size of strings and lists). Over it the evaluation fails.
	CostLimit = 100_000
	// interruptEvery is how many comprehension iterations pass between
	// two checks of the context.
	interruptEvery = 64
	// maxRecursion bounds the parser's nesting depth.
	maxRecursion = 64
	// maxRegexProgram bounds the compiled size of a matches() pattern,
	// including one that comes from the request at run time.
	maxRegexProgram = 2048
)

// Variable names, as KrakenD names them.
const (
	varReqMethod     = "req_method"
	varReqPath       = "req_path"
	varReqParams     = "req_params"
	varReqHeaders    = "req_headers"
	varReqQuery      = "req_querystring"
	varNow           = "now"
	varRespCompleted = "resp_completed"
	varRespStatus    = "resp_metadata_status"
	varRespHeaders   = "resp_metadata_headers"
	varRespData      = "resp_data"
	varJWT           = "JWT"
)

// Check is one compiled expression. It is safe for concurrent use.
type Check struct {
	expr   string
	phases Phase
	prg    cel.Program
}

// environment returns the shared environment, built on the first
// Compile: a binary that never compiles an expression pays nothing for it.
var environment = sync.OnceValues(newEnv)

func newEnv() (*cel.Env, error) {
	strList := cel.ListType(cel.StringType)
	return cel.NewEnv(
		cel.Variable(varReqMethod, cel.StringType),
		cel.Variable(varReqPath, cel.StringType),
		cel.Variable(varReqParams, cel.MapType(cel.StringType, cel.StringType)),
		cel.Variable(varReqHeaders, cel.MapType(cel.StringType, strList)),
		cel.Variable(varReqQuery, cel.MapType(cel.StringType, strList)),
		cel.Variable(varNow, cel.TimestampType),
		cel.Variable(varRespCompleted, cel.BoolType),
		cel.Variable(varRespStatus, cel.IntType),
		cel.Variable(varRespHeaders, cel.MapType(cel.StringType, strList)),
		cel.Variable(varRespData, cel.DynType),
		cel.Variable(varJWT, cel.MapType(cel.StringType, cel.DynType)),
		ext.Strings(),
		cel.CrossTypeNumericComparisons(true),
		cel.ParserRecursionLimit(maxRecursion),
		cel.ParserExpressionSizeLimit(MaxExprBytes),
		cel.RegexProgramSizeLimit(maxRegexProgram),
	)
}

// PhasesOf reports the phases expr runs in, chosen as KrakenD chooses
// them: by the text "JWT", "req_" or "resp_" appearing anywhere in it.
func PhasesOf(expr string) Phase {
	var p Phase
	if strings.Contains(expr, "JWT") {
		p |= PhaseJWT
	}
	if strings.Contains(expr, "req_") {
		p |= PhaseRequest
	}
	if strings.Contains(expr, "resp_") {
		p |= PhaseResponse
	}
	return p
}

// Compile parses and type-checks expr, which must be a boolean expression
// naming at least one of JWT, req_ or resp_ variables.
func Compile(expr string) (*Check, error) {
	if len(expr) > MaxExprBytes {
		return nil, fmt.Errorf("expression is %d bytes; the limit is %d", len(expr), MaxExprBytes)
	}
	if strings.TrimSpace(expr) == "" {
		return nil, errors.New("empty expression")
	}
	phases := PhasesOf(expr)
	if phases == 0 {
		return nil, errors.New("the expression names none of JWT, req_ or resp_ variables, so it would never run")
	}
	env, err := environment()
	if err != nil {
		return nil, fmt.Errorf("CEL environment: %w", err)
	}
	ast, iss := env.Compile(expr)
	if iss != nil && iss.Err() != nil {
		return nil, errors.New(oneLine(iss.Err().Error()))
	}
	if t := ast.OutputType(); !t.IsExactType(types.BoolType) && !t.IsExactType(types.DynType) {
		return nil, fmt.Errorf("the expression gives a %s, not a bool", t)
	}
	prg, err := env.Program(ast,
		cel.CostLimit(CostLimit),
		cel.InterruptCheckFrequency(interruptEvery),
	)
	if err != nil {
		return nil, errors.New(oneLine(err.Error()))
	}
	return &Check{expr: expr, phases: phases, prg: prg}, nil
}

// oneLine folds cel-go's multi-line messages into one line: the lines
// that echo the source and draw a caret under the column are dropped, and
// "ERROR: <input>:L:C:" becomes "at L:C:".
func oneLine(s string) string {
	var parts []string
	for line := range strings.SplitSeq(s, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "|") {
			continue
		}
		t = strings.Replace(t, "ERROR: <input>:", "at ", 1)
		parts = append(parts, t)
	}
	return strings.Join(parts, "; ")
}

// Expr returns the expression's text.
func (c *Check) Expr() string { return c.expr }

// Phases reports the phases the expression runs in.
func (c *Check) Phases() Phase { return c.phases }

// Request holds the request variables.
type Request struct {
	// Method is req_method.
	Method string
	// Path is req_path.
	Path string
	// Params is req_params: each name with its first letter upper-cased.
	Params map[string]string
	// Headers is req_headers (canonical names).
	Headers map[string][]string
	// Query is req_querystring.
	Query map[string][]string
}

// Response holds the response variables.
type Response struct {
	// Completed is resp_completed.
	Completed bool
	// Status is resp_metadata_status.
	Status int
	// Headers is resp_metadata_headers.
	Headers map[string][]string
	// Data is resp_data: the decoded JSON (map[string]any, []any, string,
	// float64, bool or nil).
	Data any
}

// Vars are the variables of one evaluation. A nil Request, Response or
// JWT leaves those variables unbound: an expression that reads them fails.
type Vars struct {
	// Request binds the req_ variables when non-nil.
	Request *Request
	// Response binds the resp_ variables when non-nil.
	Response *Response
	// JWT binds the JWT variable when non-nil.
	JWT map[string]any
	// Now is the time bound to now; zero means time.Now().
	Now time.Time
}

// ResolveName implements interpreter.Activation.
func (v *Vars) ResolveName(name string) (any, bool) {
	switch name {
	case varNow:
		if v.Now.IsZero() {
			return time.Now(), true
		}
		return v.Now, true
	case varJWT:
		if v.JWT == nil {
			return nil, false
		}
		return v.JWT, true
	}
	if r := v.Request; r != nil {
		switch name {
		case varReqMethod:
			return r.Method, true
		case varReqPath:
			return r.Path, true
		case varReqParams:
			return orEmpty(r.Params), true
		case varReqHeaders:
			return orEmptyList(r.Headers), true
		case varReqQuery:
			return orEmptyList(r.Query), true
		}
	}
	if r := v.Response; r != nil {
		switch name {
		case varRespCompleted:
			return r.Completed, true
		case varRespStatus:
			return int64(r.Status), true
		case varRespHeaders:
			return orEmptyList(r.Headers), true
		case varRespData:
			if r.Data == nil {
				return map[string]any{}, true
			}
			return r.Data, true
		}
	}
	return nil, false
}

// Parent implements interpreter.Activation.
func (v *Vars) Parent() interpreter.Activation { return nil }

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func orEmptyList(m map[string][]string) map[string][]string {
	if m == nil {
		return map[string][]string{}
	}
	return m
}

// ErrFalse is the error Eval returns when the expression evaluated to
// false.
var ErrFalse = errors.New("the expression is false")

// Eval evaluates the check. It returns nil when the expression is true;
// ErrFalse when it is false; otherwise the evaluation error (an unbound
// or missing variable, a type error at run time, the cost limit, or ctx
// ending), which callers treat as false.
func (c *Check) Eval(ctx context.Context, v *Vars) (err error) {
	defer func() {
		// cel-go reports errors as values; a panic here would be a bug in
		// it, and one bad expression must not take the gateway down.
		if r := recover(); r != nil {
			err = fmt.Errorf("evaluation panicked: %v", r)
		}
	}()
	out, _, err := c.prg.ContextEval(ctx, v)
	if err != nil {
		return err
	}
	switch out {
	case types.True:
		return nil
	case types.False:
		return ErrFalse
	}
	return fmt.Errorf("the expression gave %v, not a bool", out.Type())
}
