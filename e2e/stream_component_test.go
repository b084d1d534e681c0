package e2e

import (
	"fmt"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/e2e/internal/browsertest"
	"github.com/liveview-go/liveview/render"
)

// A stream inside a live component (issue #13 with #12): the component's
// own events insert, delete and reset its stream, and the page shows what
// the client's stream handling makes of them.

type feedItem struct {
	N    int
	Text string
}

type feedState struct {
	Myself liveview.CID
	Next   int
	Items  *liveview.Stream[feedItem]
}

type feedComp struct{}

var feedTmpl = render.Must(render.New("feed").Parse(`<section id="feed">` +
	`<ul id="feed-items" phx-update="stream">{{range $id, $m := .Items}}<li id="{{$id}}">{{$m.Text}}</li>{{end}}</ul>` +
	`<button id="feed-add" phx-click="add" phx-target="{{.Myself}}">add</button>` +
	`<button id="feed-top" phx-click="top" phx-target="{{.Myself}}">top</button>` +
	`<button id="feed-drop" phx-click="drop" phx-target="{{.Myself}}">drop first</button>` +
	`<button id="feed-reset" phx-click="reset" phx-target="{{.Myself}}">reset</button></section>`))

func (feedComp) Mount(s *liveview.ComponentSocket[feedState]) error {
	s.Assign(func(f *feedState) {
		f.Items = liveview.NewStream(func(it feedItem) string { return fmt.Sprintf("feed-%d", it.N) })
		f.Items.Append(feedItem{1, "one"}, feedItem{2, "two"})
		f.Next = 3
	})
	return nil
}

func (feedComp) HandleEvent(s *liveview.ComponentSocket[feedState], e liveview.Event) error {
	s.Assign(func(f *feedState) {
		switch e.Name {
		case "add":
			f.Items.Append(feedItem{f.Next, fmt.Sprintf("item %d", f.Next)})
		case "top":
			f.Items.Prepend(feedItem{f.Next, fmt.Sprintf("top %d", f.Next)})
		case "drop":
			f.Items.DeleteID("feed-1")
		case "reset":
			f.Items.Reset(feedItem{f.Next, "fresh"})
		}
		f.Next++
	})
	return nil
}

func (feedComp) Render(f feedState) (*render.Rendered, error) { return feedTmpl.Execute(f) }

type feedPage struct{ N int }

type feedPageView struct{ tmpl *render.Template }

func (feedPageView) Mount(*liveview.Socket[feedPage], liveview.Params) error { return nil }
func (v feedPageView) Render(p feedPage) (*render.Rendered, error)           { return v.tmpl.Execute(p) }
func (feedPageView) HandleEvent(s *liveview.Socket[feedPage], _ liveview.Event) error {
	s.Assign(func(p *feedPage) { p.N++ })
	return nil
}

func TestStreamInsideComponentInBrowser(t *testing.T) {
	feed := liveview.NewLiveComponent[feedState]("feed", feedComp{})
	tmpl := render.Must(render.New("page").LiveComponents(feed).Parse(
		`<main><p id="page-n">{{.N}}</p><button id="page-inc" phx-click="inc">+</button>{{live "feed" "f"}}</main>`))
	_, hs := newApp(t, liveview.Config{}, func(s *liveview.Server) {
		s.Handle("/feed", liveview.View[feedPage](feedPageView{tmpl: tmpl}))
	})
	p := browsertest.New(t)
	p.Navigate(hs.URL + "/feed")
	p.WaitConnected()
	items := func() string {
		var got string
		p.Eval(`Array.from(document.querySelectorAll("#feed-items > li")).map(li => li.id + "=" + li.textContent).join(",")`, &got)
		return got
	}
	waitItems := func(want string) {
		t.Helper()
		p.WaitTrue(fmt.Sprintf(`Array.from(document.querySelectorAll("#feed-items > li")).map(li => li.id + "=" + li.textContent).join(",") === %q`, want))
	}
	waitItems("feed-1=one,feed-2=two")
	p.Click("#feed-add")
	waitItems("feed-1=one,feed-2=two,feed-3=item 3")
	p.Click("#feed-top")
	waitItems("feed-4=top 4,feed-1=one,feed-2=two,feed-3=item 3")
	// The parent renders again: the component's stream keeps its rows.
	p.Click("#page-inc")
	p.WaitText("#page-n", "1")
	if got := items(); got != "feed-4=top 4,feed-1=one,feed-2=two,feed-3=item 3" {
		t.Fatalf("after the parent's render, the stream shows %s", got)
	}
	p.Click("#feed-drop")
	waitItems("feed-4=top 4,feed-2=two,feed-3=item 3")
	p.Click("#feed-reset")
	waitItems("feed-6=fresh")
	p.NoErrors()
}
