package liveview

import (
	"html/template"
	"sort"
	"strings"

	"github.com/liveview-go/liveview/render"
)

// Flash holds a view's flash messages by kind ("info", "error", ...). Give a
// state struct a field `Flash liveview.Flash` and the socket keeps it equal to
// the view's flash, so that templates can render it.
type Flash map[string]string

// HTML renders the messages in kind order, each a dismissable element that
// sends the built in lv:clear-flash event when clicked:
//
//	<div id="flash-info" class="flash flash-info" role="alert"
//	     phx-click="lv:clear-flash" phx-value-key="info">Saved</div>
func (f Flash) HTML() render.HTML {
	if len(f) == 0 {
		return ""
	}
	kinds := make([]string, 0, len(f))
	for k := range f {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var b strings.Builder
	for _, k := range kinds {
		ek := template.HTMLEscapeString(k)
		b.WriteString(`<div id="flash-` + ek + `" class="flash flash-` + ek + `" role="alert" phx-click="lv:clear-flash" phx-value-key="` + ek + `">`)
		b.WriteString(template.HTMLEscapeString(f[k]))
		b.WriteString(`</div>`)
	}
	return render.HTML(b.String())
}
