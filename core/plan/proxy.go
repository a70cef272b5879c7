package plan

import (
	"fmt"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/shape"
)

// StaticStrategy says when static data is injected (krakend-compat §12.3).
type StaticStrategy uint8

// Static strategies.
const (
	// StaticAlways injects the data every time.
	StaticAlways StaticStrategy = iota
	// StaticSuccess injects it when no backend failed (error data is not
	// a failure).
	StaticSuccess
	// StaticComplete injects it when every backend succeeded.
	StaticComplete
	// StaticErrored injects it when some backend failed.
	StaticErrored
	// StaticIncomplete injects it when the result is not complete.
	StaticIncomplete
)

// Static is an endpoint's compiled proxy.static.
type Static struct {
	// Strategy says when Data is injected.
	Strategy StaticStrategy
	// Data is the object whose members overwrite the merged result's.
	// Read-only: it is shared by every request.
	Data shape.Object
}

// Applies reports whether the data is injected for a result in which
// some backend failed (failed) and some produced error data (errData).
func (s *Static) Applies(failed, errData bool) bool {
	switch s.Strategy {
	case StaticSuccess:
		return !failed
	case StaticComplete:
		return !failed && !errData
	case StaticErrored:
		return failed
	case StaticIncomplete:
		return failed || errData
	}
	return true
}

// RespRef is one {resp<N>_<path>} placeholder of a sequential backend's
// url_pattern (krakend-compat §12.2).
type RespRef struct {
	// Name is the placeholder name as written ("resp0_user.id").
	Name string
	// Backend is N, the index of the earlier backend read.
	Backend int
	// Path are the dot path's keys, through objects.
	Path []string
}

// ApplyShape runs the backend's response shaping on a decoded body
// (krakend-compat §9 steps 4–7): target, allow or deny, mapping, group;
// with a flatmap_filter, target, the flatmap operations, then group.
func (b *Backend) ApplyShape(o shape.Object) shape.Object {
	o = b.Shape.Apply(o)
	if b.Flatmap != nil {
		o = b.Regroup.Apply(b.Flatmap.Apply(o))
	}
	return o
}

// compileBackendProxy compiles the backend's flatmap_filter (replacing
// allow, deny and mapping) and its {resp<N>_<path>} placeholders.
func compileBackendProxy(cb *Backend, e *config.Endpoint, b *config.Backend) error {
	if len(b.Flatmap) > 0 {
		fm, err := shape.CompileFlatmap(flatmapOps(b.Flatmap))
		if err != nil {
			return err
		}
		if cb.Shape, err = shape.Compile(shape.SpecConfig{Target: b.Target, TargetArrays: b.TargetArrays}); err != nil {
			return err
		}
		if cb.Regroup, err = shape.Compile(shape.SpecConfig{Group: b.Group}); err != nil {
			return err
		}
		cb.Flatmap = fm
	}
	if !e.Sequential {
		return nil
	}
	for _, name := range cb.URL.Names() {
		n, path, ok := config.ParseRespName(name)
		if !ok || containsName(e.Params, name) {
			continue
		}
		if n >= cb.Index || path == nil {
			return fmt.Errorf("placeholder {%s}: no earlier backend field", name)
		}
		cb.Resp = append(cb.Resp, RespRef{Name: name, Backend: n, Path: path})
	}
	return nil
}

func containsName(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// compileEndpointProxy compiles the endpoint's proxy options: sequential,
// the post-merge flatmap_filter and static data.
func compileEndpointProxy(ep *Endpoint, e *config.Endpoint) error {
	ep.Sequential = e.Sequential && len(ep.Backends) > 1
	ep.DeepMerge = e.DeepMerge && len(ep.Backends) > 1
	if len(e.Flatmap) > 0 {
		fm, err := shape.CompileFlatmap(flatmapOps(e.Flatmap))
		if err != nil {
			return err
		}
		ep.Flatmap = fm
	}
	if s := e.Static; s != nil {
		data, err := shape.DecodeJSON(s.Data, shape.ExpectObject)
		if err != nil {
			return fmt.Errorf("proxy.static data: %w", err)
		}
		st := &Static{Data: data}
		switch s.Strategy {
		case config.StaticSuccess:
			st.Strategy = StaticSuccess
		case config.StaticComplete:
			st.Strategy = StaticComplete
		case config.StaticErrored:
			st.Strategy = StaticErrored
		case config.StaticIncomplete:
			st.Strategy = StaticIncomplete
		}
		ep.Static = st
	}
	return nil
}

func flatmapOps(ops []config.FlatmapOp) []shape.FlatmapOp {
	out := make([]shape.FlatmapOp, len(ops))
	for i, o := range ops {
		out[i] = shape.FlatmapOp{Type: o.Type, Args: o.Args}
	}
	return out
}
