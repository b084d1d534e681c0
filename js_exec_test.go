package liveview_test

import (
	"strings"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/js"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

type execView struct{}

var execTmpl = render.Must(render.Parse(`<div id="modal"></div>`))

func (execView) Mount(*liveview.Socket[struct{}], liveview.Params) error { return nil }

func (execView) HandleEvent(s *liveview.Socket[struct{}], e liveview.Event) error {
	switch e.Name {
	case "close":
		s.ExecJS("#modal", js.Hide("").PopFocus())
	case "bad":
		s.ExecJS("#modal", js.Navigate("javascript:alert(1)"))
	}
	return nil
}

func (execView) Render(struct{}) (*render.Rendered, error) { return execTmpl.Execute(nil) }

// ExecJS pushes the event the bundled client runs (client/src/app.js): the
// selector and the command list.
func TestExecJSPushesEvent(t *testing.T) {
	srv, _ := testsupport.NewLogged(t, liveview.Config{})
	srv.Handle("/", liveview.View[struct{}](execView{}))
	ts := liveviewtest.NewServer(t, srv)
	v, err := ts.Mount("/")
	testsupport.Must(t, err)
	testsupport.Must(t, v.ClickEvent("close", nil))
	ev, err := v.AwaitEvent(liveview.ExecJSEvent)
	testsupport.Must(t, err)
	if want := `{"js":[["hide",{}],["pop_focus",{}]],"to":"#modal"}`; string(ev.Payload) != want {
		t.Errorf("ExecJS pushed %s %s, want %s %s", ev.Name, ev.Payload, liveview.ExecJSEvent, want)
	}
}

// An invalid command is an error of the callback, which crashes the view
// instead of sending the page half a command list.
func TestExecJSInvalidCommandCrashesView(t *testing.T) {
	srv, logs := testsupport.NewLogged(t, liveview.Config{})
	srv.Handle("/", liveview.View[struct{}](execView{}))
	ts := liveviewtest.NewServer(t, srv)
	v, err := ts.Mount("/")
	testsupport.Must(t, err)
	err = v.ClickEvent("bad", nil)
	if err == nil || !v.Crashed() {
		t.Fatalf("ClickEvent(bad) = %v, crashed %v; want the view crashed", err, v.Crashed())
	}
	if want := `unsupported scheme \"javascript\"`; !strings.Contains(logs.String(), want) {
		t.Errorf("the log does not say why (%s):\n%s", want, logs)
	}
}

type cmdState struct {
	Open js.Cmd
	N    int
}

type cmdView struct{}

var cmdTmpl = render.Must(render.Parse(`<button phx-click="{{.Open}}">open</button><p>{{.N}}</p>`))

func (cmdView) Mount(s *liveview.Socket[cmdState], _ liveview.Params) error {
	s.Assign(func(st *cmdState) { st.Open = js.Show("#modal") })
	return nil
}

func (cmdView) HandleEvent(s *liveview.Socket[cmdState], e liveview.Event) error {
	s.Assign(func(st *cmdState) {
		st.N++
		st.Open = js.Show("#modal") // an equal Cmd: no change
	})
	return nil
}

func (cmdView) Render(st cmdState) (*render.Rendered, error) { return cmdTmpl.Execute(st) }

// A js.Cmd in the state is a value: an Assign that leaves it equal does not
// send the binding again.
func TestUnchangedCmdIsNotResent(t *testing.T) {
	srv, _ := testsupport.NewLogged(t, liveview.Config{})
	srv.Handle("/", liveview.View[cmdState](cmdView{}))
	ts := liveviewtest.NewServer(t, srv)
	v, err := ts.Mount("/")
	testsupport.Must(t, err)
	r, err := v.Conn().Call(v.JoinRef(), v.Topic(), "event", map[string]any{"type": "click", "event": "inc", "value": map[string]any{}})
	testsupport.Must(t, err)
	if !strings.Contains(string(r.Response), `"1"`) || strings.Contains(string(r.Response), "show") {
		t.Errorf("the event's reply %s: want the new count and not the unchanged binding", r.Response)
	}
}
