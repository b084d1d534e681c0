package render_test

import (
	"fmt"

	"github.com/liveview-go/liveview/render"
)

// A conditional attribute, as in html/template: the {{if}} is a slot of its
// own, whose branch has its own statics, so toggling it sends only that slot.
func Example_conditionalAttribute() {
	type Todo struct {
		Title string
		Done  bool
	}
	tmpl := render.Must(render.Parse(`<input type="checkbox" {{if .Done}}checked{{end}}> {{.Title}}`))
	for _, todo := range []Todo{{"write", false}, {"ship", true}} {
		r, err := tmpl.Execute(todo)
		if err != nil {
			panic(err)
		}
		html, err := r.AppendHTML(nil)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s  statics %q\n", html, r.Statics().Parts())
	}
	// Output:
	// <input type="checkbox" > write  statics ["<input type=\"checkbox\" " "> " ""]
	// <input type="checkbox" checked> ship  statics ["<input type=\"checkbox\" " "> " ""]
}
