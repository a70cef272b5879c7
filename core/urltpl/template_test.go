package urltpl

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestCompile(t *testing.T) {
	tests := []struct {
		pattern string
		names   []string
		err     string // substring; "" means success
	}{
		{"/v1/users/{id}/profile?src=gw", []string{"id"}, ""},
		{"/users/{id}.json", []string{"id"}, ""},
		{"/a/{x}-{y}/{x}?q={y}&r={z}", []string{"x", "y", "z"}, ""},
		{"/r/{resp0_user.id}/{JWT.sub}/{JWT.cognito:groups}", []string{"resp0_user.id", "JWT.sub", "JWT.cognito:groups"}, ""},
		{"/", nil, ""},
		{"/users/", nil, ""},
		{"/a;v=1/b%20c/~user/!$&'()*+,=:@", nil, ""},
		{"/search?q=a?b&next=/x&flag", nil, ""},
		{"/search?", nil, ""},
		{"/orders?user=u-{id}-x", []string{"id"}, ""},

		{"", nil, `must start with "/"`},
		{"v1/users", nil, `must start with "/"`},
		{"?q=1", nil, `must start with "/"`},
		{"/a/{id", nil, `unbalanced "{"`},
		{"/a/id}", nil, `unbalanced "}"`},
		{"/a/{}", nil, "invalid placeholder {}"},
		{"/a/{x{y}}", nil, "invalid placeholder {x{y}"},
		{"/a/{x y}", nil, "invalid placeholder"},
		{"/a/{x/y}", nil, "invalid placeholder"},
		{"/a//b", nil, "empty segment"},
		{"/a/../b", nil, `"." or ".." segment`},
		{"/a/%2e/b", nil, `"." or ".." segment`},
		{"/a#frag", nil, `character '#' is not allowed`},
		{"/a b", nil, `character ' ' is not allowed`},
		{"/a\\b", nil, `is not allowed`},
		{"/a/%zz", nil, "invalid percent-escape"},
		{"/a/%4", nil, "invalid percent-escape"},
		{"/a/\x00", nil, "is not allowed"},
		{"/a/é", nil, "is not allowed"},
		{"/a?{k}=v", nil, "placeholders are allowed only in query values"},
		{"/a?k{x}=v", nil, "placeholders are allowed only in query values"},
		{"/a?a=1&&b=2", nil, "empty parameter"},
		{"/a?=v", nil, "empty parameter"},
		{"/a?a=1;b=2", nil, `character ';' is not allowed`},
		{"/a?q={x", nil, `unbalanced "{"`},
		{"/a?q=#", nil, "not allowed"},
	}
	for _, tc := range tests {
		t.Run(tc.pattern, func(t *testing.T) {
			tpl, err := Compile(tc.pattern)
			if tc.err != "" {
				if err == nil || !errors.Is(err, ErrPattern) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want ErrPattern containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			if got := tpl.Names(); !slices.Equal(got, tc.names) {
				t.Errorf("Names() = %q, want %q", got, tc.names)
			}
			if tpl.String() != tc.pattern {
				t.Errorf("String() = %q", tpl.String())
			}
		})
	}
}

func TestNamesIsACopy(t *testing.T) {
	tpl, err := Compile("/a/{x}")
	if err != nil {
		t.Fatal(err)
	}
	tpl.Names()[0] = "changed"
	if got := tpl.Names()[0]; got != "x" {
		t.Errorf("Names() shares its slice: %q", got)
	}
}
