// Package chat is a chat room: each view subscribes to a topic in Mount, and
// publishes what its user says to it, so that every view on every node
// sharing the PubSub (see pubsub/redis, pubsub/nats) shows the message. Each
// view also tracks its user on a presence topic, so that the room shows who
// is online and who is typing, on every node.
package chat

import (
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/form"
	"github.com/liveview-go/liveview/render"
	"github.com/liveview-go/liveview/ui"
)

// Message is what travels between nodes, JSON-encoded.
type Message struct {
	// ID is unique to the message, chosen by the node that publishes it.
	// The page's element for the message has the DOM id "msg-<ID>", by
	// which the stream inserts it once and trims it later.
	ID   string `json:"id"`
	From string `json:"from"`
	Text string `json:"text"`
}

// Room is the topic of the one chat room.
var Room = liveview.NewTopic[Message]("chat:lobby")

// Online is the presence topic of the room: one presence per open view.
var Online = liveview.NewPresence[Presence]("chat:lobby:online")

// Presence is what each view tells the room about its user.
type Presence struct {
	Name   string `json:"name"`
	Typing bool   `json:"typing"`
}

// Bounds on what one user can make every page show. Views keep no messages:
// each is streamed to the page once (liveview.Stream) and forgotten.
const (
	// MaxMessages is how many messages a page shows: older ones are
	// trimmed from the page as new ones arrive.
	MaxMessages = 100
	// MaxTextLength is the longest message, in characters.
	MaxTextLength = 500
	// MaxNameLength is the longest name, in characters.
	MaxNameLength = 40
)

// State is one user's view of the room.
type State struct {
	Name string
	// Messages streams the room's messages to the page.
	Messages *liveview.Stream[Message]
	// Form is the last message form sent, bound to a Say.
	Form *form.Form
	// Error says why the last message was not sent, if publishing failed.
	Error string
	// Online and Typing are the names of the users online and of those
	// typing, sorted, without repeats.
	Online, Typing string
	typing         bool // whether this view's user is typing
}

// Shown is the error to show: publishing's, else the form's first.
func (st State) Shown() string {
	if st.Error != "" {
		return st.Error
	}
	if errs := st.Form.Errors(); len(errs) > 0 {
		return errs[0].Message
	}
	return ""
}

// Say is the message form.
type Say struct {
	Name string `form:"name"`
	Text string `form:"text"`
}

// Validate trims the fields and checks their lengths. The page's maxlength
// attributes are a courtesy: a client may send anything.
func (s *Say) Validate() form.Errors {
	s.Name, s.Text = strings.TrimSpace(s.Name), strings.TrimSpace(s.Text)
	var errs form.Errors
	if n := utf8.RuneCountInString(s.Name); n > MaxNameLength {
		errs.Add("name", fmt.Sprintf("Your name is too long: %d characters, at most %d.", n, MaxNameLength))
	}
	if n := utf8.RuneCountInString(s.Text); n > MaxTextLength {
		errs.Add("text", fmt.Sprintf("Your message is too long: %d characters, at most %d.", n, MaxTextLength))
	}
	return errs
}

// View is the chat LiveView. It needs the Server to publish through.
type View struct {
	Srv *liveview.Server
}

var tmpl = render.MustCheck[State](render.New("chat").Components(ui.Components()...).Parse(`<div class="ui-page chat">
{{with component "header"}}Chat room{{with slot "Subtitle"}}Subscribe, Publish and Presence: open this page in two windows.{{end}}{{end}}
<ul id="messages" class="ui-card" phx-update="stream">{{range $id, $m := .Messages}}<li id="{{$id}}"><b>{{$m.From}}</b>: {{$m.Text}}</li>{{end}}</ul>
<p class="ui-card empty">No messages yet: say something.</p>
<div class="ui-muted"><p id="online">Online: {{.Online}}</p>
{{if .Typing}}<p id="typing">{{.Typing}} typing…</p>{{end}}</div>
{{with .Shown}}<p id="error" class="ui-error">{{.}}</p>{{end}}
{{with component "simple_form" "id" "say" "Submit" "say" "Change" "typing"}}
  {{component "input" "ID" "name" "Label" "Name" "Value" .Name "placeholder" "your name" "maxlength" "40"}}
  {{component "input" "ID" "text" "Label" "Message" "placeholder" "say something" "autocomplete" "off" "maxlength" "500"}}
  {{with slot "Actions"}}{{with component "button" "Type" "submit"}}Send{{end}}{{end}}
{{end}}
</div>`))

