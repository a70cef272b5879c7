package exec

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/tributary-gw/tributary/core/graphql"
	"github.com/tributary-gw/tributary/core/plan"
	"github.com/tributary-gw/tributary/core/shape"
)

// graphqlRequest renders a backend/graphql operation (krakend-compat
// §17.24): a POST with a JSON body and Content-Type: application/json, or,
// for a GET backend, the same fields added to the query. It returns the
// URL, headers and body to send.
func (c *call) graphqlRequest(b *plan.Backend, u *url.URL, header http.Header) (*url.URL, http.Header, []byte, error) {
	g := b.GraphQL
	if g.Get {
		q, err := g.Op.AppendQuery(u.RawQuery, c.lookup)
		if err != nil {
			return u, header, nil, fmt.Errorf("backend %d: %w", b.Index, err)
		}
		v := *u
		v.RawQuery = q
		return &v, header, nil, nil
	}
	body, err := g.Op.Body(make([]byte, 0, 256), c.lookup, c.body)
	if err != nil {
		if errors.Is(err, graphql.ErrBody) {
			return u, header, nil, fmt.Errorf("backend %d: graphql mutation: %w", b.Index, err)
		}
		return u, header, nil, fmt.Errorf("backend %d: %w", b.Index, err)
	}
	h := make(http.Header, len(header)+1)
	for k, v := range header {
		h[k] = v
	}
	h["Content-Type"] = []string{"application/json"}
	return u, h, body, nil
}

// graphqlFailure reports a GraphQL answer without data: data null or
// absent and a non-empty errors array. KrakenD merges such an answer as
// data; Tributary fails the backend so the result is marked incomplete.
func graphqlFailure(b *plan.Backend, obj shape.Object) error {
	data, _ := obj.Get("data")
	errs, ok := obj.Get("errors")
	if !ok {
		return nil
	}
	if msg, failed := graphql.Failed(data, errs); failed {
		return fmt.Errorf("backend %d: %s", b.Index, msg)
	}
	return nil
}
