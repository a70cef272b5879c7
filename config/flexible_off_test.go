//go:build tributary_nofc

package config

import (
	"strings"
	"testing"
)

// TestFlexibleOff checks the binaries built without the renderer (the
// Lambda functions): a template is refused with a message that says how
// to render it, and plain JSON loads as usual. make test runs it with
// -tags tributary_nofc.
func TestFlexibleOff(t *testing.T) {
	_, err := Load("t.json", []byte(`{"version": 3, "port": {{ 8080 }}}`), []string{"FC_ENABLE=1"})
	if err == nil || !strings.Contains(err.Error(), "Flexible Config is not built into this binary") || !strings.Contains(err.Error(), "sam generate") {
		t.Fatalf("a template without the renderer: %v", err)
	}
	if _, err := Load("t.json", []byte(`{"version": 3, "endpoints": []}`), []string{"FC_ENABLE=1"}); err == nil {
		t.Fatal("FC_ENABLE must not be ignored without the renderer")
	}
	if _, err := Load("t.json", []byte(`{"version": 3, "endpoints": [{"endpoint": "/x", "backend": [{"host": ["http://127.0.0.1:1"], "url_pattern": "/"}]}]}`), nil); err != nil {
		t.Fatalf("plain JSON without FC_ENABLE: %v", err)
	}
}
