package liveview_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// A component's flash makes the view render again before the page gets
// it (the HTTP render, the join). When that render no longer places a
// component the first one placed, the page never has it: the client never
// announces its removal (it sends cids_will_destroy only for components it
// removed from its DOM), so the server must let it go at once.

type heraldState struct {
	Myself liveview.CID
	Count  int
}

// heraldComp puts a flash as it mounts, which the view shows.
type heraldComp struct{}

var heraldTmpl = render.Must(render.Parse(
	`<div id="herald"><span>{{.Count}}</span><button phx-click="inc" phx-target="{{.Myself}}">+</button></div>`))

func (heraldComp) Mount(s *liveview.ComponentSocket[heraldState]) error {
	// The HTTP render's flash reaches the join (in the static token): the
	// connected mount puts another one, for the join's render again.
	if s.Connected() {
		s.PutFlash("live", "heralded live")
	} else {
		s.PutFlash("dead", "heralded")
	}
	return nil
}

func (heraldComp) HandleEvent(s *liveview.ComponentSocket[heraldState], e liveview.Event) error {
	s.Assign(func(st *heraldState) { st.Count++ })
	return nil
}

func (heraldComp) Render(s heraldState) (*render.Rendered, error) { return heraldTmpl.Execute(s) }

type fleetingState struct {
	Myself  liveview.CID
	Uploads liveview.Uploads
}

// fleetingComp is placed only while the view shows no flash. It allows an
// upload as it mounts (which asks for it to be rendered again) and reports
// its mounts and Unmount.
type fleetingComp struct {
	tmpl      *render.Template
	mounted   chan string
	unmounted chan string
}

func (c fleetingComp) Mount(s *liveview.ComponentSocket[fleetingState]) error {
	if s.Connected() {
		c.mounted <- s.ID()
	}
	return s.AllowUpload("file", liveview.UploadOptions{Accept: []string{".txt"}})
}

func (c fleetingComp) Unmount(s *liveview.ComponentSocket[fleetingState]) { c.unmounted <- s.ID() }

func (c fleetingComp) Render(s fleetingState) (*render.Rendered, error) { return c.tmpl.Execute(s) }

type heraldPage struct {
	Flash liveview.Flash
	Key   string // the flash that drops the fleeting components: "live" once connected
}

type heraldView struct {
	tmpl *render.Template
	held chan held
}

func (heraldView) Mount(s *liveview.Socket[heraldPage], _ liveview.Params) error {
	s.Assign(func(p *heraldPage) {
		p.Key = "dead"
		if s.Connected() {
			p.Key = "live"
		}
	})
	return nil
}

func (v heraldView) Render(p heraldPage) (*render.Rendered, error) { return v.tmpl.Execute(p) }

func (v heraldView) HandleEvent(s *liveview.Socket[heraldPage], e liveview.Event) error {
	var h held
	h.byKey, h.byCID, h.diffs = liveview.ComponentsHeld(s)
	v.held <- h
	return nil
}

type heraldFixture struct {
	ts                 *liveviewtest.Server
	mounted, unmounted chan string
	held               chan held
}

func newHeraldFixture(t *testing.T) heraldFixture {
	t.Helper()
	f := heraldFixture{mounted: make(chan string, 10), unmounted: make(chan string, 10), held: make(chan held, 1)}
	herald := liveview.NewLiveComponent[heraldState]("herald", heraldComp{})
	leaf := liveview.NewLiveComponent[fleetingState]("leaf", fleetingComp{
		tmpl: render.Must(render.Parse(`<i id="leaf">leaf</i>`)), mounted: f.mounted, unmounted: f.unmounted})
	// The fleeting component places a component of its own.
	fleeting := liveview.NewLiveComponent[fleetingState]("fleeting", fleetingComp{
		tmpl:    render.Must(render.New("fleeting").LiveComponents(leaf).Parse(`<b id="fleeting">{{live "leaf" "l"}}</b>`)),
		mounted: f.mounted, unmounted: f.unmounted})
	tmpl := render.Must(render.New("herald-page").LiveComponents(herald, fleeting).Parse(
		`<main><div id="flash">{{.Flash.HTML}}</div>{{live "herald" "h"}}{{if not (index .Flash .Key)}}{{live "fleeting" "f"}}{{end}}</main>`))
	srv, _ := testsupport.NewLogged(t, liveview.Config{})
	srv.Handle("/", liveview.View[heraldPage](heraldView{tmpl: tmpl, held: f.held}))
	f.ts = liveviewtest.NewServer(t, srv)
	return f
}

