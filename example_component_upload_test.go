package liveview_test

import (
	"fmt"
	"io"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// NoteState is the state of a note component: its upload and the notes it
// saved.
type NoteState struct {
	Myself  liveview.CID
	Uploads liveview.Uploads
	Notes   []string
}

// NoteComponent takes text files in an upload of its own.
type NoteComponent struct{}

// The form targets the component, so the client sends the file input's
// events, preflight and progress to it.
var noteCompTmpl = render.Must(render.Parse(`<div id="notes">
<form id="note-form" phx-change="validate" phx-submit="save" phx-target="{{.Myself}}">{{.Uploads.Input "note"}}</form>
<ul>{{range .Notes}}<li>{{.}}</li>{{end}}</ul></div>`))

func (NoteComponent) Mount(s *liveview.ComponentSocket[NoteState]) error {
	return s.AllowUpload("note", liveview.UploadOptions{Accept: []string{".txt"}})
}

func (NoteComponent) Render(n NoteState) (*render.Rendered, error) { return noteCompTmpl.Execute(n) }

func (NoteComponent) HandleEvent(s *liveview.ComponentSocket[NoteState], e liveview.Event) error {
	if e.Name != "save" {
		return nil
	}
	notes, err := liveview.ConsumeUploadedEntries(s, "note", func(e liveview.UploadEntry, f liveview.UploadedFile) (string, error) {
		b, err := io.ReadAll(f)
		return e.Name + ": " + string(b), err
	})
	s.Assign(func(n *NoteState) { n.Notes = append(n.Notes, notes...) })
	return err
}

// NotesPage places the note component.
type NotesPage struct{}

var notesPageTmpl = render.Must(render.New("notes").
	LiveComponents(liveview.NewLiveComponent[NoteState]("note", NoteComponent{})).
	Parse(`<main>{{live "note" "notes"}}</main>`))

func (NotesPage) Mount(*liveview.Socket[struct{}], liveview.Params) error { return nil }

func (NotesPage) Render(struct{}) (*render.Rendered, error) { return notesPageTmpl.Execute(nil) }

func ExampleComponentSocket_AllowUpload() {
	srv := liveview.NewServer(liveview.Config{})
	defer srv.Close()
	srv.Handle("/notes", liveview.View[struct{}](NotesPage{}))
	ts := liveviewtest.Start(srv)
	defer ts.Close()
	v, err := ts.Mount("/notes")
	if err != nil {
		fmt.Println(err)
		return
	}
	up, err := v.ChooseFiles("#note-form input", liveviewtest.File{Name: "todo.txt", Type: "text/plain", Content: []byte("buy milk")})
	if err == nil {
		err = up.Upload()
	}
	if err == nil {
		err = v.Submit("#note-form", nil)
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	text, _ := v.Text("#notes ul")
	fmt.Println(text)
	// Output:
	// todo.txt: buy milk
}
