package liveview_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// What live components ask of the page while they mount (title, flash,
// events, navigation) during the HTTP render and the join.

type bannerState struct {
	Myself liveview.CID
	Text   string
	Go     string // where Mount redirects to, if not ""
}

type bannerComp struct{}

var bannerTmpl = render.Must(render.Parse(`<p id="banner-{{.Myself}}">{{.Text}}</p>`))

func (bannerComp) Mount(s *liveview.ComponentSocket[bannerState]) error {
	s.PageTitle("Title from " + s.ID())
	flash := "Flash from " + s.ID()
	if s.Connected() {
		flash += " (live)"
	}
	s.PutFlash("info", flash)
	s.PushEvent("banner-mounted", map[string]any{"id": s.ID(), "connected": s.Connected()})
	return nil
}

func (bannerComp) Update(s *liveview.ComponentSocket[bannerState], attrs any) error {
	if err := s.AssignAttrs(attrs); err != nil {
		return err
	}
	if to := s.Context().Go; to != "" {
		s.PushRedirect(to, nil, false)
	}
	return nil
}

func (bannerComp) Render(s bannerState) (*render.Rendered, error) { return bannerTmpl.Execute(s) }

type bannerPage struct {
	Flash liveview.Flash
	Go    string
	Added bool
}

type bannerView struct{ tmpl *render.Template }

func (bannerView) Mount(s *liveview.Socket[bannerPage], p liveview.Params) error {
	s.Assign(func(st *bannerPage) { st.Go = p.String("go") })
	return nil
}

func (bannerView) HandleEvent(s *liveview.Socket[bannerPage], e liveview.Event) error {
	s.Assign(func(st *bannerPage) { st.Added = true })
	return nil
}

func (v bannerView) Render(st bannerPage) (*render.Rendered, error) { return v.tmpl.Execute(st) }

