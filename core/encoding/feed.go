package encoding

import (
	"fmt"
	"strings"
	"time"

	"github.com/tributary-gw/tributary/core/shape"
)

// DecodeFeed decodes a backend body with encoding rss: an RSS (0.9x, 1.0 or
// 2.0) or Atom feed becomes the feed object
//
//	title, description, language, copyright, published, updated (strings,
//	"" when absent), author ({"name","email"} or null), categories (array
//	of strings or null), custom (null), type ("rss" or "atom"), items
//	(array), and img_url when the feed has an image.
//
// Each item carries, when not empty and in this order: title, description,
// content, link, links, updated, updatedParsed, published, publishedParsed,
// author, authors, guid, categories, enclosures. The *Parsed members
// are the dates in UTC in RFC 3339 form, present only when the date could be
// read. An empty or whitespace-only body gives {}.
func DecodeFeed(body []byte) (shape.Object, error) {
	root, err := parseTree(body)
	if err != nil || root == nil {
		return shape.Object{}, err
	}
	var f feed
	switch strings.ToLower(root.name) {
	case "rss", "rdf":
		f = rssFeed(root)
	case "feed":
		f = atomFeed(root)
	default:
		return shape.Object{}, fmt.Errorf("%w: root element %q", ErrFeed, root.name)
	}
	return f.object(), nil
}

// feed is the decoded feed, before encoding.
type feed struct {
	title, description, language, copyright, published, updated string
	author                                                      *person
	categories                                                  []string
	kind                                                        string
	image                                                       string
	items                                                       []item
}

type person struct{ name, email string }

type enclosure struct{ url, length, typ string }

type item struct {
	title, description, content, link string
	links                             []string
	updated, published                string
	author                            *person
	guid                              string
	categories                        []string
	enclosures                        []enclosure
}

func rssFeed(root *xnode) feed {
	f := feed{kind: "rss"}
	ch := root.kid("channel")
	if ch == nil {
		ch = &xnode{}
	}
	f.title = first(ch.kid("title").textValue(), dc(ch, "title"))
	f.description = first(ch.kid("description").textValue(), ch.kid("summary").textValue())
	f.language = first(ch.kid("language").textValue(), dc(ch, "language"))
	f.copyright = first(ch.kid("copyright").textValue(), dc(ch, "rights"))
	f.published = ch.kid("pubDate").textValue()
	f.updated = first(ch.kid("lastBuildDate").textValue(), dc(ch, "date"))
	for _, name := range []string{"managingEditor", "webMaster", "creator", "author"} {
		if s := ch.kid(name).textValue(); s != "" {
			f.author = parsePerson(s)
			break
		}
	}
	for _, c := range ch.all("category") {
		if s := c.textValue(); s != "" {
			f.categories = append(f.categories, s)
		}
	}
	if img := ch.kid("image"); img != nil {
		f.image = img.kid("url").textValue()
	}
	items := ch.all("item")
	if len(items) == 0 { // RSS 1.0: items beside the channel
		items = root.all("item")
	}
	for _, n := range items {
		var it item
		it.title = first(n.kid("title").textValue(), dc(n, "title"))
		it.description = n.kid("description").textValue()
		it.content = n.kid("encoded").textValue()
		for _, l := range n.all("link") {
			s := l.textValue()
			if s == "" {
				s = strings.TrimSpace(l.attr("href"))
			}
			if s != "" {
				it.links = append(it.links, s)
			}
		}
		if len(it.links) > 0 {
			it.link = it.links[0]
		}
		it.published = first(n.kid("pubDate").textValue(), dc(n, "date"))
		if s := first(n.kid("author").textValue(), n.kid("creator").textValue()); s != "" {
			it.author = parsePerson(s)
		}
		it.guid = n.kid("guid").textValue()
		for _, c := range n.all("category") {
			if s := c.textValue(); s != "" {
				it.categories = append(it.categories, s)
			}
		}
		for _, e := range n.all("enclosure") {
			it.enclosures = append(it.enclosures, enclosure{url: e.attr("url"), length: e.attr("length"), typ: e.attr("type")})
		}
		f.items = append(f.items, it)
	}
	return f
}

// dc returns the text of a Dublin Core element (its local name only is
// kept by the tree) when present.
func dc(n *xnode, name string) string { return n.kid(name).textValue() }

func atomFeed(root *xnode) feed {
	f := feed{kind: "atom"}
	f.title = root.kid("title").textValue()
	f.description = first(root.kid("subtitle").textValue(), root.kid("tagline").textValue())
	f.language = root.attr("lang")
	f.copyright = first(root.kid("rights").textValue(), root.kid("copyright").textValue())
	f.updated = first(root.kid("updated").textValue(), root.kid("modified").textValue())
	f.author = atomPerson(root.kid("author"))
	for _, c := range root.all("category") {
		if s := first(c.attr("term"), c.textValue()); s != "" {
			f.categories = append(f.categories, s)
		}
	}
	f.image = first(root.kid("logo").textValue(), root.kid("icon").textValue())
	for _, n := range root.all("entry") {
		var it item
		it.title = n.kid("title").textValue()
		it.description = n.kid("summary").textValue()
		it.content = n.kid("content").textValue()
		for _, l := range n.all("link") {
			href := strings.TrimSpace(l.attr("href"))
			if href == "" {
				continue
			}
			rel := l.attr("rel")
			switch rel {
			case "enclosure":
				it.enclosures = append(it.enclosures, enclosure{url: href, length: l.attr("length"), typ: l.attr("type")})
			case "", "alternate":
				if it.link == "" {
					it.link = href
				}
			}
			it.links = append(it.links, href)
		}
		it.updated = n.kid("updated").textValue()
		it.published = first(n.kid("published").textValue(), n.kid("issued").textValue())
		it.author = atomPerson(n.kid("author"))
		it.guid = n.kid("id").textValue()
		for _, c := range n.all("category") {
			if s := first(c.attr("term"), c.textValue()); s != "" {
				it.categories = append(it.categories, s)
			}
		}
		f.items = append(f.items, it)
	}
	return f
}

