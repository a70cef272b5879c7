package httpadapter

import (
	"embed"
	"net/http"
	"strconv"
	"sync"

	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/recent"
)

// DashboardPath is where `tributary run -d` serves the local dashboard:
// the page itself, its script and style under DashboardPath+"/", and the
// feed of recent requests at DashboardPath+"/requests?since=SEQ".
const DashboardPath = "/__dashboard"

// dashboardCSP is the page's Content-Security-Policy: its own script,
// style and feed only; no inline code, no other origin, no framing.
const dashboardCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

//go:embed dashboard/index.html dashboard/app.js dashboard/app.css dashboard/favicon.svg
var dashboardFiles embed.FS

// dashboardAsset is one embedded file of the page.
type dashboardAsset struct {
	body        []byte
	contentType string
}

// dashboardAssets returns the page's files by request path, read on the
// first dashboard request (not at init: a Lambda cold start links this
// package and never serves the dashboard).
func dashboardAssets() map[string]dashboardAsset {
	dashboardOnce.Do(loadDashboardAssets)
	return dashboardLoaded
}

var (
	dashboardOnce   sync.Once
	dashboardLoaded map[string]dashboardAsset
)

// loadDashboardAssets fills dashboardLoaded.
func loadDashboardAssets() {
	read := func(name string) []byte {
		b, err := dashboardFiles.ReadFile("dashboard/" + name)
		if err != nil {
			panic("httpadapter: embedded dashboard file missing: " + name)
		}
		return b
	}
	page := dashboardAsset{read("index.html"), "text/html; charset=utf-8"}
	dashboardLoaded = map[string]dashboardAsset{
		DashboardPath:              page,
		DashboardPath + "/":        page,
		DashboardPath + "/app.js":  {read("app.js"), "text/javascript; charset=utf-8"},
		DashboardPath + "/app.css": {read("app.css"), "text/css; charset=utf-8"},
		// The page names its icon: a browser would otherwise ask the
		// gateway for /favicon.ico, and the dashboard would show that.
		DashboardPath + "/favicon.svg": {read("favicon.svg"), "image/svg+xml"},
	}
}

// dashboardPath reports whether the dashboard serves path p: only when it
// is on (Options.Dashboard given and debug on).
func (h *Handler) dashboardPath(p string) bool {
	return h.dash != nil && h.debug && under(p, DashboardPath)
}

// dashboard answers a request under DashboardPath: GET or HEAD only.
func (h *Handler) dashboard(r *http.Request) *exec.Response {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		resp := exec.ErrorResponse(http.StatusMethodNotAllowed, "method_not_allowed", "method "+r.Method+" is not allowed on this path")
		resp.Header.Set("Allow", "GET, HEAD")
		return dashboardHeaders(resp)
	}
	p := r.URL.Path
	if p == DashboardPath+"/requests" {
		return dashboardHeaders(h.dashboardFeed(r.URL.Query().Get("since")))
	}
	a, ok := dashboardAssets()[p]
	if !ok {
		return dashboardHeaders(exec.ErrorResponse(http.StatusNotFound, "not_found", "the dashboard has no such file"))
	}
	hdr := make(http.Header, 6)
	hdr.Set("Content-Type", a.contentType)
	return dashboardHeaders(exec.NewResponse(http.StatusOK, hdr, a.body))
}

// dashboardFeedDoc is the feed's document: the requests after since,
// oldest first, and the seq to ask from next.
type dashboardFeedDoc struct {
	Size     int             `json:"size"`
	Last     uint64          `json:"last"`
	Requests []*recent.Entry `json:"requests"`
}

// dashboardFeed answers the feed: the stored requests newer than the seq
// in since (all of them when since is absent or not a number). Its size
// is bounded by the ring's.
func (h *Handler) dashboardFeed(since string) *exec.Response {
	after, err := strconv.ParseUint(since, 10, 64)
	if err != nil {
		after = 0
	}
	list, last := h.dash.Since(after)
	body, err := json.Marshal(dashboardFeedDoc{Size: h.dash.Size(), Last: last, Requests: list})
	if err != nil {
		return exec.ErrorResponse(http.StatusInternalServerError, "internal_error", "encoding the dashboard feed")
	}
	return jsonResponse(body)
}

// dashboardHeaders adds the headers every dashboard answer carries: the
// strict CSP, no sniffing, no caching, no framing, no referrer.
func dashboardHeaders(resp *exec.Response) *exec.Response {
	if resp.Header == nil {
		resp.Header = make(http.Header, 5)
	}
	resp.Header.Set("Content-Security-Policy", dashboardCSP)
	resp.Header.Set("X-Content-Type-Options", "nosniff")
	resp.Header.Set("X-Frame-Options", "DENY")
	resp.Header.Set("Cache-Control", "no-store")
	resp.Header.Set("Referrer-Policy", "no-referrer")
	return resp
}
