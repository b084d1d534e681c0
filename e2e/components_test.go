package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/e2e/internal/browsertest"
	"github.com/liveview-go/liveview/render"
)

// A page of live components in the browser: counters in a keyed range, a
// panel component holding a counter of its own, and a form component.

type e2eCounter struct {
	Myself liveview.CID
	Label  string
	Count  int
}

type e2eCounterComp struct{ unmounted chan string }

var e2eCounterTmpl = render.Must(render.Parse(
	`<div id="counter-{{.Label}}" class="counter"><span class="count">{{.Count}}</span><button class="inc" phx-click="inc" phx-target="{{.Myself}}">+</button></div>`))

func (e2eCounterComp) Render(s e2eCounter) (*render.Rendered, error) {
	return e2eCounterTmpl.Execute(s)
}

func (e2eCounterComp) HandleEvent(s *liveview.ComponentSocket[e2eCounter], e liveview.Event) error {
	if e.Name != "inc" {
		return fmt.Errorf("unknown event %q", e.Name)
	}
	s.Assign(func(c *e2eCounter) { c.Count++ })
	return nil
}

func (c e2eCounterComp) Unmount(s *liveview.ComponentSocket[e2eCounter]) { c.unmounted <- s.ID() }

type e2ePanel struct {
	Myself liveview.CID
	Open   bool
	Saved  string
}

type e2ePanelComp struct{}

func (e2ePanelComp) Render(s e2ePanel) (*render.Rendered, error) { return e2ePanelTmpl.Execute(s) }

func (e2ePanelComp) HandleEvent(s *liveview.ComponentSocket[e2ePanel], e liveview.Event) error {
	switch e.Name {
	case "toggle":
		s.Assign(func(p *e2ePanel) { p.Open = !p.Open })
	case "save":
		s.Assign(func(p *e2ePanel) { p.Saved = e.Params.String("name") })
	default:
		return fmt.Errorf("unknown event %q", e.Name)
	}
	return nil
}

var e2ePanelTmpl *render.Template

type e2eItems struct{ IDs []string }

type e2eItemsView struct{ tmpl *render.Template }

func (e2eItemsView) Mount(s *liveview.Socket[e2eItems], p liveview.Params) error {
	s.Assign(func(st *e2eItems) { st.IDs = []string{"a", "b", "c"} })
	return nil
}

func (v e2eItemsView) Render(st e2eItems) (*render.Rendered, error) { return v.tmpl.Execute(st) }

func (e2eItemsView) HandleEvent(s *liveview.Socket[e2eItems], e liveview.Event) error {
	if e.Name != "remove" {
		return fmt.Errorf("unknown event %q", e.Name)
	}
	s.Assign(func(st *e2eItems) {
		var keep []string
		for _, id := range st.IDs {
			if id != e.Params.String("id") {
				keep = append(keep, id)
			}
		}
		st.IDs = keep
	})
	return nil
}

func TestLiveComponentsInBrowser(t *testing.T) {
	unmounted := make(chan string, 10)
	counter := liveview.NewLiveComponent[e2eCounter]("counter", e2eCounterComp{unmounted: unmounted})
	e2ePanelTmpl = render.Must(render.New("panel").LiveComponents(counter).Parse(
		`<section id="panel"><button id="toggle" phx-click="toggle" phx-target="{{.Myself}}">{{if .Open}}close{{else}}open{{end}}</button>` +
			`{{live "counter" "inner" "Label" "inner"}}` +
			`<form id="save" phx-submit="save" phx-target="{{.Myself}}"><input name="name"><button>save</button></form>` +
			`<p id="saved">{{.Saved}}</p></section>`))
	panel := liveview.NewLiveComponent[e2ePanel]("panel", e2ePanelComp{})
	tmpl := render.Must(render.New("items").LiveComponents(counter, panel).Parse(
		`<main>{{range .IDs}}<div class="row">{{live "counter" . "Label" .}}<button id="rm-{{.}}" phx-click="remove" phx-value-id="{{.}}">x</button></div>{{end}}` +
			`{{live "panel" "p"}}</main>`))
	_, hs := newApp(t, liveview.Config{}, func(s *liveview.Server) {
		s.Handle("/items", liveview.View[e2eItems](e2eItemsView{tmpl: tmpl}))
	})
	p := browsertest.New(t)
	p.Navigate(hs.URL + "/items")
	p.WaitConnected()

	// An event targeted at one component changes that one only.
	p.Click("#counter-b .inc")
	p.WaitText("#counter-b .count", "1")
	p.Click("#counter-b .inc")
	p.WaitText("#counter-b .count", "2")
	for _, id := range []string{"a", "c", "inner"} {
		if got := p.Text("#counter-" + id + " .count"); got != "0" {
			t.Errorf("counter %s shows %q after clicks on b, want 0", id, got)
		}
	}

	// Nested: the inner counter keeps its state when its parent component
	// re-renders, and the parent's events do not reach it.
	p.Click("#counter-inner .inc")
	p.WaitText("#counter-inner .count", "1")
	p.Click("#toggle")
	p.WaitText("#toggle", "close")
	if got := p.Text("#counter-inner .count"); got != "1" {
		t.Errorf("inner counter shows %q after its parent toggled, want 1", got)
	}

	// A form targeted at a component.
	p.SendKeys("#save input", "Ada")
	p.Click("#save button")
	p.WaitText("#saved", "Ada")

	// Removal: the client tells the server, which unmounts the component;
	// the others keep their state.
	p.Click("#rm-a")
	p.WaitNotPresent("#counter-a")
	select {
	case id := <-unmounted:
		if id != "a" {
			t.Errorf("unmounted %q, want a", id)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("component a was not unmounted within 60s of its removal from the page (cids_will_destroy / cids_destroyed)")
	}
	if got := p.Text("#counter-b .count"); got != "2" {
		t.Errorf("counter b shows %q after a's removal, want 2", got)
	}
	p.Click("#counter-c .inc")
	p.WaitText("#counter-c .count", "1")
	p.NoErrors()
}
