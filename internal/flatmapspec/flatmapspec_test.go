package flatmapspec

import "testing"

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		kind Kind
		args []string
		ok   bool
	}{
		{Move, []string{"a", "b"}, true},
		{Move, []string{"a.*.b", "a.*.c"}, true},
		{Move, []string{"a.*.b", "a.*.x.y"}, true},
		{Move, []string{"a.*.b", "a.c"}, true},
		{Move, []string{"a", "x.y"}, true},
		{Move, []string{"a.b", "c.d"}, false},
		{Move, []string{"a.b", "a.*"}, false},
		{Move, []string{"a.*.b", "a.*.*.c"}, false},
		{Move, []string{"a.*.b.c", "x.y"}, false},
		{Move, []string{"a"}, false},
		{Del, []string{"a", "b.0"}, true},
		{Del, nil, false},
		{Del, []string{"a..b"}, false},
		{Append, []string{"a", "b.c"}, true},
		{Append, []string{"a.*", "b"}, false},
		{Kind(9), []string{"a"}, false},
	} {
		if problem, _ := Check(c.kind, c.args); (problem == "") != c.ok {
			t.Errorf("Check(%d, %q) = %q, want ok=%v", c.kind, c.args, problem, c.ok)
		}
	}
}

func TestSplit(t *testing.T) {
	segs, err := Split("a.*.12.0x")
	if err != nil || len(segs) != 4 || !segs[1].Star || segs[2].Index != 12 || segs[3].Index != -1 || segs[0].Index != -1 {
		t.Fatalf("Split = %+v, %v", segs, err)
	}
	if _, err := Split(""); err == nil {
		t.Fatal("empty path accepted")
	}
}
