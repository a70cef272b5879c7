package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"net/http"
	"time"

	"github.com/tributary-gw/tributary/core/cache"
	"github.com/tributary-gw/tributary/core/stage"
)

// DefaultMaxEntryBytes is the largest encoded cache entry CacheStorage
// stores by default.
const DefaultMaxEntryBytes = 1 << 20

// maxCacheKey is the longest cache key used as is; longer keys (long URLs,
// many Vary values) are replaced by their SHA-256.
const maxCacheKey = 256

// CacheStorage keeps qos/http-cache entries in a Store, so that every
// process sharing the server sees one cache. Entries expire in Redis when
// they stop being fresh. A lookup that Redis cannot answer is a miss and a
// write it cannot take is dropped (the cache fails open); the size of the
// whole cache is bounded by the server's memory policy, each entry by
// MaxEntryBytes.
type CacheStorage struct {
	s        *Store
	prefix   string
	maxEntry int
}

// NewCacheStorage returns the storage of one cache (one backend's private
// cache, or the shared one), its keys under prefix (e.g. "hc:shared|").
// maxEntry ≤ 0 means DefaultMaxEntryBytes.
func NewCacheStorage(s *Store, prefix string, maxEntry int) *CacheStorage {
	if maxEntry <= 0 {
		maxEntry = DefaultMaxEntryBytes
	}
	return &CacheStorage{s: s, prefix: prefix, maxEntry: maxEntry}
}

// key is the store key of a cache key.
func (c *CacheStorage) key(k []byte) string {
	if len(k) <= maxCacheKey {
		return c.prefix + string(k)
	}
	sum := sha256.Sum256(k)
	return c.prefix + "#" + hex.EncodeToString(sum[:])
}

// Get implements cache.Storage.
func (c *CacheStorage) Get(key []byte, now time.Time) *cache.Entry {
	b, ok, err := c.s.Get(context.Background(), c.key(key))
	if err != nil || !ok {
		return nil
	}
	e, err := decodeEntry(b)
	if err != nil || !now.Before(e.Expires) {
		return nil
	}
	return e
}

// Put implements cache.Storage.
func (c *CacheStorage) Put(key string, e *cache.Entry) {
	ttl := time.Until(e.Expires)
	if ttl <= 0 {
		return
	}
	b := encodeEntry(e)
	if len(b)+len(key) > c.maxEntry {
		return
	}
	_ = c.s.Set(context.Background(), c.key([]byte(key)), b, ttl)
}

var _ cache.Storage = (*CacheStorage)(nil)

// Entry encoding: version 1, flags (1: a response, 2: body kept encoded),
// Expires in unix nanoseconds (8 bytes), Size; then for a response the
// status, the header (count, then name and values) and the body; then
// the Vary names. Integers are uvarints, strings a length and the bytes.

const (
	entryVersion = 1
	flagAnswer   = 1
	flagEncoded  = 2
)

func encodeEntry(e *cache.Entry) []byte {
	n := 32
	if e.Answer != nil {
		n += len(e.Answer.Body)
		for k, vs := range e.Answer.Header {
			n += len(k) + 8
			for _, v := range vs {
				n += len(v) + 4
			}
		}
	}
	b := make([]byte, 0, n)
	var flags byte
	if e.Answer != nil {
		flags |= flagAnswer
	}
	if e.Encoded {
		flags |= flagEncoded
	}
	b = append(b, entryVersion, flags)
	b = binary.BigEndian.AppendUint64(b, uint64(e.Expires.UnixNano()))
	b = binary.AppendUvarint(b, uint64(max(e.Size, 0)))
	if a := e.Answer; a != nil {
		b = binary.AppendUvarint(b, uint64(max(a.Status, 0)))
		b = binary.AppendUvarint(b, uint64(len(a.Header)))
		for k, vs := range a.Header {
			b = appendString(b, k)
			b = binary.AppendUvarint(b, uint64(len(vs)))
			for _, v := range vs {
				b = appendString(b, v)
			}
		}
		b = binary.AppendUvarint(b, uint64(len(a.Body)))
		b = append(b, a.Body...)
	}
	b = binary.AppendUvarint(b, uint64(len(e.Vary)))
	for _, v := range e.Vary {
		b = appendString(b, v)
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

var errBadEntry = errors.New("malformed cache entry")

// reader decodes an entry; every read checks the remaining length, so a
// corrupt value is an error, never a panic or a large allocation.
type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errBadEntry
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a number of items each at least one byte long.
func (r *reader) count() int {
	v := r.uvarint()
	if v > uint64(len(r.b)) {
		r.err = errBadEntry
		return 0
	}
	return int(v)
}

func (r *reader) bytes() []byte {
	n := r.count()
	if r.err != nil {
		return nil
	}
	out := r.b[:n:n]
	r.b = r.b[n:]
	return out
}

func decodeEntry(b []byte) (*cache.Entry, error) {
	if len(b) < 10 || b[0] != entryVersion {
		return nil, errBadEntry
	}
	flags := b[1]
	e := &cache.Entry{
		Expires: time.Unix(0, int64(binary.BigEndian.Uint64(b[2:10]))),
		Encoded: flags&flagEncoded != 0,
	}
	r := &reader{b: b[10:]}
	size := r.uvarint()
	if size > 1<<40 {
		return nil, errBadEntry
	}
	e.Size = int(size)
	if flags&flagAnswer != 0 {
		status := r.uvarint()
		if status < 100 || status > 999 {
			return nil, errBadEntry
		}
		nh := r.count()
		h := make(http.Header, nh)
		for range nh {
			k := string(r.bytes())
			nv := r.count()
			vs := make([]string, 0, nv)
			for range nv {
				vs = append(vs, string(r.bytes()))
			}
			if r.err != nil {
				return nil, r.err
			}
			h[k] = vs
		}
		body := r.bytes()
		if r.err != nil {
			return nil, r.err
		}
		a := &stage.Answer{Status: int(status), Header: h}
		if len(body) > 0 {
			a.Body = append([]byte(nil), body...)
		}
		e.Answer = a
	}
	nv := r.count()
	for range nv {
		e.Vary = append(e.Vary, string(r.bytes()))
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != 0 {
		return nil, errBadEntry
	}
	return e, nil
}
