package rie

import (
	"strings"
	"sync"
)

// syncWriter serialises writes from the emulator's stdout and stderr.
type syncWriter struct {
	mu sync.Mutex
	b  *strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}
