// Package chat is a chat room: each view subscribes to a topic in Mount, and
// publishes what its user says to it, so that every view on every node
// sharing the PubSub (see pubsub/redis, pubsub/nats) shows the message.
package chat

import (
	"context"
	"strings"
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/render"
)

// Message is what travels between nodes, JSON-encoded.
type Message struct {
	From string `json:"from"`
	Text string `json:"text"`
}

// Room is the topic of the one chat room.
var Room = liveview.NewTopic[Message]("chat:lobby")

// MaxMessages is how many messages a view keeps and shows.
const MaxMessages = 100

// State is one user's view of the room.
type State struct {
	Name     string
	Messages []Message
	Error    string
}

// View is the chat LiveView. It needs the Server to publish through.
type View struct {
	Srv *liveview.Server
}

var tmpl = render.MustCheck[State](render.Parse(`<section class="chat">
  <h1>Chat room</h1>
  <ul id="messages">{{range .Messages}}<li><b>{{.From}}</b>: {{.Text}}</li>{{end}}</ul>
  {{if .Error}}<p id="error" class="error">{{.Error}}</p>{{end}}
  <form id="say" phx-submit="say">
    <input name="name" value="{{.Name}}" placeholder="your name">
    <input name="text" placeholder="say something" autocomplete="off">
    <button type="submit">Send</button>
  </form>
</section>`))

// Mount joins the room (over the websocket only: Subscribe does nothing
// during the HTTP render).
func (v View) Mount(s *liveview.Socket[State], p liveview.Params) error {
	s.Assign(func(st *State) {
		st.Name = p.String("name")
		if st.Name == "" {
			st.Name = "guest"
		}
	})
	s.PageTitle("Chat")
	return s.Subscribe(Room)
}

// HandleEvent publishes what the user says: "say" with "text" and,
// optionally, "name".
func (v View) HandleEvent(s *liveview.Socket[State], e liveview.Event) error {
	if e.Name != "say" {
		return &liveview.UnknownEventError{Name: e.Name}
	}
	text := strings.TrimSpace(e.Params.String("text"))
	if name := strings.TrimSpace(e.Params.String("name")); name != "" {
		s.Assign(func(st *State) { st.Name = name })
	}
	if text == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// The message comes back through HandleInfo, like everyone else's: the
	// view shows what the room received, in the room's order.
	err := Room.Publish(ctx, v.Srv, Message{From: s.Context().Name, Text: text})
	s.Assign(func(st *State) {
		st.Error = ""
		if err != nil {
			st.Error = "Your message was not sent: " + err.Error()
		}
	})
	return nil
}

// HandleInfo shows a message published on the room.
func (View) HandleInfo(s *liveview.Socket[State], msg any) error {
	m, ok := msg.(Message)
	if !ok {
		return nil
	}
	s.Assign(func(st *State) {
		st.Messages = append(st.Messages, m)
		if n := len(st.Messages); n > MaxMessages {
			st.Messages = append([]Message(nil), st.Messages[n-MaxMessages:]...)
		}
	})
	return nil
}

// Render renders the state.
func (View) Render(st State) (*render.Rendered, error) { return tmpl.Execute(st) }

// Register routes the chat room at path on srv.
func Register(srv *liveview.Server, path string) {
	srv.Handle(path, liveview.View[State](View{Srv: srv}))
}
