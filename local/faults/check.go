package faults

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Violation classes.
const (
	// ClassTransport: the client got no response (reset, EOF) although it
	// did not leave.
	ClassTransport = "transport"
	// ClassTruncated: the body ended before its Content-Length, or had
	// none.
	ClassTruncated = "truncated"
	// ClassDeadline: the response took longer than the endpoint timeout
	// plus the margin.
	ClassDeadline = "deadline"
	// ClassStatus: a status other than the one the rules give.
	ClassStatus = "status"
	// ClassCompleted: X-Tributary-Completed missing or wrong.
	ClassCompleted = "completed"
	// ClassCache: Cache-Control on a partial result, or missing or wrong on
	// a complete one.
	ClassCache = "cache_control"
	// ClassJSON: the body is not the JSON document it must be.
	ClassJSON = "invalid_json"
	// ClassData: a backend's data missing although it succeeded, present
	// although it failed, or not shaped as sent.
	ClassData = "data"
	// ClassForeign: data answering another request or another backend (a
	// response delivered to the wrong call).
	ClassForeign = "foreign_id"
	// ClassForeignRace: delayed junk delivered to a request the load
	// client had sent before the junk was written (plus the race window):
	// the gateway may have checked the idle connection before the junk
	// arrived, the late-junk-versus-next-request race of HTTP/1.1 that no
	// client can close. Counted and reported, never hidden.
	ClassForeignRace = "foreign_id_race"
	// ClassHeader: a backend header leaked to the client, or a wrong
	// Content-Type.
	ClassHeader = "header"
	// ClassCancel: a backend did not see the client leave in time.
	ClassCancel = "cancel"
	// ClassSlowloris: a connection trickling its headers was not closed
	// in time, or reached a backend.
	ClassSlowloris = "slowloris"
	// ClassHostile: a request the gateway must refuse (an oversize upload,
	// the request-smuggling shape) was not refused cleanly, kept its
	// connection open, or reached a backend.
	ClassHostile = "hostile_request"
	// ClassBackend: the fault server saw something the gateway should
	// never cause (a held request never released, a malformed path).
	ClassBackend = "backend"
	// ClassGatewayLog: the gateway logged an ERROR (a recovered panic).
	ClassGatewayLog = "gateway_error"
	// ClassResources: goroutines, file descriptors or memory did not
	// return to the baseline.
	ClassResources = "resources"
)

// Violation is one broken rule.
type Violation struct {
	// Class is one of the Class constants.
	Class string
	// ID and Path name the request ("" for run-wide findings).
	ID, Path string
	// Detail says what was wrong.
	Detail string

	// junk is set for a foreign junk id, which Finalize classifies.
	junk *junkHit
}

// junkHit is a junk response found in a request's data.
type junkHit struct {
	id      string    // the junk's id (JunkPrefix + id)
	backend int       // the junk's backend index
	landed  string    // "<id>-<index>" of the call it was delivered to
	sent    time.Time // when the load client sent the request it landed in
}

// String formats the violation for a report.
func (v Violation) String() string {
	s := v.Class
	if v.ID != "" {
		s += " " + v.ID
	}
	if v.Path != "" {
		s += " GET " + v.Path
	}
	return s + ": " + v.Detail
}

// Request is one request of the load client and what it expects.
type Request struct {
	// ID is the request id, Faults one fault per backend, Path the
	// gateway path naming them.
	ID     string
	Faults []Fault
	Path   string
	// Sent is when the client sent it (zero: unknown).
	Sent time.Time
}

// Checker checks responses against the rules.
type Checker struct {
	// Limits are the endpoint's (timeout, body cap).
	Limits Limits
	// Margin is the allowance past the endpoint timeout. Default 250ms
	// (security.md §7.5).
	Margin time.Duration
	// CacheControl is the header complete responses carry ("": none).
	CacheControl string
}

// margin returns Margin or its default.
func (c *Checker) margin() time.Duration {
	if c.Margin > 0 {
		return c.Margin
	}
	return 250 * time.Millisecond
}

