package render_test

import (
	"errors"
	"testing"

	"github.com/liveview-go/liveview/render"
)

func TestErrorsCarryTheirSourceLine(t *testing.T) {
	tm := render.Must(render.New("page").Parse("<ul>\n{{range .Items}}\n  <li>{{template \"row\" .}}</li>\n{{end}}\n</ul>\n" +
		"{{define \"row\"}}<b>{{.Name}}</b>  <i>{{.Nope}}</i>{{end}}"))
	r, err := tm.Execute(map[string]any{"Items": []struct{ Name string }{{"a"}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.AppendHTML(nil)
	var e *render.Error
	if !errors.As(err, &e) {
		t.Fatalf("evaluation error %v is not a *render.Error", err)
	}
	name, line, col, ok := e.Position()
	if !ok || name != "page" || line != 6 {
		t.Errorf("Position() = %q, %d, %d, %v; want the defining text page, line 6 (Loc %q)", name, line, col, ok, e.Loc)
	}
	if want := `{{define "row"}}<b>{{.Name}}</b>  <i>{{.Nope}}</i>{{end}}`; e.Source != want {
		t.Errorf("Source = %q, want %q", e.Source, want)
	}
	if ok && e.Source[col:col+5] != ".Nope" {
		t.Errorf("column %d points at %q, want .Nope", col, e.Source[col:])
	}
}

func TestCompileErrorsCarryTheirSourceLine(t *testing.T) {
	_, err := render.New("bad").Parse("<p>\n<a href=\"{{if .X}}\">{{end}}</a>")
	var e *render.Error
	if !errors.As(err, &e) {
		t.Skipf("this template compiles now (%v): nothing to locate", err)
	}
	if _, line, _, ok := e.Position(); !ok || line != 2 || e.Source != `<a href="{{if .X}}">{{end}}</a>` {
		t.Errorf("compile error %v: line %d, Source %q; want line 2 and its text", err, line, e.Source)
	}
}

func TestErrorPosition(t *testing.T) {
	for loc, want := range map[string]struct {
		name      string
		line, col int
		ok        bool
	}{
		"page:3:14":     {"page", 3, 14, true},
		"C:/x/page:3:0": {"C:/x/page", 3, 0, true},
		"page:3":        {"", 0, 0, false},
		"":              {"", 0, 0, false},
		"page:x:1":      {"", 0, 0, false},
		":3:1":          {"", 0, 0, false},
		"page:0:1":      {"", 0, 0, false},
	} {
		name, line, col, ok := (&render.Error{Loc: loc}).Position()
		if name != want.name || line != want.line || col != want.col || ok != want.ok {
			t.Errorf("Position of %q = %q, %d, %d, %v; want %+v", loc, name, line, col, ok, want)
		}
	}
}
