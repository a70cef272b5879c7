package samlocal

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Event types that start-api serves.
const (
	// EventREST is an API Gateway REST API event (`Type: Api`, payload 1.0).
	EventREST = "Api"
	// EventHTTP is an API Gateway HTTP API event (`Type: HttpApi`, payload
	// 2.0 unless PayloadFormatVersion says "1.0").
	EventHTTP = "HttpApi"
)

// Defaults that SAM applies when a template leaves a setting out.
const (
	// DefaultTimeout is a function's timeout when neither the function nor
	// Globals sets one.
	DefaultTimeout = 3 * time.Second
	// DefaultMemorySize is a function's memory size in MB when neither the
	// function nor Globals sets one.
	DefaultMemorySize = 128
	// ImplicitRESTStage is the stage of the implicit REST API that SAM
	// creates for Api events without a RestApiId.
	ImplicitRESTStage = "Prod"
	// DefaultHTTPStage is the stage of an HTTP API without a StageName.
	DefaultHTTPStage = "$default"
)

// maxTemplateBytes bounds the template file read by LoadTemplate.
const maxTemplateBytes = 8 << 20

// Template is what start-api and invoke need from a SAM template.
type Template struct {
	// Path is the template file as LoadTemplate was given it (empty after
	// ParseTemplate).
	Path string
	// Dir is the template's directory, absolute (set by LoadTemplate; empty
	// after ParseTemplate). Builds run there, as CodeUri is relative to it.
	Dir string
	// Functions are the AWS::Serverless::Function resources, in template
	// order.
	Functions []*Function
	// Warnings name settings that were skipped, such as an environment
	// variable whose value is an intrinsic function that cannot be resolved
	// locally, and overrides that did not apply. Each starts with the name
	// of the file it is about ("file:line:col: " for a template setting).
	Warnings []string
}

// TemplateOptions adjust how a template is read, the way `sam local`'s
// --parameter-overrides and --env-vars do. The zero value reads the
// template as written.
type TemplateOptions struct {
	// Parameters are parameter values that replace the Defaults of the
	// template's Parameters (and give a value to those without one),
	// wherever a !Ref names them: environment variables, paths, stage
	// names, timeouts. Nil: the Defaults.
	Parameters map[string]string
	// EnvVars replaces the values of environment variables the functions
	// declare. Nil: none.
	EnvVars *EnvVars
}

// Function is one AWS::Serverless::Function with Globals merged in.
type Function struct {
	// LogicalID is the resource's logical ID (letters and digits only).
	LogicalID string
	// Timeout is the function timeout (Globals.Function.Timeout, overridden
	// by the function's own). Default DefaultTimeout.
	Timeout time.Duration
	// MemorySize is the memory size in MB. Default DefaultMemorySize.
	MemorySize int
	// Environment holds Globals.Function.Environment.Variables merged with
	// the function's own (which win), with !Ref resolved to parameter
	// values (TemplateOptions.Parameters, else the Default); a variable
	// that TemplateOptions.EnvVars sets takes that value instead. Never
	// nil.
	Environment map[string]string
	// Events are the function's Api and HttpApi events, in template order.
	// Events of other types are not kept.
	Events []*Event
}

