package stage

import "context"

// Member is one top-level member of the merged response a Finish stage
// sees.
type Member struct {
	// Name is the decoded key.
	Name string
	// Value is the member's compact JSON text. A stage replaces it with
	// another compact, valid JSON value; it never modifies the bytes in
	// place (they may belong to a backend body).
	Value []byte
}

// Document is the merged result of an endpoint's backends, before it is
// encoded (krakend-compat §8 stage 11).
type Document struct {
	// Complete reports that every backend of the endpoint succeeded.
	Complete bool
	// HasData reports that some backend produced data or error data.
	// Without data Members is empty and, unless a stage replies, the
	// gateway answers 502 or 504.
	HasData bool
	// Members are the top-level members in output order. A stage may
	// replace the Value of any member; it must not add, remove, rename or
	// reorder members (the executor answers 500 if it does).
	Members []Member
}

// Finish is a stage run once per request after the backends are merged
// and before the response is encoded: response signing, response-side
// validation. Finish may replace member values in d, or end the request
// with a non-nil *Reply, which replaces the whole response. It is run only
// for endpoints whose output is encoded by the gateway (never for no-op
// passthrough), and concurrently for different requests. x is the
// request's Exchange.
type Finish interface {
	Finish(ctx context.Context, x *Exchange, d *Document) *Reply
}
