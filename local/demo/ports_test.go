package demo

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestParsePorts(t *testing.T) {
	c, u, err := ParsePorts("9001, 9002")
	if err != nil || c != "127.0.0.1:9001" || u != "127.0.0.1:9002" {
		t.Errorf(`ParsePorts("9001, 9002") = %q, %q, %v`, c, u, err)
	}
	for _, bad := range []string{"", "9001", "9001,9002,9003", "a,9002", "0,9002", "9001,65536", "9001,9001", "-1,2"} {
		if _, _, err := ParsePorts(bad); err == nil {
			t.Errorf("ParsePorts(%q): no error", bad)
		}
	}
}

// TestRewriteHosts moves every bundled host and nothing else.
func TestRewriteHosts(t *testing.T) {
	data, err := os.ReadFile("../../config/gateway.json")
	if err != nil {
		t.Fatal(err)
	}
	out := RewriteHosts(data, "127.0.0.1:9001", "127.0.0.1:9002")
	for _, gone := range []string{`"http://` + CatalogAddr + `"`, `"http://` + UsersAddr + `"`} {
		if bytes.Contains(out, []byte(gone)) {
			t.Errorf("%s still in the rewritten config", gone)
		}
	}
	nc, nu := bytes.Count(data, []byte(`"http://`+CatalogAddr+`"`)), bytes.Count(data, []byte(`"http://`+UsersAddr+`"`))
	if nc == 0 || nu == 0 {
		t.Fatalf("bundled config has %d catalog and %d users hosts", nc, nu)
	}
	if got := bytes.Count(out, []byte(`"http://127.0.0.1:9001"`)); got != nc {
		t.Errorf("catalog hosts rewritten: %d, want %d", got, nc)
	}
	if got := bytes.Count(out, []byte(`"http://127.0.0.1:9002"`)); got != nu {
		t.Errorf("users hosts rewritten: %d, want %d", got, nu)
	}
	if strings.Count(string(out), "\n") != strings.Count(string(data), "\n") {
		t.Error("line count changed")
	}
	if !bytes.Equal(RewriteHosts(data, CatalogAddr, UsersAddr), data) {
		t.Error("rewriting to the default addresses changed the config")
	}
}
