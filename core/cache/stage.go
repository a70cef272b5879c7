package cache

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/tributary-gw/tributary/core/stage"
)

// Stage is the qos/http-cache backend stage. Before answers GET and HEAD
// calls from the store while an entry is fresh; on a miss the first call
// for a key goes to the backend and concurrent calls for the same key
// wait for it (each within its own context) and then take the stored
// answer, or call the backend themselves when nothing was stored; the
// identical copies of one call that concurrent_calls sends do not wait
// for each other. After
// stores the responses a shared cache may keep. Request Cache-Control
// directives are ignored: a client cannot bypass or purge the cache.
type Stage struct {
	store *Store
	o     StageOptions

	mu      sync.Mutex
	pending map[*stage.Call]pending
}

// pending is what Before learnt about a call that went to the backend.
type pending struct {
	key    string
	header http.Header // the outgoing headers as the lookup saw them
	cred   bool        // the request carried credentials
	f      *flight     // the flight this call leads, or nil
}

var (
	_ stage.Backend  = (*Stage)(nil)
	_ stage.Observer = (*Stage)(nil)
)

// StageOptions describe the backend a Stage serves, so that a response
// another backend stored in a shared store is only used where the live
// response would have been processed the same way.
type StageOptions struct {
	// MaxBody is the backend's response size cap; a stored body over it is
	// not used (the live call would fail). 0: no cap.
	MaxBody int64
	// KeepEncoding reports a backend whose body is passed through with
	// its content coding (no-op output). Other backends never use a
	// stored body that has one: they would have received it decoded.
	KeepEncoding bool
}

// NewStage returns a stage that caches in s.
func NewStage(s *Store, o StageOptions) *Stage {
	return &Stage{store: s, o: o, pending: make(map[*stage.Call]pending)}
}

// usable returns e's answer when this backend may use it, else nil.
func (s *Stage) usable(e *Entry) *stage.Answer {
	if e == nil || s.o.MaxBody > 0 && int64(len(e.Answer.Body)) > s.o.MaxBody || e.Encoded && !s.o.KeepEncoding {
		return nil
	}
	return e.Answer
}

// Before implements stage.Backend.
func (s *Stage) Before(ctx context.Context, c *stage.Call) (*stage.Answer, error) {
	if c.Method != http.MethodGet && c.Method != http.MethodHead || c.URL == nil {
		return nil, nil
	}
	bp := keyBufs.Get().(*[]byte)
	key := AppendKey((*bp)[:0], c.Method, c.URL)
	a := s.usable(s.store.lookup(key, c.Header, s.store.now()))
	if a != nil {
		release(bp, key)
		return a, nil
	}
	p := pending{key: string(key), header: c.Header, cred: credentialed(c)}
	f, leader := s.store.join(ctx, key, c, s.store.now())
	if leader {
		// The previous flight may have landed between the lookup and
		// the join: look again before calling.
		if a = s.usable(s.store.lookup(key, c.Header, s.store.now())); a != nil {
			release(bp, key)
			s.store.land(p.key, f)
			return a, nil
		}
		p.f = f
	} else if f.x == nil || f.x != c.Exchange || f.backend != c.Backend {
		s.store.waiting.Add(1)
		select {
		case <-f.done:
			s.store.waiting.Add(-1)
			if a = s.usable(s.store.lookup(key, c.Header, s.store.now())); a != nil {
				release(bp, key)
				return a, nil
			}
		case <-ctx.Done():
			s.store.waiting.Add(-1)
			// Proceed: the call fails at once with the context's error,
			// exactly like any call past its deadline.
		}
	}
	// else: a copy of the leader's own call (concurrent_calls) races it.
	release(bp, key)
	s.mu.Lock()
	s.pending[c] = p
	s.mu.Unlock()
	return nil, nil
}

// After implements stage.Observer: it stores a cacheable response and
// ends the flight the call led.
func (s *Stage) After(c *stage.Call, status int, header http.Header, body []byte, err error) {
	s.mu.Lock()
	p, ok := s.pending[c]
	if ok {
		delete(s.pending, c)
	}
	s.mu.Unlock()
	if !ok {
		return
	}
	if p.f != nil {
		defer s.store.land(p.key, p.f)
	}
	if err != nil || status < 200 || status > 299 || status == http.StatusPartialContent {
		return
	}
	now := s.store.now()
	ttl, ok := Storable(header, p.cred, now)
	if !ok {
		return
	}
	s.store.put(p.key, p.header, status, header, body, ttl, now)
}

// Storable reports whether a shared cache may keep a 2xx response with
// header, and for how long (RFC 9111 §3 and §4.2, without heuristics): not
// when it sets a cookie, says no-store, no-cache or private, gives no
// explicit freshness, or is already stale; and, for a request that
// carried credentials, only when it says public or s-maxage. Vary is
// checked when storing.
func Storable(header http.Header, credentialed bool, now time.Time) (time.Duration, bool) {
	if len(header["Set-Cookie"]) > 0 {
		return 0, false
	}
	d := ParseCacheControl(header["Cache-Control"])
	if d.NoStore || d.NoCache || d.Private {
		return 0, false
	}
	if credentialed && !d.Public && !d.HasSMaxAge {
		return 0, false
	}
	return Freshness(header, d, now)
}

// credentialed reports a call made for a request that carried
// Authorization or Cookie, or to which a stage added headers (propagated
// JWT claims).
func credentialed(c *stage.Call) bool {
	if hasCredentials(c.Header) {
		return true
	}
	x := c.Exchange
	return x != nil && (len(x.Forward) > 0 || hasCredentials(x.Header))
}

func hasCredentials(h http.Header) bool {
	return len(h["Authorization"]) > 0 || len(h["Cookie"]) > 0
}

func release(bp *[]byte, key []byte) {
	if cap(key) <= 4096 {
		*bp = key[:0]
		keyBufs.Put(bp)
	}
}
