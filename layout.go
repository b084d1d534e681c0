package liveview

import (
	"html/template"
	"io"
	"net/http"

	"github.com/liveview-go/liveview/internal/asset"
)

// Page is what a layout receives to write the HTML page around a view.
type Page struct {
	// Title is the view's page title (or Config.Title), without prefix and
	// suffix; FullTitle has them.
	Title, FullTitle string
	// TitleAttrs are the data-default, data-prefix and data-suffix attributes
	// the layout's <title> element must carry for the client to update it.
	TitleAttrs template.HTMLAttr
	// CSRFToken goes in <meta name="csrf-token">: the client sends it back
	// when it connects.
	CSRFToken string
	// SocketPath goes in <meta name="liveview-socket">: where the client
	// connects.
	SocketPath string
	// ClientPath is the URL of the client bundle, loaded with a script tag:
	// Config.ClientPath with the bundle's content hash in the file name, so
	// that browsers may cache it for ever.
	ClientPath string
	// Body is the view's container with its HTTP render inside.
	Body template.HTML
	// Extra is Config.Head: more markup for <head>, included by Head.
	Extra template.HTML

	bundleError string
	dev         bool // Config.Dev: Head adds the error overlay's script
}

// Head returns the tags the layout's <head> must hold: the CSRF and socket
// meta tags, the title, and the client script; in development mode
// (Config.Dev), also the script that shows a view's errors in the page.
func (p Page) Head() template.HTML {
	var b []byte
	b = append(b, `<meta name="csrf-token" content="`...)
	b = append(b, template.HTMLEscapeString(p.CSRFToken)...)
	b = append(b, `">`+"\n"+`<meta name="liveview-socket" content="`...)
	b = append(b, template.HTMLEscapeString(p.SocketPath)...)
	b = append(b, `">`+"\n<title "...)
	b = append(b, p.TitleAttrs...)
	b = append(b, '>')
	b = append(b, template.HTMLEscapeString(p.FullTitle)...)
	b = append(b, "</title>\n"...)
	if p.Extra != "" {
		b = append(b, p.Extra...)
		b = append(b, '\n')
	}
	b = append(b, `<script defer src="`...)
	b = append(b, template.HTMLEscapeString(p.ClientPath)...)
	b = append(b, `"></script>`...)
	if p.dev {
		b = append(b, '\n')
		b = append(b, devScript...)
	}
	return template.HTML(b)
}

// BundleError says why the client bundle cannot be served, or "": a layout
// can show it, since the page will not connect without the bundle. The
// embedded bundle is always there: only a Config.ClientFS that lacks
// Config.ClientFile, or cannot be read, causes this.
func (p Page) BundleError() string { return p.bundleError }

var defaultLayout = template.Must(template.New("layout").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{{.StyleURL}}">
<script defer src="{{.ScriptURL}}"></script>
{{.Head}}
</head>
<body>
<div id="lv-progress" aria-hidden="true"></div>
{{with .BundleError}}<pre class="lv-bundle-error">This page cannot go live: {{.}}</pre>
{{end}}{{.Body}}
</body>
</html>
`))

// layoutCSS styles what the client and the server put on every page. The
// client marks the view's container with phx-loading while it is not
// joined, plus phx-error and phx-client-error when the connection is lost,
// or phx-server-error when the view crashed; the notices below show after
// half a second (the client's own disconnectedTimeout), so that a quick
// reconnect does not flash them. It comes before Config.Head, so that an
// app's styles win.
const layoutCSS = `
#lv-progress { position: fixed; top: 0; left: 0; z-index: 2147483647; height: 3px; width: 0;
  background: #2563eb; box-shadow: 0 0 4px #2563eb; opacity: 0; pointer-events: none;
  transition: width .3s ease, opacity .4s ease .1s; }
#lv-progress.lv-active { opacity: 1; width: 85%; transition: width 10s cubic-bezier(.05,.7,.2,1), opacity .1s; }
[data-phx-main].phx-loading { cursor: wait; }
[data-phx-main].phx-client-error::before, [data-phx-main].phx-server-error::before {
  position: fixed; top: .75rem; left: 50%; transform: translateX(-50%); z-index: 2147483646;
  padding: .45rem 1rem; border-radius: 999px; font: 500 .9rem/1.2 system-ui, sans-serif;
  color: #fff; background: #b45309; box-shadow: 0 2px 8px rgba(0,0,0,.25);
  opacity: 0; animation: lv-notice .2s ease .5s forwards; }
