package liveview_test

import (
	"fmt"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/render"
)

func ExamplePatchLink() {
	tmpl := render.Must(render.New("pager").Funcs(liveview.TemplateFuncs).Parse(
		`<a {{patch .Next}}>next</a> <a {{navigate "/settings"}}>settings</a>`))
	r, _ := tmpl.Execute(struct{ Next string }{"/items?page=2"})
	html, _ := r.AppendHTML(nil)
	fmt.Println(string(html))
	// Output:
	// <a  data-phx-link="patch" data-phx-link-state="push" href="/items?page=2">next</a> <a  data-phx-link="redirect" data-phx-link-state="push" href="/settings">settings</a>
}