// Mount joins the room (over the websocket only: Subscribe does nothing
// during the HTTP render).
func (v View) Mount(s *liveview.Socket[State], p liveview.Params) error {
	s.Assign(func(st *State) {
		st.Messages = liveview.NewStream(func(m Message) string { return "msg-" + m.ID })
		st.Messages.SetLimit(-MaxMessages)
		st.Name = p.String("name")
		if st.Name == "" {
			st.Name = "guest"
		}
	})
	s.PageTitle("Chat")
	if err := s.Subscribe(Room); err != nil {
		return err
	}
	// One presence per view, keyed by the view's id: a user with two tabs
	// is online once (names are shown without repeats).
	if err := s.Track(Online, s.ID(), Presence{Name: s.Context().Name}); err != nil {
		return err
	}
	return s.SubscribePresence(Online)
}

// presenceChanged tells the room this view's name and whether its user is
// typing, when either changed.
func presenceChanged(s *liveview.Socket[State], name string, typing bool) error {
	st := s.Context()
	if st.Name == name && st.typing == typing {
		return nil
	}
	s.Assign(func(st *State) { st.Name, st.typing = name, typing })
	return s.UpdatePresence(Online, s.ID(), Presence{Name: name, Typing: typing})
}

// HandleEvent publishes what the user says: "say" with "text" and,
// optionally, "name".
func (v View) HandleEvent(s *liveview.Socket[State], e liveview.Event) error {
	if e.Name != "say" && e.Name != "typing" {
		return &liveview.UnknownEventError{Name: e.Name}
	}
	var say Say
	f := form.Bind(e.Params, "", &say)
	name := s.Context().Name
	if len(f.Field("name").AllErrors) == 0 && say.Name != "" {
		name = say.Name
	}
	if e.Name == "typing" {
		return presenceChanged(s, name, say.Text != "")
	}
	if err := presenceChanged(s, name, false); err != nil {
		return err
	}
	s.Assign(func(st *State) { st.Form, st.Error = f, "" })
	if !f.Valid() || say.Text == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// The message comes back through HandleInfo, like everyone else's: the
	// view shows what the room received, in the room's order.
	if err := Room.Publish(ctx, v.Srv, Message{ID: newID(), From: s.Context().Name, Text: say.Text}); err != nil {
		s.Assign(func(st *State) { st.Error = "Your message was not sent: " + err.Error() })
	}
	return nil
}

// newID returns a random message id: unique across nodes without
// coordination.
func newID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// HandleInfo shows a message published on the room. Messages come from
// every node sharing the PubSub, so they are checked as the node's own: a
// message without an id or longer than this node allows is dropped. A
// message seen already only updates its row: the page finds it by its id.
func (v View) HandleInfo(s *liveview.Socket[State], msg any) error {
	if _, ok := msg.(liveview.PresenceDiff[Presence]); ok {
		return v.showPresences(s)
	}
	m, ok := msg.(Message)
	if !ok || m.ID == "" || len(m.ID) > 64 ||
		utf8.RuneCountInString(m.Text) > MaxTextLength || utf8.RuneCountInString(m.From) > MaxNameLength {
		return nil
	}
	s.Assign(func(st *State) { st.Messages.Append(m) })
	return nil
}

// showPresences shows who is online and who is typing, from the room's list
// (which already holds what the diff says).
func (v View) showPresences(s *liveview.Socket[State]) error {
	list, err := Online.List(v.Srv)
	if err != nil {
		return err
	}
	online, typing := map[string]bool{}, map[string]bool{}
	for _, metas := range list {
		for _, m := range metas {
			online[m.Meta.Name] = true
			typing[m.Meta.Name] = typing[m.Meta.Name] || m.Meta.Typing
		}
	}
	var on, ty []string
	for name := range online {
		on = append(on, name)
		if typing[name] {
			ty = append(ty, name)
		}
	}
	sort.Strings(on)
	sort.Strings(ty)
	s.Assign(func(st *State) { st.Online, st.Typing = strings.Join(on, ", "), strings.Join(ty, ", ") })
	return nil
}

// Render renders the state.
func (View) Render(st State) (*render.Rendered, error) { return tmpl.Execute(st) }

//go:embed chat.css
var css []byte

// CSS returns the page's own styles, on top of package ui's (see package
// site, which serves them as a file).
func CSS() []byte { return append([]byte(nil), css...) }

// Register routes the chat room at path on srv.
func Register(srv *liveview.Server, path string) {
	srv.Handle(path, liveview.View[State](View{Srv: srv}))
}
