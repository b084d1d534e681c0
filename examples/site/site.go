// Package site is the example gallery as an http.Handler: every example
// on one liveview.Server, an index page, and the files the pages load
// (package ui's stylesheet, the examples' own stylesheet, the volume
// example's client hook), all served as files under content-hashed URLs so
// that the gallery works under a strict Content-Security-Policy (CSP):
// nothing inline, nothing from elsewhere. Command gallery serves it; the
// Chromium tests in e2e load every page under that policy.
package site

import (
	"bytes"
	_ "embed"
	"html/template"
	"io"
	"net/http"
	"path"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/examples/chat"
	"github.com/liveview-go/liveview/examples/clock"
	"github.com/liveview-go/liveview/examples/counter"
	"github.com/liveview-go/liveview/examples/dashboard"
	"github.com/liveview-go/liveview/examples/inbox"
	"github.com/liveview-go/liveview/examples/jobs"
	"github.com/liveview-go/liveview/examples/kanban"
	"github.com/liveview-go/liveview/examples/photos"
	"github.com/liveview-go/liveview/examples/scroll"
	"github.com/liveview-go/liveview/examples/signup"
	"github.com/liveview-go/liveview/examples/table"
	"github.com/liveview-go/liveview/examples/team"
	"github.com/liveview-go/liveview/examples/volume"
	"github.com/liveview-go/liveview/examples/wizard"
	"github.com/liveview-go/liveview/internal/asset"
	"github.com/liveview-go/liveview/ui"
)

// CSP is the strict policy the gallery is served under: the README's (A
// strict Content-Security-Policy). Scripts and styles come from the
// gallery's own origin only, never inline; upload previews are blob: URLs.
// It is the one definition: the Chromium tests in e2e serve it, and a test
// here checks that the README quotes it.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"

// Example is one page of the gallery.
type Example struct {
	Path, Title, About string
	// Register routes the example at Path.
	Register func(srv *liveview.Server, path string)
}

// Examples are the gallery's pages, in the index's order.
var Examples = []Example{
	{"/counter", "Counter", "Assign and HandleEvent: the smallest LiveView.", counter.Register},
	{"/clock", "Clock", "Repeat: a page that updates itself every second.", clock.Register},
	{"/chat", "Chat", "Subscribe and Publish: a chat room across browsers and, with -redis or -nats, across nodes.", chat.Register},
	{"/jobs", "Jobs", "SendInfo: background jobs reporting their progress from a goroutine.", jobs.Register},
	{"/photos", "Photos", "Uploads: drag and drop, previews, progress bars, cancel, errors per file, saved photos.", photos.Register},
	{"/scroll", "Endless list", "Streams and phx-viewport-bottom: a list of 1,000 entries loaded a page at a time as you scroll; the view keeps none of them.", scroll.Register},
	{"/planets", "Planets", "PushPatch and HandleParams: a paginated, sortable table whose state is in the URL.", table.Register},
	{"/signup", "Sign up", "Package form: live validation of a struct-bound form, errors once a field is touched, nested fields, rows to add and remove.", signup.Register},
	{"/wizard", "Wizard", "PushRedirect with flash: two steps over one connection.", wizard.Register},
	{"/volume", "Volume", "PushEvent to a client hook, and a hook event answered with Reply.", volume.Register},
	{"/kanban", "Kanban", "Live components: each card keeps its own state and handles its own events, and tells the board what to move or rename.", kanban.Register},
	{"/team", "Team", "Package ui's core components: header, list, table with slots, modal, form inputs with errors, flash.", team.Register},
	{"/inbox", "Inbox", "PageTitle: the title counts unread mail; new mail arrives every 10 s.", inbox.Register},
	{"/dashboard", "Dashboard", "AssignAsync and StartAsync: slow panels that load independently (one fails), and a search that cancels the previous query at each keystroke.", dashboard.Register},
}

// StaticDir is where Static is mounted: the URL prefix of the gallery's
// files.
const StaticDir = "/static/"

