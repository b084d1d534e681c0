package render_test

import (
	"os"

	"github.com/liveview-go/liveview/render"
)

// A table component with a column slot: the caller writes each column's
// cell once, the component renders it for every row with the row as the
// slot's argument (Phoenix's <:col :let={user}>).
func ExampleNewComponent() {
	type User struct{ Name, Email string }
	type TableAttrs struct {
		Rows []User         `attr:"required"`
		Col  []*render.Slot `attr:"required"`
	}
	table := render.MustComponent[TableAttrs]("table",
		`<table><tr>{{range .Col}}<th>{{.Attr "Label"}}</th>{{end}}</tr>`+
			`{{range $row := .Rows}}<tr>{{range $.Col}}<td>{{render_slot . $row}}</td>{{end}}</tr>{{end}}</table>`)

	page := render.Must(render.New("page").Components(table).Parse(
		`{{with component "table" "Rows" .}}` +
			`{{with $u := slot "Col" "Label" "Name"}}<b>{{$u.Name}}</b>{{end}}` +
			`{{with $u := slot "Col" "Label" "Email"}}<a href="mailto:{{$u.Email}}">{{$u.Email}}</a>{{end}}` +
			`{{end}}`))
	page.ExecuteHTML(os.Stdout, []User{{"Ann", "ann@example.com"}, {"<Bob>", "bob@example.com"}})
	// Output:
	// <table><tr><th>Name</th><th>Email</th></tr><tr><td><b>Ann</b></td><td><a href="mailto:ann@example.com">ann@example.com</a></td></tr><tr><td><b>&lt;Bob&gt;</b></td><td><a href="mailto:bob@example.com">bob@example.com</a></td></tr></table>
}

// A missing required attribute is an error when the calling template is
// parsed, before any data exists.
func ExampleTemplate_Components() {
	type ButtonAttrs struct {
		Type  string       `attr:"required"`
		Rest  render.Attrs `attr:"rest"`
		Inner *render.Slot
	}
	button := render.MustComponent[ButtonAttrs]("button",
		`<button type="{{.Type}}" {{.Rest}}>{{render_slot .Inner}}</button>`)
	_, err := render.New("page").Components(button).Parse(`{{with component "button" "phx-click" "save"}}Save{{end}}`)
	os.Stdout.WriteString(err.Error() + "\n")
	page := render.Must(render.New("page").Components(button).Parse(
		`{{with component "button" "Type" "submit" "phx-click" "save"}}Save {{.}}{{end}}`))
	page.ExecuteHTML(os.Stdout, "draft")
	// Output:
	// render: page:1:7: component "button": missing required Type
	// <button type="submit"  phx-click="save">Save draft</button>
}
