package liveview_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/render"
)

var defaultHeaders = map[string]string{
	"Content-Security-Policy":           "frame-ancestors 'self'; base-uri 'self'",
	"X-Frame-Options":                   "SAMEORIGIN",
	"X-Content-Type-Options":            "nosniff",
	"Referrer-Policy":                   "strict-origin-when-cross-origin",
	"X-Permitted-Cross-Domain-Policies": "none",
}

// awayView redirects over HTTP with a flash when mounted with ?away=1,
// and otherwise shows a page.
type awayView struct{}

var awayTmpl = render.Must(render.Parse(`<p id="here">here</p>`))

func (awayView) Mount(s *liveview.Socket[testsupport.CrashState], p liveview.Params) error {
	if p.String("away") != "" {
		s.PutFlash("info", "moved on")
		s.Redirect("/counter")
	}
	return nil
}
func (awayView) Render(testsupport.CrashState) (*render.Rendered, error) {
	return awayTmpl.Execute(nil)
}

// securityServer serves a counter at /counter, awayView at /away, a view
// that fails at /fail, in development mode when dev is set.
func securityServer(t *testing.T, cfg liveview.Config) *liveview.Server {
	t.Helper()
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := liveview.NewServer(cfg)
	t.Cleanup(func() { srv.Close() })
	srv.Handle("/counter", liveview.View[counterState](counterView{}))
	srv.Handle("/away", liveview.View[testsupport.CrashState](awayView{}))
	srv.Handle("/fail", liveview.View[devState](devView{mode: "mount"}))
	return srv
}

