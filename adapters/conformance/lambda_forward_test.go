package conformance

// What each AWS front end does to a client request before the function
// sees it (lambda.md §2.2), expressed as the HTTP request the server would
// receive from the same front end. Where a trigger cannot carry a request
// unchanged, the function must answer exactly what the HTTP server answers
// to the request as forwarded; the suite logs each such case, because the
// client's own request would have been answered differently.

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// lamWith returns a copy of req with another target and header set.
func lamWith(req *caseRequest, target string, headers map[string]headerValues) *caseRequest {
	out := *req
	if req.RawRequestTarget != "" {
		out.RawRequestTarget = target
	} else {
		out.Path = target
	}
	out.Headers = headers
	return &out
}

// lamJoinTarget joins a path and a query ("" for none).
func lamJoinTarget(path, query string) string {
	if query == "" {
		return path
	}
	return path + "?" + query
}

// lamQueryPair is one query parameter, raw or decoded.
type lamQueryPair struct{ k, v string }

// lamSplitQuery splits a raw query on "&", dropping empty parts.
func lamSplitQuery(raw string) []lamQueryPair {
	var out []lamQueryPair
	for kv := range strings.SplitSeq(raw, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		out = append(out, lamQueryPair{k, v})
	}
	return out
}

// lamSortPairs orders pairs by key, byte-wise, keeping each key's values
// in their order (P11: v1 and ALB queries arrive as JSON objects).
func lamSortPairs(pairs []lamQueryPair) {
	slices.SortStableFunc(pairs, func(a, b lamQueryPair) int { return strings.Compare(a.k, b.k) })
}

// lamForwardREST: API Gateway REST delivers the query decoded, as
// multi-value maps, so the function rebuilds it in form encoding with keys
// sorted (P11). Headers and path arrive as sent.
func lamForwardREST(req *caseRequest) *caseRequest {
	path, query, _ := strings.Cut(req.target(), "?")
	pairs := lamSplitQuery(query)
	lamSortPairs(pairs)
	parts := make([]string, 0, len(pairs))
	for _, p := range pairs {
		parts = append(parts, url.QueryEscape(lamUnescapeOrKeep(p.k))+"="+url.QueryEscape(lamUnescapeOrKeep(p.v)))
	}
	return lamWith(req, lamJoinTarget(path, strings.Join(parts, "&")), req.Headers)
}

// lamForwardV2: HTTP API and Function URL join a repeated header's values
// with "," into one field (P1) and hand cookies over as one list, which
// the function sends on as one Cookie header (P2).
func lamForwardV2(req *caseRequest) *caseRequest {
	headers := map[string]headerValues{}
	var cookies []string
	for _, k := range sortedNames(req.Headers) {
		ck := http.CanonicalHeaderKey(k)
		if ck == "Cookie" {
			for _, v := range req.Headers[k].values {
				for part := range strings.SplitSeq(v, ";") {
					if part = strings.TrimSpace(part); part != "" && !slices.Contains(cookies, part) {
						cookies = append(cookies, part)
					}
				}
			}
			continue
		}
		if old, ok := headers[ck]; ok {
			headers[ck] = headerList(old.values[0] + "," + strings.Join(req.Headers[k].values, ","))
		} else if len(req.Headers[k].values) > 0 {
			headers[ck] = headerList(strings.Join(req.Headers[k].values, ","))
		}
	}
	if len(cookies) > 0 {
		headers["Cookie"] = headerList(strings.Join(cookies, "; "))
	}
	return lamWith(req, req.target(), headers)
}

// lamForwardALB: the ALB appends the client address to X-Forwarded-For and
// passes the query as sent, its keys sorted by the function (P7, P11). In
// single-value mode only the last value of a repeated header or query key
// arrives.
func lamForwardALB(multi bool) func(req *caseRequest) *caseRequest {
	return func(req *caseRequest) *caseRequest {
		headers := map[string]headerValues{}
		for _, k := range sortedNames(req.Headers) {
			ck := http.CanonicalHeaderKey(k)
			headers[ck] = headerList(append(headers[ck].values, req.Headers[k].values...)...)
		}
		if !multi {
			for k, vs := range headers {
				if n := len(vs.values); n > 1 {
					headers[k] = headerList(vs.values[n-1:]...)
				}
			}
		}
		if xff := slices.Clone(headers["X-Forwarded-For"].values); len(xff) > 0 {
			xff[len(xff)-1] += ", " + lamClientIP
			headers["X-Forwarded-For"] = headerList(xff...)
		} else {
			headers["X-Forwarded-For"] = headerList(lamClientIP)
		}
		path, query, _ := strings.Cut(req.target(), "?")
		pairs := lamSplitQuery(query)
		if !multi {
			last := map[string]string{}
			var keys []string
			for _, p := range pairs {
				if _, seen := last[p.k]; !seen {
					keys = append(keys, p.k)
				}
				last[p.k] = p.v
			}
			pairs = pairs[:0]
			for _, k := range keys {
				pairs = append(pairs, lamQueryPair{k, last[k]})
			}
		}
		lamSortPairs(pairs)
		parts := make([]string, 0, len(pairs))
		for _, p := range pairs {
			parts = append(parts, p.k+"="+p.v)
		}
		return lamWith(req, lamJoinTarget(path, strings.Join(parts, "&")), headers)
	}
}

// lamKey identifies a request for the reference runs: method, target and
// every header field in a fixed order.
func lamKey(req *caseRequest) string {
	var b strings.Builder
	b.WriteString(req.method())
	b.WriteByte(' ')
	b.WriteString(req.target())
	for _, k := range sortedNames(req.Headers) {
		b.WriteString("\n" + http.CanonicalHeaderKey(k) + ": ")
		b.WriteString(strings.Join(req.Headers[k].values, "\x00"))
	}
	return b.String()
}
