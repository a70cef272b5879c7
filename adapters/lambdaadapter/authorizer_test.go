package lambdaadapter

import (
	"net/http"
	"testing"

	"github.com/tributary-gw/tributary/internal/authorizer"
)

// authorizerSeen records the authorizer object each request carried.
type authorizerSeen struct {
	raw []byte
	ok  bool
}

func (h *authorizerSeen) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.raw, h.ok = authorizer.FromContext(r.Context())
	w.WriteHeader(http.StatusNoContent)
}

// TestAuthorizerContext: the requestContext.authorizer object of REST v1
// and HTTP API v2 events reaches the handler's context; Function URL and
// ALB events, a client header and a non-object value attach nothing.
func TestAuthorizerContext(t *testing.T) {
	auth := obj{"jwt": obj{"claims": obj{"sub": "a"}}}
	withAuth := func(ev obj, v any) obj {
		ev["requestContext"].(obj)["authorizer"] = v
		return ev
	}
	cases := []struct {
		name string
		ev   obj
		want bool
	}{
		{"v2", withAuth(v2Event("GET", "/a"), auth), true},
		{"v1", withAuth(v1Event("GET", "/a"), obj{"claims": obj{"sub": "a"}}), true},
		{"v2 without authorizer", v2Event("GET", "/a"), false},
		{"v2 authorizer not an object", withAuth(v2Event("GET", "/a"), "x"), false},
		{"function URL", withAuth(urlEvent("GET", "/a"), obj{"iam": obj{"userId": "u"}}), false},
		{"ALB", withAuth(albEvent("GET", "/a", false), auth), false},
	}
	spoof := v2Event("GET", "/a")
	spoof["headers"].(obj)["x-authorizer"] = `{"jwt":{"claims":{"sub":"evil"}}}`
	cases = append(cases, struct {
		name string
		ev   obj
		want bool
	}{"client header", spoof, false})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := &authorizerSeen{}
			a := New(h, Options{})
			if r := handleReply(t, a, mustJSON(t, c.ev)); r.StatusCode != http.StatusNoContent {
				t.Fatalf("status %d", r.StatusCode)
			}
			if h.ok != c.want {
				t.Fatalf("authorizer attached = %v (%s), want %v", h.ok, h.raw, c.want)
			}
			if c.want {
				if _, ok := authorizer.Claims(h.raw); !ok {
					t.Fatalf("authorizer %s has no claims", h.raw)
				}
			}
		})
	}
}
