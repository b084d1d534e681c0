package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/e2e/internal/browsertest"
	"github.com/liveview-go/liveview/js"
	"github.com/liveview-go/liveview/render"
)

// Components the join's render again drops, in Chromium with the official
// client: a component's flash makes the view render again before the join
// reply, and that render no longer places two components (one inside the
// other) the first render placed. The server frees them before it replies
// and the reply carries nothing of theirs, so the client holds only the
// components it shows; placed again later, they mount afresh under new
// cids, and events reach the right components throughout.

type e2eHerald struct {
	Myself liveview.CID
	Count  int
}

type e2eHeraldComp struct{}

var e2eHeraldTmpl = render.Must(render.Parse(
	`<div id="herald"><span class="count">{{.Count}}</span><button class="inc" phx-click="inc" phx-target="{{.Myself}}">+</button></div>`))

func (e2eHeraldComp) Mount(s *liveview.ComponentSocket[e2eHerald]) error {
	if s.Connected() {
		s.PutFlash("info", "heralded")
	}
	return nil
}

func (e2eHeraldComp) HandleEvent(s *liveview.ComponentSocket[e2eHerald], e liveview.Event) error {
	s.Assign(func(st *e2eHerald) { st.Count++ })
	return nil
}

func (e2eHeraldComp) Render(s e2eHerald) (*render.Rendered, error) { return e2eHeraldTmpl.Execute(s) }

type e2eFleeting struct {
	Myself  liveview.CID
	Count   int
	Uploads liveview.Uploads
}

// e2eFleetingComp allows an upload as it mounts (which asks for it to be
// rendered again) and counts its clicks.
type e2eFleetingComp struct {
	tmpl      *render.Template
	unmounted chan string
}

func (e2eFleetingComp) Mount(s *liveview.ComponentSocket[e2eFleeting]) error {
	return s.AllowUpload("file", liveview.UploadOptions{Accept: []string{".txt"}})
}

func (e2eFleetingComp) HandleEvent(s *liveview.ComponentSocket[e2eFleeting], e liveview.Event) error {
	s.Assign(func(st *e2eFleeting) { st.Count++ })
	return nil
}

func (c e2eFleetingComp) Unmount(s *liveview.ComponentSocket[e2eFleeting]) { c.unmounted <- s.ID() }

func (c e2eFleetingComp) Render(s e2eFleeting) (*render.Rendered, error) { return c.tmpl.Execute(s) }

type e2eHeraldPage struct{ Flash liveview.Flash }

type e2eHeraldView struct{ tmpl *render.Template }

func (e2eHeraldView) Mount(*liveview.Socket[e2eHeraldPage], liveview.Params) error { return nil }

func (v e2eHeraldView) Render(s e2eHeraldPage) (*render.Rendered, error) { return v.tmpl.Execute(s) }

func TestComponentDroppedAtJoinInBrowser(t *testing.T) {
	unmounted := make(chan string, 10)
	leaf := liveview.NewLiveComponent[e2eFleeting]("leaf", e2eFleetingComp{unmounted: unmounted,
		tmpl: render.Must(render.Parse(`<i id="leaf"><span class="count">{{.Count}}</span><button class="inc" phx-click="inc" phx-target="{{.Myself}}">+</button></i>`))})
	fleeting := liveview.NewLiveComponent[e2eFleeting]("fleeting", e2eFleetingComp{unmounted: unmounted,
		tmpl: render.Must(render.New("fleeting").LiveComponents(leaf).Parse(`<section id="fleeting">{{live "leaf" "l"}}</section>`))})
	// The fleeting components show while no flash does; clicking the flash
	// clears it (lv:clear-flash) and places them again.
	tmpl := render.Must(render.New("heralds").LiveComponents(e2eHeraldDef, fleeting).Parse(
		`<main><div id="flash">{{.Flash.HTML}}</div>{{live "herald" "h"}}{{if not .Flash}}{{live "fleeting" "f"}}{{end}}</main>`))
	_, hs := newApp(t, liveview.Config{}, func(s *liveview.Server) {
		s.Handle("/heralds", liveview.View[e2eHeraldPage](e2eHeraldView{tmpl}))
	})
	p := browsertest.New(t)
	p.Navigate(hs.URL + "/heralds")
	p.WaitConnected()
	p.WaitText("#flash", "heralded")
	p.WaitNotPresent("#fleeting")
	if cids := clientCIDs(p); cids != "1" {
		t.Errorf("the client holds components %q after the join; want 1 (the herald alone)", cids)
	}
	// The server let both go before the join reply.
	awaitUnmounts(t, unmounted, 2, "of the components the join's render again dropped", "f and l")

	p.Click("#herald .inc")
	p.WaitText("#herald .count", "1")

	// Placed again, they mount afresh: new cids, their own events.
	p.Click("#flash [phx-click]")
	p.WaitVisible("#fleeting #leaf")
	p.Click("#leaf .inc")
	p.WaitText("#leaf .count", "1")
	p.Click("#herald .inc")
	p.WaitText("#herald .count", "2")
	if got := p.Text("#leaf .count"); got != "1" {
		t.Errorf("the leaf shows %q after the herald's click; want 1", got)
	}
	if cids := clientCIDs(p); cids != "1,4,5" {
		t.Errorf("the client holds components %q once the fleeting ones are back; want 1,4,5", cids)
	}
	if len(unmounted) > 0 {
		t.Errorf("Unmount ran again, for %q", <-unmounted)
	}
	p.NoErrors()
}

