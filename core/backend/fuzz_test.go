package backend

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func FuzzReadBody(f *testing.F) {
	doc := []byte(`{"a":[1,2,3],"b":"text"}`)
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	_, _ = zw.Write(doc)
	_ = zw.Close()
	f.Add(doc, "", uint16(100), true)
	f.Add(doc, "identity", uint16(10), false)
	f.Add(z.Bytes(), "gzip", uint16(100), false)
	f.Add(z.Bytes(), "gzip", uint16(5), true)
	f.Add(z.Bytes()[:20], "gzip", uint16(100), true)
	f.Add([]byte("plain"), "gzip", uint16(100), false)
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}, "x-gzip", uint16(100), false)
	f.Add([]byte("x"), "br", uint16(100), true)
	f.Add([]byte{}, "gzip", uint16(1), true)
	f.Fuzz(func(t *testing.T, body []byte, ce string, limit uint16, declared bool) {
		lim := int64(limit) + 1
		length := int64(-1)
		if declared {
			length = int64(len(body))
		}
		h := http.Header{}
		if ce != "" {
			h.Set("Content-Encoding", ce)
		}
		rt := roundTripFunc(func(*http.Request) (*http.Response, error) {
			return fakeResponse(200, h, bytes.NewReader(body), length), nil
		})
		resp, err := fakeClient(rt).Do(testCtx(t), &Request{URL: &url.URL{Scheme: "http", Host: "backend.test", Path: "/"}, MaxBodyBytes: lim})
		if err != nil {
			if !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrBadGzip) && !errors.Is(err, ErrUnsupportedEncoding) {
				t.Fatalf("unexpected error class: %v", err)
			}
			return
		}
		if int64(len(resp.Body)) > lim {
			t.Fatalf("body %d bytes over the %d cap", len(resp.Body), lim)
		}
		switch v := strings.ToLower(strings.TrimSpace(ce)); v {
		case "", "identity":
			if !bytes.Equal(resp.Body, body) {
				t.Fatalf("identity body changed")
			}
		case "gzip", "x-gzip":
			want, rerr := referenceGunzip(body, lim)
			if rerr != nil {
				t.Fatalf("accepted a body the reference decoder refuses: %v", rerr)
			}
			if !bytes.Equal(resp.Body, want) {
				t.Fatalf("decoded body differs from the reference")
			}
			if _, ok := resp.Header["Content-Encoding"]; ok {
				t.Fatalf("Content-Encoding kept on a decoded body")
			}
		default:
			t.Fatalf("content coding %q accepted", ce)
		}
	})
}

// referenceGunzip decodes b with the standard library alone, reading at
// most limit+1 bytes.
func referenceGunzip(b []byte, limit int64) ([]byte, error) {
	if len(b) == 0 {
		return nil, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func FuzzRedirectLocation(f *testing.F) {
	for _, s := range []string{
		"/x", "//b.test/", "http://a.test:8080/y", "https://a.test:8080/y", "http://B.TEST/",
		"http://b.test:80/", "https://b.test/", "https://c.test:443/", "http://c.test/",
		"http://169.254.169.254/", "http://a.test:8080@evil.test/", "http://evil.test\\@a.test:8080/",
		"http://a.test%2f@evil.test/", "javascript:alert(1)", "http:/\\evil.test", "\x00", "http://[::1]/",
		"http://a.test:8080#frag", "?q=1", "../../etc", "HTTP://a.test:8080/",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, loc string, fromHTTPS bool) {
		r := &Request{
			URL:           &url.URL{Scheme: "http", Host: "a.test:8080", Path: "/start"},
			AllowedHosts:  []string{"http://a.test:8080", "http://b.test/"},
			RedirectHosts: []string{"https://c.test"},
		}
		cur := r.URL
		if fromHTTPS {
			cur = &url.URL{Scheme: "https", Host: "b.test", Path: "/start"}
		}
		next, err := nextHop(r, cur, loc, 0)
		if err != nil {
			if !errors.Is(err, ErrRedirectNotAllowed) {
				t.Fatalf("unexpected error class: %v", err)
			}
			return
		}
		if next.User != nil {
			t.Fatalf("credentials in %v", next)
		}
		if fromHTTPS && next.Scheme != "https" {
			t.Fatalf("https downgraded to %v", next)
		}
		host, port, scheme := strings.ToLower(next.Hostname()), next.Port(), next.Scheme
		ok := false
		switch host {
		case "a.test":
			ok = port == "8080" && (scheme == "http" || scheme == "https")
		case "b.test":
			ok = scheme == "http" && (port == "" || port == "80") || scheme == "https" && (port == "" || port == "443")
		case "c.test":
			ok = scheme == "https" && (port == "" || port == "443")
		}
		if !ok {
			t.Fatalf("redirect to %q (%s %s %s) allowed", next.String(), scheme, host, port)
		}
		again, perr := url.Parse(next.String())
		if perr != nil || again.Host != next.Host || again.Scheme != next.Scheme || again.User != nil {
			t.Fatalf("%q does not survive a print/parse round trip: %v %v", next.String(), again, perr)
		}
	})
}
