package httpsyntax

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"slices"
	"strconv"
	"testing"
)

func TestHopByHop(t *testing.T) {
	list := HopByHop()
	seen := map[string]bool{}
	for _, k := range list {
		if k != http.CanonicalHeaderKey(k) {
			t.Errorf("%q is not in canonical form", k)
		}
		if seen[k] {
			t.Errorf("%q listed twice", k)
		}
		seen[k] = true
		if !IsHopByHop(k) {
			t.Errorf("IsHopByHop(%q) = false", k)
		}
	}
	for _, k := range []string{"Content-Length", "Content-Type", "Host", "TE", "connection", "", "X-Connection", "Upgrade-Insecure-Requests"} {
		if IsHopByHop(k) {
			t.Errorf("IsHopByHop(%q) = true", k)
		}
	}
	// A copy: changing it changes nothing here.
	list[0] = "X"
	if HopByHop()[0] != "Connection" || !IsHopByHop("Connection") {
		t.Error("HopByHop shares its array with the caller")
	}
}

// TestIsHopByHopSwitch: the names IsHopByHop's switch lists are exactly
// those of HopByHop.
func TestIsHopByHopSwitch(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "hopbyhop.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var cases []string
	ast.Inspect(f, func(n ast.Node) bool {
		if fd, ok := n.(*ast.FuncDecl); ok && fd.Name.Name != "IsHopByHop" {
			return false
		}
		if cc, ok := n.(*ast.CaseClause); ok {
			for _, e := range cc.List {
				s, err := strconv.Unquote(e.(*ast.BasicLit).Value)
				if err != nil {
					t.Fatal(err)
				}
				cases = append(cases, s)
			}
		}
		return true
	})
	list := HopByHop()
	want := slices.Sorted(slices.Values(list[:]))
	if slices.Sort(cases); !slices.Equal(cases, want) {
		t.Errorf("IsHopByHop lists %q, HopByHop %q", cases, want)
	}
}

func TestHopByHopAllocations(t *testing.T) {
	n := testing.AllocsPerRun(100, func() {
		for _, k := range HopByHop() {
			if !IsHopByHop(k) {
				t.Fatal(k)
			}
		}
		_ = IsHopByHop("Content-Type")
	})
	if n != 0 {
		t.Errorf("%v allocations, want 0", n)
	}
}

// BenchmarkIsHopByHop runs IsHopByHop over the names of a typical request.
func BenchmarkIsHopByHop(b *testing.B) {
	names := []string{"Accept", "Accept-Encoding", "Authorization", "Connection", "Content-Type",
		"Cookie", "User-Agent", "X-Request-Id", "Te", "X-Forwarded-For"}
	n := 0
	for b.Loop() {
		for _, k := range names {
			if IsHopByHop(k) {
				n++
			}
		}
	}
	if n == 0 {
		b.Fatal("no hop-by-hop name found")
	}
}