func newBannerServer(t *testing.T) *liveviewtest.Server {
	t.Helper()
	banner := liveview.NewLiveComponent[bannerState]("banner", bannerComp{})
	inner := liveview.NewLiveComponent[bannerState]("inner", bannerComp{})
	// A nested component: the outer banner's template places the inner one.
	outerTmpl := render.Must(render.New("outer").LiveComponents(inner).Parse(
		`<section id="outer">{{live "inner" "nested" "Text" "inside"}}</section>`))
	outer := liveview.NewLiveComponent[struct{ Myself liveview.CID }]("outer", outerComp{outerTmpl})
	tmpl := render.Must(render.New("banner-page").LiveComponents(banner, outer).Parse(
		`<main><div id="flash">{{.Flash.HTML}}</div>{{live "banner" "top" "Text" "hello" "Go" .Go}}{{live "outer" "o"}}{{if .Added}}{{live "banner" "added"}}{{end}}</main>`))
	lv := liveview.NewServer(liveview.Config{Title: "Default", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	lv.Handle("/banner", liveview.View[bannerPage](bannerView{tmpl}))
	lv.Handle("/elsewhere", liveview.View[bannerPage](bannerView{render.Must(render.Parse(`<p>elsewhere</p>`))}))
	t.Cleanup(func() { lv.Close() })
	return liveviewtest.NewServer(t, lv)
}

type outerComp struct{ tmpl *render.Template }

func (c outerComp) Render(s struct{ Myself liveview.CID }) (*render.Rendered, error) {
	return c.tmpl.Execute(s)
}

// TestComponentEffectsOverHTTP: the HTTP render runs components on the
// view's socket: the title a component sets is the page's <title>, the
// flash it puts shows where the view shows flash (the view renders again
// for it) and travels to the join in the static token; a nested component
// renders within its parent.
func TestComponentEffectsOverHTTP(t *testing.T) {
	ts := newBannerServer(t)
	p, err := ts.Get("/banner")
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != http.StatusOK {
		t.Fatalf("GET /banner: status %d: %s", p.Status, p.Body)
	}
	// Components mount in the order the render places them: the nested
	// one last, so its title wins, as over the websocket.
	if p.Title != "Title from nested" {
		t.Errorf("<title> = %q; want the last component's title, Title from nested", p.Title)
	}
	if strings.Contains(p.Inner, "(live)") {
		t.Errorf("the HTTP render thinks it is connected: %s", p.Inner)
	}
	for _, want := range []string{"Flash from nested", `<p id="banner-1">hello</p>`, `<section id="outer"><p id="banner-3">inside</p></section>`} {
		if !strings.Contains(p.Inner, want) {
			t.Errorf("the HTTP render lacks %q: %s", want, p.Inner)
		}
	}
	if strings.Contains(p.Body, "banner-mounted") {
		t.Errorf("an event pushed during the HTTP render reached the page: %s", p.Body)
	}
}

// TestComponentEffectsAtJoin: the join reply carries what components ask
// for while they mount: the title, the flash the view shows, and their
// events.
func TestComponentEffectsAtJoin(t *testing.T) {
	ts := newBannerServer(t)
	v, err := ts.Mount("/banner")
	if err != nil {
		t.Fatal(err)
	}
	if v.Title() != "Title from nested" {
		t.Errorf("title after the join = %q; want Title from nested", v.Title())
	}
	// The connected mounts put another flash than the HTTP render's: the
	// view renders again for the join reply to show it.
	if html := v.HTML(); !strings.Contains(html, "Flash from nested (live)") || !strings.Contains(html, `<p id="banner-1"`) {
		t.Errorf("the joined page lacks the components' flash or render: %s", html)
	}
	var ids []string
	for _, e := range v.Events() {
		if e.Name != "banner-mounted" {
			continue
		}
		var p struct {
			ID        string
			Connected bool
		}
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			t.Fatal(err)
		}
		if !p.Connected {
			t.Errorf("an event pushed by the HTTP render reached the page: %s", e.Payload)
		}
		ids = append(ids, p.ID)
	}
	if strings.Join(ids, ",") != "top,nested" {
		t.Errorf("banner-mounted events of the join = %v; want top,nested (each connected mount's, once)", ids)
	}
}

// TestComponentEffectsOnAdd: a component that an event places puts flash
// as it mounts; the view shows it in the diff that follows the reply.
func TestComponentEffectsOnAdd(t *testing.T) {
	ts := newBannerServer(t)
	v, err := ts.Mount("/banner")
	if err != nil {
		t.Fatal(err)
	}
	if err := v.ClickEvent("add", nil); err != nil {
		t.Fatal(err)
	}
	if err := v.AwaitHTML("Flash from added (live)"); err != nil {
		t.Errorf("the added component's flash: %v", err)
	}
	if v.Title() != "Title from added" {
		t.Errorf("title after the add = %q; want Title from added", v.Title())
	}
	evs := v.Events()
	if last := evs[len(evs)-1]; last.Name != "banner-mounted" || !strings.Contains(string(last.Payload), `"id":"added"`) {
		t.Errorf("last event after the add = %s %s; want the added component's banner-mounted", last.Name, last.Payload)
	}
}

// TestComponentRedirectOverHTTP: a component that navigates while the HTTP
// render mounts it sends the page there, as the view's own navigation does.
func TestComponentRedirectOverHTTP(t *testing.T) {
	ts := newBannerServer(t)
	p, err := ts.Get("/banner?go=/elsewhere")
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != http.StatusFound || p.Header.Get("Location") != "/elsewhere" {
		t.Errorf("GET /banner?go=/elsewhere: status %d, Location %q; want 302 to /elsewhere", p.Status, p.Header.Get("Location"))
	}
}

// updateTally counts a component's Update calls by id, over HTTP and over
// the socket apart.
type updateTally struct {
	mu    sync.Mutex
	calls map[string]int // "dead id" or "live id"
}

func (u *updateTally) add(connected bool, id string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.calls == nil {
		u.calls = map[string]int{}
	}
	key := "dead " + id
	if connected {
		key = "live " + id
	}
	u.calls[key]++
}

func (u *updateTally) String() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	keys := make([]string, 0, len(u.calls))
	for k, n := range u.calls {
		keys = append(keys, fmt.Sprintf("%s=%d", k, n))
	}
	sort.Strings(keys)
	return strings.Join(keys, " ")
}

type countedState struct {
	Myself liveview.CID
	Tags   []string // not comparable with ==: every render's attributes count as new
	N      int
	Shown  liveview.Flash
}

// countedComp puts a flash as it mounts (another one once connected), which
// the view shows: the view renders again for it, in the HTTP render and at
// the join.
type countedComp struct{ tally *updateTally }

