package liveview_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// Child views over the protocol (child.go): the Chromium tests in
// e2e/nested_test.go run them with the official client; these check what
// the server enforces whatever the client does.

type kidState struct{ Label string }

type kidView struct{ unmounts *atomic.Int64 }

var kidTmpl = render.Must(render.Parse(`<i>{{.Label}}</i>`))

func (kidView) Mount(s *liveview.Socket[kidState], p liveview.Params) error {
	s.Assign(func(k *kidState) { k.Label = p.String("label") })
	return nil
}
func (kidView) Render(k kidState) (*render.Rendered, error) { return kidTmpl.Execute(k) }
func (v kidView) Unmount(*liveview.Socket[kidState])        { v.unmounts.Add(1) }

type nestState struct{ Kid render.HTML }

type nestView struct{}

var nestTmpl = render.Must(render.Parse(`<main>{{.Kid}}</main>`))

func (nestView) Mount(s *liveview.Socket[nestState], _ liveview.Params) error {
	kid, err := s.LiveRender("kid", "kid-1", liveview.ChildOptions{Session: liveview.Params{"label": "<b>hi</b>"}})
	s.Assign(func(st *nestState) { st.Kid = kid })
	return err
}
func (nestView) Render(st nestState) (*render.Rendered, error) { return nestTmpl.Execute(st) }

func (nestView) HandleEvent(_ *liveview.Socket[nestState], e liveview.Event) error {
	return fmt.Errorf("the parent fails on %q", e.Name)
}

// childToken is the child container's session token in h.
func childToken(t *testing.T, h string) string {
	t.Helper()
	const attr = `id="kid-1" data-phx-session="`
	i := strings.Index(h, attr)
	if i < 0 {
		t.Fatalf("no child container in %s", h)
	}
	rest := h[i+len(attr):]
	return rest[:strings.IndexByte(rest, '"')]
}