// TestComponentDroppedByRenderAgainOverHTTP: the page the HTTP render
// writes shows the flash and the component that put it, and nothing of
// the components only the first render placed.
func TestComponentDroppedByRenderAgainOverHTTP(t *testing.T) {
	f := newHeraldFixture(t)
	p, err := f.ts.Get("/")
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != http.StatusOK {
		t.Fatalf("GET /: status %d: %s", p.Status, p.Body)
	}
	if !strings.Contains(p.Inner, "heralded") || !strings.Contains(p.Inner, `<div id="herald"><span>0</span><button phx-click="inc" phx-target="1">`) {
		t.Errorf("the HTTP render lacks the flash or the herald (cid 1): %s", p.Inner)
	}
	if strings.Contains(p.Inner, "fleeting") || strings.Contains(p.Inner, "leaf") {
		t.Errorf("the HTTP render shows a component the view's second render dropped: %s", p.Inner)
	}
}

// TestComponentDroppedByRenderAgainAtJoin: at the join, the components
// only the view's first render placed are gone before the reply: their
// Unmount has run, the view holds nothing of them, and the reply carries
// no render of theirs (the client would keep it for ever, never placed).
// The component that stays gets its events.
func TestComponentDroppedByRenderAgainAtJoin(t *testing.T) {
	f := newHeraldFixture(t)
	v, err := f.ts.Mount("/")
	if err != nil {
		t.Fatal(err)
	}
	// Both mounted while the join ran, and the reply came after.
	mounted := map[string]bool{}
	for len(mounted) < 2 {
		select {
		case id := <-f.mounted:
			mounted[id] = true
		default:
			t.Fatalf("connected mounts of the fleeting components before the join reply: %v; want f and l", mounted)
		}
	}
	if got := v.Components(); len(got) != 1 || got[0] != 1 {
		t.Errorf("the join reply gives the page components %v; want [1], the herald alone", got)
	}
	html := v.HTML()
	if !strings.Contains(html, "heralded live") || strings.Contains(html, "fleeting") {
		t.Errorf("the joined page: %s", html)
	}
	// The view frees them before it replies: nothing will free them later.
	unmounted := map[string]bool{}
	for len(unmounted) < 2 {
		select {
		case id := <-f.unmounted:
			unmounted[id] = true
		default:
			t.Fatalf("Unmount before the join reply ran for %v; want f and l, which the page never gets", unmounted)
		}
	}
	testsupport.Must(t, v.ClickEvent("held", nil))
	if h := <-f.held; h != (held{1, 1, 1}) {
		t.Errorf("after the join the view holds %+v; want 1 of each (the herald)", h)
	}
	for i := 1; i <= 2; i++ {
		testsupport.Must(t, v.Click("#herald button"))
		if got, err := v.Text("#herald span"); err != nil || got != string(rune('0'+i)) {
			t.Errorf("the herald after click %d shows %q (%v); want %d", i, got, err, i)
		}
	}
	if len(f.unmounted) > 0 {
		t.Errorf("Unmount ran again, for %q", <-f.unmounted)
	}
}

// A component the page is removing can still render: an event the client
// sent before it applied the diff that removed the component arrives
// after that diff went out. When that render places a new component, the
// client gets its render but never places it (its parent is gone from the
// page), so it never announces its removal either: the server frees it
// with its parent, and says so in the reply to cids_destroyed (the client
// forgets every cid that reply lists).

type broodState struct {
	Myself  liveview.CID
	Spawned bool
}

type broodComp struct {
	tmpl      *render.Template
	unmounted chan string
}

func (broodComp) HandleEvent(s *liveview.ComponentSocket[broodState], e liveview.Event) error {
	s.Assign(func(st *broodState) { st.Spawned = true })
	return nil
}

func (c broodComp) Unmount(s *liveview.ComponentSocket[broodState]) { c.unmounted <- s.ID() }

func (c broodComp) Render(s broodState) (*render.Rendered, error) { return c.tmpl.Execute(s) }

type broodPage struct{ Show bool }

type broodView struct {
	tmpl *render.Template
	held chan held
}

func (broodView) Mount(s *liveview.Socket[broodPage], _ liveview.Params) error {
	s.Assign(func(p *broodPage) { p.Show = true })
	return nil
}

func (v broodView) Render(p broodPage) (*render.Rendered, error) { return v.tmpl.Execute(p) }

func (v broodView) HandleEvent(s *liveview.Socket[broodPage], e liveview.Event) error {
	switch e.Name {
	case "show", "hide":
		s.Assign(func(p *broodPage) { p.Show = e.Name == "show" })
	case "held":
		var h held
		h.byKey, h.byCID, h.diffs = liveview.ComponentsHeld(s)
		v.held <- h
	}
	return nil
}

