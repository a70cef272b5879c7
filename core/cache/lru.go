package cache

import (
	"sync"
	"time"

	"github.com/tributary-gw/tributary/core/stage"
)

// Default bounds of a store.
const (
	// DefaultMaxItems is the default number of entries a store keeps.
	DefaultMaxItems = 1000
	// DefaultMaxSize is the default number of bytes a store keeps.
	DefaultMaxSize = 16 << 20
	// entryOverhead is what an entry costs besides its key, headers and
	// body: the entry itself, its map slot and its Answer.
	entryOverhead = 160
)

// Entry is one stored value: a response, or the Vary marker that says
// which request headers select among a URL's stored responses.
type Entry struct {
	// Answer is the stored response; nil for a Vary marker. It is shared
	// by every hit and never modified.
	Answer *stage.Answer
	// Vary are the canonical request header names of a marker.
	Vary []string
	// Expires is when the entry stops being fresh.
	Expires time.Time
	// Size is what the entry counts against the store's byte bound.
	Size int
	// Encoded reports a response body kept with its content coding (a
	// no-op passthrough backend asked for it).
	Encoded bool
}

// Storage keeps entries by key. It is the seam between the cache's
// logic (keys, freshness, storage rules, one call per key in flight) and
// where the entries live: LRU is the in-process storage. Every method is
// safe for concurrent use.
type Storage interface {
	// Get returns the entry stored under key if it is still fresh at now.
	// key is not retained.
	Get(key []byte, now time.Time) *Entry
	// Put stores e under key, replacing any entry there, evicting the
	// least recently used entries to stay within the bounds. An entry
	// larger than the byte bound is not stored.
	Put(key string, e *Entry)
}

// LRU is the in-process Storage: a map and a recency list under one lock,
// bounded by a number of entries and a number of bytes. Expired entries
// are dropped when met and evicted first by recency like any other.
type LRU struct {
	mu       sync.Mutex
	items    map[string]*node
	head     node // sentinel: head.next is the most recently used
	bytes    int
	maxItems int
	maxBytes int
}

type node struct {
	key        string
	e          *Entry
	prev, next *node
}

// NewLRU returns an empty LRU bounded by maxItems entries and maxBytes
// bytes; a bound ≤ 0 takes its default.
func NewLRU(maxItems, maxBytes int) *LRU {
	if maxItems <= 0 {
		maxItems = DefaultMaxItems
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxSize
	}
	l := &LRU{items: make(map[string]*node), maxItems: maxItems, maxBytes: maxBytes}
	l.head.prev, l.head.next = &l.head, &l.head
	return l
}

// Get implements Storage.
func (l *LRU) Get(key []byte, now time.Time) *Entry {
	l.mu.Lock()
	n := l.items[string(key)]
	if n == nil {
		l.mu.Unlock()
		return nil
	}
	if !now.Before(n.e.Expires) {
		l.remove(n)
		l.mu.Unlock()
		return nil
	}
	if l.head.next != n {
		l.unlink(n)
		l.pushFront(n)
	}
	e := n.e
	l.mu.Unlock()
	return e
}

// Put implements Storage.
func (l *LRU) Put(key string, e *Entry) {
	size := e.Size + len(key)
	if size > l.maxBytes {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if old := l.items[key]; old != nil {
		l.remove(old)
	}
	for len(l.items) >= l.maxItems || l.bytes+size > l.maxBytes {
		l.remove(l.head.prev)
	}
	n := &node{key: key, e: e}
	l.items[key] = n
	l.bytes += size
	l.pushFront(n)
}

// Len reports the number of entries and the bytes they count.
func (l *LRU) Len() (items, bytes int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.items), l.bytes
}

func (l *LRU) remove(n *node) {
	l.unlink(n)
	delete(l.items, n.key)
	l.bytes -= n.e.Size + len(n.key)
}

func (l *LRU) unlink(n *node) {
	n.prev.next, n.next.prev = n.next, n.prev
	n.prev, n.next = nil, nil
}

func (l *LRU) pushFront(n *node) {
	n.prev, n.next = &l.head, l.head.next
	l.head.next.prev = n
	l.head.next = n
}
