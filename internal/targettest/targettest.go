// Package targettest is the page on which phx-target is tested, over the
// protocol with liveviewtest (component_target_test.go) and in Chromium
// with the official client (e2e/component_target_test.go): one page, so
// that both say where the same click goes.
//
// The view (/sel) holds counters of its own, of live components (ctr-a,
// ctr-b, an outer component with ctr-inner in it) and of a child view
// (live_render'd, id "kid", inside a component of the view, so that the
// closest component around the child's own elements is not the child's)
// with a component of its own (ctr-kid), and
// buttons whose phx-target names them by cid or CSS selector, across the
// view boundary both ways. #none, #no-cid and #kid-parent-cid name nothing
// the client can send to (it logs an error and sends nothing): the Steps
// leave them alone.
package targettest

import (
	"fmt"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/render"
)

// Path is where Register serves the page.
const Path = "/sel"

// Counters lists the selectors of the counters a step reads, in the order
// of Step.Want: the view's, ctr-a, ctr-b, ctr-inner, the outer component's
// hits, the child view's own, the child's component's.
var Counters = []string{"#view-count", "#ctr-a .n", "#ctr-b .n", "#ctr-inner .n", "#outer-hits", "#kid-count", "#ctr-kid .n"}

// Step is a click and the counters after it.
type Step struct {
	Click, Want, Why string
}

// Steps are clicks whose effect the harness and the browser must agree on,
// in order from a fresh page.
var Steps = []Step{
	{"#one", "0 0 1 0 0 0 0", "an id selector names one component"},
	{"#all", "0 1 2 1 0 0 1", "a class selector sends one event to each component it matches on the page, the nested one and the child view's included"},
	{"#to-view", "1 1 2 1 0 0 1", "an element outside every component sends to the view"},
	{"#to-inner", "1 1 2 2 0 0 1", "the closest component around the matched element receives it, not its parent"},
	{"#to-outer", "1 1 2 2 1 0 1", "an element of the outer component outside the inner one sends to the outer one"},
	{"#js", "1 2 2 2 1 0 1", "a JS push command's target is a selector too"},
	{"#to-kid", "1 2 2 2 1 0 2", "a selector matching inside a child view sends to the child, to the component around the match"},
	{"#to-kid-view", "1 2 2 2 1 1 2", "a selector matching a child view's element outside its components sends to the child view, not to the parent's component around the child's container"},
	{"#kid-own", "1 2 2 2 1 2 2", "an element of the child without phx-target sends to the child view"},
	{"#ctr-kid .cid", "1 2 2 2 1 2 3", "a cid in the child names the child's component, not the parent's with that cid"},
	{"#kid-to-parent", "1 3 2 2 1 2 3", "a selector in the child matching the parent's component sends to the parent"},
	{"#kid-all", "1 4 3 3 1 2 4", "a class selector in the child matches components in every view of the page, each event to its own view"},
}

// Ctr is a counter component's state.
type Ctr struct {
	Myself liveview.CID
	Label  string
	Count  int
}

type ctrComp struct{ tmpl *render.Template }

func (c ctrComp) Render(s Ctr) (*render.Rendered, error) { return c.tmpl.Execute(s) }

func (ctrComp) HandleEvent(s *liveview.ComponentSocket[Ctr], e liveview.Event) error {
	switch e.Name {
	case "inc":
		s.Assign(func(c *Ctr) { c.Count++ })
	case "set":
		s.Assign(func(c *Ctr) { c.Count = e.Params.Int("n") })
	default:
		return fmt.Errorf("unknown event %q", e.Name)
	}
	return nil
}

// Outer is the state of the component that holds ctr-inner.
type Outer struct {
	Myself liveview.CID
	Hits   int
}

type outerComp struct{ tmpl *render.Template }

func (c outerComp) Render(s Outer) (*render.Rendered, error) { return c.tmpl.Execute(s) }

func (outerComp) HandleEvent(s *liveview.ComponentSocket[Outer], e liveview.Event) error {
	s.Assign(func(o *Outer) { o.Hits++ })
	return nil
}

// Wrap is the state of the component the child view's container is in.
type Wrap struct {
	Myself liveview.CID
	Kid    render.HTML
}