[data-phx-main].phx-client-error::before { content: "Reconnecting\2026"; }
[data-phx-main].phx-server-error::before { content: "Something went wrong: retrying\2026"; background: #b91c1c; }
@keyframes lv-notice { to { opacity: 1; } }
.flash { position: relative; margin: .5rem 0; padding: .6rem 2.2rem .6rem .9rem; border: 1px solid;
  border-radius: 6px; cursor: pointer; }
.flash::after { content: "\00d7"; position: absolute; right: .8rem; top: 50%; transform: translateY(-50%);
  opacity: .6; font-size: 1.2em; }
.flash-info { color: #1e3a8a; background: #eff6ff; border-color: #bfdbfe; }
.flash-error { color: #7f1d1d; background: #fef2f2; border-color: #fecaca; }
.lv-bundle-error { background: #fee; border: 1px solid #c00; padding: 1em; }
`

// layoutJS drives the progress bar from the client's page-loading events,
// which bracket the first join, live navigation and rejoins. The bar shows
// only for loads that last more than 120 ms, so that quick navigation does
// not flicker.
const layoutJS = `(() => {
  let timer = null;
  const bar = () => document.getElementById("lv-progress");
  addEventListener("phx:page-loading-start", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const b = bar();
      if (b) { b.style.width = ""; b.classList.add("lv-active"); }
    }, 120);
  });
  addEventListener("phx:page-loading-stop", () => {
    clearTimeout(timer);
    const b = bar();
    if (b && b.classList.contains("lv-active")) {
      b.classList.remove("lv-active");
      b.style.width = "100%";
      setTimeout(() => { b.style.width = ""; }, 500);
    }
  });
})();`

// DefaultLayout is the layout used when Config.Layout is nil: an HTML5 page
// with Page.Head in its head and the view in its body, a progress bar at the
// top during page loads and live navigation, a notice while the connection
// is lost, and styles for Flash messages. Its style and script are files the
// server serves next to the client bundle, not inline, so that the page
// works under a Content-Security-Policy that allows scripts and styles from
// 'self' only.
func DefaultLayout(w io.Writer, p Page) error {
	return defaultLayout.Execute(w, struct {
		Page
		StyleURL, ScriptURL string
	}{p, layoutStyle.HashedPath(p.SocketPath + layoutStylePath), layoutScript.HashedPath(p.SocketPath + layoutScriptPath)})
}

// The default layout's style and script are served from files rather than
// inline: a strict Content-Security-Policy (script-src 'self'; style-src
// 'self') then needs no nonce, which would have to be fresh for every page
// and threaded through Page, Config.Head and the policy header. As files
// they are cached like the bundle, under a URL with their content hash.
const (
	layoutStylePath  = "/layout.css"
	layoutScriptPath = "/layout.js"
)

var (
	layoutStyle  = asset.New([]byte(layoutCSS), "text/css; charset=utf-8")
	layoutScript = asset.New([]byte(layoutJS), "text/javascript; charset=utf-8")
)

// serveLayoutAsset serves the default layout's style or script if r asks
// for one, and reports whether it did. As with the bundle, a hashed URL of
// another build (a page from another node of a rolling deploy) gets this
// build's file, revalidated on each use.
func (s *Server) serveLayoutAsset(w http.ResponseWriter, r *http.Request) bool {
	for _, a := range [...]struct {
		f    *asset.File
		path string
	}{{layoutStyle, layoutStylePath}, {layoutScript, layoutScriptPath}} {
		plain := s.cfg.SocketPath + a.path
		if r.URL.Path != plain && !asset.IsHashedPath(r.URL.Path, plain) {
			continue
		}
		cache := asset.Revalidate
		if r.URL.Path == a.f.HashedPath(plain) {
			cache = asset.Immutable
		}
		a.f.Serve(w, r, cache)
		return true
	}
	return false
}