func atomPerson(n *xnode) *person {
	if n == nil {
		return nil
	}
	p := &person{name: n.kid("name").textValue(), email: n.kid("email").textValue()}
	if p.name == "" && p.email == "" {
		return nil
	}
	return p
}

// parsePerson reads "email (Name)", "Name <email>", an address or a name.
func parsePerson(s string) *person {
	if i := strings.IndexByte(s, '('); i > 0 && strings.HasSuffix(s, ")") {
		return &person{email: strings.TrimSpace(s[:i]), name: strings.TrimSpace(s[i+1 : len(s)-1])}
	}
	if i := strings.IndexByte(s, '<'); i >= 0 && strings.HasSuffix(s, ">") {
		return &person{name: strings.TrimSpace(s[:i]), email: strings.TrimSpace(s[i+1 : len(s)-1])}
	}
	if strings.Contains(s, "@") && !strings.ContainsAny(s, " \t") {
		return &person{email: s}
	}
	return &person{name: s}
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// dateLayouts are the date forms feeds use, tried in order.
var dateLayouts = []string{
	time.RFC1123Z, time.RFC1123, time.RFC3339Nano, time.RFC3339,
	"Mon, 2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04 -0700", "Mon, 2 Jan 2006 15:04 MST",
	"2 Jan 2006 15:04:05 -0700", "2 Jan 2006 15:04:05 MST",
	time.RFC822Z, time.RFC822, time.RFC850, time.ANSIC,
	"2006-01-02T15:04:05", "2006-01-02T15:04:05Z0700", "2006-01-02 15:04:05", "2006-01-02",
}

// parseDate returns the date in UTC, as RFC 3339 JSON text, or "".
func parseDate(s string) string {
	if s == "" {
		return ""
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			b, err := t.UTC().MarshalJSON()
			if err != nil { // year outside [0,9999]
				return ""
			}
			return string(b)
		}
	}
	return ""
}

func (f *feed) object() shape.Object {
	o := shape.Object{Members: make([]shape.Member, 0, 12)}
	add := func(name string, v []byte) { o.Members = append(o.Members, shape.Member{Name: name, Value: v}) }
	str := func(s string) []byte { return shape.AppendString(nil, s) }
	add("title", str(f.title))
	add("description", str(f.description))
	add("language", str(f.language))
	add("copyright", str(f.copyright))
	add("published", str(f.published))
	add("updated", str(f.updated))
	add("author", appendPerson(nil, f.author))
	add("categories", appendStrings(nil, f.categories))
	add("custom", []byte("null"))
	add("type", str(f.kind))
	items := []byte{'['}
	for i := range f.items {
		if i > 0 {
			items = append(items, ',')
		}
		items = f.items[i].append(items)
	}
	add("items", append(items, ']'))
	if f.image != "" {
		add("img_url", str(f.image))
	}
	return o
}

func appendPerson(dst []byte, p *person) []byte {
	if p == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '{')
	if p.name != "" {
		dst = append(dst, `"name":`...)
		dst = shape.AppendString(dst, p.name)
	}
	if p.email != "" {
		if p.name != "" {
			dst = append(dst, ',')
		}
		dst = append(dst, `"email":`...)
		dst = shape.AppendString(dst, p.email)
	}
	return append(dst, '}')
}

func appendStrings(dst []byte, list []string) []byte {
	if list == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i, s := range list {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = shape.AppendString(dst, s)
	}
	return append(dst, ']')
}

// append appends the item as gofeed's item JSON, empty fields left out.
func (it *item) append(dst []byte) []byte {
	dst = append(dst, '{')
	n := 0
	key := func(k string) {
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		dst = append(dst, '"')
		dst = append(dst, k...)
		dst = append(dst, '"', ':')
	}
	str := func(k, v string) {
		if v != "" {
			key(k)
			dst = shape.AppendString(dst, v)
		}
	}
	str("title", it.title)
	str("description", it.description)
	str("content", it.content)
	str("link", it.link)
	if len(it.links) > 0 {
		key("links")
		dst = appendStrings(dst, it.links)
	}
	str("updated", it.updated)
	if d := parseDate(it.updated); d != "" {
		key("updatedParsed")
		dst = append(dst, d...)
	}
	str("published", it.published)
	if d := parseDate(it.published); d != "" {
		key("publishedParsed")
		dst = append(dst, d...)
	}
	if it.author != nil {
		key("author")
		dst = appendPerson(dst, it.author)
		key("authors")
		dst = append(dst, '[')
		dst = appendPerson(dst, it.author)
		dst = append(dst, ']')
	}
	str("guid", it.guid)
	if len(it.categories) > 0 {
		key("categories")
		dst = appendStrings(dst, it.categories)
	}
	if len(it.enclosures) > 0 {
		key("enclosures")
		dst = append(dst, '[')
		for i, e := range it.enclosures {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, '{')
			m := 0
			for _, kv := range [3][2]string{{"url", e.url}, {"length", e.length}, {"type", e.typ}} {
				if kv[1] == "" {
					continue
				}
				if m > 0 {
					dst = append(dst, ',')
				}
				m++
				dst = append(dst, '"')
				dst = append(dst, kv[0]...)
				dst = append(dst, '"', ':')
				dst = shape.AppendString(dst, kv[1])
			}
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	return append(dst, '}')
}
