package plan

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/oauth"
	"github.com/tributary-gw/tributary/core/sign"
	"github.com/tributary-gw/tributary/core/stage"
)

// finishStages compiles e's response-side stages (the validation/cel
// response expressions, then auth/signer); nil when
// there are none. The signing key is loaded now: a key set that cannot be
// read or fetched, or that lacks the key, fails the load (§17.18).
func (c *compiler) finishStages(e *config.Endpoint, ep *Endpoint) ([]stage.Finish, error) {
	var out []stage.Finish
	if f, err := c.luaProxyFinish(e); err != nil {
		return nil, fmt.Errorf("modifier/lua-proxy: %w", err)
	} else if f != nil {
		out = append(out, f) // post edits the data before it is validated and signed
	}
	if f, err := c.celFinishStage(e, ep); err != nil {
		return nil, fmt.Errorf("validation/cel: %w", err)
	} else if f != nil {
		out = append(out, f) // validate before signing
	}
	s := e.Signer
	if s == nil {
		return out, nil
	}
	if ep.Output == OutputNoOp {
		return nil, errors.New(`auth/signer: not allowed with output_encoding "no-op" (the response is passed through unread)`)
	}
	set, err := c.signerKeySet(s)
	if err != nil {
		return nil, fmt.Errorf("auth/signer: %w", err)
	}
	signer, err := sign.New(set, sign.Options{Alg: s.Alg, KeyID: s.KeyID, Full: s.Full})
	if err != nil {
		return nil, fmt.Errorf("auth/signer: %w", err)
	}
	return append(out, &signerStage{signer: signer, keys: s.KeysToSign, endpoint: e.Method + " " + e.Path}), nil
}

// signerKeySet reads s's key set: the file read at load, or the set at
// jwk_url, fetched once per URL and compile.
func (c *compiler) signerKeySet(s *config.Signer) (*sign.KeySet, error) {
	if s.JWKLocal != nil {
		set, err := sign.ParseKeySet(s.JWKLocal)
		if err != nil {
			return nil, fmt.Errorf("jwk_local_path %q: %w", s.JWKLocalPath, err)
		}
		return set, nil
	}
	v, err := c.memo("signer-jwks:"+s.JWKURL, func() (any, error) {
		o := sign.FetchOptions{Insecure: s.DisableJWKSecurity}
		if s.JWKLocalCA != nil {
			o.RootCAs = x509.NewCertPool()
			if !o.RootCAs.AppendCertsFromPEM(s.JWKLocalCA) {
				return nil, errors.New("jwk_local_ca holds no PEM certificate")
			}
		}
		data, err := sign.FetchKeySet(context.Background(), s.JWKURL, o)
		if err != nil {
			return nil, fmt.Errorf("jwk_url %q: %w", s.JWKURL, err)
		}
		set, err := sign.ParseKeySet(data)
		if err != nil {
			return nil, fmt.Errorf("jwk_url %q: %w", s.JWKURL, err)
		}
		return set, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*sign.KeySet), nil
}

// signerStage replaces the object values of the listed top-level keys
// with their JWS, once every backend has succeeded.
type signerStage struct {
	signer   *sign.Signer
	keys     []string
	endpoint string
}

// Finish signs d, or answers 400 signing_failed when the result is not
// complete and 500 when signing fails.
func (s *signerStage) Finish(ctx context.Context, x *stage.Exchange, d *stage.Document) *stage.Reply {
	if !d.Complete || !d.HasData {
		return &stage.Reply{Status: http.StatusBadRequest, Code: "signing_failed",
			Message: "the response is incomplete: nothing was signed"}
	}
	for i := range d.Members {
		m := &d.Members[i]
		if len(m.Value) == 0 || m.Value[0] != '{' || !signsKey(s.keys, m.Name) {
			continue
		}
		v, err := s.signer.Sign(m.Value)
		if err != nil {
			if x != nil && x.Log != nil {
				x.Log.Error("signing the response failed", "endpoint", s.endpoint, "key", m.Name, "error", err.Error())
			}
			return &stage.Reply{Status: http.StatusInternalServerError, Code: "internal_error", Message: "internal error"}
		}
		m.Value = v
	}
	return nil
}

func signsKey(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// clientCredentialsStage compiles b's auth/client-credentials; nil when
// it is not configured (or is_disabled). Each backend keeps its own token.
func (c *compiler) clientCredentialsStage(e *config.Endpoint, b *config.Backend) (stage.Backend, error) {
	cc := b.ClientCredentials
	if cc == nil || cc.IsDisabled {
		return nil, nil
	}
	params := url.Values{}
	for k, v := range cc.EndpointParams {
		params[k] = v
	}
	if cc.Audience != "" {
		params.Set("audience", cc.Audience)
	}
	return &clientCredentials{src: oauth.New(oauth.Options{
		ClientID:     cc.ClientID,
		ClientSecret: cc.ClientSecret,
		TokenURL:     cc.TokenURL,
		Scopes:       cc.Scopes,
		Params:       params,
	})}, nil
}

// clientCredentials sends the backend's client-credentials token in place
// of the client's own Authorization.
type clientCredentials struct{ src *oauth.Source }

// Before fails the call when no token can be had.
func (s *clientCredentials) Before(ctx context.Context, c *stage.Call) (*stage.Answer, error) {
	tok, err := s.src.Token(ctx)
	if err != nil {
		return nil, err
	}
	c.SetHeader("Authorization", "Bearer "+tok)
	return nil, nil
}
