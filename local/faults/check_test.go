package faults

import (
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"
)

// response builds a gateway-like response for the checker.
func response(status int, completed string, body string, extra ...string) *http.Response {
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	if completed != "" {
		h.Set("X-Tributary-Completed", completed)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		h.Add(extra[i], extra[i+1])
	}
	return &http.Response{StatusCode: status, Header: h, ContentLength: int64(len(body))}
}

// TestCheckerRules feeds the checker answers that break one rule each and
// answers that keep them all: it must flag exactly the broken rule.
func TestCheckerRules(t *testing.T) {
	c := &Checker{Limits: Limits{Timeout: time.Second}, Margin: 250 * time.Millisecond, CacheControl: "public, max-age=30"}
	ok, hang, reset := F(KindOK, 0), F(KindHang), F(KindReset, 0)
	req := func(faults ...Fault) Request {
		return Request{ID: "k1_0-0", Faults: faults, Path: Path(faults, "k1_0-0")}
	}
	data := func(i int) string {
		return `"b` + strconv.Itoa(i) + `":{"id":"k1_0-0","b":` + strconv.Itoa(i) + `,"fault":"ok-0"}`
	}
	cases := []struct {
		name    string
		req     Request
		resp    *http.Response
		body    string
		latency time.Duration
		want    []string // classes, sorted
	}{
		{"complete", req(ok, ok), response(200, "true", "", "Cache-Control", "public, max-age=30"), "{" + data(0) + "," + data(1) + "}", 0, nil},
		{"partial", req(ok, reset), response(200, "false", ""), "{" + data(0) + "}", 0, nil},
		{"504 alone", req(hang), response(504, "false", ""), `{"error":"gateway_timeout","message":"m"}`, 900 * time.Millisecond, nil},
		{"502 alone", req(reset), response(502, "false", ""), `{"error":"bad_gateway","message":"m"}`, 0, nil},
		{"504 over 502", req(reset, hang), response(504, "false", ""), `{"error":"gateway_timeout","message":"m"}`, 0, nil},
		{"late", req(hang), response(504, "false", ""), `{"error":"gateway_timeout","message":"m"}`, 1300 * time.Millisecond, []string{ClassDeadline}},
		{"502 for a timeout", req(hang), response(502, "false", ""), `{"error":"bad_gateway","message":"m"}`, 0, []string{ClassStatus}},
		{"error for a success", req(ok), response(502, "false", ""), `{"error":"bad_gateway","message":"m"}`, 0, []string{ClassStatus}},
		{"wrong error code", req(reset), response(502, "false", ""), `{"error":"gateway_timeout","message":"m"}`, 0, []string{ClassJSON}},
		{"completed lies", req(ok, reset), response(200, "true", ""), "{" + data(0) + "}", 0, []string{ClassCompleted}},
		{"completed missing", req(ok), response(200, "", "", "Cache-Control", "public, max-age=30"), "{" + data(0) + "}", 0, []string{ClassCompleted}},
		{"cache on partial", req(ok, reset), response(200, "false", "", "Cache-Control", "public, max-age=30"), "{" + data(0) + "}", 0, []string{ClassCache}},
		{"no cache on complete", req(ok), response(200, "true", ""), "{" + data(0) + "}", 0, []string{ClassCache}},
		{"missing data", req(ok, ok), response(200, "false", ""), "{" + data(0) + "}", 0, []string{ClassData}},
		{"data of a failure", req(ok, reset), response(200, "true", "", "Cache-Control", "public, max-age=30"), "{" + data(0) + "," + data(1) + "}", 0, []string{ClassData}},
		{"another request", req(ok), response(200, "true", "", "Cache-Control", "public, max-age=30"), `{"b0":{"id":"k9_9-9","b":0}}`, 0, []string{ClassForeign}},
		{"another backend", req(ok, ok), response(200, "true", "", "Cache-Control", "public, max-age=30"), `{"b0":{"id":"k1_0-0","b":1},` + data(1) + "}", 0, []string{ClassForeign}},
		{"junk", req(ok), response(200, "true", "", "Cache-Control", "public, max-age=30"), `{"b0":{"id":"x-k5_0-1","b":0,"fault":"junk"}}`, 0, []string{ClassForeign}},
		{"junk in a failure's place", req(reset), response(200, "true", "", "Cache-Control", "public, max-age=30"), `{"b0":{"id":"x-k5_0-1","b":0,"fault":"junk"}}`, 0, []string{ClassForeign}},
		{"id after 204", req(F(KindAfter204, 0)), response(200, "true", "", "Cache-Control", "public, max-age=30"), `{"b0":{"id":"k1_0-0","b":0}}`, 0, []string{ClassData}},
		{"empty after 204", req(F(KindAfter204, 0)), response(200, "true", "", "Cache-Control", "public, max-age=30"), `{"b0":{}}`, 0, nil},
		{"truncated JSON", req(ok), response(200, "true", "", "Cache-Control", "public, max-age=30"), `{"b0":{"id":"k1`, 0, []string{ClassJSON}},
		{"leaked cookie", req(F(KindCookie, 1)), response(200, "true", "", "Cache-Control", "public, max-age=30", "Set-Cookie", "f0=x"), `{"b0":{"id":"k1_0-0","b":0}}`, 0, []string{ClassHeader}},
		{"other status", req(ok), response(500, "false", ""), `{}`, 0, []string{ClassStatus}},
		{"200 without data", req(reset), response(200, "false", ""), `{}`, 0, []string{ClassStatus}},
		{"either way", req(F(KindDelay, 850)), response(504, "false", ""), `{"error":"gateway_timeout","message":"m"}`, 0, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.resp.ContentLength = int64(len(tc.body))
			tally := NewTally()
			tally.Record("x", tc.latency, c.Check(tc.req, tc.resp, []byte(tc.body), nil, tc.latency))
			tally.Finalize(nil)
			var got []string
			for class, n := range tally.Violations() {
				for range n {
					got = append(got, class)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("classes %v, want %v; examples:", got, tc.want)
				for _, class := range got {
					t.Log(tally.Examples(class))
				}
			}
		})
	}
}

