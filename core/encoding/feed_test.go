package encoding

import (
	"errors"
	"testing"
)

const rss2 = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>Example News</title>
  <link>https://news.example.com/</link>
  <description>All the news &amp; more</description>
  <language>en-us</language>
  <copyright>2024 Example</copyright>
  <pubDate>Mon, 06 Sep 2021 16:45:00 +0200</pubDate>
  <lastBuildDate>Tue, 07 Sep 2021 10:00:00 GMT</lastBuildDate>
  <managingEditor>editor@example.com (Jane Doe)</managingEditor>
  <category>Tech</category><category>Science</category>
  <image><url>https://news.example.com/logo.png</url><title>Logo</title></image>
  <item>
    <title>First</title>
    <link>https://news.example.com/1</link>
    <description>One</description>
    <content:encoded><![CDATA[<p>Full</p>]]></content:encoded>
    <author>bob@example.com (Bob)</author>
    <guid isPermaLink="false">id-1</guid>
    <pubDate>Mon, 06 Sep 2021 16:45:00 +0200</pubDate>
    <category>Tech</category>
    <enclosure url="https://news.example.com/a.mp3" length="123" type="audio/mpeg"/>
  </item>
  <item>
    <title>Second</title>
    <pubDate>not a date</pubDate>
  </item>
</channel>
</rss>`

const atom = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">
  <title>Atom Feed</title>
  <subtitle>Sub</subtitle>
  <link href="https://example.org/"/>
  <updated>2003-12-13T18:30:02Z</updated>
  <rights>CC</rights>
  <author><name>John</name><email>j@example.org</email></author>
  <category term="a"/>
  <entry>
    <title>Entry</title>
    <link href="https://example.org/e1"/>
    <link rel="enclosure" href="https://example.org/f.ogg" length="9" type="audio/ogg"/>
    <id>urn:uuid:1</id>
    <updated>2003-12-13T18:30:02+01:00</updated>
    <published>2003-12-13T08:29:29-04:00</published>
    <summary>Short</summary>
    <content type="html">Long</content>
  </entry>
</feed>`

func TestDecodeFeedRSS(t *testing.T) {
	o, err := DecodeFeed([]byte(rss2))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"title":"Example News","description":"All the news & more","language":"en-us","copyright":"2024 Example",` +
		`"published":"Mon, 06 Sep 2021 16:45:00 +0200","updated":"Tue, 07 Sep 2021 10:00:00 GMT",` +
		`"author":{"name":"Jane Doe","email":"editor@example.com"},"categories":["Tech","Science"],"custom":null,"type":"rss",` +
		`"items":[{"title":"First","description":"One","content":"<p>Full</p>","link":"https://news.example.com/1",` +
		`"links":["https://news.example.com/1"],"published":"Mon, 06 Sep 2021 16:45:00 +0200","publishedParsed":"2021-09-06T14:45:00Z",` +
		`"author":{"name":"Bob","email":"bob@example.com"},"authors":[{"name":"Bob","email":"bob@example.com"}],"guid":"id-1",` +
		`"categories":["Tech"],"enclosures":[{"url":"https://news.example.com/a.mp3","length":"123","type":"audio/mpeg"}]},` +
		`{"title":"Second","published":"not a date"}],"img_url":"https://news.example.com/logo.png"}`
	if got := objJSON(t, o); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestDecodeFeedAtom(t *testing.T) {
	o, err := DecodeFeed([]byte(atom))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"title":"Atom Feed","description":"Sub","language":"fr","copyright":"CC","published":"","updated":"2003-12-13T18:30:02Z",` +
		`"author":{"name":"John","email":"j@example.org"},"categories":["a"],"custom":null,"type":"atom",` +
		`"items":[{"title":"Entry","description":"Short","content":"Long","link":"https://example.org/e1",` +
		`"links":["https://example.org/e1","https://example.org/f.ogg"],"updated":"2003-12-13T18:30:02+01:00","updatedParsed":"2003-12-13T17:30:02Z",` +
		`"published":"2003-12-13T08:29:29-04:00","publishedParsed":"2003-12-13T12:29:29Z","guid":"urn:uuid:1",` +
		`"enclosures":[{"url":"https://example.org/f.ogg","length":"9","type":"audio/ogg"}]}]}`
	if got := objJSON(t, o); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestDecodeFeedMinimal(t *testing.T) {
	o, err := DecodeFeed([]byte(`<rss version="2.0"><channel></channel></rss>`))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"title":"","description":"","language":"","copyright":"","published":"","updated":"","author":null,"categories":null,"custom":null,"type":"rss","items":[]}`
	if got := objJSON(t, o); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if o, err := DecodeFeed(nil); err != nil || len(o.Members) != 0 {
		t.Errorf("empty body: %v %v", o, err)
	}
}

func TestDecodeFeedErrors(t *testing.T) {
	if _, err := DecodeFeed([]byte(`<html><body/></html>`)); !errors.Is(err, ErrFeed) {
		t.Errorf("html: %v", err)
	}
	if _, err := DecodeFeed([]byte(billionLaughs)); !errors.Is(err, ErrXMLSyntax) {
		t.Errorf("entities: %v", err)
	}
	if _, err := DecodeFeed([]byte(`<rss>` + repeatedNest(300) + `</rss>`)); !errors.Is(err, ErrXMLTooDeep) {
		t.Errorf("deep: %v", err)
	}
}