// The examples' own styles, one file for every page (each selector is
// scoped by its page's class), and the volume example's hook.
var (
	style  = asset.New(examplesCSS(), "text/css; charset=utf-8")
	script = asset.New(volume.Script(), "text/javascript; charset=utf-8")
)

//go:embed site.css
var indexCSS []byte

func examplesCSS() []byte {
	return bytes.Join([][]byte{
		indexCSS, chat.CSS(), dashboard.CSS(), inbox.CSS(), kanban.CSS(), photos.CSS(), scroll.CSS(), signup.CSS(), volume.CSS(),
	}, []byte("\n"))
}

// stylesheets links package ui's stylesheet and the examples'.
var stylesheets = ui.Head(StaticDir) +
	template.HTML(`<link rel="stylesheet" href="`+template.HTMLEscapeString(style.HashedPath(StaticDir+"examples.css"))+`">`)

// Head is the markup every page's head needs (Config.Head): the
// stylesheets and the hook script, from Static. The script is deferred, as
// the client bundle is, and comes before it, so that its hooks are defined
// when the client starts.
var Head = template.HTML(`<script defer src="`+template.HTMLEscapeString(script.HashedPath(StaticDir+"hooks.js"))+`"></script>`) + stylesheets

// Static serves the files Head links to; mount it at StaticDir. Under its
// hashed name a file is cached for a year; under its plain name (or a hash
// of another build), revalidated on each use.
func Static() http.Handler {
	uiStyle := ui.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		for _, f := range [...]struct {
			file  *asset.File
			plain string
		}{{style, "examples.css"}, {script, "hooks.js"}} {
			p := path.Base(r.URL.Path)
			if p != f.plain && !asset.IsHashedPath(p, f.plain) {
				continue
			}
			cache := asset.Revalidate
			if p == path.Base(f.file.HashedPath(f.plain)) {
				cache = asset.Immutable
			}
			f.file.Serve(w, r, cache)
			return
		}
		if p := path.Base(r.URL.Path); p == "ui.css" || asset.IsHashedPath(p, "ui.css") {
			uiStyle.ServeHTTP(w, r)
			return
		}
		http.NotFound(w, r)
	})
}

// nav leads from every example back to the index.
const nav template.HTML = `<nav class="gallery-nav" aria-label="gallery"><a href="/">&larr; All examples</a></nav>`

// Layout is the default layout with a link back to the gallery's index
// above the view.
func Layout(w io.Writer, p liveview.Page) error {
	p.Body = nav + p.Body
	return liveview.DefaultLayout(w, p)
}

// Configure returns cfg with what every gallery page needs: Head, the
// strict CSP among the security headers, and Layout if cfg has none.
func Configure(cfg liveview.Config) liveview.Config {
	if cfg.Layout == nil {
		cfg.Layout = Layout
	}
	cfg.Head = Head + cfg.Head
	h := make(map[string]string, len(cfg.SecurityHeaders)+1)
	for k, v := range cfg.SecurityHeaders {
		h[k] = v
	}
	h["Content-Security-Policy"] = CSP
	cfg.SecurityHeaders = h
	return cfg
}

var index = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>liveview examples</title>{{.Head}}</head>
<body><div class="ui-page gallery">
<header class="ui-header"><div><h1>liveview examples</h1><p>Each page below is a live view: its state lives on the server, and the official Phoenix LiveView client applies the diffs.</p></div></header>
<ul class="ui-stack examples">
{{range .Examples}}<li class="ui-card"><a href="{{.Path}}">{{.Title}}</a><p class="ui-muted">{{.About}}</p></li>
{{end}}</ul></div></body></html>`))

// Handler registers every example on lv (made with Configure) and returns
// the gallery: the examples, the index at /, Static at StaticDir, and the
// photos the photos example saved.
func Handler(lv *liveview.Server) http.Handler {
	for _, ex := range Examples {
		ex.Register(lv, ex.Path)
	}
	mux := http.NewServeMux()
	mux.Handle("/", lv)
	photos.RegisterFiles(mux, "/photos")
	mux.Handle(StaticDir, Static())
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", CSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		index.Execute(w, struct {
			Head     template.HTML
			Examples []Example
		}{stylesheets, Examples})
	})
	return mux
}