// TestExpect pins the expected outcome of each fault's variants.
func TestExpect(t *testing.T) {
	l := Limits{Timeout: time.Second} // budget 900ms
	cases := []struct {
		f     Fault
		want  Outcome
		empty bool
	}{
		{F(KindOK, 0), Success, false},
		{F(KindDelay, 90), Success, false},
		{F(KindDelay, 700), SuccessOrTimeout, false},
		{F(KindDelay, 1350), Timeout, false},
		{F(KindHang), Timeout, false},
		{F(KindTrickle, 5, 18), Success, false},
		{F(KindTrickle, 20, 90), Timeout, false},
		{F(KindHuge, 1024, 0), Success, false},
		{F(KindHuge, 2048, 0), Success, false},
		{F(KindHuge, 2049, 1), Failure, false},
		{F(KindDeep, 100), Success, false},
		{F(KindDeep, 300), Failure, false},
		{F(KindBigHeader, 8), Success, false},
		{F(KindBigHeader, 80), Failure, false},
		{F(KindStatus, 204), Success, true},
		{F(KindStatus, 299), Success, false},
		{F(KindStatus, 304), Failure, false},
		{F(KindExtra, 1, 10), Success, false},
		{F(KindAfter204, 10), Success, true},
		{F(KindGzipBomb, 64), Failure, false},
		{F(KindRedirect), Failure, false},
	}
	for _, tc := range cases {
		if got := Expect(tc.f, l); got.Outcome != tc.want || got.Empty != tc.empty {
			t.Errorf("Expect(%s) = %v empty=%t, want %v empty=%t", tc.f, got.Outcome, got.Empty, tc.want, tc.empty)
		}
	}
}

// TestParseFault round-trips every variant and refuses bad segments.
func TestParseFault(t *testing.T) {
	l := Limits{Timeout: time.Second}
	for _, k := range Kinds() {
		for _, f := range Variants(k, l) {
			got, err := ParseFault(f.String())
			if err != nil || got != f {
				t.Errorf("ParseFault(%q) = %v, %v; want %v", f.String(), got, err, f)
			}
		}
	}
	if f, err := ParseFault("delay"); err != nil || f != F(KindDelay) {
		t.Errorf(`ParseFault("delay") = %v, %v; want the default delay`, f, err)
	}
	for _, bad := range []string{"", "nope", "ok-x", "delay-1-2", "status-99", "status-600", "huge-0", "delay--1", "deep-1000001"} {
		if f, err := ParseFault(bad); err == nil {
			t.Errorf("ParseFault(%q) = %v, want an error", bad, f)
		}
	}
}