var e2eHeraldDef = liveview.NewLiveComponent[e2eHerald]("herald", e2eHeraldComp{})

// clientCIDs returns the cids of the components the official client's
// rendered tree holds for the main view, sorted, comma-separated.
func clientCIDs(p *browsertest.Page) string {
	var cids []string
	p.Eval(`Object.keys(window.liveSocket.main.rendered.rendered.c || {}).map(Number).sort((a, b) => a - b).map(String)`, &cids)
	return strings.Join(cids, ",")
}

// A component the page removes while an event to it is on its way: one
// click pushes "hide" to the view (which stops placing the component) and
// then "spawn" to the component (whose render then places a kid). The
// server handles "spawn" after it sent the diff without the component, so
// the kid's render reaches a client that no longer shows its parent and
// never places it. The server frees the kid with its parent and names it
// in the reply to cids_destroyed, so the client forgets it too.

type e2eBrood struct {
	Myself  liveview.CID
	Spawned bool
}

type e2eBroodComp struct {
	tmpl      *render.Template
	unmounted chan string
}

func (e2eBroodComp) HandleEvent(s *liveview.ComponentSocket[e2eBrood], e liveview.Event) error {
	s.Assign(func(st *e2eBrood) { st.Spawned = true })
	return nil
}

func (c e2eBroodComp) Unmount(s *liveview.ComponentSocket[e2eBrood]) { c.unmounted <- s.ID() }

func (c e2eBroodComp) Render(s e2eBrood) (*render.Rendered, error) { return c.tmpl.Execute(s) }

type e2eBroodPage struct {
	Show bool
	Both js.Cmd
}

type e2eBroodView struct{ tmpl *render.Template }

func (e2eBroodView) Mount(s *liveview.Socket[e2eBroodPage], _ liveview.Params) error {
	s.Assign(func(p *e2eBroodPage) {
		p.Show = true
		p.Both = js.Push("hide").Push("spawn", js.PushOptions{Target: "#brood"})
	})
	return nil
}

func (v e2eBroodView) Render(s e2eBroodPage) (*render.Rendered, error) { return v.tmpl.Execute(s) }

func (e2eBroodView) HandleEvent(s *liveview.Socket[e2eBroodPage], e liveview.Event) error {
	s.Assign(func(p *e2eBroodPage) { p.Show = e.Name == "show" })
	return nil
}

func TestComponentPlacedByRemovedParentInBrowser(t *testing.T) {
	unmounted := make(chan string, 10)
	kid := liveview.NewLiveComponent[e2eBrood]("kid", e2eBroodComp{unmounted: unmounted, tmpl: render.Must(render.Parse(`<i id="kid">kid</i>`))})
	brood := liveview.NewLiveComponent[e2eBrood]("brood", e2eBroodComp{unmounted: unmounted,
		tmpl: render.Must(render.New("brood").LiveComponents(kid).Parse(`<div id="brood">{{if .Spawned}}{{live "kid" "k"}}{{end}}</div>`))})
	tmpl := render.Must(render.New("broods").LiveComponents(brood).Parse(
		`<main>{{if .Show}}{{live "brood" "b"}}{{end}}<button id="both" phx-click="{{.Both}}">both</button><button id="show" phx-click="show">show</button></main>`))
	_, hs := newApp(t, liveview.Config{}, func(s *liveview.Server) {
		s.Handle("/broods", liveview.View[e2eBroodPage](e2eBroodView{tmpl}))
	})
	p := browsertest.New(t)
	p.Navigate(hs.URL + "/broods")
	p.WaitConnected()
	if cids := clientCIDs(p); cids != "1" {
		t.Fatalf("the client holds components %q after the join; want 1", cids)
	}
	p.Click("#both")
	p.WaitNotPresent("#brood")
	awaitUnmounts(t, unmounted, 2, "after the page removed the component", "b and its kid k")
	p.WaitTrue(`Object.keys(window.liveSocket.main.rendered.rendered.c || {}).length === 0`)
	// Placed again, it works afresh.
	p.Click("#show")
	p.WaitVisible("#brood")
	if cids := clientCIDs(p); cids != "3" {
		t.Errorf("the client holds components %q once the component is back; want 3", cids)
	}
	p.NoErrors()
}

// awaitUnmounts waits (up to 60 s) until Unmount has run for n distinct
// components, reported on unmounted.
func awaitUnmounts(t *testing.T, unmounted <-chan string, n int, when, want string) {
	t.Helper()
	got := map[string]bool{}
	for len(got) < n {
		select {
		case id := <-unmounted:
			got[id] = true
		case <-time.After(60 * time.Second):
			t.Fatalf("Unmount %s: ran for %v within 60s; want %s", when, got, want)
		}
	}
}
