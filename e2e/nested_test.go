package e2e

import (
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/e2e/internal/browsertest"
	"github.com/liveview-go/liveview/render"
)

// Nested and sticky LiveViews (child.go), in Chromium with the official
// client: each child has its own state and crash domain, joined on the
// page's websocket under its parent; a sticky child outlives live
// navigation.

// A ticker is a child view: a labelled counter that can crash.
type ticker struct {
	Label string
	N     int
}

type tickerView struct{}

var tickerTmpl = render.Must(render.Parse(`<div class="ticker"><span id="{{.Label}}-n">{{.N}}</span>` +
	`<button id="{{.Label}}-inc" phx-click="inc">+</button><button id="{{.Label}}-boom" phx-click="boom">boom</button></div>`))

func (tickerView) Mount(s *liveview.Socket[ticker], p liveview.Params) error {
	s.Assign(func(t *ticker) { t.Label = p.String("label") })
	return nil
}

func (tickerView) HandleEvent(s *liveview.Socket[ticker], e liveview.Event) error {
	if e.Name == "boom" {
		panic("the ticker broke")
	}
	s.Assign(func(t *ticker) { t.N++ })
	return nil
}

func (tickerView) Render(t ticker) (*render.Rendered, error) { return tickerTmpl.Execute(t) }

// A board is a parent of two tickers.
type board struct {
	A, B render.HTML
	N    int
}

type boardView struct{}

var boardTmpl = render.Must(render.Parse(`<h1 id="board-n">{{.N}}</h1><button id="board-inc" phx-click="inc">+</button>{{.A}}{{.B}}`))

func (boardView) Mount(s *liveview.Socket[board], _ liveview.Params) error {
	a, err := s.LiveRender("ticker", "ticker-a", liveview.ChildOptions{Session: liveview.Params{"label": "a"}})
	if err != nil {
		return err
	}
	b, err := s.LiveRender("ticker", "ticker-b", liveview.ChildOptions{Session: liveview.Params{"label": "b"}})
	if err != nil {
		return err
	}
	s.Assign(func(st *board) { st.A, st.B = a, b })
	return nil
}

func (boardView) HandleEvent(s *liveview.Socket[board], e liveview.Event) error {
	s.Assign(func(st *board) { st.N++ })
	return nil
}

func (boardView) Render(st board) (*render.Rendered, error) { return boardTmpl.Execute(st) }

func TestNestedViewsInBrowser(t *testing.T) {
	_, hs := newApp(t, liveview.Config{}, func(s *liveview.Server) {
		s.HandleChild("ticker", liveview.View[ticker](tickerView{}))
		s.Handle("/board", liveview.View[board](boardView{}))
	})
	p := browsertest.New(t)
	p.Navigate(hs.URL + "/board")
	// The HTTP render holds the children's own first render.
	if got := p.Text("#a-n"); got != "0" {
		t.Fatalf("dead render: child a shows %q, want 0", got)
	}
	p.WaitConnected()
	var joined int
	p.Eval(`document.querySelectorAll("[data-phx-parent-id].phx-connected").length`, &joined)
	if joined != 2 {
		t.Fatalf("%d children joined, want 2", joined)
	}

	// Events reach the child they were sent from, and only it.
	p.Click("#a-inc")
	p.WaitText("#a-n", "1")
	p.Click("#b-inc")
	p.WaitText("#b-n", "1")
	p.Click("#b-inc")
	p.WaitText("#b-n", "2")
	// The parent renders again: the children keep their state and DOM.
	p.Click("#board-inc")
	p.WaitText("#board-n", "1")
	p.Click("#a-inc")
	p.WaitText("#a-n", "2")
	if got := p.Text("#b-n"); got != "2" {
		t.Fatalf("after the parent's render, child b shows %q, want 2", got)
	}

	// A child crashes: it is mounted again (its count back to 0), and its
	// parent and sibling keep theirs.
	p.Click("#a-boom")
	p.WaitText("#a-n", "0")
	p.WaitTrue(`document.getElementById("ticker-a").classList.contains("phx-connected")`)
	p.Click("#a-inc")
	p.WaitText("#a-n", "1")
	if got := p.Text("#b-n"); got != "2" {
		t.Fatalf("after child a crashed, child b shows %q, want 2", got)
	}
	p.Click("#b-inc")
	p.WaitText("#b-n", "3")
	if got := p.Text("#board-n"); got != "1" {
		t.Fatalf("after child a crashed, the parent shows %q, want 1", got)
	}
}

// Pages of one live session, each with the sticky player.
type stickyPage struct {
	Name   string
	Player render.HTML
}

type stickyPageView struct{ name string }

var stickyPageTmpl = render.Must(render.New("sticky").
	Funcs(render.FuncMap{"navigate": func(href string) render.Attrs { return liveview.NavigateLink(href, false) }}).
	Parse(`<h1 id="page">{{.Name}}</h1>` +
		`<a id="to-one" {{navigate "/one"}}>one</a> <a id="to-two" {{navigate "/two"}}>two</a> <a id="to-three" {{navigate "/three"}}>three</a>` +
		`{{.Player}}`))

func (v stickyPageView) Mount(s *liveview.Socket[stickyPage], _ liveview.Params) error {
	player, err := s.LiveRender("ticker", "player", liveview.ChildOptions{Session: liveview.Params{"label": "player"}, Sticky: true})
	if err != nil {
		return err
	}
	s.Assign(func(st *stickyPage) { st.Name, st.Player = v.name, player })
	return nil
}

func (stickyPageView) Render(st stickyPage) (*render.Rendered, error) {
	return stickyPageTmpl.Execute(st)
}

func TestStickyViewInBrowser(t *testing.T) {
	_, hs := newApp(t, liveview.Config{}, func(s *liveview.Server) {
		s.HandleChild("ticker", liveview.View[ticker](tickerView{}))
		for _, name := range []string{"one", "two", "three"} {
			s.Handle("/"+name, liveview.View[stickyPage](stickyPageView{name: name}))
		}
	})
	p := browsertest.New(t)
	p.Navigate(hs.URL + "/one")
	p.WaitConnected()
	for i := 1; i <= 3; i++ {
		p.Click("#player-inc")
		p.WaitText("#player-n", string(rune('0'+i)))
	}
	// Three live navigations: the main view changes, the player keeps
	// its state.
	for _, to := range []string{"two", "three", "one"} {
		p.Click("#to-" + to)
		p.WaitText("#page", to)
		p.WaitConnected()
		if got := p.Text("#player-n"); got != "3" {
			t.Fatalf("after live navigation to /%s, the player shows %q, want 3", to, got)
		}
	}
	p.Click("#player-inc")
	p.WaitText("#player-n", "4")
	// A full page load starts a new page, and a new player.
	p.Navigate(hs.URL + "/two")
	p.WaitConnected()
	if got := p.Text("#player-n"); got != "0" {
		t.Fatalf("after a full page load, the player shows %q, want 0", got)
	}
	p.NoErrors()
}
