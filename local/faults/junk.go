package faults

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxJunk bounds the junk log; junk past it is sent but not recorded.
const maxJunk = 1 << 17

// lastLook bounds the read of a request line found by the last look
// before delayed junk.
const lastLook = 50 * time.Millisecond

// JunkStats count the junk responses the server sent after complete
// responses (extra and after204 faults).
type JunkStats struct {
	// SameWrite and Delayed count junk written with the response, and in
	// a later write.
	SameWrite, Delayed int64
	// Skipped counts delayed junk not written because the next request had
	// already arrived on the connection (or the client had closed it): the
	// junk would have been that request's answer whatever the client did
	// (the inherent HTTP/1.1 race), so the server closes the connection
	// instead.
	Skipped int64
	// Reused counts connections on which a request arrived after the junk
	// was written: the client kept using a connection that had delivered
	// bytes nobody asked for. After junk sent in the same write this is
	// always a client bug; after delayed junk it may be the race (see
	// JunkRecord.Gap).
	Reused int64
	// ReusedSameWrite counts the Reused connections whose junk came in the
	// same write as the response.
	ReusedSameWrite int64
	// Dropped counts junk not recorded because the log was full.
	Dropped int64
}

// JunkRecord is one junk response and what followed it on its connection.
type JunkRecord struct {
	// ID is the id inside the junk body: JunkPrefix + the id of the call it
	// followed; Backend is that call's backend index.
	ID      string
	Backend int
	// After is the fault of the call whose response the junk followed.
	After Fault
	// Delayed is set when the junk was written after the response, Delay
	// later; otherwise it went out in the same write.
	Delayed bool
	Delay   time.Duration
	// Written is when the junk was written; zero when it was skipped.
	Written time.Time
	// Skipped is set when the next request arrived before the junk was due.
	Skipped bool
	// NextAt is when the first byte of a next request arrived on the
	// connection (zero: none while the server watched), NextTag that
	// request's "<id>-<index>" when its request line could be read.
	NextAt  time.Time
	NextTag string
}

// Gap is how long after the junk was written the next request's first
// byte reached the server; ok is false when there was no such request.
// A small gap means the client wrote that request before the junk could
// have reached it: no HTTP/1.1 client can tell the junk from the answer.
func (r JunkRecord) Gap() (gap time.Duration, ok bool) {
	if r.NextAt.IsZero() || r.Written.IsZero() {
		return 0, false
	}
	return r.NextAt.Sub(r.Written), true
}

// junkLog holds the junk records by junk id and backend.
type junkLog struct {
	mu   sync.Mutex
	recs map[string]*JunkRecord
	st   JunkStats
}

// junkKey is the junk log's key of a junk id and backend index.
func junkKey(id string, backend int) string { return id + "/" + strconv.Itoa(backend) }

// add records a junk response about to be sent after c's response.
func (l *junkLog) add(c call, delay time.Duration) *JunkRecord {
	rec := &JunkRecord{ID: JunkPrefix + c.id, Backend: c.backend, After: c.fault, Delayed: delay > 0, Delay: delay}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.recs) >= maxJunk {
		l.st.Dropped++
		return rec
	}
	if l.recs == nil {
		l.recs = make(map[string]*JunkRecord)
	}
	l.recs[junkKey(rec.ID, rec.Backend)] = rec
	return rec
}

// update applies f to rec under the lock, so readers see whole records.
func (l *junkLog) update(rec *JunkRecord, f func(*JunkRecord, *JunkStats)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f(rec, &l.st)
}

// stats returns a copy of the counters.
func (l *junkLog) stats() JunkStats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.st
}

// Junk returns the record of the junk response carrying id (JunkPrefix +
// the id of the call it followed) from backend index backend.
func (s *Server) Junk(id string, backend int) (JunkRecord, bool) {
	s.junk.mu.Lock()
	defer s.junk.mu.Unlock()
	rec, ok := s.junk.recs[junkKey(id, backend)]
	if !ok {
		return JunkRecord{}, false
	}
	return *rec, true
}