func TestComponentPlacedByRemovedParentFreed(t *testing.T) {
	unmounted := make(chan string, 10)
	kid := liveview.NewLiveComponent[broodState]("kid", broodComp{tmpl: render.Must(render.Parse(`<i>kid {{.Myself}}</i>`)), unmounted: unmounted})
	nest := liveview.NewLiveComponent[broodState]("nest", broodComp{unmounted: unmounted,
		tmpl: render.Must(render.New("nest").LiveComponents(kid).Parse(
			`<div id="nest-{{.Myself}}">{{if .Spawned}}{{live "kid" "k"}}{{end}}<button phx-click="spawn" phx-target="{{.Myself}}">spawn</button></div>`))})
	tmpl := render.Must(render.New("nest-page").LiveComponents(nest).Parse(`<main>{{if .Show}}{{live "nest" "p"}}{{end}}</main>`))
	hc := make(chan held, 1)
	srv, _ := testsupport.NewLogged(t, liveview.Config{})
	srv.Handle("/", liveview.View[broodPage](broodView{tmpl: tmpl, held: hc}))
	ts := liveviewtest.NewServer(t, srv)
	v, err := ts.Mount("/")
	testsupport.Must(t, err)
	awaitUnmounts := func(what string, want ...string) {
		t.Helper()
		var got []string
		for len(got) < len(want) {
			select {
			case id := <-unmounted:
				got = append(got, id)
			default:
				t.Fatalf("%s: Unmount ran for %v; want %v", what, got, want)
			}
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: Unmount ran for %v; want %v", what, got, want)
		}
	}
	heldNow := func() held {
		t.Helper()
		testsupport.Must(t, v.ClickEvent("held", nil))
		return <-hc
	}

	// On the page, both go as the client removes them.
	testsupport.Must(t, v.Click("#nest-1 button"))
	if !strings.Contains(v.HTML(), "kid 2") {
		t.Fatalf("the kid is not on the page: %s", v.HTML())
	}
	testsupport.Must(t, v.ClickEvent("hide", nil))
	awaitUnmounts("removed from the page", "p", "k")
	if h := heldNow(); h != (held{}) {
		t.Errorf("the view holds %+v after both left the page; want nothing", h)
	}

	// The race: the client's event to the parent (cid 3) arrives after
	// the diff that removes it went out.
	testsupport.Must(t, v.ClickEvent("show", nil))
	c := v.Conn()
	call := func(event string, payload any) string {
		t.Helper()
		r, err := c.Call(v.JoinRef(), v.Topic(), event, payload)
		testsupport.Must(t, err)
		if r.Status != "ok" {
			t.Fatalf("%s: reply %s %s", event, r.Status, r.Response)
		}
		return string(r.Response)
	}
	call("event", map[string]any{"type": "click", "event": "hide", "value": map[string]any{}})
	if r := call("event", map[string]any{"type": "click", "event": "spawn", "value": map[string]any{}, "cid": 3}); !strings.Contains(r, `"4":`) {
		t.Fatalf("the late event's reply does not render the kid it placed (cid 4): %s", r)
	}
	// The client saw only the parent leave its page.
	call("cids_will_destroy", map[string]any{"cids": []int{3}})
	if r := call("cids_destroyed", map[string]any{"cids": []int{3}}); r != `{"cids":[3,4]}` {
		t.Errorf("cids_destroyed [3] replied %s; want {\"cids\":[3,4]}: the kid goes with the parent that alone placed it", r)
	}
	awaitUnmounts("freed with its parent", "p", "k")
	if h := heldNow(); h != (held{}) {
		t.Errorf("the view holds %+v after the parent left the page; want nothing", h)
	}
}

type lateState struct{ Myself liveview.CID }

// lateComp puts a flash of its own as it mounts, once connected.
type lateComp struct{}

func (lateComp) Mount(s *liveview.ComponentSocket[lateState]) error {
	if s.Connected() {
		s.PutFlash("late", "late live")
	}
	return nil
}

func (lateComp) Render(s lateState) (*render.Rendered, error) {
	return render.Must(render.Parse(`<u id="late">late</u>`)).Execute(s)
}

// TestComponentPlacedByRenderAgainFlash: a component the join's render
// again places (it shows with the flash another component put) puts a
// flash as it mounts: the page shows it in a diff right after the reply,
// as it does for a component an event places.
func TestComponentPlacedByRenderAgainFlash(t *testing.T) {
	herald := liveview.NewLiveComponent[heraldState]("herald", heraldComp{})
	late := liveview.NewLiveComponent[lateState]("late", lateComp{})
	tmpl := render.Must(render.New("late-page").LiveComponents(herald, late).Parse(
		`<main><div id="flash">{{.Flash.HTML}}</div>{{live "herald" "h"}}{{if index .Flash .Key}}{{live "late" "x"}}{{end}}</main>`))
	srv, _ := testsupport.NewLogged(t, liveview.Config{})
	srv.Handle("/", liveview.View[heraldPage](heraldView{tmpl: tmpl, held: make(chan held, 1)}))
	ts := liveviewtest.NewServer(t, srv)
	v, err := ts.Mount("/")
	testsupport.Must(t, err)
	if html := v.HTML(); !strings.Contains(html, "heralded live") || !strings.Contains(html, `<u id="late">`) {
		t.Fatalf("the join reply lacks the herald's flash or the late component: %s", html)
	}
	if err := v.AwaitHTML("late live"); err != nil {
		t.Errorf("the late component's flash: %v", err)
	}
}
