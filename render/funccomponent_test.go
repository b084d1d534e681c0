package render

import (
	"reflect"
	"strings"
	"sync"
	"testing"
)

type cardAttrs struct {
	Title  string `attr:"required"`
	Href   string
	Count  int
	Rest   Attrs `attr:"rest"`
	Inner  *Slot
	Action []*Slot
	Footer *Slot
}

// card is made at first use: package-level variables of package render
// initialise before its builtins do.
var card = sync.OnceValue(func() *Component {
	return MustComponent[cardAttrs]("card", `<div class="card" {{.Rest}}><h2><a href="{{.Href}}" title="{{.Title}}">{{.Title}}</a> ({{.Count}})</h2>`+
		`<div class="body">{{render_slot .Inner}}</div>`+
		`{{range $i, $a := .Action}}<button data-label="{{$a.Attr "Label"}}">{{render_slot $a $i}}</button>{{end}}`+
		`{{if .Footer}}<footer>{{render_slot .Footer}}</footer>{{end}}</div>`)
})

func renderWith(t *testing.T, src string, data any) string {
	t.Helper()
	tm, err := New("page").Components(card()).Parse(src)
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	var b strings.Builder
	if err := tm.ExecuteHTML(&b, data); err != nil {
		t.Fatalf("Execute(%q): %v", src, err)
	}
	return b.String()
}