// serveJunk writes a complete response (extra: 200 framed by
// Content-Length or chunked; after204: a 204) followed by a complete junk
// response of another id, in the same write or Delay later. It never reads
// or answers another request on the connection: after the junk it only
// watches, for JunkPause, whether the client sends one, then closes.
// Delayed junk is skipped, and the connection closed, when the next
// request arrives before the junk is due.
func (s *Server) serveJunk(w http.ResponseWriter, c call) {
	conn, br, ok := s.hijack(w)
	if !ok {
		return
	}
	defer s.release(conn)
	var out []byte
	var delay time.Duration
	switch c.fault.Kind {
	case KindAfter204:
		out = []byte("HTTP/1.1 204 No Content\r\n" + HeaderFaultID + ": " + c.tag() + "\r\n\r\n")
		delay = time.Duration(c.fault.A) * time.Millisecond
	default:
		body := okBody(c, 0)
		if c.fault.A == 0 {
			out = append(rawHead(c, len(body)), body...)
		} else {
			out = append(append(rawHead(c, -1), chunk(body)...), "0\r\n\r\n"...)
		}
		delay = time.Duration(c.fault.B) * time.Millisecond
	}
	junk := junkResponse(c)
	rec := s.junk.add(c, delay)
	if delay == 0 {
		out = append(out, junk...)
	}
	if _, err := conn.Write(out); err != nil {
		return
	}
	if delay > 0 {
		// Wait out the delay watching for the next request, then peek once
		// more right before writing: the wake-up after the timeout can
		// take milliseconds on a loaded machine, and a request that came
		// in meanwhile would get the junk as its answer.
		at, tag, ok := watchNext(conn, br, delay)
		if !ok && pending(conn, br) {
			at, tag, ok = watchNext(conn, br, lastLook)
			ok = true // a request, or the client closed the connection
		}
		if ok {
			s.junk.update(rec, func(r *JunkRecord, st *JunkStats) {
				r.Skipped, r.NextAt, r.NextTag = true, at, tag
				st.Skipped++
			})
			return
		}
		if _, err := conn.Write(junk); err != nil {
			return
		}
	}
	now := time.Now()
	s.junk.update(rec, func(r *JunkRecord, st *JunkStats) {
		r.Written = now
		if r.Delayed {
			st.Delayed++
		} else {
			st.SameWrite++
		}
	})
	if at, tag, ok := watchNext(conn, br, s.opts.JunkPause); ok {
		s.junk.update(rec, func(r *JunkRecord, st *JunkStats) {
			r.NextAt, r.NextTag = at, tag
			st.Reused++
			if !r.Delayed {
				st.ReusedSameWrite++
			}
		})
	}
}

// watchNext waits up to d for the first byte of another request on conn.
// It reports when it arrived and, when the request line can be read in a
// moment more, the "<id>-<index>" of its fault path. Nothing is answered.
func watchNext(conn net.Conn, br *bufio.Reader, d time.Duration) (time.Time, string, bool) {
	if br.Buffered() == 0 {
		_ = conn.SetReadDeadline(time.Now().Add(d))
		if _, err := br.Peek(1); err != nil {
			return time.Time{}, "", false
		}
	}
	at := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(max(d, 50*time.Millisecond)))
	line, _ := br.ReadSlice('\n')
	return at, requestTag(string(line)), true
}

// pendingSlow reports whether a byte arrives on conn within a moment
// (without consuming it); the portable fallback of pending.
func pendingSlow(conn net.Conn, br *bufio.Reader) bool {
	if br.Buffered() > 0 {
		return true
	}
	_ = conn.SetReadDeadline(time.Now().Add(100 * time.Microsecond))
	_, err := br.Peek(1)
	var ne net.Error
	return err == nil || !(errors.As(err, &ne) && ne.Timeout())
}

// requestTag returns "<id>-<index>" of a fault request line, or "".
func requestTag(line string) string {
	f := strings.Fields(line)
	if len(f) < 2 {
		return ""
	}
	c, err := parseCall(f[1])
	if err != nil {
		return ""
	}
	return c.tag()
}
