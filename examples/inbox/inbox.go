// Package inbox is a page whose title counts the unread messages
// (PageTitle), with new mail arriving on a timer, and a button that hides
// read mail in the browser alone (JS commands).
package inbox

import (
	_ "embed"
	"fmt"
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/js"
	"github.com/liveview-go/liveview/render"
	"github.com/liveview-go/liveview/ui"
)

// Message is one mail.
type Message struct {
	ID      int
	Subject string
	Read    bool
}

// State is the inbox.
type State struct {
	Messages []Message
	Unread   int
	// HideRead is the hide-read button's binding: it toggles a class that
	// hides read mail, and the button's pressed state, without asking the
	// server. The client keeps both across the server's patches.
	HideRead js.Cmd
}

// View is the inbox LiveView. Every is how often new mail arrives (none if
// zero).
type View struct{ Every time.Duration }

var tmpl = render.MustCheck[State](render.New("inbox").Components(ui.Components()...).Parse(`<div class="ui-page inbox">
{{with component "header"}}Inbox{{with slot "Subtitle"}}<span id="unread">{{.Unread}}</span> unread: the page title counts them, new mail arrives every 10 s.{{end}}{{with slot "Actions"}}
{{with component "button" "Variant" "secondary" "id" "hide-read" "aria-pressed" "false" "phx-click" .HideRead}}Hide read mail{{end}}
{{with component "button" "Variant" "secondary" "id" "read-all" "phx-click" "read-all"}}Mark all read{{end}}{{end}}{{end}}
<ul id="messages" class="ui-stack ui-rows">{{range keyed "ID" .Messages}}<li id="msg-{{.ID}}" class="{{if .Read}}read{{else}}unread{{end}}">
  <span>{{.Subject}}</span> {{if not .Read}}{{with component "button" "Variant" "secondary" "phx-click" "read" "phx-value-id" .ID}}Mark read{{end}}{{end}}</li>{{end}}</ul>
</div>`))

// Mount starts with three messages and new mail on a timer.
func (v View) Mount(s *liveview.Socket[State], _ liveview.Params) error {
	s.Assign(func(st *State) {
		st.Messages = []Message{{1, "Welcome", false}, {2, "Your invoice", false}, {3, "Lunch?", true}}
		st.HideRead = js.ToggleClass("#messages", "hiding-read").ToggleAttribute("", "aria-pressed", "true", "false")
	})
	count(s)
	if v.Every > 0 {
		n := 3
		s.Repeat(v.Every, func(s *liveview.Socket[State]) error {
			n++
			s.Assign(func(st *State) {
				st.Messages = append([]Message{{n, fmt.Sprintf("News #%d", n), false}}, st.Messages...)
			})
			count(s)
			return nil
		})
	}
	return nil
}

// count updates the unread count and the page title.
func count(s *liveview.Socket[State]) {
	unread := 0
	for _, m := range s.Context().Messages {
		if !m.Read {
			unread++
		}
	}
	s.Assign(func(st *State) { st.Unread = unread })
	if unread == 0 {
		s.PageTitle("Inbox")
	} else {
		s.PageTitle(fmt.Sprintf("Inbox (%d)", unread))
	}
}

// HandleEvent marks messages read.
func (View) HandleEvent(s *liveview.Socket[State], e liveview.Event) error {
	id := e.Params.Int("id")
	switch e.Name {
	case "read", "read-all":
		s.Assign(func(st *State) {
			msgs := append([]Message(nil), st.Messages...)
			for i := range msgs {
				if e.Name == "read-all" || msgs[i].ID == id {
					msgs[i].Read = true
				}
			}
			st.Messages = msgs
		})
	default:
		return &liveview.UnknownEventError{Name: e.Name}
	}
	count(s)
	return nil
}

// Render renders the state.
func (View) Render(st State) (*render.Rendered, error) { return tmpl.Execute(st) }

//go:embed inbox.css
var css []byte

// CSS returns the inbox's own styles, on top of package ui's (see package
// site, which serves them as a file).
func CSS() []byte { return append([]byte(nil), css...) }

// Register routes the inbox at path on srv, with new mail every 10 s.
func Register(srv *liveview.Server, path string) {
	srv.Handle(path, liveview.View[State](View{Every: 10 * time.Second}))
}
