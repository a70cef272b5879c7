package websec

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func TestBotMatrix(t *testing.T) {
	o := BotOptions{
		Allow:    []string{"GoodCrawler/1.0"},
		Deny:     []string{"BadAgent"},
		Patterns: []string{`(?i)crawler`, `spider\d+`},
	}
	cases := []struct {
		ua   string
		want bool
	}{
		{"Mozilla/5.0", false},
		{"GoodCrawler/1.0", false}, // allow wins over patterns
		{"GoodCrawler/1.0 extra", true},
		{"BadAgent", true},
		{"BadAgent/2", false}, // deny is whole-value, not a prefix
		{"xBadAgent", false},
		{"some CRAWLER here", true},
		{"spider42", true},
		{"spider", false},
		{"", false},
	}
	for _, cache := range []int{0, 2} {
		o.CacheSize = cache
		b, err := NewBot(o)
		if err != nil {
			t.Fatal(err)
		}
		for round := 0; round < 3; round++ { // the cache never changes an answer
			for _, tc := range cases {
				if got := b.IsBot(tc.ua); got != tc.want {
					t.Errorf("cache %d round %d: IsBot(%q) = %v, want %v", cache, round, tc.ua, got, tc.want)
				}
			}
		}
		if b.cache != nil && b.cache.len() > 2 {
			t.Errorf("cache holds %d entries, bound 2", b.cache.len())
		}
	}
}

func TestBotEmptyAgentAndReply(t *testing.T) {
	b, err := NewBot(BotOptions{EmptyUserAgentIsBot: true, Patterns: []string{".*"}, ExemptPath: "/__health"})
	if err != nil {
		t.Fatal(err)
	}
	x := xreq("GET")
	rep := b.Run(context.Background(), x)
	if rep == nil || rep.Status != 403 || rep.Code != "forbidden" || rep.Message != "bot rejected" {
		t.Fatalf("empty agent: %+v", rep)
	}
	x = xreq("GET", "User-Agent", "curl/8")
	x.RawPath = "/__health"
	if rep := b.Run(context.Background(), x); rep != nil {
		t.Errorf("health path not exempt: %+v", rep)
	}
	x.Route = "/__health" // an endpoint-scope run is never exempt
	if rep := b.Run(context.Background(), x); rep == nil {
		t.Errorf("routed request exempt")
	}
	// Without empty_user_agent_is_bot an empty agent passes, whatever the patterns.
	b, _ = NewBot(BotOptions{Patterns: []string{"^$", ".*"}})
	if b.IsBot("") {
		t.Errorf("empty agent rejected")
	}
}

func TestBotInvalidPatternNamed(t *testing.T) {
	_, err := NewBot(BotOptions{Patterns: []string{"ok", "a[b"}})
	if err == nil || !strings.Contains(err.Error(), `"a[b"`) {
		t.Errorf("err = %v", err)
	}
	if _, err := NewBot(BotOptions{CacheSize: -1}); err == nil {
		t.Errorf("negative cache accepted")
	}
}

func TestLRUEviction(t *testing.T) {
	c := newLRU(3)
	for i := 0; i < 3; i++ {
		c.put(strconv.Itoa(i), i%2 == 0)
	}
	c.get("0") // 0 is now the most recent; 1 the least
	c.put("3", true)
	if _, ok := c.get("1"); ok {
		t.Errorf("least recent entry kept")
	}
	for _, k := range []string{"0", "2", "3"} {
		if _, ok := c.get(k); !ok {
			t.Errorf("entry %s evicted", k)
		}
	}
	if v, _ := c.get("0"); !v {
		t.Errorf("value changed")
	}
	c.put("0", false)
	if v, _ := c.get("0"); v || c.len() != 3 {
		t.Errorf("update: %v len %d", v, c.len())
	}
}

func TestBotConcurrentCache(t *testing.T) {
	b, err := NewBot(BotOptions{Patterns: []string{"bot"}, CacheSize: 8})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				ua := "agent" + strconv.Itoa(i%20)
				if i%3 == 0 {
					ua += "bot"
				}
				if b.IsBot(ua) != strings.Contains(ua, "bot") {
					t.Errorf("wrong answer for %q", ua)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n := b.cache.len(); n > 8 {
		t.Errorf("cache grew to %d", n)
	}
}
