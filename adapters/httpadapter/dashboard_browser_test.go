package httpadapter

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// xssPath is a request path that is markup: were the dashboard to insert
// it as HTML, the image's error handler would set window.__xss.
const xssPath = "/<img/src/onerror=window.__xss=1>"

// findChromium returns the browser the dashboard test drives: $CHROMIUM,
// else Debian's chromium on the PATH. Without one the test skips on a
// developer machine (the README's `make test` needs only Go) and fails
// where TRIBUTARY_REQUIRE_BROWSER is set: .ci/run installs chromium and
// sets it, so CI never skips this test.
func findChromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const msg = "no chromium found: the dashboard test drives a real headless browser; " +
		"install Debian's chromium (apt-get install chromium) or set CHROMIUM to a Chromium binary"
	if os.Getenv("TRIBUTARY_REQUIRE_BROWSER") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// artifactDir is where test artifacts go: $TRIBUTARY_ARTIFACTS, else a
// directory of the test's own.
func artifactDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("TRIBUTARY_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatalf("TRIBUTARY_ARTIFACTS: %v", err)
		}
		return d
	}
	return t.TempDir()
}

// dashboardDOM is what the test reads off the rendered page.
type dashboardDOM struct {
	Rows       int      `json:"rows"`
	Routes     []string `json:"routes"`
	Paths      []string `json:"paths"`
	Bars       []string `json:"bars"`     // pattern=outcome of every bar, rows newest first
	Statuses   []string `json:"statuses"` // status/complete of every row
	Shown      []string `json:"shown"`    // the status and completeness texts of every row
	Images     int      `json:"images"`   // <img> elements in the request list
	XSS        bool     `json:"xss"`      // window.__xss was set
	StatusLine string   `json:"statusLine"`
}

const readDOM = `(() => {
  const rows = [...document.querySelectorAll('#requests .req')];
  return {
    rows: rows.length,
    routes: rows.map(r => r.querySelector('.route').textContent),
    paths: rows.map(r => r.querySelector('.path').textContent),
    bars: [...document.querySelectorAll('#requests .bar')].map(b => b.dataset.pattern + '=' + b.dataset.outcome),
    statuses: rows.map(r => r.dataset.status + '/' + r.dataset.complete),
    shown: rows.map(r => [r.querySelector('.code'), r.querySelector('.complete, .incomplete')].filter(e => e).map(e => e.textContent).join(' ')),
    images: document.querySelectorAll('#requests img').length,
    xss: window.__xss === 1,
    statusLine: document.getElementById('status').textContent,
  };
})()`

