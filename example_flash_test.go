package liveview_test

import (
	"fmt"
	"net/url"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// Note is the state of NoteView. A field `Flash liveview.Flash` always holds
// the view's flash, so that the template can show it.
type Note struct {
	Flash liveview.Flash
	Text  string
}

// NoteView saves a note and says so with a flash message.
type NoteView struct{}

var noteTmpl = render.Must(render.Parse(`{{.Flash.HTML}}
<form id="note" phx-submit="save"><textarea name="text">{{.Text}}</textarea></form>`))

func (NoteView) Mount(s *liveview.Socket[Note], p liveview.Params) error { return nil }

func (NoteView) HandleEvent(s *liveview.Socket[Note], e liveview.Event) error {
	if e.Name != "save" {
		return &liveview.UnknownEventError{Name: e.Name}
	}
	s.Assign(func(n *Note) { n.Text = e.Params.String("text") })
	s.PutFlash("info", "Note saved")
	return nil
}

func (NoteView) Render(n Note) (*render.Rendered, error) { return noteTmpl.Execute(n) }

func ExampleSocket_PutFlash() {
	srv := liveview.NewServer(liveview.Config{})
	defer srv.Close()
	srv.Handle("/note", liveview.View[Note](NoteView{}))
	ts := liveviewtest.Start(srv)
	defer ts.Close()
	v, err := ts.Mount("/note")
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := v.Submit("#note", url.Values{"text": {"buy milk"}}); err != nil {
		fmt.Println(err)
		return
	}
	msg, _ := v.Text("#flash-info")
	fmt.Println(msg)

	// Flash.HTML renders each message with phx-click="lv:clear-flash": a
	// click clears it, with no code in the view.
	if err := v.Click("#flash-info"); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("shown after the click:", v.Has("#flash-info"))
	// Output:
	// Note saved
	// shown after the click: false
}
