package asset

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func get(t *testing.T, f *File, method string, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, "/x.js", nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	f.Serve(rec, req, Immutable)
	return rec
}

var big = []byte(strings.Repeat("window.liveview = 1;\n", 500))

func TestServeIdentity(t *testing.T) {
	f := New(big, "text/javascript; charset=utf-8")
	rec := get(t, f, http.MethodGet, nil)
	if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), big) {
		t.Fatalf("GET without Accept-Encoding: %d, %d bytes; want 200 and the file (%d bytes)", rec.Code, rec.Body.Len(), len(big))
	}
	h := rec.Header()
	for k, want := range map[string]string{
		"Content-Type":     "text/javascript; charset=utf-8",
		"Cache-Control":    Immutable,
		"Vary":             "Accept-Encoding",
		"ETag":             `"` + f.Hash() + `"`,
		"Content-Encoding": "",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

func TestServeGzip(t *testing.T) {
	f := New(big, "text/javascript")
	rec := get(t, f, http.MethodGet, map[string]string{"Accept-Encoding": "br, gzip;q=0.8"})
	if got := rec.Header().Get("Content-Encoding"); got != "gzip" {
		t.Fatalf("Content-Encoding = %q, want gzip", got)
	}
	if rec.Body.Len() >= len(big) {
		t.Errorf("gzip body is %d bytes, not smaller than the file's %d", rec.Body.Len(), len(big))
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(plain, big) {
		t.Fatalf("gzip body does not decompress to the file: %v", err)
	}
	etag := rec.Header().Get("ETag")
	if etag == `"`+f.Hash()+`"` || !strings.Contains(etag, f.Hash()) {
		t.Errorf("gzip ETag %s: want one of its own, derived from the hash %s", etag, f.Hash())
	}

	// Conditional requests: 304 for the representation's own ETag.
	rec = get(t, f, http.MethodGet, map[string]string{"Accept-Encoding": "gzip", "If-None-Match": etag})
	if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("If-None-Match with the gzip ETag: %d with %d bytes, want 304 and none", rec.Code, rec.Body.Len())
	}
	if got := rec.Header().Get("Cache-Control"); got != Immutable {
		t.Errorf("304 Cache-Control = %q, want %q", got, Immutable)
	}
	rec = get(t, f, http.MethodGet, map[string]string{"If-None-Match": `"` + f.Hash() + `"`})
	if rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match with the identity ETag: %d, want 304", rec.Code)
	}
	rec = get(t, f, http.MethodGet, map[string]string{"If-None-Match": `"0000"`})
	if rec.Code != http.StatusOK {
		t.Errorf("If-None-Match with another ETag: %d, want 200", rec.Code)
	}
}

func TestSmallFileIsNotCompressed(t *testing.T) {
	f := New([]byte("x"), "text/javascript")
	rec := get(t, f, http.MethodGet, map[string]string{"Accept-Encoding": "gzip"})
	if rec.Header().Get("Content-Encoding") != "" || rec.Body.String() != "x" {
		t.Errorf("a file gzip makes larger: Content-Encoding %q, body %q; want it as is", rec.Header().Get("Content-Encoding"), rec.Body.String())
	}
}

func TestHeadAndMethods(t *testing.T) {
	f := New(big, "text/javascript")
	rec := get(t, f, http.MethodHead, nil)
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 || rec.Header().Get("ETag") == "" {
		t.Errorf("HEAD: %d, %d body bytes, ETag %q; want 200, none, an ETag", rec.Code, rec.Body.Len(), rec.Header().Get("ETag"))
	}
	rec = get(t, f, http.MethodPost, nil)
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d, Allow %q; want 405 and GET, HEAD", rec.Code, rec.Header().Get("Allow"))
	}
}

func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{
		"":                          false,
		"gzip":                      true,
		"GZIP":                      true,
		"deflate, gzip":             true,
		"gzip;q=0":                  false,
		"gzip; q=0.001":             true,
		"gzip;q=0, *":               false,
		"*":                         true,
		"*;q=0":                     false,
		"identity":                  false,
		"br":                        false,
		"x-gzip":                    true,
		"gzip;q=bogus":              false,
		"gzip;q=0.5, gzip;q=0":      true,
		" deflate ,  gzip ; q=1.0 ": true,
	} {
		if got := acceptsGzip(header); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", header, got, want)
		}
	}
}

func TestHashedPath(t *testing.T) {
	f := New([]byte("a"), "text/javascript")
	g := New([]byte("b"), "text/javascript")
	if f.Hash() == g.Hash() || len(f.Hash()) != hashLen {
		t.Fatalf("hashes %q and %q: want distinct, %d hex digits", f.Hash(), g.Hash(), hashLen)
	}
	p := f.HashedPath("/live/liveview.js")
	if p != "/live/liveview-"+f.Hash()+".js" {
		t.Errorf("HashedPath = %q", p)
	}
	if got := f.HashedPath("/assets/app"); got != "/assets/app-"+f.Hash() {
		t.Errorf("HashedPath without extension = %q", got)
	}
	for path, want := range map[string]bool{
		p:                                     true,
		g.HashedPath("/live/liveview.js"):     true,
		"/live/liveview.js":                   false,
		"/live/liveview-.js":                  false,
		"/live/liveview-0123456789ABCDEF.js":  false,
		"/live/liveview-0123456789abcdef.js":  true,
		"/live/liveview-0123456789abcdef.css": false,
		"/live/other-0123456789abcdef.js":     false,
		"/live/liveview-0123456789abcdef0.js": false,
	} {
		if got := IsHashedPath(path, "/live/liveview.js"); got != want {
			t.Errorf("IsHashedPath(%q) = %v, want %v", path, got, want)
		}
	}
}
