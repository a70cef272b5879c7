package faults

import (
	"sync"
	"time"
)

// StormPrefix starts the ids of disconnect-storm requests. The server
// records their calls one by one (ServerOptions.TrackPrefix).
const StormPrefix = "s"

// maxCalls bounds the call log; calls past it are counted, not recorded.
const maxCalls = 1 << 16

// Call is one recorded backend call of a tracked request.
type Call struct {
	// ID is the request id, Backend the backend index, Fault the fault.
	ID      string
	Backend int
	Fault   Fault
	// Seen is when the handler started.
	Seen time.Time
	// Ended is when the handler saw its caller leave or finished; zero
	// while it runs.
	Ended time.Time
	// Cancelled is set when the caller left before the answer was
	// complete.
	Cancelled bool
}

// callLog holds the calls of tracked requests.
type callLog struct {
	mu      sync.Mutex
	byID    map[string][]*Call
	n       int
	dropped int
}

// start records a call; nil when the log is full.
func (l *callLog) start(c call) *Call {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n >= maxCalls {
		l.dropped++
		return nil
	}
	if l.byID == nil {
		l.byID = make(map[string][]*Call)
	}
	rec := &Call{ID: c.id, Backend: c.backend, Fault: c.fault, Seen: time.Now()}
	l.byID[c.id] = append(l.byID[c.id], rec)
	l.n++
	return rec
}

// end marks rec finished, once; later calls are ignored.
func (l *callLog) end(rec *Call, cancelled bool) {
	if rec == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if rec.Ended.IsZero() {
		rec.Ended = time.Now()
		rec.Cancelled = cancelled
	}
}

// Calls returns copies of the recorded calls of request id (tracked ids
// only), in arrival order.
func (s *Server) Calls(id string) []Call {
	s.calls.mu.Lock()
	defer s.calls.mu.Unlock()
	recs := s.calls.byID[id]
	out := make([]Call, len(recs))
	for i, r := range recs {
		out[i] = *r
	}
	return out
}

// ForgetCalls drops the call log (between storms).
func (s *Server) ForgetCalls() {
	s.calls.mu.Lock()
	defer s.calls.mu.Unlock()
	s.calls.byID, s.calls.n = nil, 0
}
