package route

import (
	"strings"
	"testing"
)

func TestPathHygieneAndParamRules(t *testing.T) {
	routes := []Route{
		0: {"GET", "/users/{id}"},
		1: {"GET", "/users/{id}/orders/{order}"},
		2: {"GET", "/static/files"},
	}
	strictTbl := mustNew(t, routes, Options{})
	relaxedTbl := mustNew(t, routes, Options{DisablePathDecoding: true})
	long := strings.Repeat("a", MaxParamBytes)
	tests := []struct {
		name    string
		path    string
		strict  want
		relaxed *want // nil: same as strict
	}{
		// Hygiene: always BadPath, before any matching.
		{"empty path", "", want{kind: BadPath, message: `must start with "/"`}, nil},
		{"no leading slash", "users/1", want{kind: BadPath, message: `must start with "/"`}, nil},
		{"double slash", "//", want{kind: BadPath, message: "empty segment"}, nil},
		{"inner empty segment", "/users//orders", want{kind: BadPath, message: "empty segment"}, nil},
		{"double trailing slash", "/users/1//", want{kind: BadPath, message: "empty segment"}, nil},
		{"dot segment", "/a/./b", want{kind: BadPath, message: `"." or ".." segment`}, nil},
		{"dot-dot segment", "/users/../static", want{kind: BadPath, message: `"." or ".." segment`}, nil},
		{"trailing dot", "/users/.", want{kind: BadPath, message: `"." or ".." segment`}, nil},
		{"encoded dot-dot", "/users/%2e%2e", want{kind: BadPath, message: `"." or ".." segment`}, nil},
		{"mixed encoded dot-dot", "/users/%2E.", want{kind: BadPath, message: `"." or ".." segment`}, nil},
		{"encoded dot-dot literal position", "/a/%2e%2e/b", want{kind: BadPath, message: `"." or ".." segment`}, nil},
		{"invalid escape", "/users/%zz", want{kind: BadPath, message: "invalid percent-encoding"}, nil},
		{"truncated escape", "/users/abc%4", want{kind: BadPath, message: "invalid percent-encoding"}, nil},
		{"lone percent", "/users/%", want{kind: BadPath, message: "invalid percent-encoding"}, nil},
		{"overlong UTF-8 dot", "/users/%C0%AE", want{kind: BadPath, message: "not valid UTF-8"}, nil},
		{"raw invalid UTF-8", "/users/\xff", want{kind: BadPath, message: "not valid UTF-8"}, nil},
		{"UTF-8 check in literal position", "/%FF/x", want{kind: BadPath, message: "not valid UTF-8"}, nil},

		// Param rules (§6.3): BadParam naming the param; some relaxed by disable_path_decoding.
		{"encoded slash", "/users/a%2Fb", want{kind: BadParam, message: `"id" contains an encoded slash`},
			&want{kind: Found, params: []string{"id=a/b"}}},
		{"encoded slash traversal", "/users/..%2Fadmin", want{kind: BadParam, message: `"id" contains an encoded slash`},
			&want{kind: Found, params: []string{"id=../admin"}}},
		{"second param named", "/users/1/orders/x%2Fy", want{kind: BadParam, route: 1, message: `"order" contains an encoded slash`},
			&want{kind: Found, route: 1, params: []string{"id=1", "order=x/y"}}},
		{"double encoding", "/users/a%252Fb", want{kind: BadParam, message: `"id" contains "%" after decoding`},
			&want{kind: Found, params: []string{"id=a%2Fb"}}},
		{"question mark", "/users/a%3Fx=1", want{kind: BadParam, message: `"id" contains "?" or "#"`},
			&want{kind: Found, params: []string{"id=a?x=1"}}},
		{"hash", "/users/a%23b", want{kind: BadParam, message: `"id" contains "?" or "#"`},
			&want{kind: Found, params: []string{"id=a#b"}}},
		{"raw backslash", "/users/a\\b", want{kind: BadParam, message: `"id" contains a backslash`}, nil},
		{"encoded backslash", "/users/%5C..%5C", want{kind: BadParam, message: `"id" contains a backslash`}, nil},
		{"NUL", "/users/%00", want{kind: BadParam, message: `"id" contains a control character`}, nil},
		{"CRLF", "/users/%0d%0a", want{kind: BadParam, message: `"id" contains a control character`}, nil},
		{"DEL", "/users/a%7F", want{kind: BadParam, message: `"id" contains a control character`}, nil},
		{"too long", "/users/" + long + "a", want{kind: BadParam, message: `"id" is longer than 1024 bytes`}, nil},
		{"too long after decoding", "/users/" + strings.Repeat("%41", MaxParamBytes+1), want{kind: BadParam, message: `"id" is longer than 1024 bytes`}, nil},

		// Allowed values.
		{"max length", "/users/" + long, want{kind: Found, params: []string{"id=" + long}}, nil},
		{"encoded space", "/users/a%20b", want{kind: Found, params: []string{"id=a b"}}, nil},
		{"encoded UTF-8", "/users/%C3%A9t%C3%A9", want{kind: Found, params: []string{"id=été"}}, nil},
		{"raw UTF-8", "/users/日本", want{kind: Found, params: []string{"id=日本"}}, nil},
		{"dots inside a value", "/users/a..b", want{kind: Found, params: []string{"id=a..b"}}, nil},
		{"three dots", "/users/...", want{kind: Found, params: []string{"id=..."}}, nil},
		{"braces and semicolons", "/users/%7Bother%7D;x", want{kind: Found, params: []string{"id={other};x"}}, nil},
		{"plus stays plus", "/users/a+b", want{kind: Found, params: []string{"id=a+b"}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkResult(t, strictTbl.Lookup("GET", tc.path, "", nil), tc.strict)
			relaxed := tc.strict
			if tc.relaxed != nil {
				relaxed = *tc.relaxed
			}
			checkResult(t, relaxedTbl.Lookup("GET", tc.path, "", nil), relaxed)
		})
	}
}

func TestCheckParamDirect(t *testing.T) {
	// Dot-segments never reach checkParam through Lookup (hygiene rejects
	// them first); the rule still holds on its own.
	for _, v := range []string{".", ".."} {
		for _, relaxed := range []bool{false, true} {
			if got := checkParam(v, relaxed); got != ruleDot {
				t.Errorf("checkParam(%q, %v) = %v, want ruleDot", v, relaxed, got)
			}
		}
	}
	if got := ruleOK.describe(); got != "is valid" {
		t.Errorf("ruleOK.describe() = %q", got)
	}
}
