package exec

import (
	"context"
	"fmt"

	"github.com/tributary-gw/tributary/core/plan"
)

// respValue is the rendered value of one {resp<N>_<path>} placeholder for
// the backend being called.
type respValue struct {
	name, text string
}

// sequential runs the endpoint's backends one at a time, in declaration
// order, inside the one budget ctx carries (krakend-compat §12.2). A
// backend's {resp<N>_<path>} placeholders read the shaped data of the
// earlier backends; a value that cannot be rendered (null, an object,
// missing) fails the backend without calling it. The chain stops at the
// first backend that fails or produces error data: the results of the
// backends after it stay zero, which the merge counts as failures.
func (c *call) sequential(ctx context.Context, results []result) {
	defer func() { c.resp = nil }()
	for i, b := range c.ep.Backends {
		c.resp = nil
		if len(b.Resp) > 0 {
			vals, err := respValues(b, results[:i])
			if err != nil {
				results[i] = result{err: err}
				return
			}
			c.resp = vals
		}
		results[i] = c.do(ctx, b)
		if !results[i].ok {
			return
		}
	}
}

// respValues renders b's response placeholders from the earlier results,
// all of which succeeded.
func respValues(b *plan.Backend, prior []result) ([]respValue, error) {
	vals := make([]respValue, len(b.Resp))
	for k, ref := range b.Resp {
		var text string
		ok := ref.Backend < len(prior) && prior[ref.Backend].ok
		if ok {
			text, ok = prior[ref.Backend].data.PathText(ref.Path)
		}
		if !ok {
			return nil, fmt.Errorf("backend %d: placeholder {%s} has no usable value", b.Index, ref.Name)
		}
		vals[k] = respValue{name: ref.Name, text: text}
	}
	return vals, nil
}

// respLookup returns the value of a response placeholder of the backend
// being called.
func (c *call) respLookup(name string) (string, bool) {
	for _, v := range c.resp {
		if v.name == name {
			return v.text, true
		}
	}
	return "", false
}
