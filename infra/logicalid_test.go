package infra

import (
	"slices"
	"strings"
	"testing"

	"github.com/tributary-gw/tributary/config"
)

func TestLogicalID(t *testing.T) {
	long := "/" + strings.Repeat("segment/", 10) + "{id}"
	tests := []struct {
		method, path, want string
	}{
		{"GET", "/frontpage/{id_user}", "EpGetFrontpageIdUser"},
		{"GET", "/users/{id_user}", "EpGetUsersIdUser"},
		{"GET", "/products", "EpGetProducts"},
		{"POST", "/a.b/c-d/{x-y}", "EpPostABCDXY"},
		{"DELETE", "/", "EpDelete"},
		{"PATCH", "/v1/users", "EpPatchV1Users"},
		{"PUT", "/userProfile/API", "EpPutUserProfileAPI"},
		{"GET", "/users/", "EpGetUsers"},
		{"GET", "/2fa/__health", "EpGet2faHealth"},
		{"PATCH", "/ünï/cøde", "EpPatchNCDe"},
		{"get", "/x", "EpGetX"},
		// Over 64 characters: cut, and the route hash keeps it unique.
		{"PUT", long, "EpPut" + strings.Repeat("Segment", 7) + "Se" + routeHash("PUT", long)},
	}
	for _, tc := range tests {
		got := LogicalID(tc.method, tc.path)
		if got != tc.want {
			t.Errorf("LogicalID(%q, %q) = %q, want %q", tc.method, tc.path, got, tc.want)
		}
		if len(got) > maxLogicalIDLen {
			t.Errorf("LogicalID(%q, %q) is %d characters long", tc.method, tc.path, len(got))
		}
	}
	if a, b := LogicalID("GET", long), LogicalID("GET", long+"x"); a == b || len(a) != maxLogicalIDLen {
		t.Errorf("long routes sharing a prefix: %q and %q", a, b)
	}
}

// TestRouteHashStable pins the hash: a changed function would rename every
// suffixed function, and CloudFormation would replace them.
func TestRouteHashStable(t *testing.T) {
	for _, tc := range []struct{ method, path, want string }{
		{"GET", "/a/b", "4894037c"},
		{"GET", "/a_b", "277f3f0c"},
		{"GET", "/x/role", "d944e143"},
	} {
		if got := routeHash(tc.method, tc.path); got != tc.want {
			t.Errorf("routeHash(%q, %q) = %q, want %q", tc.method, tc.path, got, tc.want)
		}
	}
}

func endpoints(routes ...string) []*config.Endpoint {
	eps := make([]*config.Endpoint, len(routes))
	for i, r := range routes {
		method, path, _ := strings.Cut(r, " ")
		eps[i] = &config.Endpoint{Method: method, Path: path}
	}
	return eps
}

func TestAssignIDs(t *testing.T) {
	tests := []struct {
		name   string
		routes []string
		want   []string
	}{
		{"no collisions", []string{"GET /a", "POST /a", "GET /a/{id}"},
			[]string{"EpGetA", "EpPostA", "EpGetAId"}},
		{"every member of a collision gets the hash",
			[]string{"GET /a/b", "GET /a_b", "GET /c", "GET /a-b"},
			[]string{"EpGetAB4894037c", "EpGetAB277f3f0c", "EpGetC", "EpGetAB" + routeHash("GET", "/a-b")}},
		{"an ID equal to a name SAM derives (…Role) is suffixed, its base is not",
			[]string{"GET /x", "GET /x/role"},
			[]string{"EpGetX", "EpGetXRoled944e143"}},
		{"…HttpPermission and …RestPermissionStage too",
			[]string{"GET /x/http/permission", "GET /x", "GET /x/rest-permission/stage"},
			[]string{"EpGetXHttpPermission" + routeHash("GET", "/x/http/permission"), "EpGetX",
				"EpGetXRestPermissionStage" + routeHash("GET", "/x/rest-permission/stage")}},
		{"no endpoints", nil, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := assignIDs(endpoints(tc.routes...), nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("assignIDs = %v, want %v", got, tc.want)
			}
			// The IDs do not depend on the order of the endpoints.
			rev := slices.Clone(tc.routes)
			slices.Reverse(rev)
			gotRev, err := assignIDs(endpoints(rev...), nil)
			if err != nil {
				t.Fatal(err)
			}
			slices.Reverse(gotRev)
			if !slices.Equal(gotRev, tc.want) {
				t.Errorf("reversed order: assignIDs = %v, want %v", gotRev, tc.want)
			}
		})
	}
}

func TestAssignIDsErrors(t *testing.T) {
	if _, err := assignIDs(endpoints("GET /a"), []string{"EpGetA"}); err == nil ||
		!strings.Contains(err.Error(), "logical ID EpGetA for endpoint GET /a is already used by a fixed resource") {
		t.Errorf("clash with a fixed name: err = %v", err)
	}
	// The same route twice cannot be told apart by its hash either.
	if _, err := assignIDs(endpoints("GET /a", "GET /a"), nil); err == nil ||
		!strings.Contains(err.Error(), "is already used by endpoint GET /a") {
		t.Errorf("duplicate route: err = %v", err)
	}
}

// TestGenerateCollisions runs the collision rules through Generate on a
// real config (the one TestTemplateLint also lints).
func TestGenerateCollisions(t *testing.T) {
	cfg := edgeConfig(t)
	b, err := Generate(cfg, Options{PerEndpoint: true})
	if err != nil {
		t.Fatal(err)
	}
	res := get(parseTemplate(t, b), "Resources")
	want := []string{"GatewayFunction", "EpGetAB4894037c", "EpGetAB277f3f0c", "EpGetX", "EpGetXRoled944e143",
		"EpDelete", "EpGetUsers", "EpPostABCDXY", "EpPatchNCDe", LogicalID("PUT", cfg.Endpoints[8].Path)}
	if got := mapKeys(res); !slices.Equal(got, want) {
		t.Errorf("resources = %v, want %v", got, want)
	}
	for i, e := range cfg.Endpoints {
		checkEndpointFunction(t, want[i+1], get(res, want[i+1]), e.Method, e.Path, false)
	}
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func FuzzLogicalID(f *testing.F) {
	for _, s := range [][2]string{
		{"GET", "/frontpage/{id_user}"}, {"DELETE", "/"}, {"", ""}, {"PÖST", "/ünï/{x}"},
		{"GET", "/" + strings.Repeat("a/", 100)}, {"\xff", "/\x00\xfe"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, method, path string) {
		id := LogicalID(method, path)
		if !strings.HasPrefix(id, "Ep") || !isAlnum(id) || len(id) > maxLogicalIDLen {
			t.Fatalf("LogicalID(%q, %q) = %q: want Ep…, alphanumeric, ≤ %d", method, path, id, maxLogicalIDLen)
		}
		if LogicalID(method, path) != id {
			t.Fatalf("LogicalID(%q, %q) is not deterministic", method, path)
		}
	})
}