// Check returns the violations of one response. body is the whole body as
// read; readErr is the error reading it, if any.
func (c *Checker) Check(req Request, resp *http.Response, body []byte, readErr error, latency time.Duration) []Violation {
	var out []Violation
	add := func(class, format string, args ...any) {
		out = append(out, Violation{Class: class, ID: req.ID, Path: req.Path, Detail: fmt.Sprintf(format, args...)})
	}
	if limit := c.Limits.Timeout + c.margin(); latency > limit {
		add(ClassDeadline, "answered after %v, limit %v (T %v + %v)", latency.Round(time.Millisecond), limit, c.Limits.Timeout, c.margin())
	}
	if readErr != nil {
		add(ClassTruncated, "status %d, reading the body: %v (after %d bytes)", resp.StatusCode, readErr, len(body))
		return out
	}
	if resp.ContentLength < 0 {
		add(ClassTruncated, "status %d without Content-Length", resp.StatusCode)
	}
	h := resp.Header
	if ct := h.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		add(ClassHeader, "Content-Type %q", ct)
	}
	for _, leaked := range []string{HeaderFaultID, "Set-Cookie", "X-Big-0", "Location", "Content-Encoding"} {
		if v := h.Values(leaked); len(v) > 0 {
			add(ClassHeader, "backend header %s: %q reached the client", leaked, truncate(strings.Join(v, ", "), 80))
		}
	}

	exp := make([]Expectation, len(req.Faults))
	anySuccess := false
	for i, f := range req.Faults {
		exp[i] = Expect(f, c.Limits)
		anySuccess = anySuccess || exp[i].Outcome == Success
	}

	var got []bool // which backends' data the response holds
	switch resp.StatusCode {
	case http.StatusOK:
		var vs []Violation
		got, vs = c.checkData(req, exp, body)
		out = append(out, vs...)
		if got == nil {
			return out // not a JSON object: nothing more to compare
		}
	case http.StatusBadGateway, http.StatusGatewayTimeout:
		if v, ok := checkErrorBody(req, resp.StatusCode, body); !ok {
			out = append(out, v)
		}
		got = make([]bool, len(req.Faults))
	default:
		add(ClassStatus, "status %d, want 200, 502 or 504 (expected %s)", resp.StatusCode, describe(exp))
		return out
	}

	n, timedOut := 0, false
	for i, e := range exp {
		if got[i] {
			n++
		} else if e.Outcome == Timeout || e.Outcome == SuccessOrTimeout {
			timedOut = true
		}
	}
	want := http.StatusOK
	switch {
	case n > 0:
	case timedOut:
		want = http.StatusGatewayTimeout
	default:
		want = http.StatusBadGateway
	}
	if resp.StatusCode != http.StatusOK && anySuccess {
		add(ClassStatus, "status %d, but a backend was bound to succeed (expected %s)", resp.StatusCode, describe(exp))
	} else if resp.StatusCode != want {
		add(ClassStatus, "status %d, want %d (expected %s)", resp.StatusCode, want, describe(exp))
	}

	complete := n == len(req.Faults) && resp.StatusCode == http.StatusOK
	switch v := h.Values("X-Tributary-Completed"); {
	case len(v) != 1:
		add(ClassCompleted, "X-Tributary-Completed %q, want %t", v, complete)
	case v[0] != strconv.FormatBool(complete):
		add(ClassCompleted, "X-Tributary-Completed: %s, want %t (%d of %d backends succeeded)", v[0], complete, n, len(req.Faults))
	}
	cc := h.Values("Cache-Control")
	switch {
	case !complete && len(cc) > 0:
		add(ClassCache, "Cache-Control %q on an incomplete response (status %d)", cc, resp.StatusCode)
	case complete && c.CacheControl != "" && (len(cc) != 1 || cc[0] != c.CacheControl):
		add(ClassCache, "Cache-Control %q on a complete response, want %q", cc, c.CacheControl)
	}
	return out
}

