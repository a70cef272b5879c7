package cache

import (
	"context"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tributary-gw/tributary/core/stage"
)

// Store is one HTTP cache: a Storage plus the table of calls in flight,
// so that concurrent misses for one URL make one backend call. Backends
// with a private cache each have their own Store; backends with a shared
// cache use the same one.
type Store struct {
	storage Storage
	now     func() time.Time

	mu      sync.Mutex
	flights map[string]*flight
	waiting atomic.Int64 // calls waiting for a flight now
}

// flight is a call in progress for one key; done is closed once its
// response has been stored, or not.
type flight struct {
	done chan struct{}
	// x and backend identify the leader's call: identical copies of one
	// call (concurrent_calls) race each other instead of waiting.
	x       *stage.Exchange
	backend int
	// deadline is the leader's deadline, zero when it has none. Past it
	// the leader's call is over, so a flight still there was never ended
	// (a later stage panicked) and the next miss replaces it.
	deadline time.Time
}

// Options configure NewStore. The zero value works.
type Options struct {
	// Storage holds the entries. Default: NewLRU(MaxItems, MaxSize).
	Storage Storage
	// MaxItems and MaxSize bound the default LRU storage. Defaults:
	// DefaultMaxItems and DefaultMaxSize.
	MaxItems, MaxSize int
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// NewStore returns an empty store.
func NewStore(o Options) *Store {
	s := &Store{storage: o.Storage, now: o.Now, flights: make(map[string]*flight)}
	if s.storage == nil {
		s.storage = NewLRU(o.MaxItems, o.MaxSize)
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// keyBufs recycles the buffers keys are built in, so a hit allocates
// nothing.
var keyBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// AppendKey appends the primary key of a call to dst: the method and the
// final URL (scheme, host, escaped path and the forwarded query).
func AppendKey(dst []byte, method string, u *url.URL) []byte {
	dst = append(dst, method...)
	dst = append(dst, ' ')
	dst = append(dst, u.Scheme...)
	dst = append(dst, "://"...)
	dst = append(dst, u.Host...)
	dst = append(dst, u.EscapedPath()...)
	if u.RawQuery != "" || u.ForceQuery {
		dst = append(dst, '?')
		dst = append(dst, u.RawQuery...)
	}
	return dst
}

// appendVariant appends to a primary key the values of the request
// headers named by Vary. Header values never hold NUL, so the separators
// cannot be forged by a client.
func appendVariant(dst []byte, vary []string, h http.Header) []byte {
	for _, name := range vary {
		dst = append(dst, 0)
		dst = append(dst, name...)
		vs, present := h[name]
		if !present {
			dst = append(dst, 2)
			continue
		}
		dst = append(dst, '=')
		for i, v := range vs {
			if i > 0 {
				dst = append(dst, 1)
			}
			dst = append(dst, v...)
		}
	}
	return dst
}

// lookup returns the fresh response entry stored for the primary key
// with h's variant, or nil. The variant key is built in key's spare
// capacity; key's own bytes are left as they are.
func (s *Store) lookup(key []byte, h http.Header, now time.Time) *Entry {
	e := s.storage.Get(key, now)
	if e == nil {
		return nil
	}
	if e.Answer != nil {
		return e
	}
	vk := appendVariant(key, e.Vary, h)
	if v := s.storage.Get(vk, now); v != nil && v.Answer != nil {
		return v
	}
	return nil
}

// join makes the caller the leader of the flight for key, or returns the
// flight another caller leads.
func (s *Store) join(ctx context.Context, key []byte, c *stage.Call, now time.Time) (f *flight, leader bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.flights[string(key)]; f != nil && (f.deadline.IsZero() || now.Before(f.deadline)) {
		return f, false
	}
	f = &flight{done: make(chan struct{}), x: c.Exchange, backend: c.Backend}
	f.deadline, _ = ctx.Deadline()
	s.flights[string(key)] = f
	return f, true
}

// land ends the flight f for key and wakes its waiters.
func (s *Store) land(key string, f *flight) {
	s.mu.Lock()
	if s.flights[key] == f {
		delete(s.flights, key)
	}
	s.mu.Unlock()
	close(f.done)
}

// put stores a response under the primary key (and under its variant key
// when it varies), for ttl.
func (s *Store) put(key string, req http.Header, status int, header http.Header, body []byte, ttl time.Duration, now time.Time) {
	vary, ok := varyNames(header)
	if !ok {
		return
	}
	a := &stage.Answer{Status: status, Header: header.Clone(), Body: nil}
	if len(body) > 0 {
		a.Body = append(make([]byte, 0, len(body)), body...)
	}
	e := &Entry{Answer: a, Expires: now.Add(ttl), Size: entryOverhead + len(body) + headerSize(header), Encoded: encoded(header)}
	if len(vary) == 0 {
		s.storage.Put(key, e)
		return
	}
	vk := string(appendVariant([]byte(key), vary, req))
	// The marker lives as long as the longest-lived variant it may lead
	// to, so a shorter variant stored later does not cut the others off.
	expires := e.Expires
	if old := s.storage.Get([]byte(key), now); old != nil && old.Answer == nil && sameNames(old.Vary, vary) && old.Expires.After(expires) {
		expires = old.Expires
	}
	s.storage.Put(vk, e)
	size := entryOverhead
	for _, n := range vary {
		size += len(n) + 16
	}
	s.storage.Put(key, &Entry{Vary: vary, Expires: expires, Size: size})
}

// varyNames returns the canonical, de-duplicated request header names a
// response's Vary lists; ok is false for "Vary: *". A response with a
// content coding also varies by Accept-Encoding, whether it says so or
// not, so that an encoded body only reaches clients that asked for it.
func varyNames(h http.Header) (names []string, ok bool) {
	add := func(n string) {
		n = textproto.CanonicalMIMEHeaderKey(n)
		for _, have := range names {
			if have == n {
				return
			}
		}
		names = append(names, n)
	}
	for _, v := range h["Vary"] {
		for _, part := range strings.Split(v, ",") {
			part = strings.TrimSpace(part)
			switch {
			case part == "":
			case part == "*":
				return nil, false
			default:
				add(part)
			}
		}
	}
	if encoded(h) {
		add("Accept-Encoding")
	}
	return names, true
}

// encoded reports a response whose body has a content coding.
func encoded(h http.Header) bool {
	for _, ce := range h["Content-Encoding"] {
		if ce = strings.TrimSpace(ce); ce != "" && !strings.EqualFold(ce, "identity") {
			return true
		}
	}
	return false
}

func sameNames(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// headerSize estimates the bytes a header map holds.
func headerSize(h http.Header) int {
	n := 0
	for k, vs := range h {
		n += len(k) + 32
		for _, v := range vs {
			n += len(v) + 16
		}
	}
	return n
}
