package telemetry

import (
	"net/http"
	"reflect"
	"testing"
)

func TestRedactHeaders(t *testing.T) {
	tests := []struct {
		name string
		in   http.Header
		want http.Header
	}{
		{"nil", nil, nil},
		{"empty", http.Header{}, http.Header{}},
		{
			"credentials and others",
			http.Header{
				"Authorization":        {"Bearer abc.def.ghi"},
				"Proxy-Authorization":  {"Basic dXNlcjpwdw=="},
				"Cookie":               {"session=1", "theme=dark"},
				"Set-Cookie":           {"session=2; HttpOnly"},
				"X-Api-Key":            {"k-123"},
				"X-Auth-Token":         {"t-456"},
				"X-Amz-Security-Token": {"amz"},
				"Accept":               {"application/json"},
				"X-Request-Id":         {"r1", "r2"},
			},
			http.Header{
				"Authorization":        {Redacted},
				"Proxy-Authorization":  {Redacted},
				"Cookie":               {Redacted, Redacted},
				"Set-Cookie":           {Redacted},
				"X-Api-Key":            {Redacted},
				"X-Auth-Token":         {Redacted},
				"X-Amz-Security-Token": {Redacted},
				"Accept":               {"application/json"},
				"X-Request-Id":         {"r1", "r2"},
			},
		},
		{
			"non-canonical keys",
			http.Header{"authorization": {"secret"}, "COOKIE": {"c"}, "x-other": {"v"}},
			http.Header{"authorization": {Redacted}, "COOKIE": {Redacted}, "x-other": {"v"}},
		},
		{
			"empty value list",
			http.Header{"Authorization": {}},
			http.Header{"Authorization": {}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.in.Clone()
			got := RedactHeaders(tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("RedactHeaders() = %v, want %v", got, tt.want)
			}
			if !reflect.DeepEqual(tt.in, before) {
				t.Errorf("RedactHeaders modified its input: %v", tt.in)
			}
		})
	}
}
