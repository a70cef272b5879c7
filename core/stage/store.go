package stage

import (
	"context"
	"time"
)

// Store keeps the state of stateful stages, so that the same stage runs
// per process (NewMemory, the default) or fleet-wide (a shared store)
// without the stage or the executor changing. Keys are namespaced by the
// caller (gateway, endpoint, stage, client). Every method is safe for
// concurrent use and honours ctx: a store that cannot answer in time
// returns an error, and each stage documents whether it then fails open or
// closed.
type Store interface {
	// Take takes n tokens from the token bucket named key, which holds at
	// most burst tokens and gains rate tokens per second (a new bucket
	// starts full). It reports whether the tokens were taken and, when
	// not, how long until they would be there.
	Take(ctx context.Context, key string, rate float64, burst, n int) (ok bool, wait time.Duration, err error)
	// Get returns the value stored under key, unless it is absent or
	// expired.
	Get(ctx context.Context, key string) (value []byte, ok bool, err error)
	// Set stores value under key until ttl has passed. The store keeps its
	// own copy of value.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Delete removes key.
	Delete(ctx context.Context, key string) error
}
