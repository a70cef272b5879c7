package otel

import (
	"reflect"

	"github.com/tributary-gw/tributary/core/observe"
)

// Find returns the *Observer in o: o itself, or a member of the list
// observe.Join made; nil when there is none.
func Find(o observe.Observer) *Observer {
	if ob, ok := o.(*Observer); ok {
		return ob
	}
	if o == nil {
		return nil
	}
	// observe.Join's list is a slice of observers; its type is private.
	v := reflect.ValueOf(o)
	if v.Kind() != reflect.Slice {
		return nil
	}
	for i := range v.Len() {
		if m, ok := v.Index(i).Interface().(observe.Observer); ok {
			if ob := Find(m); ob != nil {
				return ob
			}
		}
	}
	return nil
}
