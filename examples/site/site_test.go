package site

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/liveview-go/liveview"
)

func newGallery(t *testing.T) *httptest.Server {
	t.Helper()
	lv := liveview.NewServer(Configure(liveview.Config{SigningKey: []byte("0123456789abcdef0123456789abcdef")}))
	hs := httptest.NewServer(Handler(lv))
	t.Cleanup(func() {
		hs.Close()
		lv.Close()
	})
	return hs
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// inline finds what a strict Content-Security-Policy refuses in markup: a
// style element, a style attribute, an event handler attribute, a script
// element without src, a javascript: URL.
var inline = regexp.MustCompile(`(?i)<style[\s>]|\sstyle\s*=|\son[a-z]+\s*=|<script(\s[^>]*)?>[^<]|<script>|javascript:`)

// The HTTP render of every page of the gallery carries the strict policy
// and nothing it refuses, and links the stylesheets and the hook script,
// which Static serves. (The Chromium test in e2e loads every page live.)
func TestEveryPageIsServedUnderTheStrictPolicy(t *testing.T) {
	hs := newGallery(t)
	paths := []string{"/"}
	for _, ex := range Examples {
		paths = append(paths, ex.Path)
	}
	links := regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`)
	for _, p := range paths {
		resp, body := get(t, hs.URL+p)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", p, resp.StatusCode)
			continue
		}
		if got := resp.Header.Get("Content-Security-Policy"); got != CSP {
			t.Errorf("GET %s: Content-Security-Policy %q, want %q", p, got, CSP)
		}
		if m := inline.FindAllString(body, -1); m != nil {
			t.Errorf("GET %s: markup the policy refuses: %q", p, m)
		}
		var found []string
		for _, m := range links.FindAllStringSubmatch(body, -1) {
			found = append(found, m[1])
			if r, _ := get(t, hs.URL+m[1]); r.StatusCode != http.StatusOK || r.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
				t.Errorf("GET %s, linked from %s: %d, Cache-Control %q; want 200, immutable", m[1], p, r.StatusCode, r.Header.Get("Cache-Control"))
			}
		}
		want := []string{"/static/ui-", "/static/examples-"}
		if p != "/" {
			want = append(want, "/static/hooks-")
			if !strings.Contains(body, `<nav class="gallery-nav" aria-label="gallery"><a href="/">`) {
				t.Errorf("GET %s: no link back to the index", p)
			}
		}
		for _, w := range want {
			if !strings.Contains(strings.Join(found, " "), w) {
				t.Errorf("GET %s links %v, none under %s", p, found, w)
			}
		}
	}
}

func TestStatic(t *testing.T) {
	hs := newGallery(t)
	for _, c := range []struct{ path, typ, has string }{
		{"/static/examples.css", "text/css; charset=utf-8", ".dash .panels"},
		{"/static/hooks.js", "text/javascript; charset=utf-8", "VolumeMeter"},
		{"/static/ui.css", "text/css; charset=utf-8", "--ui-accent"},
	} {
		resp, body := get(t, hs.URL+c.path)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != c.typ || !strings.Contains(body, c.has) ||
			resp.Header.Get("Cache-Control") != "no-cache" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: %d, headers %v; want 200, %s, no-cache, nosniff, and %q in the body", c.path, resp.StatusCode, resp.Header, c.typ, c.has)
		}
	}
	if resp, _ := get(t, hs.URL+"/static/other.css"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /static/other.css: %d, want 404", resp.StatusCode)
	}
}

// The pattern catches what it must, so that the test above can fail.
func TestInlinePattern(t *testing.T) {
	for _, s := range []string{`<style>p{}</style>`, `<p style="color: red">`, `<button onclick="x()">`, `<script>x()</script>`, `<script type="module">x()</script>`, `<a href="javascript:x()">`} {
		if !inline.MatchString(s) {
			t.Errorf("%s is not caught", s)
		}
	}
	for _, s := range []string{`<script defer src="/static/hooks-0123.js"></script>`, `<p class="styled">`, `<button phx-click="go">`, `<link rel="stylesheet" href="/static/ui.css">`} {
		if inline.MatchString(s) {
			t.Errorf("%s is caught", s)
		}
	}
}

// The README's strict policy, which users copy, is CSP: the policy the
// gallery and the Chromium tests run under.
func TestREADMEQuotesCSP(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "\n```\n"+CSP+"\n```\n") {
		t.Errorf("README.md has no code block holding exactly site.CSP:\n%s", CSP)
	}
}
