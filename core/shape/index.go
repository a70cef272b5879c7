package shape

import "hash/maphash"

// linearLimit is the number of comparisons below which a plain nested loop
// beats building a hash index.
const linearLimit = 512

// nameIndex is an open-addressing hash set of member names used to find
// duplicate and colliding keys in large objects. The seed is random per index,
// so a hostile backend cannot choose keys that all collide.
type nameIndex struct {
	seed  maphash.Seed
	slots []int32 // member index + 1; 0 marks a free slot
	mask  uint64
}

// newNameIndex returns an index sized for n names.
func newNameIndex(n int) nameIndex {
	size := 16
	for size < 2*n {
		size <<= 1
	}
	return nameIndex{seed: maphash.MakeSeed(), slots: make([]int32, size), mask: uint64(size - 1)}
}

// find returns the index of a member of ms already in the index with the name
// ms[i].Name; when there is none it adds i and returns -1.
func (x *nameIndex) find(ms []Member, i int) int {
	name := ms[i].Name
	h := maphash.String(x.seed, name) & x.mask
	for {
		j := x.slots[h]
		if j == 0 {
			x.slots[h] = int32(i + 1)
			return -1
		}
		if ms[j-1].Name == name {
			return int(j - 1)
		}
		h = (h + 1) & x.mask
	}
}

// dedup resolves duplicate names in ms: the last value wins, at the position
// of the first occurrence (which also keeps its Key). It works in place and
// reports whether there were duplicates.
func dedup(ms []Member) ([]Member, bool) {
	n := len(ms)
	if n < 2 {
		return ms, false
	}
	dup := false
	// A duplicate's Value is set to nil once moved to its first occurrence.
	if n*n/2 <= linearLimit {
		for i := 1; i < n; i++ {
			for j := 0; j < i; j++ {
				if ms[j].Value != nil && ms[j].Name == ms[i].Name {
					ms[j].Value = ms[i].Value
					ms[i].Value = nil
					dup = true
					break
				}
			}
		}
	} else {
		x := newNameIndex(n)
		for i := range ms {
			if j := x.find(ms, i); j >= 0 {
				ms[j].Value = ms[i].Value
				ms[i].Value = nil
				dup = true
			}
		}
	}
	if !dup {
		return ms, false
	}
	out := ms[:0]
	for _, m := range ms {
		if m.Value != nil {
			out = append(out, m)
		}
	}
	clear(ms[len(out):])
	return out, true
}
