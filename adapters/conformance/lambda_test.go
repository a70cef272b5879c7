package conformance

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// lamSlots is how many emulators and reference servers run at once.
const lamSlots = 3

// lamOutcome is what one trigger's function answered for a case.
type lamOutcome struct {
	excluded string // why the trigger cannot carry the request, or ""
	forward  string // lamKey of the request as the trigger forwards it
	event    []byte
	reply    []byte
	err      error
}

// lamRef is the HTTP server's answer to one request.
type lamRef struct {
	req    *caseRequest
	answer *observed
	err    error
}

// TestGoldenLambda replays every golden case through the real gateway
// bootstrap under the Runtime Interface Emulator, as a REST v1, HTTP API
// v2, ALB (single- and multi-value) and Function URL event, and requires
// the status, the header fields and the body bytes to be what the HTTP
// server answers (lambda.md §3: both transports run the same handler),
// ignoring only Date, Content-Length and Connection. The HTTP answers are
// taken in the same test from a loopback server built like `tributary run`.
//
// Each function and each HTTP server is fresh (one emulator per case and
// trigger), so per-process state such as breakers and caches starts clean
// for every comparison. Where a front end changes the request on its way
// (lambda.md §2.2: REST decodes the query, HTTP API joins repeated
// headers, ALB adds X-Forwarded-For and, in single-value mode, keeps the
// last value), the yardstick is the HTTP answer to the request as
// forwarded, and the test logs when that answer differs from the answer
// to the client's own request. Cases written for the HTTP runner only (raw
// request targets) run too: an event carries such paths verbatim. The
// only requests left out are those a trigger cannot carry (P3: HTTP API
// decodes the path; a request target that is not a path), each logged
// with its reason.
func TestGoldenLambda(t *testing.T) {
	rieBin, bootstrap := lamEmulator(t, "GATEWAY_BOOTSTRAP")
	cases, err := loadCases()
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatalf("no golden cases under %s", casesDir)
	}
	// Emulators and HTTP servers run a few at a time across all cases:
	// more would starve the machine and turn timeouts into false answers.
	slots := make(chan struct{}, lamSlots)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			lamRunCase(t, rieBin, bootstrap, c, slots)
		})
	}
}

// lamRunCase runs one case through HTTP and every trigger, concurrently,
// and compares.
func lamRunCase(t *testing.T, rieBin, bootstrap string, c *goldenCase, slots chan struct{}) {
	urls := startBackends(t, c.Backends).urls
	cfgPath := filepath.Join(t.TempDir(), "tributary.json")
	if err := os.WriteFile(cfgPath, []byte(substitute(string(c.Config), urls)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, p, err := lamCompile(cfgPath)
	if err != nil {
		t.Fatalf("the case config does not load: %v", err)
	}
	in, err := lamNewInput(&c.Request)
	if err != nil {
		t.Fatal(err)
	}
	timeout := lamFunctionTimeout(lamMaxTimeout(p))
	env := []string{"TRIBUTARY_CONFIG=" + cfgPath}

	original := lamKey(&c.Request)
	refs := map[string]*lamRef{original: {req: &c.Request}}
	out := make([]lamOutcome, len(lamTriggers))
	for i, tr := range lamTriggers {
		if !strings.HasPrefix(c.Request.target(), "/") {
			out[i].excluded = "every trigger delivers a path (lambda.md §2.2); this request target is not one: " + c.Request.target()
			continue
		}
		ev, excluded := tr.event(in)
		if excluded != "" {
			out[i].excluded = excluded
			continue
		}
		fwd := tr.forward(&c.Request)
		out[i].forward = lamKey(fwd)
		if refs[out[i].forward] == nil {
			refs[out[i].forward] = &lamRef{req: fwd}
		}
		out[i].event = ev
	}
	var wg sync.WaitGroup
	run := func(fn func()) {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			fn()
		})
	}
	for _, r := range refs {
		run(func() { r.answer, r.err = lamServeHTTP(cfgPath, r.req) })
	}
	for i := range out {
		if out[i].excluded == "" {
			run(func() { out[i].reply, out[i].err = lamInvokeFresh(rieBin, bootstrap, env, timeout, out[i].event) })
		}
	}
	wg.Wait()

	for i, tr := range lamTriggers {
		o := out[i]
		if o.excluded != "" {
			t.Logf("%s: not compared: %s", tr.name, o.excluded)
			continue
		}
		t.Run(tr.name, func(t *testing.T) {
			ref := refs[o.forward]
			if ref.err != nil {
				t.Fatalf("the HTTP reference run failed: %v", ref.err)
			}
			if o.err != nil {
				t.Fatal(o.err)
			}
			got, err := tr.decode(o.reply)
			if err != nil {
				t.Fatalf("%v\nreply: %s", err, lamClip(o.reply))
			}
			for _, k := range []string{"Content-Length", "Transfer-Encoding", "Connection"} {
				if v, ok := got.header[k]; ok {
					t.Errorf("the reply carries %s %q: framing belongs to the trigger (lambda.md R4)", k, v)
				}
			}
			delete(got.header, "Date")
			want := tr.project(ref.answer)
			lamNormalizeRequestID(t, want.header, got.header)
			if diffs := lamDiff(want, got, "lambda", "http"); len(diffs) > 0 {
				t.Errorf("%s %s: the %s reply differs from the HTTP answer:\n%s",
					in.method, ref.req.target(), tr.name, strings.Join(diffs, "\n"))
			}
			if o.forward == original {
				return
			}
			if direct := refs[original]; direct.err == nil {
				if diffs := lamDiff(tr.project(direct.answer), want, "forwarded", "client"); len(diffs) > 0 {
					t.Logf("the front end changes this request (lambda.md §2.2), and the answer with it:\n  client sent: %q\n  forwarded:   %q\n%s",
						original, o.forward, strings.Join(diffs, "\n"))
				}
			}
		})
	}
}

// lamInvokeFresh starts a fresh function, invokes it once and stops it.
func lamInvokeFresh(rieBin, bootstrap string, env []string, timeout time.Duration, event []byte) ([]byte, error) {
	f, err := lamStart(rieBin, bootstrap, env, timeout)
	if err != nil {
		return nil, err
	}
	reply, err := f.invoke(event, timeout+10*time.Second)
	cerr := f.close()
	switch {
	case err != nil:
		return nil, fmt.Errorf("%w\nemulator output:\n%s", err, f.logs.String())
	case cerr != nil:
		return nil, cerr
	}
	return reply, nil
}
