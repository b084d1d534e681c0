package liveview

import (
	"html/template"
	"io"
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
	// ClientPath is the URL of the client bundle, loaded with a script tag.
	ClientPath string
	// Body is the view's container with its HTTP render inside.
	Body template.HTML
	// Extra is Config.Head: more markup for <head>, included by Head.
	Extra template.HTML

	bundleError string
}

// Head returns the tags the layout's <head> must hold: the CSRF and socket
// meta tags, the title, and the client script.
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
	return template.HTML(b)
}

// BundleError says why the client bundle cannot be served, or "": a layout
// can show it, since the page will not connect without the bundle.
func (p Page) BundleError() string { return p.bundleError }

var defaultLayout = template.Must(template.New("layout").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{{.Head}}
<style>
.phx-no-feedback.invalid-feedback, .phx-no-feedback .invalid-feedback { display: none; }
.phx-disconnected, .phx-loading { cursor: wait; }
</style>
</head>
<body>
{{with .BundleError}}<pre style="background:#fee;border:1px solid #c00;padding:1em">This page cannot go live: {{.}}</pre>
{{end}}{{.Body}}
</body>
</html>
`))

// DefaultLayout is the layout used when Config.Layout is nil: a minimal HTML5
// page with Page.Head in its head and the view in its body.
func DefaultLayout(w io.Writer, p Page) error { return defaultLayout.Execute(w, p) }