type wrapComp struct{ tmpl *render.Template }

func (c wrapComp) Render(s Wrap) (*render.Rendered, error) { return c.tmpl.Execute(s) }

// Page is the view's state (and the child's).
type Page struct {
	Count int
	Kid   render.HTML
}

type view struct {
	tmpl  *render.Template
	child bool
}

func (v view) Mount(s *liveview.Socket[Page], _ liveview.Params) error {
	if v.child {
		return nil
	}
	kid, err := s.LiveRender("sel-kid", "kid", liveview.ChildOptions{})
	s.Assign(func(p *Page) { p.Kid = kid })
	return err
}

func (v view) Render(s Page) (*render.Rendered, error) { return v.tmpl.Execute(s) }

func (view) HandleEvent(s *liveview.Socket[Page], e liveview.Event) error {
	if e.Name != "inc" {
		return fmt.Errorf("the view got %q", e.Name)
	}
	s.Assign(func(p *Page) { p.Count++ })
	return nil
}

// Register serves the page at Path on srv (and its child view).
func Register(srv *liveview.Server) {
	ctr := liveview.NewLiveComponent[Ctr]("ctr", ctrComp{render.Must(render.Parse(
		`<div id="ctr-{{.Label}}" class="ctr"><span class="n">{{.Count}}</span>` +
			`<button class="cid" phx-click="inc" phx-target="{{.Myself}}">+</button></div>`))})
	outer := liveview.NewLiveComponent[Outer]("outer", outerComp{render.Must(render.New("outer").LiveComponents(ctr).Parse(
		`<section id="outer"><b id="outer-hits">{{.Hits}}</b>{{live "ctr" "inner" "Label" "inner"}}</section>`))})
	wrap := liveview.NewLiveComponent[Wrap]("wrap", wrapComp{render.Must(render.Parse(`<div id="wrap">{{.Kid}}</div>`))})
	tmpl := render.Must(render.New("sel").LiveComponents(ctr, outer, wrap).Parse(`<main>` +
		`<p id="view-count">{{.Count}}</p>{{live "ctr" "a" "Label" "a"}}{{live "ctr" "b" "Label" "b"}}{{live "outer" "o"}}` +
		`<button id="one" phx-click="inc" phx-target="#ctr-b">b</button>` +
		`<button id="all" phx-click="inc" phx-target=".ctr">all</button>` +
		`<button id="to-view" phx-click="inc" phx-target="#view-count">view</button>` +
		`<button id="to-inner" phx-click="inc" phx-target="#outer .n">inner</button>` +
		`<button id="to-outer" phx-click="inc" phx-target="#outer-hits">outer</button>` +
		`<button id="none" phx-click="inc" phx-target="#missing">none</button>` +
		`<button id="no-cid" phx-click="inc" phx-target="99">no cid</button>` +
		`<button id="js" phx-click='[["push",{"event":"inc","target":"#ctr-a"}]]'>js</button>` +
		`<button id="to-kid" phx-click="inc" phx-target="#ctr-kid .n">kid</button>` +
		`<button id="to-kid-view" phx-click="inc" phx-target="#kid-count">kid view</button>` +
		`<form id="f" phx-change="set" phx-submit="set" phx-target="#ctr-a"><input name="n" value="7"></form>` +
		`{{live "wrap" "w" "Kid" .Kid}}</main>`))
	kidTmpl := render.Must(render.New("sel-kid").LiveComponents(ctr).Parse(`<div id="kid-page">` +
		`<p id="kid-count">{{.Count}}</p>{{live "ctr" "kid" "Label" "kid"}}` +
		`<button id="kid-own" phx-click="inc">own</button>` +
		`<button id="kid-to-parent" phx-click="inc" phx-target="#ctr-a">parent</button>` +
		`<button id="kid-all" phx-click="inc" phx-target=".ctr">all</button>` +
		`<button id="kid-parent-cid" phx-click="inc" phx-target="2">parent's cid</button>` +
		`</div>`))
	srv.HandleChild("sel-kid", liveview.View[Page](view{tmpl: kidTmpl, child: true}))
	srv.Handle(Path, liveview.View[Page](view{tmpl: tmpl}))
}
