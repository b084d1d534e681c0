// Package nodetest checks that a liveview.PubSub carries views' messages
// between server instances (nodes): each adapter module's tests run Chat
// with its own broker. It lives in the root module so that the adapters
// share one chat room; the adapters, and their dependencies, live in
// modules of their own.
package nodetest

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// roomView is a small chat room: "say" publishes a line on roomTopic, and
// every view shows every line the room received, in order. The name comes
// from the "name" parameter.
type roomView struct{ srv *liveview.Server }

type roomLine struct {
	From string `json:"from"`
	Text string `json:"text"`
}

type roomState struct {
	Name  string
	Lines []roomLine
}

var roomTopic = liveview.NewTopic[roomLine]("test:room")

var roomTmpl = render.Must(render.Parse(`<ul id="lines">{{range .Lines}}<li><b>{{.From}}</b>: {{.Text}}</li>{{end}}</ul>`))

func (roomView) Mount(s *liveview.Socket[roomState], p liveview.Params) error {
	s.Assign(func(st *roomState) { st.Name = p.String("name") })
	return s.Subscribe(roomTopic)
}

func (v roomView) HandleEvent(s *liveview.Socket[roomState], e liveview.Event) error {
	if e.Name != "say" {
		return &liveview.UnknownEventError{Name: e.Name}
	}
	ctx, cancel := context.WithTimeout(context.Background(), testsupport.Timeout)
	defer cancel()
	return roomTopic.Publish(ctx, v.srv, roomLine{From: s.Context().Name, Text: e.Params.String("text")})
}

func (roomView) HandleInfo(s *liveview.Socket[roomState], msg any) error {
	if l, ok := msg.(roomLine); ok {
		s.Assign(func(st *roomState) { st.Lines = append(st.Lines, l) })
	}
	return nil
}

func (roomView) Render(st roomState) (*render.Rendered, error) { return roomTmpl.Execute(st) }

// startNode starts one server instance with its own adapter and listener,
// serving roomView at /chat, and returns one browser on it.
func startNode(t *testing.T, ps liveview.PubSub) *liveviewtest.Server {
	t.Helper()
	srv := liveview.NewServer(liveview.Config{PubSub: ps, Logger: slog.New(slog.NewTextHandler(testsupport.LogTo(t), nil))})
	srv.Handle("/chat", liveview.View[roomState](roomView{srv: srv}))
	ts := liveviewtest.NewServer(t, srv, liveviewtest.WithTimeout(testsupport.Timeout))
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
		ps.Close()
	})
	return ts
}

// Chat runs a chat room on two servers, each with its own PubSub from newPS
// (both reaching one broker): a message said in a view on node A appears in
// a view on node B (and in A's own, which hears it back through the broker),
// and B's answer appears on A after it.
func Chat(t *testing.T, newPS func(t *testing.T) liveview.PubSub) {
	t.Helper()
	twoNodes(t, startNode(t, newPS(t)), startNode(t, newPS(t)))
}

func twoNodes(t *testing.T, a, b *liveviewtest.Server) {
	t.Helper()
	va, err := a.Mount("/chat?name=ann")
	testsupport.Must(t, err)
	vb, err := b.Mount("/chat?name=bob")
	testsupport.Must(t, err)
	if strings.Contains(vb.HTML(), "hello from A") {
		t.Fatal("the message is there before it was said")
	}
	await := func(v *liveviewtest.View, what, text string) string {
		t.Helper()
		h, err := v.AwaitHTMLFunc(func(h string) bool { return strings.Contains(h, text) })
		if err != nil {
			t.Fatalf("%s: %v; HTML:\n%s", what, err, v.HTML())
		}
		return h
	}

	testsupport.Must(t, va.ClickEvent("say", map[string]any{"text": "hello from A"}))
	want := "<b>ann</b>: hello from A"
	await(vb, "node B shows A's message", want)
	await(va, "node A shows its own message", want)

	// And back the other way, after A's: B's view shows both, in order.
	testsupport.Must(t, vb.ClickEvent("say", map[string]any{"text": "hi from B"}))
	reply := "<b>bob</b>: hi from B"
	h := await(va, "node A shows B's reply", reply)
	if strings.Index(h, want) > strings.Index(h, reply) {
		t.Fatalf("node A shows the messages out of order:\n%s", h)
	}
}
