package plan

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tributary-gw/tributary/core/stage"
)

const hmacJWKS = `{"keys":[{"kty":"oct","kid":"k","k":"Y29uZm9ybWFuY2UtaG1hYy1zZWNyZXQtMzItYnl0ZXM"}]}`

func signerConfig(signer, output string) string {
	return `{"version": 3, "endpoints": [{"endpoint": "/s", "output_encoding": "` + output + `",
 "backend": [{"host": ["http://127.0.0.1:9"], "url_pattern": "/x"}],
 "extra_config": {"auth/signer": ` + signer + `}}]}`
}

func TestSignerCompile(t *testing.T) {
	keys := filepath.Join(t.TempDir(), "keys.json")
	if err := os.WriteFile(keys, []byte(hmacJWKS), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := Compile(load(t, signerConfig(`{"alg": "HS256", "kid": "k", "jwk_local_path": "`+keys+`", "keys_to_sign": ["t"]}`, "json")))
	if err != nil {
		t.Fatal(err)
	}
	if ep := p.Endpoints[0]; len(ep.Finish) != 1 {
		t.Fatalf("Finish = %v", ep.Finish)
	}
	for name, tc := range map[string]struct{ signer, output, want string }{
		"unknown kid":  {`{"alg": "HS256", "kid": "nope", "jwk_local_path": "` + keys + `", "keys_to_sign": ["t"]}`, "json", `no key with kid "nope"`},
		"wrong alg":    {`{"alg": "RS256", "kid": "k", "jwk_local_path": "` + keys + `", "keys_to_sign": ["t"]}`, "json", "RSA private key"},
		"short hmac":   {`{"alg": "HS512", "kid": "k", "jwk_local_path": "` + keys + `", "keys_to_sign": ["t"]}`, "json", "at least 64 bytes"},
		"no-op output": {`{"alg": "HS256", "kid": "k", "jwk_local_path": "` + keys + `", "keys_to_sign": ["t"]}`, "no-op", `not allowed with output_encoding "no-op"`},
		"unreachable":  {`{"alg": "HS256", "kid": "k", "jwk_url": "http://` + closedAddr(t) + `/jwks", "disable_jwk_security": true, "keys_to_sign": ["t"]}`, "json", "fetching the key set"},
	} {
		_, err := Compile(load(t, signerConfig(tc.signer, tc.output)))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "auth/signer") {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestSignerFetchedOncePerURL(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Write([]byte(hmacJWKS))
	}))
	defer srv.Close()
	ns := `{"alg": "HS256", "kid": "k", "jwk_url": "` + srv.URL + `/jwks", "disable_jwk_security": true, "keys_to_sign": ["t"]}`
	cfg := load(t, `{"version": 3, "endpoints": [
 {"endpoint": "/a", "backend": [{"host": ["http://127.0.0.1:9"], "url_pattern": "/x"}], "extra_config": {"auth/signer": `+ns+`}},
 {"endpoint": "/b", "backend": [{"host": ["http://127.0.0.1:9"], "url_pattern": "/x"}], "extra_config": {"auth/signer": `+ns+`}}]}`)
	if _, err := Compile(cfg); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 1 {
		t.Errorf("the key set was fetched %d times for one URL", calls.Load())
	}
}

func TestSignerStage(t *testing.T) {
	keys := filepath.Join(t.TempDir(), "keys.json")
	os.WriteFile(keys, []byte(hmacJWKS), 0o600)
	p, err := Compile(load(t, signerConfig(`{"alg": "HS256", "kid": "k", "jwk_local_path": "`+keys+`", "keys_to_sign": ["t", "s", "n"]}`, "json")))
	if err != nil {
		t.Fatal(err)
	}
	f := p.Endpoints[0].Finish[0]
	ctx := context.Background()
	d := &stage.Document{Complete: true, HasData: true, Members: []stage.Member{
		{Name: "t", Value: []byte(`{"sub":"u1","exp":1900000000}`)},
		{Name: "s", Value: []byte(`"text"`)},
		{Name: "n", Value: []byte(`null`)},
		{Name: "o", Value: []byte(`{"x":1}`)},
	}}
	if rep := f.Finish(ctx, nil, d); rep != nil {
		t.Fatalf("reply %+v", rep)
	}
	var tok string
	if err := json.Unmarshal(d.Members[0].Value, &tok); err != nil ||
		tok != "eyJhbGciOiJIUzI1NiIsImtpZCI6ImsifQ.eyJzdWIiOiJ1MSIsImV4cCI6MTkwMDAwMDAwMH0.MhQByAW0v0BkQUkETUJSv_8kadXoORQ0RsYgn6w7kM8" {
		t.Errorf("t = %s", d.Members[0].Value)
	}
	for i, want := range []string{"", `"text"`, `null`, `{"x":1}`} {
		if i > 0 && string(d.Members[i].Value) != want {
			t.Errorf("member %s = %s, want it unchanged", d.Members[i].Name, d.Members[i].Value)
		}
	}
	for _, bad := range []stage.Document{{Complete: false, HasData: true}, {Complete: true, HasData: false}, {}} {
		rep := f.Finish(ctx, nil, &bad)
		if rep == nil || rep.Status != 400 || rep.Code != "signing_failed" {
			t.Errorf("%+v: reply %+v", bad, rep)
		}
	}
}
