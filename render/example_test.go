package render_test

import (
	"fmt"
	"os"
	"reflect"

	"github.com/liveview-go/liveview/render"
)

func Example() {
	type Counter struct{ Count int }
	tmpl := render.Must(render.Parse(`<div><h1>Count: {{.Count}}</h1><button phx-click="inc">+</button></div>`))

	r, err := tmpl.Execute(Counter{Count: 3})
	if err != nil {
		panic(err)
	}
	html, err := r.AppendHTML(nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(html))
	fmt.Printf("statics %q, slot 0 %q\n", r.Statics().Parts(), r.Dynamic(0).HTML())
	// Output:
	// <div><h1>Count: 3</h1><button phx-click="inc">+</button></div>
	// statics ["<div><h1>Count: " "</h1><button phx-click=\"inc\">+</button></div>"], slot 0 "3"
}

func Example_keyed() {
	type Todo struct {
		ID    int
		Title string
	}
	tmpl := render.Must(render.Parse(`<ul>{{range keyed "ID" .}}<li>{{.Title}}</li>{{end}}</ul>`))
	r, err := tmpl.Execute([]Todo{{ID: 42, Title: "milk"}, {ID: 7, Title: "eggs"}})
	if err != nil {
		panic(err)
	}
	if err := r.Evaluate(nil); err != nil {
		panic(err)
	}
	rows := r.Dynamic(0).Comprehension()
	for i := 0; i < rows.Len(); i++ {
		fmt.Printf("key %s: %s\n", rows.Key(i), rows.Row(i)[0].HTML())
	}
	// Output:
	// key 42: milk
	// key 7: eggs
}

func Example_escaping() {
	tmpl := render.Must(render.Parse(`<a href="{{.URL}}" title="{{.Title}}" {{.Extra}}>{{.Title}}</a>`))
	err := tmpl.ExecuteHTML(os.Stdout, map[string]any{
		"URL":   "javascript:alert(1)",
		"Title": `"><script>`,
		"Extra": render.Attrs{"data-id": 7, "hidden": true},
	})
	if err != nil {
		panic(err)
	}
	// Output:
	// <a href="#ZliveviewZ" title="&#34;&gt;&lt;script&gt;"  data-id="7" hidden>&#34;&gt;&lt;script&gt;</a>
}

// changedFields is a render.Changes listing the fields that changed.
type changedFields map[string]bool

func (c changedFields) Changed(f string) bool { return c[f] }

func ExampleRendered_Evaluate() {
	type State struct {
		Count int
		Name  string
	}
	tmpl := render.Must(render.Parse(`<p>{{.Name}}: {{.Count}}</p>`))
	r, _ := tmpl.Execute(State{Count: 2, Name: "clicks"})
	if err := r.Evaluate(changedFields{"Count": true}); err != nil {
		panic(err)
	}
	fmt.Println(r.Dynamic(0).Kind() == render.KindUnchanged, r.Dynamic(1).HTML())
	// Output: true 2
}

// Check finds a misspelt field before the template runs; MustCheck does the
// same for a package-level template and panics.
func ExampleTemplate_Check() {
	type Post struct {
		Title string
		Tags  []string
	}
	tmpl := render.Must(render.New("post").Parse(`<h1>{{.Title}}</h1>
<ul>{{range .Tags}}<li>{{.}}</li>{{end}}</ul>
<p>{{.Titel}}</p>`))
	fmt.Println(tmpl.Check(reflect.TypeFor[Post]()))

	ok := render.MustCheck[Post](render.New("ok").Parse(`<h1>{{.Title}}</h1>`))
	fmt.Println(ok.Name())
	// Output:
	// render: post:3:5: can't evaluate field Titel in type render_test.Post
	// ok
}