// Environ returns Environment as sorted KEY=VALUE pairs.
func (f *Function) Environ() []string {
	out := make([]string, 0, len(f.Environment))
	for k, v := range f.Environment {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// Event is one Api or HttpApi event of a function.
type Event struct {
	// Name is the event's key under Events.
	Name string
	// Type is EventREST or EventHTTP.
	Type string
	// Path is the route path, e.g. "/frontpage/{id_user}" or "/{proxy+}".
	// Empty only for an HttpApi event without Path and Method, which is the
	// API's $default route.
	Path string
	// Method is the upper-case method, or "ANY" for every method.
	Method string
	// PayloadFormatVersion is "1.0" or "2.0". Always "1.0" for EventREST;
	// default "2.0" for EventHTTP.
	PayloadFormatVersion string
	// Stage is the stage name: the RestApi's StageName (ImplicitRESTStage
	// without a RestApiId) or the HttpApi's (DefaultHTTPStage without an
	// ApiId or StageName).
	Stage string
	// BinaryMediaTypes are the REST API's binary media types, "~1" decoded
	// to "/" (Globals.Api.BinaryMediaTypes first). Empty for EventHTTP.
	BinaryMediaTypes []string
}

// IsDefaultRoute reports whether e is an HTTP API $default route (an
// HttpApi event with neither Path nor Method).
func (e *Event) IsDefaultRoute() bool { return e.Path == "" }

// V2 reports whether the function receives payload format 2.0 events.
func (e *Event) V2() bool { return e.Type == EventHTTP && e.PayloadFormatVersion == "2.0" }

// Function returns the function with the given logical ID, or nil.
func (t *Template) Function(id string) *Function {
	for _, f := range t.Functions {
		if f.LogicalID == id {
			return f
		}
	}
	return nil
}

// LoadTemplate reads and parses the template at path and sets Path and
// Dir.
func LoadTemplate(path string, o TemplateOptions) (*Template, error) {
	data, err := readCapped(path, "the template", maxTemplateBytes)
	if err != nil {
		return nil, err
	}
	t, err := ParseTemplate(path, data, o)
	if err != nil {
		return nil, err
	}
	t.Path = path
	if t.Dir, err = filepath.Abs(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// ParseTemplate parses a SAM template. name prefixes every error and
// warning about it (file:line:col).
func ParseTemplate(name string, data []byte, o TemplateOptions) (*Template, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: the template is empty", name)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p := &parser{name: name, t: &Template{}, overrides: o.Parameters, env: newEnvOverlay(o.EnvVars)}
	root := deref(&doc)
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = deref(root.Content[0])
	}
	if root.Kind != yaml.MappingNode {
		return nil, p.errorf(root, "the template must be a mapping")
	}
	if err := p.parse(root); err != nil {
		return nil, err
	}
	p.warnUnused()
	return p.t, nil
}

// parser holds the state of one ParseTemplate call.
type parser struct {
	name      string
	t         *Template
	params    map[string]*yaml.Node // Parameters: name → Default (nil: none)
	overrides map[string]string     // TemplateOptions.Parameters
	used      map[string]bool       // overrides a !Ref resolved to
	env       *envOverlay           // TemplateOptions.EnvVars; nil: none
	resources *yaml.Node
	globals   struct {
		timeout, memory *yaml.Node
		env             *yaml.Node
		binary          []string
	}
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%s:%d:%d: %s", p.name, n.Line, n.Column, fmt.Sprintf(format, args...))
}

func (p *parser) warnf(n *yaml.Node, format string, args ...any) {
	p.t.Warnings = append(p.t.Warnings, fmt.Sprintf("%s:%d:%d: %s", p.name, n.Line, n.Column, fmt.Sprintf(format, args...)))
}

func (p *parser) parse(root *yaml.Node) error {
	p.params = map[string]*yaml.Node{}
	if params := get(root, "Parameters"); params != nil {
		if params.Kind != yaml.MappingNode {
			return p.errorf(params, "Parameters must be a mapping")
		}
		for i := 0; i+1 < len(params.Content); i += 2 {
			name := params.Content[i].Value
			p.params[name] = nil
			if def := get(deref(params.Content[i+1]), "Default"); def != nil {
				p.params[name] = def
			}
		}
	}
	if g := get(root, "Globals"); g != nil {
		if fn := get(g, "Function"); fn != nil {
			p.globals.timeout = get(fn, "Timeout")
			p.globals.memory = get(fn, "MemorySize")
			if env := get(fn, "Environment"); env != nil {
				p.globals.env = get(env, "Variables")
			}
		}
		if api := get(g, "Api"); api != nil {
			bin, err := p.binaryTypes(get(api, "BinaryMediaTypes"))
			if err != nil {
				return err
			}
			p.globals.binary = bin
		}
	}
	p.resources = get(root, "Resources")
	if p.resources == nil {
		return p.errorf(root, "the template has no Resources")
	}
	if p.resources.Kind != yaml.MappingNode {
		return p.errorf(p.resources, "Resources must be a mapping")
	}
	for i := 0; i+1 < len(p.resources.Content); i += 2 {
		key, res := p.resources.Content[i], deref(p.resources.Content[i+1])
		if typ := get(res, "Type"); typ == nil || typ.Value != "AWS::Serverless::Function" {
			continue
		}
		fn, err := p.function(key, res)
		if err != nil {
			return err
		}
		p.t.Functions = append(p.t.Functions, fn)
	}
	return nil
}

func (p *parser) function(key, res *yaml.Node) (*Function, error) {
	if !logicalID(key.Value) {
		return nil, p.errorf(key, "logical ID %q: want letters and digits only", key.Value)
	}
	fn := &Function{LogicalID: key.Value, Timeout: DefaultTimeout, MemorySize: DefaultMemorySize, Environment: map[string]string{}}
	props := get(res, "Properties")
	if props != nil && props.Kind != yaml.MappingNode {
		return nil, p.errorf(props, "%s: Properties must be a mapping", fn.LogicalID)
	}
	for _, n := range []*yaml.Node{p.globals.timeout, get(props, "Timeout")} {
		if n == nil {
			continue
		}
		secs, err := p.integer(n, "Timeout", 1, 900)
		if err != nil {
			return nil, err
		}
		fn.Timeout = time.Duration(secs) * time.Second
	}
	for _, n := range []*yaml.Node{p.globals.memory, get(props, "MemorySize")} {
		if n == nil {
			continue
		}
		mb, err := p.integer(n, "MemorySize", 128, 10240)
		if err != nil {
			return nil, err
		}
		fn.MemorySize = mb
	}
	var own *yaml.Node
	if env := get(props, "Environment"); env != nil {
		own = get(env, "Variables")
	}
	for _, vars := range []*yaml.Node{p.globals.env, own} {
		if err := p.variables(fn.LogicalID, vars, fn.Environment); err != nil {
			return nil, err
		}
	}
	events := get(props, "Events")
	if events == nil {
		return fn, nil
	}
	if events.Kind != yaml.MappingNode {
		return nil, p.errorf(events, "%s: Events must be a mapping", fn.LogicalID)
	}
	for i := 0; i+1 < len(events.Content); i += 2 {
		ev, err := p.event(fn.LogicalID, events.Content[i], deref(events.Content[i+1]))
		if err != nil {
			return nil, err
		}
		if ev != nil {
			fn.Events = append(fn.Events, ev)
		}
	}
	return fn, nil
}

// event reads one entry of Events; it returns nil for event types that
// start-api does not serve.
func (p *parser) event(fnID string, key, n *yaml.Node) (*Event, error) {
	typ := get(n, "Type")
	if typ == nil || (typ.Value != EventREST && typ.Value != EventHTTP) {
		return nil, nil
	}
	where := fnID + " event " + key.Value
	ev := &Event{Name: key.Value, Type: typ.Value}
	props := get(n, "Properties")
	if props != nil && props.Kind != yaml.MappingNode {
		return nil, p.errorf(props, "%s: Properties must be a mapping", where)
	}
	pathN, methodN := get(props, "Path"), get(props, "Method")
	if ev.Type == EventHTTP && pathN == nil && methodN == nil {
		ev.Method = "ANY" // the HTTP API's $default route
	} else {
		if pathN == nil || methodN == nil {
			return nil, p.errorf(n, "%s: Path and Method are required", where)
		}
		var err error
		if ev.Path, err = p.str(pathN, where+" Path"); err != nil {
			return nil, err
		}
		if err := validPath(ev.Path); err != nil {
			return nil, p.errorf(pathN, "%s: Path %q: %v", where, ev.Path, err)
		}
		method, err := p.str(methodN, where+" Method")
		if err != nil {
			return nil, err
		}
		ev.Method = strings.ToUpper(method)
		if !token(ev.Method) {
			return nil, p.errorf(methodN, "%s: Method %q is not an HTTP method", where, method)
		}
	}
	switch ev.Type {
	case EventREST:
		ev.PayloadFormatVersion = "1.0"
		ev.Stage = ImplicitRESTStage
		ev.BinaryMediaTypes = p.globals.binary
		if api := get(props, "RestApiId"); api != nil {
			res, err := p.apiResource(api, "AWS::Serverless::Api", where+" RestApiId")
			if err != nil {
				return nil, err
			}
			stage := get(res, "StageName")
			if stage == nil {
				return nil, p.errorf(api, "%s: the REST API has no StageName", where)
			}
			if ev.Stage, err = p.str(stage, "StageName"); err != nil {
				return nil, err
			}
			own, err := p.binaryTypes(get(res, "BinaryMediaTypes"))
			if err != nil {
				return nil, err
			}
			ev.BinaryMediaTypes = append(append([]string(nil), p.globals.binary...), own...)
		}
	case EventHTTP:
		ev.PayloadFormatVersion = "2.0"
		if v := get(props, "PayloadFormatVersion"); v != nil {
			s, err := p.str(v, where+" PayloadFormatVersion")
			if err != nil {
				return nil, err
			}
			if s != "1.0" && s != "2.0" {
				return nil, p.errorf(v, "%s: PayloadFormatVersion %q: want \"1.0\" or \"2.0\"", where, s)
			}
			ev.PayloadFormatVersion = s
		}
		ev.Stage = DefaultHTTPStage
		if api := get(props, "ApiId"); api != nil {
			res, err := p.apiResource(api, "AWS::Serverless::HttpApi", where+" ApiId")
			if err != nil {
				return nil, err
			}
			if stage := get(res, "StageName"); stage != nil {
				if ev.Stage, err = p.str(stage, "StageName"); err != nil {
					return nil, err
				}
			}
		}
	}
	return ev, nil
}

// apiResource resolves a RestApiId/ApiId reference to its resource's
// Properties, which must be of type want.
func (p *parser) apiResource(n *yaml.Node, want, what string) (*yaml.Node, error) {
	name, ok := refName(n)
	if !ok {
		return nil, p.errorf(n, "%s: want !Ref to a %s resource", what, want)
	}
	res := deref(get(p.resources, name))
	if res == nil {
		return nil, p.errorf(n, "%s: no resource %q", what, name)
	}
	if typ := get(res, "Type"); typ == nil || typ.Value != want {
		return nil, p.errorf(n, "%s: %q is not a %s", what, name, want)
	}
	return get(res, "Properties"), nil
}

// binaryTypes reads a BinaryMediaTypes list; "~1" stands for "/" and "~0"
// for "~" (JSON pointer escapes, as API Gateway reads them).
func (p *parser) binaryTypes(n *yaml.Node) ([]string, error) {
	if n == nil {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, p.errorf(n, "BinaryMediaTypes must be a list")
	}
	out := make([]string, 0, len(n.Content))
	for _, item := range n.Content {
		s, err := p.str(item, "BinaryMediaTypes item")
		if err != nil {
			return nil, err
		}
		s = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
		out = append(out, strings.ToLower(s))
	}
	return out, nil
}

// variables merges an Environment.Variables mapping of function fnID into
// dst. A variable the EnvVars set takes their value; otherwise values that
// cannot be resolved locally are skipped with a warning.
func (p *parser) variables(fnID string, n *yaml.Node, dst map[string]string) error {
	if n == nil {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return p.errorf(n, "Environment.Variables must be a mapping")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := n.Content[i].Value
		if key == "" || strings.ContainsAny(key, "=\x00") {
			return p.errorf(n.Content[i], "environment variable name %q is not valid", key)
		}
		if v, ok := p.env.lookup(fnID, key); ok {
			dst[key] = v
			continue
		}
		v, ok := p.resolve(n.Content[i+1])
		if !ok {
			p.warnf(n.Content[i+1], "environment variable %s: value cannot be resolved locally; not set (--env-vars can set it)", key)
			continue
		}
		if strings.IndexByte(v, 0) >= 0 {
			return p.errorf(n.Content[i+1], "environment variable %s holds a NUL byte", key)
		}
		dst[key] = v
	}
	return nil
}

// pseudoParam returns the value `sam local` gives a pseudo parameter.
func pseudoParam(name string) (string, bool) {
	switch name {
	case "AWS::Region":
		return "us-east-1", true
	case "AWS::AccountId":
		return accountID, true
	case "AWS::Partition":
		return "aws", true
	case "AWS::URLSuffix":
		return "amazonaws.com", true
	case "AWS::StackName":
		return "local", true
	}
	return "", false
}

// resolve returns the text of a scalar, or of a !Ref (short or long form)
// to a pseudo parameter, an overridden parameter or a parameter with a
// scalar Default.
func (p *parser) resolve(n *yaml.Node) (string, bool) {
	n = deref(n)
	if n == nil {
		return "", false
	}
	if name, ok := refName(n); ok {
		if v, ok := pseudoParam(name); ok {
			return v, true
		}
		if v, ok := p.overrides[name]; ok {
			if p.used == nil {
				p.used = map[string]bool{}
			}
			p.used[name] = true
			return v, true
		}
		def := deref(p.params[name])
		if def == nil || def.Kind != yaml.ScalarNode || (def.Tag != "" && strings.HasPrefix(def.Tag, "!") && !strings.HasPrefix(def.Tag, "!!")) {
			return "", false
		}
		return def.Value, true
	}
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" || (strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!")) {
		return "", false
	}
	return n.Value, true
}

// str resolves n to a string or fails naming what.
func (p *parser) str(n *yaml.Node, what string) (string, error) {
	v, ok := p.resolve(n)
	if !ok {
		return "", p.errorf(n, "%s: want a string or a !Ref to a parameter with a Default (or a value in --parameter-overrides)", what)
	}
	return v, nil
}

// integer resolves n to an integer in [lo, hi].
func (p *parser) integer(n *yaml.Node, what string, lo, hi int) (int, error) {
	v, ok := p.resolve(n)
	if !ok {
		return 0, p.errorf(n, "%s: want a number", what)
	}
	i, err := strconv.Atoi(v)
	if err != nil || i < lo || i > hi {
		return 0, p.errorf(n, "%s %q: want a whole number from %d to %d", what, v, lo, hi)
	}
	return i, nil
}

// refName returns the target of `!Ref X` or `{Ref: X}`.
func refName(n *yaml.Node) (string, bool) {
	n = deref(n)
	if n == nil {
		return "", false
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!Ref" {
		return n.Value, n.Value != ""
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Value == "Ref" {
		v := deref(n.Content[1])
		if v != nil && v.Kind == yaml.ScalarNode && v.Value != "" {
			return v.Value, true
		}
	}
	return "", false
}

// get returns the value under key in mapping m (aliases followed), or nil.
func get(m *yaml.Node, key string) *yaml.Node {
	m = deref(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == key {
			return deref(m.Content[i+1])
		}
	}
	return nil
}

// maxAliasHops bounds alias chains (an alias of an alias …).
const maxAliasHops = 32

// deref follows aliases to the node they name.
func deref(n *yaml.Node) *yaml.Node {
	for range maxAliasHops {
		if n == nil || n.Kind != yaml.AliasNode {
			return n
		}
		n = n.Alias
	}
	return nil
}

// logicalID reports whether s is a CloudFormation logical ID.
func logicalID(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// token reports whether s is an HTTP token (RFC 9110 §5.6.2).
func token(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tokenChar(s[i]) {
			return false
		}
	}
	return true
}

func tokenChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// readCapped reads the file at path, what it holds named by what in
// errors, refusing more than limit bytes.
func readCapped(path, what string, limit int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", what, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", what, err)
	}
	if len(data) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, limit)
	}
	return data, nil
}
