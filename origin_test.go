package liveview_test

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
)

// upgrade tries a websocket upgrade of the server at base with the given
// headers and reports whether the server accepted it; a refusal must be a
// 403.
func upgrade(t *testing.T, base string, tlsConf *tls.Config, h http.Header) bool {
	t.Helper()
	d := websocket.Dialer{TLSClientConfig: tlsConf, HandshakeTimeout: 30 * time.Second}
	ws, resp, err := d.Dial("ws"+strings.TrimPrefix(base, "http")+"/live/websocket?vsn=2.0.0", h)
	if err == nil {
		ws.Close()
		return true
	}
	if resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("upgrade with %v: %v (response %v), want success or 403", h, err, resp)
	}
	return false
}

func TestDefaultOriginCheckComparesSchemeHostAndPort(t *testing.T) {
	srv := securityServer(t, liveview.Config{})
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	u, _ := url.Parse(hs.URL)
	host, port := u.Hostname(), u.Port()
	otherPort := "1"
	if port == "1" {
		otherPort = "2"
	}
	cases := []struct {
		host, origin string // host "" is the server's own host:port
		ok           bool
	}{
		{"", hs.URL, true},
		{"", "HTTP://" + strings.ToUpper(u.Host), true}, // case does not matter
		{"", "", true},                   // not a browser: no page to protect
		{"", "https://" + u.Host, false}, // scheme
		{"", "ws://" + u.Host, false},
		{"", "http://" + host + ":" + otherPort, false}, // port
		{"", "http://" + host, false},                   // default port 80
		{"", "http://" + u.Host + ".evil.example", false},
		{"", "http://evil.example:" + port, false},
		{"", "http://" + host + "0:" + port, false},
		{"", "http://" + u.Host + "@evil.example", false},
		{"", "http://evil.example@" + u.Host, false}, // userinfo: not an origin
		{"", hs.URL + "/", true},
		{"", hs.URL + "/page", false},
		{"", "null", false},
		{"", "file://", false},
		// The Host header as a browser sends it for an internationalised name
		// (punycode), against look-alikes.
		{"xn--bcher-kva.example:" + port, "http://xn--bcher-kva.example:" + port, true},
		{"xn--bcher-kva.example:" + port, "http://XN--BCHER-KVA.example:" + port, true},
		{"xn--bcher-kva.example:" + port, "http://bücher.example:" + port, false},
		{"xn--bcher-kva.example:" + port, "http://xn--bcher-kva.example.evil:" + port, false},
		{"xn--bcher-kva.example:" + port, "http://evil.xn--bcher-kva.example:" + port, false},
		{"example.com", "http://example.com", true}, // no port in Host: 80
		{"example.com", "http://example.com:80", true},
		{"example.com", "https://example.com", false},
		{"example.com", "http://example.com.evil.net", false}, // prefix
		{"example.com", "http://evilexample.com", false},      // suffix
		{"example.com", "http://www.example.com", false},
		{"example.com", "http://example.co", false},
		{"", hs.URL + "0", false}, // the port with a digit more
	}
	for _, c := range cases {
		h := http.Header{}
		if c.origin != "" {
			h.Set("Origin", c.origin)
		}
		if c.host != "" {
			h.Set("Host", c.host)
		}
		if got := upgrade(t, hs.URL, nil, h); got != c.ok {
			t.Errorf("Host %q, Origin %q: accepted %v, want %v", c.host, c.origin, got, c.ok)
		}
	}
}

func TestOriginSchemeOverTLSAndBehindAProxy(t *testing.T) {
	srv := securityServer(t, liveview.Config{})
	tlsSrv := httptest.NewTLSServer(srv)
	t.Cleanup(tlsSrv.Close)
	conf := tlsSrv.Client().Transport.(*http.Transport).TLSClientConfig
	host := strings.TrimPrefix(tlsSrv.URL, "https://")
	if !upgrade(t, tlsSrv.URL, conf, http.Header{"Origin": {"https://" + host}}) {
		t.Error("TLS: the page's own https origin was refused")
	}
	if upgrade(t, tlsSrv.URL, conf, http.Header{"Origin": {"http://" + host}}) {
		t.Error("TLS: an http page of the same host and port was accepted")
	}

	// Behind a proxy that terminates TLS: the scheme is the proxy's word,
	// taken only when the app trusts it.
	for _, trust := range []bool{false, true} {
		srv := securityServer(t, liveview.Config{TrustForwardedProto: trust})
		hs := httptest.NewServer(srv)
		t.Cleanup(hs.Close)
		host := strings.TrimPrefix(hs.URL, "http://")
		for _, c := range []struct {
			proto, origin string
			ok            bool
		}{
			{"https", "https://" + host, trust},
			{"https", "http://" + host, !trust},
			{"http", "http://" + host, true},
			{"http", "https://" + host, false},
			{"", "http://" + host, true},
		} {
			h := http.Header{"Origin": {c.origin}}
			if c.proto != "" {
				h.Set("X-Forwarded-Proto", c.proto)
			}
			if got := upgrade(t, hs.URL, nil, h); got != c.ok {
				t.Errorf("TrustForwardedProto %v, X-Forwarded-Proto %q, Origin %q: accepted %v, want %v", trust, c.proto, c.origin, got, c.ok)
			}
		}
	}
}

var (
	reMain = regexp.MustCompile(`<div id="([^"]+)" data-phx-main data-phx-session="([^"]*)" data-phx-static="([^"]*)">`)
	reCSRF = regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)"`)
)

