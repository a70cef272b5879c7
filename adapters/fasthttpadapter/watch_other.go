//go:build !linux

package fasthttpadapter

import (
	"context"

	"github.com/valyala/fasthttp"
)

// watchClient watches for a client leaving on Linux only; elsewhere a
// backend call made for a client that left runs to its timeout.
func watchClient(*fasthttp.RequestCtx, context.CancelFunc) (stop func()) { return nil }