var countedTmpl = render.Must(render.Parse(`<p id="counted-{{.Myself}}">{{len .Tags}} {{.N}}{{with .Shown}} {{index . "info"}}{{end}}</p>`))

func (countedComp) Mount(s *liveview.ComponentSocket[countedState]) error {
	flash := "Counted " + s.ID()
	if s.Connected() {
		flash += " (live)"
	}
	s.PutFlash("info", flash)
	return nil
}

func (c countedComp) Update(s *liveview.ComponentSocket[countedState], attrs any) error {
	c.tally.add(s.Connected(), s.ID())
	return s.AssignAttrs(attrs)
}

func (countedComp) Render(s countedState) (*render.Rendered, error) { return countedTmpl.Execute(s) }

type countedPage struct {
	Flash liveview.Flash
	Tags  []string
	N     int
}

type countedView struct{ tmpl *render.Template }

func (countedView) Mount(s *liveview.Socket[countedPage], _ liveview.Params) error {
	s.Assign(func(p *countedPage) { p.Tags = []string{"a", "b"} })
	return nil
}

func (countedView) HandleEvent(s *liveview.Socket[countedPage], e liveview.Event) error {
	s.Assign(func(p *countedPage) { p.N++ })
	return nil
}

func (v countedView) Render(p countedPage) (*render.Rendered, error) { return v.tmpl.Execute(p) }

// TestComponentUpdateOncePerRender: a component's Update runs once per
// render of its view, as Phoenix's update does, also when its Mount puts a
// flash that makes the view render again before the page gets it (the HTTP
// render, the join): that second render is the same render for the
// components it places with the same attributes. Component "slice" gets
// attributes that are new at every render (a slice), "pairs" ones that
// are equal when the view's N is, and "flash" gets the flash the view
// shows: it has other attributes in the render again, whose Update sees.
func TestComponentUpdateOncePerRender(t *testing.T) {
	tally := &updateTally{}
	comp := liveview.NewLiveComponent[countedState]("counted", countedComp{tally})
	tmpl := render.Must(render.New("counted-page").LiveComponents(comp).Parse(
		`<main><div id="flash">{{.Flash.HTML}}</div>{{live "counted" "flash" "Shown" .Flash}}` +
			`{{live "counted" "slice" "Tags" .Tags "N" .N}}{{live "counted" "pairs" "N" .N}}</main>`))
	lv := liveview.NewServer(liveview.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	lv.Handle("/counted", liveview.View[countedPage](countedView{tmpl}))
	t.Cleanup(func() { lv.Close() })
	ts := liveviewtest.NewServer(t, lv)

	p, err := ts.Get("/counted")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<p id="counted-1">0 0 Counted pairs</p>`, `<p id="counted-2">2 0</p>`, `<div id="flash"><div`} {
		if !strings.Contains(p.Inner, want) {
			t.Errorf("the HTTP render lacks %s: %s", want, p.Inner)
		}
	}
	if got, want := tally.String(), "dead flash=2 dead pairs=1 dead slice=1"; got != want {
		t.Errorf("Update calls after the HTTP render: %s; want %s", got, want)
	}

	v, err := ts.Mount("/counted")
	if err != nil {
		t.Fatal(err)
	}
	if html := v.HTML(); !strings.Contains(html, `<p id="counted-1">0 0 Counted pairs (live)</p>`) {
		t.Errorf("the joined page lacks the connected mount's flash: %s", html)
	}
	if got, want := tally.String(), "dead flash=4 dead pairs=2 dead slice=2 live flash=2 live pairs=1 live slice=1"; got != want {
		t.Errorf("Update calls after a second HTTP render and the join: %s; want %s", got, want)
	}

	// Each render of the view after the join runs Update once more.
	for i := 1; i <= 2; i++ {
		if err := v.ClickEvent("bump", nil); err != nil {
			t.Fatal(err)
		}
		if err := v.AwaitHTML(fmt.Sprintf(`<p id="counted-3">0 %d</p>`, i)); err != nil {
			t.Fatalf("after bump %d: %v", i, err)
		}
		// "flash" gets the same flash (a map: new attributes) each time.
		want := fmt.Sprintf("dead flash=4 dead pairs=2 dead slice=2 live flash=%d live pairs=%d live slice=%d", 2+i, 1+i, 1+i)
		if got := tally.String(); got != want {
			t.Errorf("Update calls after bump %d: %s; want %s", i, got, want)
		}
	}
}