// freshPage renders path for a browser that has no cookies yet, so that
// the response sets the CSRF cookie.
func freshPage(t *testing.T, base, path string) liveviewtest.Page {
	t.Helper()
	resp, err := http.Get(base + path)
	testsupport.Must(t, err)
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	testsupport.Must(t, err)
	m, c := reMain.FindStringSubmatch(string(b)), reCSRF.FindStringSubmatch(string(b))
	if m == nil || c == nil {
		t.Fatalf("GET %s: no view container or CSRF token in:\n%s", path, b)
	}
	return liveviewtest.Page{Header: resp.Header, ID: m[1], Session: html.UnescapeString(m[2]), Static: html.UnescapeString(m[3]), CSRF: html.UnescapeString(c[1])}
}

// rawJoin opens a websocket to ts with the given Origin, carrying the
// cookies and CSRF token of page p, joins p's view with joinURL and returns
// the reply's status and payload.
func rawJoin(t *testing.T, ts *liveviewtest.Server, p liveviewtest.Page, origin, joinURL string) (string, string) {
	t.Helper()
	h := http.Header{"Origin": {origin}}
	for _, c := range (&http.Response{Header: p.Header}).Cookies() {
		h.Add("Cookie", c.Name+"="+c.Value)
	}
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(ts.URL, "http")+"/live/websocket?vsn=2.0.0&_csrf_token="+url.QueryEscape(p.CSRF), h)
	testsupport.Must(t, err)
	defer ws.Close()
	payload, _ := json.Marshal(map[string]any{"url": joinURL, "params": map[string]any{"_mounts": 0}, "session": p.Session, "static": p.Static})
	testsupport.Must(t, ws.WriteMessage(websocket.TextMessage, []byte(fmt.Sprintf(`["1","1","lv:%s","phx_join",%s]`, p.ID, payload))))
	ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("waiting for the reply to the join with url %q: %v", joinURL, err)
		}
		var m []json.RawMessage
		testsupport.Must(t, json.Unmarshal(msg, &m))
		if len(m) == 5 && string(m[3]) == `"phx_reply"` && string(m[1]) == `"1"` {
			var r struct {
				Status   string          `json:"status"`
				Response json.RawMessage `json:"response"`
			}
			testsupport.Must(t, json.Unmarshal(m[4], &r))
			return r.Status, string(r.Response)
		}
	}
}

func TestJoinURLMustBeOnThePageOrigin(t *testing.T) {
	srv, logs := testsupport.NewLogged(t, liveview.Config{AllowedOrigins: []string{"https://app.example"}})
	var unmounts atomic.Int64
	srv.Handle("/crash", liveview.View[testsupport.CrashState](testsupport.CrashView{Unmounts: &unmounts}))
	ts := liveviewtest.NewServer(t, srv)
	const refused = `{"reason":"unauthorized"}`
	cases := []struct {
		origin, url string
		ok          bool
	}{
		// AllowedOrigins lists the page's origin: the url must be on it.
		{"https://app.example", "https://app.example/crash", true},
		{"https://app.example", "https://APP.example:443/crash?x=1", true},
		{"https://app.example", "/crash", true}, // a path: on the page's origin
		{"https://app.example", ts.URL + "/crash", false},
		{"https://app.example", "http://app.example/crash", false},
		{"https://app.example", "https://app.example:8443/crash", false},
		{"https://app.example", "https://app.example.evil/crash", false},
		{"https://app.example", "https://evil.example/crash", false},
		{"https://app.example", "//evil.example/crash", false},
		{"https://app.example", "https:evil.example/crash", false},
		{"https://app.example", "https:/crash", false}, // a scheme without a host
		{"https://app.example", "http:/crash", false},
		{"https://app.example", "javascript:alert(1)//crash", false},
	}
	for _, c := range cases {
		p := freshPage(t, ts.URL, "/crash")
		status, resp := rawJoin(t, ts, p, c.origin, c.url)
		if c.ok && status != "ok" {
			t.Errorf("Origin %s, join url %q: %s %s, want ok", c.origin, c.url, status, resp)
		}
		if !c.ok && (status != "error" || resp != refused) {
			t.Errorf("Origin %s, join url %q: %s %s, want error %s", c.origin, c.url, status, resp, refused)
		}
	}
	if !strings.Contains(logs.String(), "url on another origin") {
		t.Errorf("refusals not logged:\n%s", logs.String())
	}

	// Without AllowedOrigins the page's origin is the server's own, which
	// the Origin check ensured; liveviewtest joins with it.
	srv2, _ := testsupport.NewLogged(t, liveview.Config{})
	srv2.Handle("/crash", liveview.View[testsupport.CrashState](testsupport.CrashView{Unmounts: &unmounts}))
	ts2 := liveviewtest.NewServer(t, srv2)
	u, _ := url.Parse(ts2.URL)
	port := u.Port()
	otherPort := "1"
	if port == "1" {
		otherPort = "2"
	}
	for _, c := range []struct {
		url string
		ok  bool
	}{
		{ts2.URL + "/crash", true},
		{"https://" + u.Host + "/crash", false},
		{"http://" + u.Hostname() + ":" + otherPort + "/crash", false},
		{"http://" + u.Hostname() + ".evil.example:" + port + "/crash", false},
		{"http://evil.example:" + port + "/crash", false},
	} {
		p := freshPage(t, ts2.URL, "/crash")
		status, resp := rawJoin(t, ts2, p, ts2.URL, c.url)
		if (status == "ok") != c.ok || (!c.ok && resp != refused) {
			t.Errorf("join url %q: %s %s, want ok %v", c.url, status, resp, c.ok)
		}
	}
}