// checkData checks a 200 body: one JSON object holding, under "b<i>", the
// data of each backend i that succeeded, each carrying this request's id
// and its own index. got reports which groups are present (nil when the
// body is not a JSON object).
func (c *Checker) checkData(req Request, exp []Expectation, body []byte) ([]bool, []Violation) {
	var out []Violation
	add := func(class, format string, args ...any) {
		out = append(out, Violation{Class: class, ID: req.ID, Path: req.Path, Detail: fmt.Sprintf(format, args...)})
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		add(ClassJSON, "200 body is not a JSON object (%v): %s", err, truncate(string(body), 120))
		return nil, out
	}
	got := make([]bool, len(exp))
	foreign := make([]bool, len(exp))
	for key, raw := range top {
		i, err := strconv.Atoi(strings.TrimPrefix(key, "b"))
		if !strings.HasPrefix(key, "b") || err != nil || i < 0 || i >= len(exp) {
			add(ClassData, "unexpected member %q: %s", key, truncate(string(raw), 120))
			continue
		}
		got[i] = true
		vs := c.checkGroup(req, i, exp[i], raw)
		for _, v := range vs {
			foreign[i] = foreign[i] || v.Class == ClassForeign
		}
		out = append(out, vs...)
	}
	for i, e := range exp {
		switch {
		case foreign[i]:
			// Someone else's answer took this backend's place: reported
			// once, as foreign, whatever this backend's own fault was.
		case e.Outcome == Success && !got[i]:
			add(ClassData, "backend %d (%s) succeeds, but its data is missing", i, req.Faults[i])
		case (e.Outcome == Failure || e.Outcome == Timeout) && got[i]:
			add(ClassData, "backend %d (%s) must fail, but its data is present: %s", i, req.Faults[i], truncate(string(top["b"+strconv.Itoa(i)]), 120))
		}
	}
	return got, out
}

// checkGroup checks the data of backend i: {} when its success carries no
// data, else the id-tagged object with this request's id and index i.
func (c *Checker) checkGroup(req Request, i int, e Expectation, raw json.RawMessage) []Violation {
	var out []Violation
	add := func(class string, hit *junkHit, format string, args ...any) {
		out = append(out, Violation{Class: class, ID: req.ID, Path: req.Path, Detail: fmt.Sprintf(format, args...), junk: hit})
	}
	var g struct {
		ID    *string `json:"id"`
		B     *int    `json:"b"`
		Fault string  `json:"fault"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		add(ClassData, nil, "b%d is not an object: %s", i, truncate(string(raw), 120))
		return out
	}
	if g.ID == nil {
		if !e.Empty {
			add(ClassData, nil, "b%d has no id: %s", i, truncate(string(raw), 120))
		}
		return out
	}
	b := -1
	if g.B != nil {
		b = *g.B
	}
	switch {
	case strings.HasPrefix(*g.ID, JunkPrefix):
		hit := &junkHit{id: *g.ID, backend: b, landed: req.ID + "-" + strconv.Itoa(i), sent: req.Sent}
		add(ClassForeign, hit, "b%d holds junk %s (backend %d), the bytes a backend sent after a complete response", i, *g.ID, b)
	case *g.ID != req.ID:
		add(ClassForeign, nil, "b%d holds the answer to request %s (backend %d, fault %s)", i, *g.ID, b, g.Fault)
	case b != i:
		add(ClassForeign, nil, "b%d holds the answer of backend %d (%s)", i, b, g.Fault)
	case e.Empty:
		add(ClassData, nil, "b%d must be {} (%s), got %s", i, req.Faults[i], truncate(string(raw), 120))
	}
	return out
}

// checkErrorBody checks a 502/504 body: {"error":"bad_gateway"|"gateway_timeout","message":…}.
func checkErrorBody(req Request, status int, body []byte) (Violation, bool) {
	want := "bad_gateway"
	if status == http.StatusGatewayTimeout {
		want = "gateway_timeout"
	}
	if code, ok := checkErrorCode(body); !ok || code != want {
		return Violation{Class: ClassJSON, ID: req.ID, Path: req.Path,
			Detail: fmt.Sprintf("%d body %s, want {\"error\":%q,\"message\":…}", status, truncate(string(body), 120), want)}, false
	}
	return Violation{}, true
}

// checkErrorCode returns the "error" code of a gateway error body
// {"error":…,"message":…}; ok is false when body is not one.
func checkErrorCode(body []byte) (string, bool) {
	var e struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Error == "" || e.Message == "" {
		return "", false
	}
	return e.Error, true
}

// describe lists the expected outcomes, e.g. "success, timeout".
func describe(exp []Expectation) string {
	parts := make([]string, len(exp))
	for i, e := range exp {
		parts[i] = e.Outcome.String()
	}
	return strings.Join(parts, ", ")
}

// truncate cuts s to n bytes, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
