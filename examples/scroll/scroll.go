// Package scroll is an endless list: a stream of entries loaded a page at a
// time from a data source when the last one scrolls into view
// (phx-viewport-bottom). The view keeps the next page's cursor, not the
// entries: each is sent to the browser once.
package scroll

import (
	_ "embed"
	"fmt"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/render"
	"github.com/liveview-go/liveview/ui"
)

// Entry is one row of the data source.
type Entry struct {
	N     int
	Title string
}

// Source is the data source: a page of entries starting after cursor, and
// the cursor of the next page (0 when there is none).
type Source interface {
	Page(after, size int) (entries []Entry, next int, err error)
}

// Numbers is a Source of Total numbered entries.
type Numbers struct{ Total int }

// Page returns up to size entries after the one numbered after.
func (s Numbers) Page(after, size int) ([]Entry, int, error) {
	var out []Entry
	for n := after + 1; n <= s.Total && len(out) < size; n++ {
		out = append(out, Entry{N: n, Title: fmt.Sprintf("Entry %d", n)})
	}
	if len(out) == 0 || out[len(out)-1].N >= s.Total {
		return out, 0, nil
	}
	return out, out[len(out)-1].N, nil
}

// PageSize is how many entries each load brings.
const PageSize = 30

// State is the page's state: the stream and where the next page starts.
type State struct {
	Entries *liveview.Stream[Entry]
	Next    int // 0: the end was reached
}

// View is the endless list over Src.
type View struct{ Src Source }

var tmpl = render.MustCheck[State](render.New("scroll").Components(ui.Components()...).Parse(`<div class="ui-page scroll">
{{with component "header"}}Endless list{{with slot "Subtitle"}}Streams and phx-viewport-bottom: scroll down, and the next page of entries arrives.{{end}}{{end}}
<ol id="entries" phx-update="stream" {{if .Next}}phx-viewport-bottom="more"{{end}}>
  {{range $id, $e := .Entries}}<li id="{{$id}}">{{$e.Title}}</li>{{end}}
</ol>
{{if .Next}}<p class="more">Scroll down for more&hellip;</p>{{else}}<p id="end">That is all.</p>{{end}}
</div>`))

// Mount shows the first page.
func (v View) Mount(s *liveview.Socket[State], _ liveview.Params) error {
	s.Assign(func(st *State) {
		st.Entries = liveview.NewStream(func(e Entry) string { return fmt.Sprintf("entry-%d", e.N) })
	})
	return v.load(s, 0)
}

// HandleEvent loads the next page when the last entry is in view ("more").
func (v View) HandleEvent(s *liveview.Socket[State], e liveview.Event) error {
	if e.Name != "more" {
		return &liveview.UnknownEventError{Name: e.Name}
	}
	if next := s.Context().Next; next != 0 {
		return v.load(s, next)
	}
	return nil
}

func (v View) load(s *liveview.Socket[State], after int) error {
	entries, next, err := v.Src.Page(after, PageSize)
	if err != nil {
		return err
	}
	s.Assign(func(st *State) {
		st.Entries.Append(entries...)
		st.Next = next
	})
	return nil
}

// Render renders the state.
func (View) Render(st State) (*render.Rendered, error) { return tmpl.Execute(st) }

//go:embed scroll.css
var css []byte

// CSS returns the page's own styles, on top of package ui's (see package
// site, which serves them as a file).
func CSS() []byte { return append([]byte(nil), css...) }

// Register routes the list of 1,000 numbered entries at path on srv.
func Register(srv *liveview.Server, path string) {
	srv.Handle(path, liveview.View[State](View{Src: Numbers{Total: 1000}}))
}
