package config

// Tributary extensions beyond KrakenD, all off by default and all in the
// "tributary" namespace: target_arrays (backend), merge (endpoint).

// Merge modes of the endpoint option tributary.merge.
const (
	// MergeShallow is the default, as KrakenD: a later backend's value
	// replaces an earlier one's for the same top-level key.
	MergeShallow = "shallow"
	// MergeDeep merges colliding object values recursively.
	MergeDeep = "deep"
)

// mergeMode decodes the endpoint option tributary.merge.
func (l *loader) mergeMode(e *Endpoint, v *node, base, key string) {
	s, ok := l.str(v, base, key)
	if !ok {
		return
	}
	switch s {
	case MergeShallow:
		e.DeepMerge = false
	case MergeDeep:
		e.DeepMerge = true
	default:
		hint := `use "shallow" (the default) or "deep"`
		if sug, _ := suggest(s, []string{MergeShallow, MergeDeep}); sug != "" {
			hint = "did you mean " + quoteJSON(sug) + "?"
		}
		l.errNode(v, keyPath(base, key), "unknown merge mode "+quoteJSON(s), hint)
	}
}

// checkTargetArrays warns when tributary.target_arrays is set on a backend
// without a target, where it cannot apply.
func (l *loader) checkTargetArrays(b *Backend, v *node) {
	if b.TargetArrays && b.Target == "" {
		l.warnAt(v.pos, b.JSONPath+".extra_config.tributary.target_arrays",
			"target_arrays has no effect without a target", `set "target", or remove target_arrays`)
	}
}
