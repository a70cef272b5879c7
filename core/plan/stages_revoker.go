package plan

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/revoke"
	"github.com/tributary-gw/tributary/core/stage"
)

// revocations returns the service's revocation list, made on first use
// and shared by every endpoint; nil when auth/revoker is not configured.
func (c *compiler) revocations() (revoke.List, error) {
	r := c.cfg.Revoker
	if r == nil {
		return nil, nil
	}
	if !r.Configured() {
		return nil, errors.New(`tributary.revoke_admin needs the "auth/revoker" namespace`)
	}
	v, err := c.memo("revoker", func() (any, error) {
		return c.newRevocationList(r)
	})
	if err != nil {
		return nil, err
	}
	return v.(revoke.List), nil
}

// revokerStage compiles the auth/revoker check of e: it runs right after
// e's auth/validator; nil when e validates no token or no revoker is
// configured.
func (c *compiler) revokerStage(e *config.Endpoint) (stage.Endpoint, error) {
	if e.Validator == nil || c.cfg.Revoker == nil {
		return nil, nil
	}
	list, err := c.revocations()
	if err != nil {
		return nil, err
	}
	if len(c.cfg.Revoker.TokenKeys) == 0 {
		return nil, nil
	}
	return &revokerStage{list: list, keys: c.cfg.Revoker.TokenKeys}, nil
}

// revokerStage answers 401 for a token one of whose token_keys claims is
// on the revocation list.
type revokerStage struct {
	list revoke.List
	keys []string
}

// revokedReply is the answer to a revoked token.
var revokedReply = stage.Reply{Status: http.StatusUnauthorized, Header: http.Header{"Www-Authenticate": {"Bearer"}},
	Code: "invalid_token", Message: "the token has been revoked"}

// Run checks the validated claims (nothing to check without them). A list
// that cannot answer fails closed.
func (s *revokerStage) Run(ctx context.Context, x *stage.Exchange) *stage.Reply {
	if x.Claims == nil {
		return nil
	}
	for _, k := range s.keys {
		v, ok := claimText(x.Claims[k])
		if !ok {
			continue
		}
		revoked, err := s.list.Revoked(ctx, revoke.Key(k, v))
		if err != nil {
			x.Log.Error("revocation list unavailable", "error", err.Error())
			rep := revokedReply
			return &rep
		}
		if revoked {
			rep := revokedReply
			return &rep
		}
	}
	return nil
}

// claimText renders a scalar claim as text: strings as they are, numbers
// with their exact digits, booleans as true/false.
func claimText(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case json.Number:
		return t.String(), true
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(t), true
	}
	return "", false
}

// revokeAdminStage compiles tributary.revoke_admin; nil when it is off.
// It runs before routing, so an endpoint with the same path is refused.
func (c *compiler) revokeAdminStage() (stage.Endpoint, error) {
	r := c.cfg.Revoker
	if r == nil || r.Admin == nil {
		return nil, nil
	}
	list, err := c.revocations()
	if err != nil {
		return nil, err
	}
	for _, e := range c.cfg.Endpoints {
		if e.Path == r.Admin.Path {
			return nil, errors.New("tributary.revoke_admin: path " + strconv.Quote(r.Admin.Path) + " is also the endpoint " + e.Method + " " + e.Path)
		}
	}
	return &revokeAdmin{list: list, path: r.Admin.Path, digest: r.Admin.SecretSHA256, keys: r.TokenKeys}, nil
}

// revokeAdmin answers POST <path>?claim=<name>&value=<value>, adding the
// entry "<name>-<value>" to this process's revocation list. The caller
// proves it knows the secret whose SHA-256 the config holds with
// "Authorization: Bearer <secret>", over HTTPS or from a loopback
// address.
type revokeAdmin struct {
	list   revoke.List
	path   string
	digest [32]byte
	keys   []string
}

// Run answers requests to the admin path and lets every other one
// through.
func (a *revokeAdmin) Run(ctx context.Context, x *stage.Exchange) *stage.Reply {
	if x.RawPath != a.path {
		return nil
	}
	if x.Method != http.MethodPost {
		return &stage.Reply{Status: http.StatusMethodNotAllowed, Header: http.Header{"Allow": {"POST"}},
			Code: "method_not_allowed", Message: "use POST"}
	}
	if !x.TLS && !loopbackClient(x.ClientIP) {
		return &stage.Reply{Status: http.StatusForbidden, Code: "forbidden", Message: "the admin path needs HTTPS"}
	}
	if !a.authorized(x.Header) {
		x.Log.Warn("revocation admin: request refused", "client", x.ClientIP)
		return &stage.Reply{Status: http.StatusUnauthorized, Header: http.Header{"Www-Authenticate": {"Bearer"}},
			Code: "invalid_token", Message: "missing or invalid admin secret"}
	}
	q, err := url.ParseQuery(x.RawQuery)
	claim, value := q.Get("claim"), q.Get("value")
	if err != nil || len(q["claim"]) != 1 || len(q["value"]) != 1 || value == "" {
		return &stage.Reply{Status: http.StatusBadRequest, Code: "bad_request", Message: "give exactly one claim and one value: ?claim=jti&value=..."}
	}
	if !signsKey(a.keys, claim) {
		return &stage.Reply{Status: http.StatusBadRequest, Code: "bad_request",
			Message: "claim " + strconv.Quote(claim) + " is not one of token_keys"}
	}
	if err := a.list.Add(ctx, revoke.Key(claim, value)); err != nil {
		x.Log.Error("revocation admin: adding failed", "error", err.Error())
		return &stage.Reply{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: "the revocation list is unavailable"}
	}
	x.Log.Info("revocation admin: entry added", "claim", claim, "client", x.ClientIP)
	body, _ := json.Marshal(map[string]string{"revoked": revoke.Key(claim, value)})
	return &stage.Reply{Status: http.StatusOK, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}, Body: body}
}

// authorized reports a single "Bearer <secret>" Authorization whose
// secret hashes to the configured digest.
func (a *revokeAdmin) authorized(h http.Header) bool {
	vals := h.Values("Authorization")
	if len(vals) != 1 {
		return false
	}
	scheme, secret, ok := strings.Cut(vals[0], " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || secret == "" {
		return false
	}
	sum := sha256.Sum256([]byte(secret))
	return subtle.ConstantTimeCompare(sum[:], a.digest[:]) == 1
}

// loopbackClient reports a client on a loopback address.
func loopbackClient(ip string) bool {
	addr := net.ParseIP(ip)
	return addr != nil && addr.IsLoopback()
}