// getRaw fetches path from the server at base without following redirects.
func getRaw(t *testing.T, c *http.Client, base, path string, header http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	testsupport.Must(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	cc := *c
	cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := cc.Do(req)
	testsupport.Must(t, err)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	for _, dev := range []bool{false, true} {
		srv := securityServer(t, liveview.Config{Dev: dev})
		hs := httptest.NewServer(srv)
		t.Cleanup(hs.Close)
		page := getRaw(t, hs.Client(), hs.URL, "/counter", nil)
		b, err := io.ReadAll(fetch(srv, "/counter", nil).Body)
		testsupport.Must(t, err)
		assets := regexp.MustCompile(`(?:src|href)="(/live/[^"]+)"`).FindAllStringSubmatch(string(b), -1)
		if len(assets) != 3 {
			t.Fatalf("the page loads %d files from /live, want 3 (bundle, layout style and script):\n%s", len(assets), b)
		}
		responses := map[string]*http.Response{
			"page":     page,
			"404":      getRaw(t, hs.Client(), hs.URL, "/nothing-here", nil),
			"redirect": getRaw(t, hs.Client(), hs.URL, "/away?away=1", nil),
			"error":    getRaw(t, hs.Client(), hs.URL, "/fail", nil),
		}
		post, err := hs.Client().Post(hs.URL+"/counter", "text/plain", strings.NewReader("x"))
		testsupport.Must(t, err)
		post.Body.Close()
		responses["405"] = post
		for _, a := range assets {
			responses[a[1]] = getRaw(t, hs.Client(), hs.URL, a[1], nil)
		}
		wantStatus := map[string]int{"page": 200, "404": 404, "redirect": 302, "error": 500, "405": 405}
		for name, resp := range responses {
			if want, ok := wantStatus[name]; ok && resp.StatusCode != want {
				t.Errorf("dev %v, %s: status %d, want %d", dev, name, resp.StatusCode, want)
			}
			if _, ok := wantStatus[name]; !ok && resp.StatusCode != 200 {
				t.Errorf("dev %v, %s: status %d, want 200", dev, name, resp.StatusCode)
			}
			for k, v := range defaultHeaders {
				if got := resp.Header.Values(k); len(got) != 1 || got[0] != v {
					t.Errorf("dev %v, %s: %s = %q, want %q", dev, name, k, got, v)
				}
			}
		}
	}
}

func TestSecurityHeadersCanBeChanged(t *testing.T) {
	csp := "default-src 'self'; frame-ancestors https://partner.example"
	srv := securityServer(t, liveview.Config{SecurityHeaders: map[string]string{
		"content-security-policy":   csp, // any case names the header
		"X-Frame-Options":           "",  // removed
		"Strict-Transport-Security": "max-age=63072000",
	}})
	resp := fetch(srv, "/counter", nil)
	want := map[string]string{
		"Content-Security-Policy":   csp,
		"X-Frame-Options":           "",
		"X-Content-Type-Options":    "nosniff",
		"Referrer-Policy":           "strict-origin-when-cross-origin",
		"Strict-Transport-Security": "max-age=63072000",
	}
	for k, v := range want {
		if got := resp.Header().Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if _, ok := resp.Header()["X-Frame-Options"]; ok {
		t.Errorf("X-Frame-Options is present, want it removed: %q", resp.Header()["X-Frame-Options"])
	}

	for _, bad := range []map[string]string{
		{"X Frame": "DENY"},
		{"": "x"},
		{"X-Frame-Options": "DENY\r\nSet-Cookie: a=b"},
		{"Referrer-Policy": "no-referrer\n"},
	} {
		func() {
			defer func() {
				p := recover()
				if p == nil || !strings.Contains(p.(error).Error(), "Config.SecurityHeaders") {
					t.Errorf("NewServer with SecurityHeaders %q: panic %v, want one naming Config.SecurityHeaders", bad, p)
				}
			}()
			liveview.NewServer(liveview.Config{SecurityHeaders: bad, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		}()
	}
}

// cookieFlags returns the Set-Cookie headers of resp by cookie name.
func cookieFlags(resp *http.Response) map[string]*http.Cookie {
	m := map[string]*http.Cookie{}
	for _, c := range resp.Cookies() {
		m[c.Name] = c
	}
	return m
}

func TestCookiesAreSecureOverHTTPS(t *testing.T) {
	const csrf, flash = "_liveview_csrf", "__phoenix_flash__"
	cases := []struct {
		name   string
		tls    bool
		trust  bool
		header http.Header
		secure bool
	}{
		{"plain HTTP", false, false, nil, false},
		{"TLS", true, false, nil, true},
		{"TLS, proxy trusted", true, true, nil, true},
		{"X-Forwarded-Proto https, proxy not trusted", false, false, http.Header{"X-Forwarded-Proto": {"https"}}, false},
		{"X-Forwarded-Proto https, proxy trusted", false, true, http.Header{"X-Forwarded-Proto": {"HTTPS"}}, true},
		{"X-Forwarded-Proto http, proxy trusted", false, true, http.Header{"X-Forwarded-Proto": {"http"}}, false},
		{"proxy appended http to a client's https", false, true, http.Header{"X-Forwarded-Proto": {"https, http"}}, false},
		{"proxy appended https", false, true, http.Header{"X-Forwarded-Proto": {"http", "https"}}, true},
		{"three values, the last https", false, true, http.Header{"X-Forwarded-Proto": {"http, http, https"}}, true},
		{"no X-Forwarded-Proto, proxy trusted", false, true, nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := securityServer(t, liveview.Config{TrustForwardedProto: c.trust})
			var hs *httptest.Server
			if c.tls {
				hs = httptest.NewTLSServer(srv)
			} else {
				hs = httptest.NewServer(srv)
			}
			t.Cleanup(hs.Close)

			resp := getRaw(t, hs.Client(), hs.URL, "/counter", c.header)
			ck := cookieFlags(resp)[csrf]
			if ck == nil {
				t.Fatalf("no %s cookie on the page: %q", csrf, resp.Header.Values("Set-Cookie"))
			}
			if ck.Secure != c.secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
				t.Errorf("%s cookie: %q, want Secure %v, HttpOnly, SameSite=Lax", csrf, resp.Header.Get("Set-Cookie"), c.secure)
			}

			// A redirect carries a flash cookie, and the next page deletes it.
			resp = getRaw(t, hs.Client(), hs.URL, "/away?away=1", c.header)
			fk := cookieFlags(resp)[flash]
			if resp.StatusCode != http.StatusFound || fk == nil || fk.Value == "" {
				t.Fatalf("redirect: status %d, cookies %q, want 302 with a %s cookie", resp.StatusCode, resp.Header.Values("Set-Cookie"), flash)
			}
			if fk.Secure != c.secure || fk.SameSite != http.SameSiteLaxMode {
				t.Errorf("%s cookie: %q, want Secure %v, SameSite=Lax", flash, resp.Header.Values("Set-Cookie"), c.secure)
			}
			h := c.header.Clone()
			if h == nil {
				h = http.Header{}
			}
			h.Set("Cookie", flash+"="+fk.Value)
			resp = getRaw(t, hs.Client(), hs.URL, "/away", h)
			del := cookieFlags(resp)[flash]
			if del == nil || del.MaxAge >= 0 || del.Secure != c.secure {
				t.Errorf("page after the redirect: cookies %q, want %s deleted with Secure %v", resp.Header.Values("Set-Cookie"), flash, c.secure)
			}
		})
	}
}

// TestDefaultLayoutHasNothingInline keeps the default layout usable under
// a Content-Security-Policy without 'unsafe-inline': its style and script
// are files the server serves, cached like the bundle.
func TestDefaultLayoutHasNothingInline(t *testing.T) {
	inline := regexp.MustCompile(`<script(?:\s[^>]*)?>[^<]|<style|\sstyle=|\son[a-z]+=`)
	for _, cfg := range []liveview.Config{{}, {ClientFS: fstest.MapFS{}, ClientFile: "app.js"}, {SocketPath: "/ws"}} {
		srv := securityServer(t, cfg)
		body := fetch(srv, "/counter", nil).Body.String()
		if m := inline.FindString(body); m != "" {
			t.Errorf("SocketPath %q, ClientFS %v: the page has inline markup a strict policy refuses (%q):\n%s", cfg.SocketPath, cfg.ClientFS, m, body)
		}
		socket := cfg.SocketPath
		if socket == "" {
			socket = "/live"
		}
		for _, kind := range []struct{ ext, ctype, tag string }{
			{"css", "text/css; charset=utf-8", `<link rel="stylesheet" href="`},
			{"js", "text/javascript; charset=utf-8", `<script defer src="`},
		} {
			m := regexp.MustCompile(regexp.QuoteMeta(kind.tag+socket+"/layout-") + `([0-9a-f]{16})\.` + kind.ext + `"`).FindStringSubmatch(body)
			if m == nil {
				t.Errorf("the page does not load %s/layout-<hash>.%s:\n%s", socket, kind.ext, body)
				continue
			}
			hashed := socket + "/layout-" + m[1] + "." + kind.ext
			for path, cache := range map[string]string{
				hashed:                         "public, max-age=31536000, immutable",
				socket + "/layout." + kind.ext: "no-cache", // plain URL
				socket + "/layout-0123456789abcdef." + kind.ext: "no-cache", // another build's
			} {
				rec := fetch(srv, path, nil)
				if rec.Code != 200 || rec.Header().Get("Content-Type") != kind.ctype || rec.Header().Get("Cache-Control") != cache || rec.Body.Len() < 100 {
					t.Errorf("GET %s: %d, Content-Type %q, Cache-Control %q, %d bytes; want 200, %s, %s, the file",
						path, rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Cache-Control"), rec.Body.Len(), kind.ctype, cache)
				}
			}
		}
	}
}
