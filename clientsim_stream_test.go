package liveview_test

import (
	"testing"
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// Components in stream elements: the page keeps a stream element, and the
// components in it, after the stream's entries are sent, so the client
// neither loses their elements nor announces them until the element goes.

type strowState struct {
	Myself liveview.CID
	N      int
}

type strowComp struct {
	tmpl      *render.Template
	unmounted chan string
}

func (strowComp) HandleEvent(s *liveview.ComponentSocket[strowState], e liveview.Event) error {
	s.Assign(func(st *strowState) { st.N++ })
	return nil
}

func (c strowComp) Unmount(s *liveview.ComponentSocket[strowState]) { c.unmounted <- s.ID() }

func (c strowComp) Render(s strowState) (*render.Rendered, error) { return c.tmpl.Execute(s) }

type strowPage struct {
	Rows *liveview.Stream[string]
	Note string
}

type strowView struct{ tmpl *render.Template }

func (strowView) Mount(s *liveview.Socket[strowPage], _ liveview.Params) error {
	s.Assign(func(p *strowPage) {
		p.Rows = liveview.NewStream(func(id string) string { return "r-" + id })
		p.Rows.Append("a", "b")
	})
	return nil
}

func (strowView) HandleEvent(s *liveview.Socket[strowPage], e liveview.Event) error {
	s.Assign(func(p *strowPage) {
		switch e.Name {
		case "note":
			p.Note += "!"
		case "drop":
			p.Rows.Delete(e.Params.String("id"))
		}
	})
	return nil
}

func (v strowView) Render(p strowPage) (*render.Rendered, error) { return v.tmpl.Execute(p) }

func TestComponentsInStreamElements(t *testing.T) {
	unmounted := make(chan string, 10)
	tally := liveview.NewLiveComponent[strowState]("tally", strowComp{unmounted: unmounted,
		tmpl: render.Must(render.Parse(`<b><button phx-click="bump" phx-target="{{.Myself}}">+</button><span>{{.N}}</span></b>`))})
	tmpl := render.Must(render.New("tally-page").LiveComponents(tally).Parse(
		`<ul id="rows" phx-update="stream">{{range $id, $r := .Rows}}<li id="{{$id}}">{{live "tally" $id}}</li>{{end}}</ul><p>{{.Note}}</p>`))
	srv, _ := testsupport.NewLogged(t, liveview.Config{})
	srv.Handle("/", liveview.View[strowPage](strowView{tmpl: tmpl}))
	ts := liveviewtest.NewServer(t, srv)
	v, err := ts.Mount("/")
	testsupport.Must(t, err)
	bump := func(what, want string) {
		t.Helper()
		testsupport.Must(t, v.Click("#r-a button"))
		if got, err := v.Text("#r-a span"); err != nil || got != want {
			t.Fatalf("%s: the component in r-a shows %q (%v); want %s. Page: %s", what, got, err, want, v.HTML())
		}
	}
	bump("first click", "1")
	// A render that sends no stream entries leaves both elements, and
	// their components, on the page: nothing is announced.
	testsupport.Must(t, v.ClickEvent("note", nil))
	select {
	case id := <-unmounted:
		t.Fatalf("Unmount ran for %q after a render that left its stream element on the page", id)
	default:
	}
	bump("click after a render without stream entries", "2")
	testsupport.Must(t, v.ClickEvent("drop", map[string]any{"id": "a"}))
	select {
	case id := <-unmounted:
		if id != "r-a" {
			t.Fatalf("deleting stream element r-a unmounted %q; want r-a", id)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Unmount did not run within 10s for the component of the deleted stream element r-a (announced with cids_will_destroy/cids_destroyed)")
	}
	if got := len(v.Components()); got != 1 {
		t.Errorf("the page holds %d components after r-a left; want 1 (r-b's)", got)
	}
}