func TestComponentAttributesSlotsAndInner(t *testing.T) {
	type page struct {
		Name  string
		Items []string
	}
	got := renderWith(t, `{{$who := .Name}}{{with component "card" "Title" "Hi" "Count" 3 "Href" "/x" "id" "c1" "phx-click" "open"}}`+
		`<p>{{$who}} has {{len .Items}}</p>`+
		`{{with $i := slot "Action" "Label" "first"}}#{{$i}} {{index $.Items $i}}{{end}}`+
		`{{with $i := slot "Action" "Label" "second"}}#{{$i}} {{$who}}{{end}}{{end}}`,
		page{Name: "Ann", Items: []string{"x", "y"}})
	want := `<div class="card"  id="c1" phx-click="open"><h2><a href="/x" title="Hi">Hi</a> (3)</h2><div class="body"><p>Ann has 2</p></div>` +
		`<button data-label="first">#0 x</button><button data-label="second">#1 Ann</button></div>`
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestComponentWithoutBody(t *testing.T) {
	got := renderWith(t, `{{component "card" "Title" .}}`, "T")
	want := `<div class="card" ><h2><a href="" title="T">T</a> (0)</h2><div class="body"></div></div>`
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestComponentNestedInSlot(t *testing.T) {
	got := renderWith(t, `{{with component "card" "Title" "outer"}}{{with slot "Footer"}}{{component "card" "Title" $}}{{end}}{{end}}`, "inner")
	if !strings.Contains(got, `<footer><div class="card" ><h2><a href="" title="inner">inner</a>`) {
		t.Fatalf("a component called in a slot of another did not render inside it:\n%s", got)
	}
}

// Hostile values in attributes and slot content are escaped for where they
// land in the component's markup.
func TestComponentEscaping(t *testing.T) {
	evil := `"><script>alert(1)</script>`
	type data struct{ Evil, URL string }
	got := renderWith(t, `{{with component "card" "Title" .Evil "Href" .URL "data-x" .Evil}}{{.Evil}}`+
		`{{with slot "Action" "Label" .Evil}}<i title="{{$.Evil}}">{{$.Evil}}</i>{{end}}`+
		`{{with slot "Footer"}}<a href="{{.URL}}">f</a>{{end}}{{end}}`,
		data{Evil: evil, URL: "javascript:alert(1)"})
	if strings.Contains(got, "<script>") {
		t.Fatalf("hostile value reached the output unescaped:\n%s", got)
	}
	if strings.Contains(got, "javascript:") {
		t.Fatalf("javascript: URL not neutralised in an attribute or slot:\n%s", got)
	}
	for _, want := range []string{
		`title="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"`,  // attribute into an attribute value
		`>&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</a> (0)`, // attribute into text
		`data-x="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"`, // rest attribute
		`data-label="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"`,
		`<i title="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</i>`,
		`href="#ZliveviewZ"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %s:\n%s", want, got)
		}
	}
	// An event handler cannot be passed as a rest attribute: its value would be code.
	if _, err := New("p").Components(card()).Parse(`{{component "card" "Title" "x" "onclick" .}}`); err == nil {
		t.Error(`Parse accepted an "onclick" rest attribute`)
	}
}

func TestComponentErrorsAtParse(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{`{{component "nope"}}`, `component "nope" is not defined`},
		{`{{component "card"}}`, `missing required Title`},
		{`{{component "card" "Title" "x" "Bogus" 1}}`, `no attribute "Bogus"`},
		{`{{component "card" "Title"}}`, `name value pairs`},
		{`{{component "card" "Title" "x" "Title" "y"}}`, `given twice`},
		{`{{component .Name "Title" "x"}}`, `must be a quoted string`},
		{`{{with component "card" "Title" "x"}}{{with slot "Nope"}}x{{end}}{{end}}`, `no slot "Nope"`},
		{`{{with component "card" "Title" "x"}}{{with slot "Footer"}}a{{end}}{{with slot "Footer"}}b{{end}}{{end}}`, `slot Footer is given twice`},
		{`{{with component "card" "Title" "x"}}a{{else}}b{{end}}`, `no {{else}}`},
		{`{{component "card" "Title" "x" "Action" 1}}`, `Action is a slot`},
		{`<a title="{{component "card" "Title" "x"}}">`, `only be called in HTML text`},
		{`{{with slot "Footer"}}x{{end}}`, `directly in the body`},
		{`{{render_slot .X}}`, ``}, // fine outside components too (renders a nil slot as nothing)
		{`<a title="{{render_slot .X}}">`, `render_slot can only be used in HTML text`},
		{`{{print (component "card")}}`, `can only be used as`},
		{`{{range .}}{{with component "card" "Title" "x"}}{{break}}{{end}}{{end}}`, `cannot leave a slot's content`},
		{`{{with component "card" "Title" "x"}}<a href="{{end}}`, `slot content ends in`},
	} {
		_, err := New("p").Components(card()).Parse(c.src)
		if c.want == "" {
			if err != nil {
				t.Errorf("Parse(%q): %v", c.src, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q) = %v, want an error containing %q", c.src, err, c.want)
		}
	}
	type tag struct {
		Inner *Slot
	}
	inline := MustComponent[tag]("tag", `<b>{{render_slot .Inner}}</b>`)
	plain := MustComponent[struct{ A string }]("plain", `<i>{{.A}}</i>`)
	if _, err := New("p").Components(inline, plain).Parse(`{{with component "plain"}}text{{end}}`); err == nil || !strings.Contains(err.Error(), "takes no inner content") {
		t.Errorf("inner content for a component without Inner: %v", err)
	}
	if _, err := New("p").Components(inline, plain).Parse(`{{with component "plain"}} {{/* c */}} {{end}}`); err != nil {
		t.Errorf("spaces and comments are no inner content: %v", err)
	}
}

func TestNewComponentErrors(t *testing.T) {
	type attrs struct{ Title string }
	if _, err := NewComponent[attrs]("x", `<h1>{{.Titel}}</h1>`); err == nil || !strings.Contains(err.Error(), "Titel") {
		t.Errorf("a misspelt attribute in the component's template: %v", err)
	}
	if _, err := NewComponent[attrs]("x", `<h1>{{.Title}}`); err != nil {
		t.Errorf("NewComponent: %v", err)
	}
	if _, err := NewComponent[int]("x", `x`); err == nil {
		t.Error("NewComponent accepted a non-struct attributes type")
	}
	if _, err := NewComponent[attrs]("x", `{{define "y"}}{{end}}`); err == nil {
		t.Error("NewComponent accepted a template that defines another")
	}
	type badInner struct{ Inner string }
	if _, err := NewComponent[badInner]("x", `x`); err == nil {
		t.Error("NewComponent accepted an Inner field that is not a *Slot")
	}
	type badRest struct {
		R map[string]any `attr:"rest"`
	}
	if _, err := NewComponent[badRest]("x", `x`); err == nil {
		t.Error("NewComponent accepted a rest field that is not Attrs")
	}
	unclosed := MustComponent[attrs]("unclosed", `<h1 title="{{.Title}}`)
	if _, err := New("p").Components(unclosed).Parse(`{{component "unclosed"}}`); err == nil || !strings.Contains(err.Error(), "ends in") {
		t.Errorf("a component whose template ends inside an attribute: %v", err)
	}
}

func TestComponentAttributeTypes(t *testing.T) {
	tm := Must(New("p").Components(card()).Parse(`{{component "card" "Title" "x" "Count" .}}`))
	if _, err := tm.Execute(2.0); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := tm.ExecuteHTML(&b, 2.0); err != nil || !strings.Contains(b.String(), "(2)") {
		t.Fatalf("a float64 for an int attribute: %q, %v", b.String(), err)
	}
	b.Reset()
	err := tm.ExecuteHTML(&b, "two")
	if err == nil || !strings.Contains(err.Error(), `attribute Count: cannot use a value of type string as int`) {
		t.Fatalf("a string for an int attribute: %v", err)
	}
}

func TestCheckFollowsCallerDotIntoSlots(t *testing.T) {
	type page struct{ Title string }
	tm := Must(New("p").Components(card()).Parse(`{{with component "card" "Title" .Title}}{{.Titel}}{{end}}`))
	if err := tm.Check(reflect.TypeFor[page]()); err == nil || !strings.Contains(err.Error(), "Titel") {
		t.Fatalf("Check in a component's inner content: %v", err)
	}
}