func joinKid(t *testing.T, c *liveviewtest.Conn, token string) (string, string) {
	t.Helper()
	r, err := c.Call(c.NewRef(), "lv:kid-1", "phx_join", map[string]any{"session": token, "static": "", "params": map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	return r.Status, string(r.Response)
}

func TestChildViews(t *testing.T) {
	srv, _ := testsupport.NewLogged(t, liveview.Config{})
	var unmounts atomic.Int64
	srv.HandleChild("kid", liveview.View[kidState](kidView{unmounts: &unmounts}))
	srv.Handle("/nest", liveview.View[nestState](nestView{}))
	ts := liveviewtest.NewServer(t, srv)

	// The HTTP render holds the child's first render, its session escaped
	// as the child's template says.
	page, err := ts.Get("/nest")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.Inner, `data-phx-parent-id="`+page.ID+`"><i>&lt;b&gt;hi&lt;/b&gt;</i></div>`) {
		t.Fatalf("the HTTP render does not hold the child's render under its parent:\n%s", page.Inner)
	}

	c, err := ts.Connect("/nest")
	if err != nil {
		t.Fatal(err)
	}
	// A child cannot join before its parent.
	if status, resp := joinKid(t, c, childToken(t, page.Inner)); status != "error" || !strings.Contains(resp, "stale") {
		t.Fatalf("a child joined without its parent: %s %s", status, resp)
	}
	v, err := c.Mount("/nest")
	if err != nil {
		t.Fatal(err)
	}
	token := childToken(t, v.HTML())
	if !strings.Contains(v.HTML(), `data-phx-parent-id="`+v.ID()+`"></div>`) {
		t.Fatalf("the connected render's child container is not empty or not under its parent:\n%s", v.HTML())
	}
	// A forged token, and a token for another id.
	if status, resp := joinKid(t, c, token+"x"); status != "error" || !strings.Contains(resp, "stale") {
		t.Fatalf("a forged child token joined: %s %s", status, resp)
	}
	r, err := c.Call(c.NewRef(), "lv:kid-2", "phx_join", map[string]any{"session": token, "static": "", "params": map[string]any{}})
	if err != nil || r.Status != "error" {
		t.Fatalf("the child's token joined another id: %v %s %s", err, r.Status, r.Response)
	}

	for round := range 3 {
		status, resp := joinKid(t, c, token)
		if status != "ok" || !strings.Contains(resp, `&lt;b&gt;hi&lt;/b&gt;`) {
			t.Fatalf("round %d: the child's join: %s %s", round, status, resp)
		}
		// The parent leaves, or crashes: its child ends with it.
		if round%2 == 0 {
			if err := v.Leave(); err != nil {
				t.Fatal(err)
			}
		} else {
			if err := v.ClickEvent("boom", nil); err == nil {
				t.Fatalf("round %d: the failing event got a reply", round)
			}
			if err := v.AwaitCrash(); err != nil {
				t.Fatal(err)
			}
		}
		testsupport.AwaitValue(t, fmt.Sprintf("round %d: the child's unmounts", round), int64(round+1), unmounts.Load)
		if v, err = c.Mount("/nest"); err != nil {
			t.Fatal(err)
		}
		token = childToken(t, v.HTML())
	}
}

// A sticky player under liveviewtest, which joins and keeps it as the
// client does: it outlives live navigation between pages of the live
// session, keeps its state, ends when a page without it is patched in, and
// starts afresh on a full page load.
type playerState struct{ N int }

type playerView struct{ mounts, unmounts *atomic.Int64 }

var playerTmpl = render.Must(render.Parse(`<b id="n">{{.N}}</b><button id="inc" phx-click="inc">+</button>`))

func (v playerView) Mount(s *liveview.Socket[playerState], _ liveview.Params) error {
	if s.Connected() {
		v.mounts.Add(1)
	}
	return nil
}
func (playerView) Render(st playerState) (*render.Rendered, error) { return playerTmpl.Execute(st) }
func (playerView) HandleEvent(s *liveview.Socket[playerState], _ liveview.Event) error {
	s.Assign(func(st *playerState) { st.N++ })
	return nil
}
func (v playerView) Unmount(*liveview.Socket[playerState]) { v.unmounts.Add(1) }

type stickyPageState struct {
	Name   string
	Player render.HTML
}

type stickyPageView struct{ name string }

var stickyPageTmpl = render.Must(render.New("page").Funcs(render.FuncMap{"navigate": func(h string) render.Attrs { return liveview.NavigateLink(h, false) }}).
	Parse(`<h1 id="page">{{.Name}}</h1><a id="to-one" {{navigate "/one"}}>1</a><a id="to-two" {{navigate "/two"}}>2</a><a id="to-bare" {{navigate "/bare"}}>bare</a>{{.Player}}`))

func (v stickyPageView) Mount(s *liveview.Socket[stickyPageState], _ liveview.Params) error {
	var player render.HTML
	if v.name != "bare" {
		var err error
		if player, err = s.LiveRender("player", "player", liveview.ChildOptions{Sticky: true}); err != nil {
			return err
		}
	}
	s.Assign(func(st *stickyPageState) { st.Name, st.Player = v.name, player })
	return nil
}
func (stickyPageView) Render(st stickyPageState) (*render.Rendered, error) {
	return stickyPageTmpl.Execute(st)
}
func (stickyPageView) HandleEvent(s *liveview.Socket[stickyPageState], _ liveview.Event) error {
	s.Assign(func(st *stickyPageState) { st.Name += "!" })
	return nil
}

func TestStickyViewUnderLiveviewtest(t *testing.T) {
	srv, _ := testsupport.NewLogged(t, liveview.Config{})
	var mounts, unmounts atomic.Int64
	srv.HandleChild("player", liveview.View[playerState](playerView{mounts: &mounts, unmounts: &unmounts}))
	for _, name := range []string{"one", "two", "bare"} {
		srv.Handle("/"+name, liveview.View[stickyPageState](stickyPageView{name: name}))
	}
	ts := liveviewtest.NewServer(t, srv)
	v, err := ts.Mount("/one")
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := v.Click("#inc"); err != nil {
			t.Fatal(err)
		}
	}
	for _, to := range []string{"two", "one"} {
		if err := v.FollowLink("#to-" + to); err != nil {
			t.Fatal(err)
		}
		if got, err := v.Text("#page"); err != nil || got != to {
			t.Fatalf("after navigating to /%s the page shows %q, %v", to, got, err)
		}
		if got, err := v.Text("#n"); err != nil || got != "3" {
			t.Fatalf("after navigating to /%s the player shows %q, %v; want its count, 3", to, got, err)
		}
	}
	if m, u := mounts.Load(), unmounts.Load(); m != 1 || u != 0 {
		t.Errorf("after two live navigations the player mounted %d times and unmounted %d; want once, never", m, u)
	}
	// A page without the player: the player stays until that page's view
	// is patched, then it is left.
	if err := v.FollowLink("#to-bare"); err != nil {
		t.Fatal(err)
	}
	if err := v.ClickEvent("touch", nil); err != nil {
		t.Fatal(err)
	}
	if got, err := v.Text("#page"); err != nil || got != "bare!" || v.Has("#n") {
		t.Errorf("after a patch of the page without the player: page %q (%v), player shown %v; want bare!, none", got, err, v.Has("#n"))
	}
	testsupport.AwaitValue(t, "the player's unmounts", 1, unmounts.Load)
	// A full page load starts a new player.
	w, err := ts.Mount("/two")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := w.Text("#n"); err != nil || got != "0" {
		t.Errorf("a new page's player shows %q, %v; want 0", got, err)
	}
}
