package e2e

import (
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/e2e/internal/browsertest"
	"github.com/liveview-go/liveview/render"
)

// The title and flash a live component sets as it mounts, in Chromium with
// the official client: at the join (which resets the title to its default
// unless the reply carries one) and for a component an event adds.

type e2eNotice struct {
	Myself liveview.CID
}

type e2eNoticeComp struct{}

var e2eNoticeTmpl = render.Must(render.Parse(`<p id="notice-{{.Myself}}">notice</p>`))

func (e2eNoticeComp) Mount(s *liveview.ComponentSocket[e2eNotice]) error {
	s.PageTitle("Notice " + s.ID())
	if s.Connected() {
		s.PutFlash("info", "Hello from "+s.ID())
	}
	return nil
}

func (e2eNoticeComp) Render(s e2eNotice) (*render.Rendered, error) { return e2eNoticeTmpl.Execute(s) }

type e2eNoticePage struct {
	Flash liveview.Flash
	More  bool
}

type e2eNoticeView struct{ tmpl *render.Template }

func (e2eNoticeView) Mount(*liveview.Socket[e2eNoticePage], liveview.Params) error { return nil }

func (v e2eNoticeView) Render(s e2eNoticePage) (*render.Rendered, error) { return v.tmpl.Execute(s) }

func (e2eNoticeView) HandleEvent(s *liveview.Socket[e2eNoticePage], e liveview.Event) error {
	s.Assign(func(p *e2eNoticePage) { p.More = true })
	return nil
}

func TestComponentTitleAndFlashInBrowser(t *testing.T) {
	notice := liveview.NewLiveComponent[e2eNotice]("notice", e2eNoticeComp{})
	tmpl := render.Must(render.New("notices").LiveComponents(notice).Parse(
		`<main><div id="flash">{{.Flash.HTML}}</div>{{live "notice" "first"}}{{if .More}}{{live "notice" "second"}}{{end}}` +
			`<button id="more" phx-click="more">more</button></main>`))
	_, hs := newApp(t, liveview.Config{Title: "Default", TitleSuffix: " · e2e"}, func(s *liveview.Server) {
		s.Handle("/notices", liveview.View[e2eNoticePage](e2eNoticeView{tmpl}))
	})
	p := browsertest.New(t)
	p.Navigate(hs.URL + "/notices")
	p.WaitConnected()
	// The connected mount's flash differs from the HTTP render's (none):
	// the join reply shows it, and keeps the component's title.
	p.WaitText("#flash", "Hello from first")
	var title string
	p.Eval(`document.title`, &title)
	if title != "Notice first · e2e" {
		t.Errorf("title after the join = %q; want the component's, Notice first · e2e", title)
	}
	p.Click("#more")
	p.WaitText("#flash", "Hello from second")
	p.WaitTrue(`document.title === "Notice second · e2e"`)
	p.NoErrors()
}
