package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/local/rie"
	"github.com/tributary-gw/tributary/local/samlocal"
)

// TestDeployYourOwnConfig follows a user's config from `sam generate` to a
// function answering under the emulator, the way `sam build` and AWS do it:
// the project (a copy of this repository plus my.json) generates its
// template; the template's CodeUri directory is copied to a scratch
// directory, as SAM does; `make build-<LogicalId>` runs there with
// ARTIFACTS_DIR set (and GOARCH for this host, which SAM sets from the
// template's Architectures); the artifact runs under the emulator with the
// template's environment only, from its own directory, as /var/task in
// AWS. Both the catch-all function and a per-endpoint function must serve
// my.json's endpoints, never the bundled demo's.
func TestDeployYourOwnConfig(t *testing.T) {
	rieBin := os.Getenv("RIE_BIN")
	if rieBin == "" {
		t.Skip("RIE_BIN unset (make test sets it)")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Fatalf("make is needed to build the functions as sam build does: %v", err)
	}
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"product":%q,"secret":"s"}`, strings.TrimPrefix(r.URL.Path, "/items/"))
	}))
	t.Cleanup(backend.Close)

	project := t.TempDir()
	copySource(t, filepath.Join("..", ".."), project)
	myConfig := `{"version": 3, "endpoints": [
  {"endpoint": "/p/{id}", "backend": [{"host": ["` + backend.URL + `"], "url_pattern": "/items/{id}", "deny": ["secret"]}]},
  {"endpoint": "/other", "backend": [{"host": ["` + backend.URL + `"], "url_pattern": "/items/other"}]},
  {"endpoint": "/broken", "backend": [{"host": ["http://127.0.0.1:1"], "url_pattern": "/"}]}]}`
	if err := os.WriteFile(filepath.Join(project, "my.json"), []byte(myConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	tplPath := filepath.Join(project, "template.yaml")
	if code, _, stderr := runSam(t, "sam", "generate", "-c", filepath.Join(project, "my.json"), "--per-endpoint", "-o", tplPath); code != 0 {
		t.Fatalf("sam generate: %s", stderr)
	}
	tpl, err := samlocal.LoadTemplate(tplPath, samlocal.TemplateOptions{})
	if err != nil {
		t.Fatal(err)
	}

	scratch := t.TempDir() // what sam build copies CodeUri (".") to
	copySource(t, project, scratch)
	for _, tc := range []struct {
		id, event, want string
	}{
		{"GatewayFunction", v2Get("/p/42"), `{"product":"42"}`},
		{"EpGetPId", `{"params": {"id": "7"}}`, `{"product":"7"}`},
	} {
		t.Run(tc.id, func(t *testing.T) {
			fn := tpl.Function(tc.id)
			if fn == nil {
				t.Fatalf("the template has no %s", tc.id)
			}
			artifacts := filepath.Join(t.TempDir(), tc.id)
			build := exec.Command("make", "--no-print-directory", "build-"+tc.id, "ARTIFACTS_DIR="+artifacts, "GOARCH="+runtime.GOARCH)
			build.Dir = scratch
			build.Env = gatewayFreeEnv()
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("make build-%s: %v\n%s", tc.id, err, out)
			}
			logs := &syncWriter{w: &strings.Builder{}}
			e, err := rie.Start(rie.Options{RIE: rieBin, Bootstrap: filepath.Join(artifacts, "bootstrap"), Dir: artifacts,
				Env: fn.Environ(), Output: logs})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			status, out, err := e.Invoke(ctx, []byte(tc.event))
			if err != nil || status != http.StatusOK {
				t.Fatalf("invoke: %d %v\n%s\nlogs:\n%s", status, err, out, logs.String())
			}
			body := string(out)
			if strings.HasPrefix(tc.event, `{"version"`) {
				var reply struct{ Body string }
				if err := json.Unmarshal(out, &reply); err != nil {
					t.Fatalf("reply %s: %v", out, err)
				}
				body = reply.Body
			}
			if body != tc.want {
				t.Errorf("%s answered %s, want %s (my.json's endpoint)\nlogs:\n%s", tc.id, body, tc.want, logs.String())
			}
			if strings.Contains(logs.String(), "bundled demo") {
				t.Errorf("%s says it serves the bundled demo:\n%s", tc.id, logs.String())
			}
			if tc.id == "GatewayFunction" {
				checkRequestIDs(t, e, logs)
			}
		})
	}
}

// checkRequestIDs invokes an endpoint whose backend is down and checks that
// its "backend failed" line and its access line carry the same AWS request
// id, in Lambda's JSON log field.
func checkRequestIDs(t *testing.T, e *rie.Emulator, logs *syncWriter) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, _, err := e.Invoke(ctx, []byte(v2Get("/broken"))); err != nil {
		t.Fatal(err)
	}
	// The emulator's output reaches the test through a pipe: wait for both
	// lines, a bounded time.
	var access, failed string
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		ids := map[string]string{} // message -> requestId
		for line := range strings.SplitSeq(logs.String(), "\n") {
			var rec struct {
				Msg       string `json:"msg"`
				Route     string `json:"route"`
				Endpoint  string `json:"endpoint"`
				RequestID string `json:"requestId"`
			}
			if json.Unmarshal([]byte(line), &rec) != nil {
				continue
			}
			if rec.Route == "/broken" || strings.HasSuffix(rec.Endpoint, "/broken") {
				ids[rec.Msg] = rec.RequestID
			}
		}
		if access, failed = ids["request"], ids["backend failed"]; access != "" && failed != "" {
			break
		}
	}
	if access == "" || access != failed {
		t.Errorf("request ids: access line %q, backend failure %q; want the same non-empty id\nlogs:\n%s", access, failed, logs.String())
	}
}

// v2Get is an HTTP API (payload 2.0) GET event for path.
func v2Get(path string) string {
	return `{"version": "2.0", "routeKey": "$default", "rawPath": "` + path + `", "rawQueryString": "", "headers": {"host": "gw.example"},
  "requestContext": {"http": {"method": "GET", "path": "` + path + `", "sourceIp": "192.0.2.1"}, "domainName": "gw.example", "stage": "$default"},
  "isBase64Encoded": false}`
}

// gatewayFreeEnv is this process's environment without the gateway's own
// settings: the build sees ARTIFACTS_DIR (on its command line) and the Go
// toolchain's variables, nothing that could pick a config.
func gatewayFreeEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TRIBUTARY_") || strings.HasPrefix(kv, "KRAKEND_") || strings.HasPrefix(kv, "FC_") ||
			strings.HasPrefix(kv, "MAKEFLAGS=") || strings.HasPrefix(kv, "MFLAGS=") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// copySource copies the source tree at src to dst, as sam build copies a
// CodeUri directory: what git tracks or would track (build outputs are
// ignored) plus the generated .tributary directory.
func copySource(t *testing.T, src, dst string) {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "--cached", "--others", "--exclude-standard", "-z")
	cmd.Dir = src
	out, err := cmd.Output()
	var files []string
	if err == nil {
		for f := range strings.SplitSeq(strings.TrimSuffix(string(out), "\x00"), "\x00") {
			if f != "" {
				files = append(files, f)
			}
		}
	} else {
		// Not a git checkout (a copy made by this test): every file.
		err = filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, err := filepath.Rel(src, path)
			files = append(files, rel)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		from := filepath.Join(src, f)
		info, err := os.Lstat(from)
		if err != nil {
			if os.IsNotExist(err) {
				continue // deleted in the work tree but still in the index
			}
			t.Fatal(err)
		}
		if !info.Mode().IsRegular() {
			continue
		}
		to := filepath.Join(dst, f)
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			t.Fatal(err)
		}
		in, err := os.Open(from)
		if err != nil {
			t.Fatal(err)
		}
		outF, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, info.Mode().Perm())
		if err == nil {
			_, err = io.Copy(outF, in)
			if cerr := outF.Close(); err == nil {
				err = cerr
			}
		}
		in.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// syncWriter serialises writes from the emulator's output copier and reads
// by the test.
type syncWriter struct {
	mu sync.Mutex
	w  *strings.Builder
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.String()
}
