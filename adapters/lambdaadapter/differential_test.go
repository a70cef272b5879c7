package lambdaadapter

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Layer (3): differential tests against api-proxy's own conversion, on the
// aws-lambda-go fixtures read at test time from the module cache (never
// copied into this repository). Both conversions must agree except in the
// documented B rows of lambda.md §3.1 and the client-IP rule (security.md
// rule 9).

// lambdaGoTestdata returns aws-lambda-go's events/testdata directory.
func lambdaGoTestdata(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-lambda-go").Output()
	if err != nil {
		t.Fatalf("go list -m github.com/aws/aws-lambda-go: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "events", "testdata")
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("aws-lambda-go fixtures: %v (run go mod download)", err)
	}
	return dir
}

func TestDifferentialAPIProxy(t *testing.T) {
	dir := lambdaGoTestdata(t)
	tests := []struct {
		file string
		trig string
		// patch makes a fixture parseable by upstream (see the case).
		patch func([]byte) []byte
		// hostFromHeaderOnly: upstream ignores the multi-value host (B3).
		hostFromHeaderOnly bool
	}{
		{file: "apigw-request.json", trig: "rest"},
		{file: "apigw-v2-request-no-authorizer.json", trig: "v2"},
		{file: "apigw-v2-request-iam.json", trig: "v2"},
		{file: "apigw-v2-request-jwt-authorizer.json", trig: "v2"},
		{file: "apigw-v2-request-lambda-authorizer.json", trig: "v2"},
		{file: "alb-lambda-target-request-headers-only.json", trig: "alb"},
		{file: "alb-lambda-target-request-multivalue-headers.json", trig: "alb", hostFromHeaderOnly: true},
		// The fixture's domainName "<url-id>.lambda-url…" is not a valid
		// host: upstream cannot build a URL from it, and we do not use it
		// as Host. Both sides get the same patched copy.
		{file: "lambda-urls-request.json", trig: "url", patch: func(b []byte) []byte {
			return bytes.ReplaceAll(b, []byte("<url-id>"), []byte("urlid"))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if tt.patch != nil {
				raw = tt.patch(raw)
			}
			rec := &recorder{}
			r := handleReply(t, New(rec, Options{}), raw)
			if r.StatusCode != 200 {
				t.Fatalf("ours: status %d body %s", r.StatusCode, r.Body)
			}
			ours := rec.last(t)
			up, _, err := upstream(t, tt.trig, raw, nil)
			if err != nil {
				t.Fatalf("upstream: %v", err)
			}

			if ours.Method != up.Method {
				t.Errorf("method: ours %q, upstream %q", ours.Method, up.Method)
			}
			if ours.EscapedPath != up.EscapedPath {
				t.Errorf("path: ours %q, upstream %q", ours.EscapedPath, up.EscapedPath)
			}
			// B11: upstream's order is random; the values must agree.
			oq, _ := url.ParseQuery(ours.RawQuery)
			uq, _ := url.ParseQuery(up.RawQuery)
			if !equalValues(oq, uq) {
				t.Errorf("query: ours %q, upstream %q", ours.RawQuery, up.RawQuery)
			}
			if !bytes.Equal(ours.Body, up.Body) || ours.ContentLength != up.ContentLength {
				t.Errorf("body: ours %q (%d), upstream %q (%d)", ours.Body, ours.ContentLength, up.Body, up.ContentLength)
			}
			// Host: ours is the Host header, else domainName; upstream
			// leaves the header in the map and takes r.Host from the URL.
			upHost := up.Header.Get("Host")
			if upHost == "" {
				upHost = up.Host
			}
			if tt.hostFromHeaderOnly && up.Host != "" {
				t.Errorf("upstream's r.Host is %q in multi-value mode: revisit B3", up.Host)
			}
			if ours.Host != upHost {
				t.Errorf("host: ours %q, upstream %q", ours.Host, upHost)
			}
			// Client IP (security.md rule 9): ours is "ip:0" from the
			// trusted field; upstream copies the raw field (none for ALB).
			if tt.trig != "alb" {
				if want := clientAddr(up.RemoteAddr); ours.RemoteAddr != want {
					t.Errorf("RemoteAddr: ours %q, upstream %q", ours.RemoteAddr, up.RemoteAddr)
				}
			}
			if o, u := normHeader(ours.Header), normHeader(up.Header); !maps2Equal(o, u) {
				t.Errorf("headers differ:\n ours     %q\n upstream %q", o, u)
			}
		})
	}
}

// normHeader makes both conversions comparable: Host and framing headers
// are compared elsewhere; comma-separated values are compared as lists
// (upstream splits them, B1) and cookies as sets of pairs (upstream sends
// one Cookie header per cookie, B10).
func normHeader(h map[string][]string) map[string][]string {
	out := map[string][]string{}
	for k, vs := range h {
		switch k {
		case "Host", "Content-Length":
			continue
		case "Cookie":
			var pairs []string
			for _, v := range vs {
				for p := range strings.SplitSeq(v, ";") {
					pairs = append(pairs, strings.TrimSpace(p))
				}
			}
			slices.Sort(pairs)
			out[k] = pairs
			continue
		}
		var items []string
		for _, v := range vs {
			for p := range strings.SplitSeq(v, ",") {
				items = append(items, strings.TrimSpace(p))
			}
		}
		out[k] = items
	}
	return out
}

func maps2Equal(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !slices.Equal(v, w) {
			return false
		}
	}
	return true
}

func equalValues(a, b url.Values) bool { return maps2Equal(a, b) }
