package render_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/liveview-go/liveview/render"
)

type cardState struct {
	Title string
	Open  bool
}

// fakeCard renders its attributes; it stands for liveview.NewLiveComponent's
// components, which render does not know.
type fakeCard struct{ name string }

var fakeCardTmpl = render.Must(render.Parse(`<p>{{.}}</p>`))

func (c fakeCard) ComponentName() string        { return c.name }
func (c fakeCard) ComponentState() reflect.Type { return reflect.TypeFor[cardState]() }
func (c fakeCard) RenderStatic(id string, attrs any) (*render.Rendered, error) {
	return fakeCardTmpl.Execute(id + ":" + strings.TrimSpace(fmtAttrs(attrs)))
}

func fmtAttrs(a any) string {
	m, ok := a.(map[string]any)
	if !ok {
		return "-"
	}
	var b strings.Builder
	for _, k := range []string{"Title", "Open"} {
		if v, ok := m[k]; ok {
			b.WriteString(k + "=" + reflect.ValueOf(v).String() + " ")
		}
	}
	return b.String()
}

func TestLiveComponentSlot(t *testing.T) {
	card := fakeCard{"card"}
	tmpl, err := render.New("page").LiveComponents(card).Parse(`<main>{{live "card" .ID "Title" .T}}</main>`)
	if err != nil {
		t.Fatal(err)
	}
	r, err := tmpl.Execute(map[string]any{"ID": 7, "T": "hello"})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Evaluate(nil); err != nil {
		t.Fatal(err)
	}
	v := r.Dynamic(0)
	if v.Kind() != render.KindComponent {
		t.Fatalf("slot kind %v, want KindComponent", v.Kind())
	}
	lc := v.LiveRef()
	if lc.Component != card || lc.ID != "7" || lc.CID() != 0 {
		t.Errorf("component %+v", lc)
	}
	if m, _ := lc.Attrs.(map[string]any); m["Title"] != "hello" {
		t.Errorf("attrs %#v", lc.Attrs)
	}
	html, err := r.AppendHTML(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(html), `<main><p>7:Title=hello</p></main>`; got != want {
		t.Errorf("HTML %s, want %s", got, want)
	}
}

func TestLiveComponentParseErrors(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{`<div>{{live "crad" 1}}</div>`, `page:1:7: live: no component named "crad" (declared: card)`},
		{`<div>{{live "card" 1 "Titel" "x"}}</div>`, `attribute "Titel" is not an exported field of render_test.cardState`},
		{`<div>{{live "card" 1 "Title" "x" "Open"}}</div>`, `one value or name/value pairs, got 3`},
		{"<div>\n{{if .X}}{{live \"nope\" 1 .}}{{end}}</div>", `page:2:11: live: no component named "nope"`},
		{`<div>{{live "card"}}</div>`, `live needs a component name and an id`},
	} {
		_, err := render.New("page").LiveComponents(fakeCard{"card"}).Parse(tc.text)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%s): error %v, want one containing %q", tc.text, err, tc.want)
		}
	}
	// Without LiveComponents, live has nothing to place.
	if _, err := render.Parse(`{{live "card" 1}}`); err == nil || !strings.Contains(err.Error(), `no live components declared`) {
		t.Errorf("live without Components: %v", err)
	}
}

func TestLiveComponentOnlyInText(t *testing.T) {
	tmpl := render.Must(render.New("page").LiveComponents(fakeCard{"card"}).Parse(`<div class="{{live "card" 1}}"></div>`))
	r, err := tmpl.Execute(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Evaluate(nil); err == nil || !strings.Contains(err.Error(), "a live component can only be placed in HTML text") {
		t.Errorf("live in an attribute: %v", err)
	}
}

func TestLiveComponentRuntimeName(t *testing.T) {
	tmpl := render.Must(render.New("page").LiveComponents(fakeCard{"card"}).Parse(`<div>{{live .Name 1}}</div>`))
	r, err := tmpl.Execute(map[string]any{"Name": "other"})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Evaluate(nil); err == nil || !strings.Contains(err.Error(), `no live component named "other"`) {
		t.Errorf("unknown name at run time: %v", err)
	}
}
