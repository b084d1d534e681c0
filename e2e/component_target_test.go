package e2e

import (
	"fmt"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/e2e/internal/browsertest"
	"github.com/liveview-go/liveview/render"
)

// phx-target as a CSS selector in Chromium with the official client: one
// event per matched element, each to the live component around it (the
// closest one) or to the view; the same page as liveviewtest's
// TestSelectorTargets, so both agree on where events go.

type e2eSelCtr struct {
	Myself liveview.CID
	Label  string
	Count  int
}

type e2eSelCtrComp struct{}

var e2eSelCtrTmpl = render.Must(render.Parse(`<div id="ctr-{{.Label}}" class="ctr"><span class="n">{{.Count}}</span></div>`))

func (e2eSelCtrComp) Render(s e2eSelCtr) (*render.Rendered, error) { return e2eSelCtrTmpl.Execute(s) }

func (e2eSelCtrComp) HandleEvent(s *liveview.ComponentSocket[e2eSelCtr], e liveview.Event) error {
	if e.Name != "inc" {
		return fmt.Errorf("unknown event %q", e.Name)
	}
	s.Assign(func(c *e2eSelCtr) { c.Count++ })
	return nil
}

type e2eSelOuter struct {
	Myself liveview.CID
	Hits   int
}

type e2eSelOuterComp struct{ tmpl *render.Template }

func (c e2eSelOuterComp) Render(s e2eSelOuter) (*render.Rendered, error) { return c.tmpl.Execute(s) }

func (e2eSelOuterComp) HandleEvent(s *liveview.ComponentSocket[e2eSelOuter], e liveview.Event) error {
	s.Assign(func(o *e2eSelOuter) { o.Hits++ })
	return nil
}

type e2eSelPage struct{ Count int }

type e2eSelView struct{ tmpl *render.Template }

func (e2eSelView) Mount(*liveview.Socket[e2eSelPage], liveview.Params) error { return nil }

func (v e2eSelView) Render(s e2eSelPage) (*render.Rendered, error) { return v.tmpl.Execute(s) }

func (e2eSelView) HandleEvent(s *liveview.Socket[e2eSelPage], e liveview.Event) error {
	if e.Name != "inc" {
		return fmt.Errorf("the view got %q", e.Name)
	}
	s.Assign(func(p *e2eSelPage) { p.Count++ })
	return nil
}

func TestSelectorTargetsInBrowser(t *testing.T) {
	ctr := liveview.NewLiveComponent[e2eSelCtr]("ctr", e2eSelCtrComp{})
	outerTmpl := render.Must(render.New("outer").LiveComponents(ctr).Parse(
		`<section id="outer"><b id="outer-hits">{{.Hits}}</b>{{live "ctr" "inner" "Label" "inner"}}</section>`))
	outer := liveview.NewLiveComponent[e2eSelOuter]("outer", e2eSelOuterComp{outerTmpl})
	tmpl := render.Must(render.New("sel").LiveComponents(ctr, outer).Parse(`<main>` +
		`<p id="view-count">{{.Count}}</p>{{live "ctr" "a" "Label" "a"}}{{live "ctr" "b" "Label" "b"}}{{live "outer" "o"}}` +
		`<button id="one" phx-click="inc" phx-target="#ctr-b">b</button>` +
		`<button id="all" phx-click="inc" phx-target=".ctr">all</button>` +
		`<button id="to-view" phx-click="inc" phx-target="#view-count">view</button>` +
		`<button id="to-inner" phx-click="inc" phx-target="#outer .n">inner</button>` +
		`<button id="to-outer" phx-click="inc" phx-target="#outer-hits">outer</button>` +
		`</main>`))
	_, hs := newApp(t, liveview.Config{}, func(s *liveview.Server) {
		s.Handle("/sel", liveview.View[e2eSelPage](e2eSelView{tmpl}))
	})
	p := browsertest.New(t)
	p.Navigate(hs.URL + "/sel")
	p.WaitConnected()
	counters := `["#view-count", "#ctr-a .n", "#ctr-b .n", "#ctr-inner .n", "#outer-hits"].map(s => document.querySelector(s).textContent).join(" ")`
	for _, s := range []struct{ click, want, why string }{
		{"#one", "0 0 1 0 0", "an id selector names one component"},
		{"#all", "0 1 2 1 0", "a class selector sends one event to each component it matches, the nested one included"},
		{"#to-view", "1 1 2 1 0", "an element outside every component sends to the view"},
		{"#to-inner", "1 1 2 2 0", "the closest component around the matched element receives it"},
		{"#to-outer", "1 1 2 2 1", "an element of the outer component outside the inner one sends to the outer one"},
	} {
		p.Click(s.click)
		// Wait for the counters to settle on the expected values; on a
		// timeout, the failure shows what they were.
		p.WaitTrue(counters + ` === "` + s.want + `"`)
		var got string
		p.Eval(counters, &got)
		if got != s.want {
			t.Fatalf("after clicking %s: counters (view a b inner outer) = %s; want %s: %s", s.click, got, s.want, s.why)
		}
	}
	p.NoErrors()
}
