package liveview_test

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/client"
	"github.com/liveview-go/liveview/internal/testsupport"
)

// scriptSrc finds the client script a page loads.
var scriptSrc = regexp.MustCompile(`<script defer src="([^"]+)"></script>`)

// pageScript renders path and returns the src of its client script.
func pageScript(t *testing.T, srv http.Handler, path string) (src, body string) {
	t.Helper()
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
	}
	// The default layout's own script (/live/layout-<hash>.js) is not the
	// client's.
	for _, m := range scriptSrc.FindAllStringSubmatch(rec.Body.String(), -1) {
		if !strings.Contains(m[1], "/layout") {
			return m[1], rec.Body.String()
		}
	}
	t.Fatalf("GET %s: no client script tag in\n%s", path, rec.Body)
	return "", ""
}

func fetch(srv http.Handler, path string, header map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec
}

func TestEmbeddedClientUnderHashedURL(t *testing.T) {
	srv, _ := testsupport.NewLogged(t, liveview.Config{})
	srv.Handle("/", liveview.View[testsupport.CrashState](testsupport.CrashView{}))
	embedded, err := fs.ReadFile(client.FS(), client.FileName)
	if err != nil {
		t.Fatal(err)
	}

	src, body := pageScript(t, srv, "/")
	if !regexp.MustCompile(`^/live/liveview-[0-9a-f]{16}\.js$`).MatchString(src) {
		t.Fatalf("page loads the client from %q, want /live/liveview-<16 hex digits>.js", src)
	}
	if strings.Contains(body, "cannot go live") {
		t.Errorf("page reports a missing bundle:\n%s", body)
	}

	rec := fetch(srv, src, nil)
	if rec.Code != http.StatusOK || rec.Body.String() != string(embedded) {
		t.Fatalf("GET %s: %d, %d bytes; want 200 and the embedded bundle (%d bytes)", src, rec.Code, rec.Body.Len(), len(embedded))
	}
	if got := rec.Header().Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
		t.Errorf("hashed URL Cache-Control = %q, want a year, immutable", got)
	}
	if got := rec.Header().Get("Content-Type"); !strings.HasPrefix(got, "text/javascript") {
		t.Errorf("Content-Type = %q, want text/javascript", got)
	}
	etag := rec.Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	if rec := fetch(srv, src, map[string]string{"If-None-Match": etag}); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match %s: %d, want 304", etag, rec.Code)
	}

	gz := fetch(srv, src, map[string]string{"Accept-Encoding": "gzip, deflate, br"})
	if gz.Header().Get("Content-Encoding") != "gzip" || gz.Body.Len() >= len(embedded)/2 {
		t.Errorf("with Accept-Encoding gzip: Content-Encoding %q, %d bytes; want gzip, well under the bundle's %d",
			gz.Header().Get("Content-Encoding"), gz.Body.Len(), len(embedded))
	}
	if gz.Header().Get("Vary") != "Accept-Encoding" {
		t.Errorf("Vary = %q, want Accept-Encoding", gz.Header().Get("Vary"))
	}

	// The plain URL still works, for pages that name it, but is revalidated.
	plain := fetch(srv, "/live/liveview.js", nil)
	if plain.Code != http.StatusOK || plain.Body.String() != string(embedded) || plain.Header().Get("Cache-Control") != "no-cache" {
		t.Errorf("GET /live/liveview.js: %d, %d bytes, Cache-Control %q; want 200, the bundle, no-cache",
			plain.Code, plain.Body.Len(), plain.Header().Get("Cache-Control"))
	}
	// A hashed URL of another build (a page from another node of a rolling
	// deploy) gets this build's bundle, never cached as if it were that one.
	other := fetch(srv, "/live/liveview-0123456789abcdef.js", nil)
	if other.Code != http.StatusOK || other.Header().Get("Cache-Control") != "no-cache" {
		t.Errorf("GET another build's hashed URL: %d, Cache-Control %q; want 200, no-cache", other.Code, other.Header().Get("Cache-Control"))
	}
	if rec := fetch(srv, src+".map", nil); rec.Code != http.StatusNotFound {
		t.Errorf("GET %s.map: %d, want 404 (the embedded bundle has no source map)", src, rec.Code)
	}
}

func TestOwnClientBundle(t *testing.T) {
	own := fstest.MapFS{
		"static/app.js":     {Data: []byte("console.log('own bundle')")},
		"static/app.js.map": {Data: []byte(`{"version":3}`)},
	}
	srv, _ := testsupport.NewLogged(t, liveview.Config{ClientFS: own, ClientFile: "static/app.js", ClientPath: "/assets/app.js"})
	srv.Handle("/", liveview.View[testsupport.CrashState](testsupport.CrashView{}))

	src, _ := pageScript(t, srv, "/")
	if !regexp.MustCompile(`^/assets/app-[0-9a-f]{16}\.js$`).MatchString(src) {
		t.Fatalf("page loads the client from %q, want /assets/app-<hash>.js", src)
	}
	rec := fetch(srv, src, nil)
	if rec.Body.String() != "console.log('own bundle')" {
		t.Fatalf("GET %s: %d %q, want the app's own bundle", src, rec.Code, rec.Body)
	}
	if got := rec.Header().Get("SourceMap"); got != src+".map" {
		t.Errorf("SourceMap header = %q, want %q", got, src+".map")
	}
	m := fetch(srv, src+".map", nil)
	if m.Code != http.StatusOK || m.Body.String() != `{"version":3}` || m.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Errorf("GET %s.map: %d %q, Cache-Control %q; want the map, cached for ever", src, m.Code, m.Body, m.Header().Get("Cache-Control"))
	}
	if rec := fetch(srv, "/live/liveview.js", nil); rec.Code != http.StatusNotFound {
		t.Errorf("GET /live/liveview.js with ClientPath moved: %d, want 404", rec.Code)
	}
}

func TestMissingOwnClientBundle(t *testing.T) {
	srv, logs := testsupport.NewLogged(t, liveview.Config{ClientFS: fstest.MapFS{}, ClientFile: "app.js"})
	srv.Handle("/", liveview.View[testsupport.CrashState](testsupport.CrashView{}))

	src, body := pageScript(t, srv, "/")
	if src != "/live/liveview.js" {
		t.Errorf("without a bundle the page loads %q, want the plain /live/liveview.js", src)
	}
	if !strings.Contains(body, "cannot go live") || !strings.Contains(body, "app.js") {
		t.Errorf("page does not say that the bundle app.js is missing:\n%s", body)
	}
	rec := fetch(srv, "/live/liveview.js", nil)
	if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "app.js") {
		t.Errorf("GET /live/liveview.js: %d %q; want 404 naming app.js", rec.Code, rec.Body)
	}
	if !strings.Contains(logs.String(), "ClientFS") {
		t.Errorf("log does not explain the missing bundle:\n%s", logs)
	}
}
