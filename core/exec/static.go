package exec

import (
	"slices"

	"github.com/tributary-gw/tributary/core/plan"
	"github.com/tributary-gw/tributary/core/shape"
)

// withStatic applies proxy.static to the merged result (krakend-compat
// §12.3): when the strategy holds for these results, the static members
// overwrite the merged ones (or, with no data, become the response). It
// returns the result and whether it now has data. Completeness is not
// changed.
func withStatic(st *plan.Static, results []result, merged shape.Object, hasData bool) (shape.Object, bool) {
	failed, errData := false, false
	for i := range results {
		switch {
		case results[i].ok:
		case results[i].errData:
			errData = true
		default:
			failed = true
		}
	}
	if !st.Applies(failed, errData) {
		return merged, hasData
	}
	if !hasData {
		// st.Data is shared by every request: later steps get their own
		// member list.
		return shape.Object{Members: slices.Clone(st.Data.Members)}, true
	}
	return shape.Merge(merged, st.Data), true
}
