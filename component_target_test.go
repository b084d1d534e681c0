package liveview_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// phx-target as a CSS selector: the client sends the event once per
// element the selector matches, each to the live component around that
// element (or to the view), and liveviewtest does the same.

type selCtr struct {
	Myself liveview.CID
	Label  string
	Count  int
}

type selCtrComp struct{}

var selCtrTmpl = render.Must(render.Parse(`<div id="ctr-{{.Label}}" class="ctr"><span class="n">{{.Count}}</span></div>`))

func (selCtrComp) Render(s selCtr) (*render.Rendered, error) { return selCtrTmpl.Execute(s) }

func (selCtrComp) HandleEvent(s *liveview.ComponentSocket[selCtr], e liveview.Event) error {
	switch e.Name {
	case "inc":
		s.Assign(func(c *selCtr) { c.Count++ })
	case "set":
		s.Assign(func(c *selCtr) { c.Count = e.Params.Int("n") })
	default:
		return fmt.Errorf("unknown event %q", e.Name)
	}
	return nil
}

type selOuter struct {
	Myself liveview.CID
	Hits   int
}

type selOuterComp struct{ tmpl *render.Template }

func (c selOuterComp) Render(s selOuter) (*render.Rendered, error) { return c.tmpl.Execute(s) }

func (selOuterComp) HandleEvent(s *liveview.ComponentSocket[selOuter], e liveview.Event) error {
	s.Assign(func(o *selOuter) { o.Hits++ })
	return nil
}

type selPage struct{ Count int }

type selView struct{ tmpl *render.Template }

func (selView) Mount(*liveview.Socket[selPage], liveview.Params) error { return nil }

func (v selView) Render(s selPage) (*render.Rendered, error) { return v.tmpl.Execute(s) }

func (selView) HandleEvent(s *liveview.Socket[selPage], e liveview.Event) error {
	if e.Name != "inc" {
		return fmt.Errorf("the view got %q", e.Name)
	}
	s.Assign(func(p *selPage) { p.Count++ })
	return nil
}

func newSelView(t *testing.T) *liveviewtest.View {
	t.Helper()
	ctr := liveview.NewLiveComponent[selCtr]("ctr", selCtrComp{})
	outerTmpl := render.Must(render.New("outer").LiveComponents(ctr).Parse(
		`<section id="outer"><b id="outer-hits">{{.Hits}}</b>{{live "ctr" "inner" "Label" "inner"}}</section>`))
	outer := liveview.NewLiveComponent[selOuter]("outer", selOuterComp{outerTmpl})
	tmpl := render.Must(render.New("sel").LiveComponents(ctr, outer).Parse(`<main>` +
		`<p id="view-count">{{.Count}}</p>{{live "ctr" "a" "Label" "a"}}{{live "ctr" "b" "Label" "b"}}{{live "outer" "o"}}` +
		`<button id="one" phx-click="inc" phx-target="#ctr-b">b</button>` +
		`<button id="all" phx-click="inc" phx-target=".ctr">all</button>` +
		`<button id="to-view" phx-click="inc" phx-target="#view-count">view</button>` +
		`<button id="to-inner" phx-click="inc" phx-target="#outer .n">inner</button>` +
		`<button id="to-outer" phx-click="inc" phx-target="#outer-hits">outer</button>` +
		`<button id="none" phx-click="inc" phx-target="#missing">none</button>` +
		`<button id="js" phx-click='[["push",{"event":"inc","target":"#ctr-a"}]]'>js</button>` +
		`<form id="f" phx-change="set" phx-submit="set" phx-target="#ctr-a"><input name="n" value="7"></form>` +
		`</main>`))
	lv := liveview.NewServer(liveview.Config{})
	lv.Handle("/sel", liveview.View[selPage](selView{tmpl}))
	t.Cleanup(func() { lv.Close() })
	v, err := liveviewtest.NewServer(t, lv).Mount("/sel")
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// counts reads every counter of the page, the view's and the outer
// component's hits.
func counts(t *testing.T, v *liveviewtest.View) string {
	t.Helper()
	var out []string
	for _, id := range []string{"#view-count", "#ctr-a .n", "#ctr-b .n", "#ctr-inner .n", "#outer-hits"} {
		s, err := v.Text(id)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

func TestSelectorTargets(t *testing.T) {
	v := newSelView(t)
	steps := []struct {
		click, want, why string
	}{
		{"#one", "0 0 1 0 0", "an id selector names one component"},
		{"#all", "0 1 2 1 0", "a class selector sends one event to each component it matches, the nested one included"},
		{"#to-view", "1 1 2 1 0", "an element outside every component sends to the view"},
		{"#to-inner", "1 1 2 2 0", "the closest component around the matched element receives it, not its parent"},
		{"#to-outer", "1 1 2 2 1", "an element of the outer component outside the inner one sends to the outer one"},
		{"#js", "1 2 2 2 1", "a JS push command's target is a selector too"},
	}
	for _, s := range steps {
		if err := v.Click(s.click); err != nil {
			t.Fatalf("click %s: %v", s.click, err)
		}
		if got := counts(t, v); got != s.want {
			t.Fatalf("after clicking %s: counters (view a b inner outer) = %s; want %s: %s", s.click, got, s.want, s.why)
		}
	}
	if err := v.Click("#none"); err == nil || !strings.Contains(err.Error(), `nothing matches the phx-target selector "#missing"`) {
		t.Errorf("a selector that matches nothing: err = %v; want an error saying so", err)
	}
	if err := v.Change("#f", nil, "n"); err != nil {
		t.Fatal(err)
	}
	if got := counts(t, v); got != "1 7 2 2 1" {
		t.Errorf("after the form's change: counters = %s; want component a set to 7", got)
	}
	if err := v.Submit("#f", map[string][]string{"n": {"9"}}); err != nil {
		t.Fatal(err)
	}
	if got := counts(t, v); got != "1 9 2 2 1" {
		t.Errorf("after the form's submit: counters = %s; want component a set to 9", got)
	}
	if strings.Contains(v.HTML(), "data-phx-component") {
		t.Errorf("HTML shows the client's own data-phx-component attributes: %s", v.HTML())
	}
	if got, _ := v.Attr("#ctr-a", "data-phx-component"); got == "" {
		t.Errorf("a component's root lacks data-phx-component for selectors, as the client's DOM has it")
	}
}
