package websec

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"

	"github.com/tributary-gw/tributary/core/stage"
)

// BotOptions configure a bot-detector stage.
type BotOptions struct {
	// Allow are User-Agent values always admitted (whole-value match).
	Allow []string
	// Deny are User-Agent values always rejected (whole-value match).
	Deny []string
	// Patterns are RE2 patterns, unanchored; a match rejects the request.
	Patterns []string
	// EmptyUserAgentIsBot rejects requests without a User-Agent.
	EmptyUserAgentIsBot bool
	// CacheSize > 0 keeps the pattern decisions of that many distinct
	// agents in an LRU cache.
	CacheSize int
	// ExemptPath is a request path the detector never rejects (the health
	// endpoint at service scope); "" for none.
	ExemptPath string
}

// Bot is a compiled bot detector. It is safe for concurrent use; its only
// mutable part is the decision cache, which never changes an answer.
type Bot struct {
	allow    map[string]struct{}
	deny     map[string]struct{}
	re       []*regexp.Regexp // tried in order; each keeps its own literal fast paths
	empty    bool
	exempt   string
	cache    *lru
	rejected *stage.Reply
}

// NewBot compiles o. It fails on an invalid pattern, naming it.
func NewBot(o BotOptions) (*Bot, error) {
	b := &Bot{
		empty:    o.EmptyUserAgentIsBot,
		exempt:   o.ExemptPath,
		rejected: &stage.Reply{Status: http.StatusForbidden, Code: "forbidden", Message: "bot rejected"},
	}
	if len(o.Allow) > 0 {
		b.allow = make(map[string]struct{}, len(o.Allow))
		for _, a := range o.Allow {
			b.allow[a] = struct{}{}
		}
	}
	if len(o.Deny) > 0 {
		b.deny = make(map[string]struct{}, len(o.Deny))
		for _, d := range o.Deny {
			b.deny[d] = struct{}{}
		}
	}
	for _, p := range o.Patterns {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("invalid pattern %q: %v", p, err)
		}
		b.re = append(b.re, re)
	}
	if len(b.re) > 0 && o.CacheSize > 0 {
		b.cache = newLRU(o.CacheSize)
	}
	if o.CacheSize < 0 {
		return nil, fmt.Errorf("cache_size %d is negative", o.CacheSize)
	}
	return b, nil
}

// Run implements stage.Endpoint: 403 forbidden for a bot.
func (b *Bot) Run(_ context.Context, x *stage.Exchange) *stage.Reply {
	if b.exempt != "" && x.Route == "" && x.RawPath == b.exempt {
		return nil
	}
	if b.IsBot(first(x.Header, "User-Agent")) {
		return b.rejected
	}
	return nil
}

// IsBot decides for one User-Agent value: allow, then deny, then the
// patterns; an empty agent is a bot only with EmptyUserAgentIsBot.
func (b *Bot) IsBot(ua string) bool {
	if ua == "" {
		return b.empty
	}
	if _, ok := b.allow[ua]; ok {
		return false
	}
	if _, ok := b.deny[ua]; ok {
		return true
	}
	if len(b.re) == 0 {
		return false
	}
	if b.cache != nil {
		if v, ok := b.cache.get(ua); ok {
			return v
		}
	}
	v := false
	for _, re := range b.re {
		if re.MatchString(ua) {
			v = true
			break
		}
	}
	if b.cache != nil {
		b.cache.put(ua, v)
	}
	return v
}

// lru is a fixed-size least-recently-used map from agent to decision.
type lru struct {
	mu   sync.Mutex
	max  int
	m    map[string]*lruEntry
	root lruEntry // sentinel: root.next is the most recent
}

type lruEntry struct {
	key        string
	val        bool
	prev, next *lruEntry
}

func newLRU(n int) *lru {
	c := &lru{max: n, m: make(map[string]*lruEntry, min(n, 1024))}
	c.root.next, c.root.prev = &c.root, &c.root
	return c
}

func (c *lru) unlink(e *lruEntry) {
	e.prev.next, e.next.prev = e.next, e.prev
}

func (c *lru) pushFront(e *lruEntry) {
	e.prev, e.next = &c.root, c.root.next
	c.root.next.prev = e
	c.root.next = e
}

func (c *lru) get(k string) (bool, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok {
		return false, false
	}
	c.unlink(e)
	c.pushFront(e)
	return e.val, true
}

func (c *lru) put(k string, v bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[k]; ok {
		e.val = v
		c.unlink(e)
		c.pushFront(e)
		return
	}
	var e *lruEntry
	if len(c.m) >= c.max {
		e = c.root.prev
		c.unlink(e)
		delete(c.m, e.key)
	} else {
		e = new(lruEntry)
	}
	e.key, e.val = strings.Clone(k), v
	c.m[e.key] = e
	c.pushFront(e)
}

// len reports the number of cached decisions.
func (c *lru) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
