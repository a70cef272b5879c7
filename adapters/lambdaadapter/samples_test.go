package lambdaadapter

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestSampleEvents checks every sample under local/events: it is
// recognised as its trigger and asks the demo endpoint GET
// /frontpage/{id_user} for user 42.
func TestSampleEvents(t *testing.T) {
	dir := filepath.Join("..", "..", "local", "events")
	tests := []struct {
		file     string
		trigger  trigger
		basePath string
		query    string
		body     []byte
	}{
		{"v2-get.json", trigV2, "", "locale=es", nil},
		{"v2-named-stage.json", trigV2, "", "locale=es", nil},
		{"v2-binary.json", trigV2, "", "", []byte("\x89PNG\r\n\x1a\n")},
		{"v2-empty-body.json", trigV2, "", "", nil},
		{"v2-octet-text.json", trigV2, "", "", []byte("plain text, sent as application/octet-stream")},
		{"v1-get.json", trigREST, "", "locale=es", nil},
		{"v1-base-path.json", trigREST, "/v1", "locale=es", nil},
		{"alb-single.json", trigALB, "", "locale=es", nil},
		{"alb-multi.json", trigALB, "", "locale=es", nil},
		{"url-get.json", trigURL, "", "locale=es", nil},
		{"direct.json", trigDirect, "", "locale=es", nil},
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) != len(tests) {
		t.Fatalf("local/events holds %d JSON files, the table %d (%v)", len(files), len(tests), err)
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			rec := &recorder{}
			a := New(rec, Options{BasePath: tt.basePath, Direct: &DirectEndpoint{Method: "GET", Template: "/frontpage/{id_user}"}})
			if got := a.sniff(raw).trigger; got != tt.trigger {
				t.Fatalf("sniffed as %v, want %v", got, tt.trigger)
			}
			out, err := a.Handle(context.Background(), raw)
			if err != nil {
				t.Fatalf("error result: %v", err)
			}
			b, _ := io.ReadAll(out)
			if tt.trigger != trigDirect {
				if r := decodeReply(t, b); r.StatusCode != 200 {
					t.Fatalf("reply %s", b)
				}
			}
			got := rec.last(t)
			if got.Method != "GET" || got.EscapedPath != "/frontpage/42" || got.RawQuery != tt.query {
				t.Errorf("request %s %s?%s", got.Method, got.EscapedPath, got.RawQuery)
			}
			if !bytes.Equal(got.Body, tt.body) {
				t.Errorf("body %q, want %q", got.Body, tt.body)
			}
		})
	}
}