// TestDashboardInBrowser serves the dashboard of a real gateway to
// headless Chromium: the requests sent before the page loads and one sent
// after (the live update) appear as rows with a bar per backend call, the
// failing and the timed-out calls marked, a path that is markup shown as
// text; a screenshot is saved as a test artifact.
func TestDashboardInBrowser(t *testing.T) {
	browser := findChromium(t)
	g := startDashGateway(t, true)
	// The markup path goes first: its row ends at the bottom, below the
	// representative ones the screenshot shows (docs/images/dashboard.png
	// is one).
	if status := g.raw(t, xssPath); status == 0 {
		t.Fatal("no answer to the markup path")
	}
	g.get(t, "/users/42?api_key=secret")
	g.get(t, "/ok")
	g.get(t, "/slow")
	g.get(t, "/nope")
	g.get(t, "/users/7")
	g.get(t, "/ok")

	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.DisableGPU,
		chromedp.Flag("no-proxy-server", true),
	)
	// Chromium refuses to run as root with its sandbox, and containers
	// (CI) often lack the kernel namespaces it needs; the browser loads
	// only this test's own loopback page.
	opts = append(opts, chromedp.NoSandbox)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()

	if err := chromedp.Do(bctx, chromedp.Navigate("http://"+g.addr+DashboardPath)); err != nil {
		t.Fatalf("opening the dashboard in %s: %v", browser, err)
	}
	if _, err := chromedp.Run(bctx, chromedp.Poll[bool](`document.querySelectorAll('#requests .req').length >= 7`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		dom, _ := chromedp.Run(bctx, chromedp.Evaluate[dashboardDOM](readDOM))
		t.Fatalf("the first rows did not render: %v (page: %+v)", err, dom)
	}
	// Live update: a request sent now appears without a reload.
	g.get(t, "/users/99")
	if _, err := chromedp.Run(bctx, chromedp.Poll[bool](`document.querySelectorAll('#requests .req').length >= 8`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("the request sent after the page loaded did not appear: %v", err)
	}
	dom, err := chromedp.Run(bctx, chromedp.Evaluate[dashboardDOM](readDOM))
	if err != nil {
		t.Fatalf("reading the page: %v", err)
	}

	if dom.Rows != 8 {
		t.Errorf("%d rows, want 8", dom.Rows)
	}
	if len(dom.Paths) > 0 && dom.Paths[0] != "/users/99" {
		t.Errorf("newest row shows %q, want /users/99 first", dom.Paths[0])
	}
	if !contains(dom.Routes, "route /users/{id}") || !contains(dom.Routes, "route /ok") || !contains(dom.Routes, "no route matched") {
		t.Errorf("routes shown: %q", dom.Routes)
	}
	for _, p := range dom.Paths {
		if strings.Contains(p, "api_key") || strings.Contains(p, "?") {
			t.Errorf("a path shows its query string: %q", p)
		}
	}
	for _, want := range []string{"/profile/{id}=ok", "/orders/{id}=ok", "/recommendations/{id}=fail", "/status=ok", "/report=timeout"} {
		if !contains(dom.Bars, want) {
			t.Errorf("no bar %s among %q", want, dom.Bars)
		}
	}
	if len(dom.Bars) != 3*3+2+1 { // three fan-outs, two /ok, one /slow
		t.Errorf("%d bars, want 12: %q", len(dom.Bars), dom.Bars)
	}
	if !contains(dom.Statuses, "200/false") || !contains(dom.Statuses, "200/true") {
		t.Errorf("row statuses %q: want a complete and an incomplete 200", dom.Statuses)
	}
	for _, want := range []string{"200 complete", "200 incomplete", "504 incomplete", "404"} {
		if !contains(dom.Shown, want) {
			t.Errorf("no row showing %q among %q", want, dom.Shown)
		}
	}
	if !contains(dom.Paths, xssPath) {
		t.Errorf("the markup path is not shown as text: paths %q", dom.Paths)
	}
	if dom.Images != 0 || dom.XSS {
		t.Errorf("the markup path was parsed as HTML: %d <img> in the list, script ran: %v", dom.Images, dom.XSS)
	}
	if !strings.HasPrefix(dom.StatusLine, "live") {
		t.Errorf("status line %q, want live", dom.StatusLine)
	}

	// Frame the screenshot on the representative rows: every one but the
	// oldest (the markup path).
	bottom, err := chromedp.Run(bctx, chromedp.Evaluate[float64](
		`(() => { const r = document.querySelectorAll('#requests .req'); return r[r.length - 2].getBoundingClientRect().bottom + window.scrollY; })()`))
	if err != nil {
		t.Fatalf("measuring the rows: %v", err)
	}
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(1280, int64(bottom)+8)); err != nil {
		t.Fatalf("sizing the viewport: %v", err)
	}
	png, err := chromedp.Run(bctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	out := filepath.Join(artifactDir(t), "dashboard.png")
	if err := os.WriteFile(out, png, 0o644); err != nil {
		t.Fatalf("saving the screenshot: %v", err)
	}
	t.Logf("dashboard screenshot: %s", out)

	// End the browser now, not after the servers' cleanups: its polling
	// connections would hold their shutdown.
	bcancel()
	acancel()
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
