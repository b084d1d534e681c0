package liveview_test

import (
	"errors"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

type exitState struct{ N int }

var exitTmpl = render.Must(render.Parse(`<p id="n">{{.N}}</p>`))

// exitView ends its callback's goroutine with runtime.Goexit, as a test
// helper's t.FailNow would, on the event "exit"; Unmount reports on gone.
type exitView struct{ gone chan struct{} }

func (exitView) Mount(*liveview.Socket[exitState], liveview.Params) error { return nil }
func (exitView) Render(s exitState) (*render.Rendered, error)             { return exitTmpl.Execute(s) }
func (exitView) HandleEvent(s *liveview.Socket[exitState], e liveview.Event) error {
	if e.Name == "exit" {
		runtime.Goexit()
	}
	s.Assign(func(st *exitState) { st.N++ })
	return nil
}
func (v exitView) Unmount(*liveview.Socket[exitState]) { close(v.gone) }

// A callback that never returns, because it called runtime.Goexit, crashes
// its view like a panic: the client is told, Unmount runs, and the view
// mounts afresh on rejoin. It used to wedge the view: no reply, a leave
// never answered, Unmount never run.
func TestGoexitInACallbackCrashesTheView(t *testing.T) {
	srv, logs := testsupport.NewLogged(t, liveview.Config{})
	gone := make(chan struct{})
	srv.Handle("/exit", liveview.View[exitState](exitView{gone: gone}))
	ts := liveviewtest.NewServer(t, srv)
	v, err := ts.Mount("/exit")
	testsupport.Must(t, err)
	testsupport.Must(t, v.ClickEvent("inc", nil))
	_, err = v.Conn().Send(v.JoinRef(), v.Topic(), "event", map[string]any{"type": "click", "event": "exit", "value": map[string]any{}})
	testsupport.Must(t, err)
	testsupport.Must(t, v.AwaitCrash())
	select {
	case <-gone:
	case <-time.After(testsupport.Timeout):
		t.Fatal("Unmount did not run after the callback called runtime.Goexit")
	}
	if !strings.Contains(logs.String(), "runtime.Goexit") {
		t.Errorf("the log does not say the callback called runtime.Goexit:\n%s", logs.String())
	}
	// The connection and the server carry on: a new view mounts and works.
	w, err := ts.Mount("/exit")
	testsupport.Must(t, err)
	testsupport.Must(t, w.ClickEvent("inc", nil))
	if got, _ := w.Text("#n"); got != "1" {
		t.Errorf("a view mounted after the crash shows %q, want 1", got)
	}
}

type loopState struct{}

// joinLoopView patches to a new URL from every HandleParams: a loop that
// starts while the view mounts.
type joinLoopView struct{}

func (joinLoopView) Mount(*liveview.Socket[loopState], liveview.Params) error { return nil }
func (joinLoopView) Render(loopState) (*render.Rendered, error) {
	return testsupport.CrashView{}.Render(testsupport.CrashState{})
}
func (joinLoopView) HandleParams(s *liveview.Socket[loopState], p liveview.Params, _ *url.URL) error {
	if s.Connected() {
		s.PushPatch("/loop", url.Values{"n": {p.String("n") + "x"}}, false)
	}
	return nil
}

// A patch loop that starts while a view joins fails the join with "join
// crashed", like any other failure of the mount, instead of leaving the
// join unanswered.
func TestPatchLoopWhileJoiningAnswersTheJoin(t *testing.T) {
	srv, logs := testsupport.NewLogged(t, liveview.Config{})
	srv.Handle("/loop", liveview.View[loopState](joinLoopView{}))
	_, err := liveviewtest.NewServer(t, srv).Mount("/loop")
	var je *liveviewtest.JoinError
	if !errors.As(err, &je) || je.Reason() != "join crashed" {
		t.Fatalf("join of a view that patches in a loop: %v, want the reason \"join crashed\"", err)
	}
	if !strings.Contains(logs.String(), "patch loop") {
		t.Errorf("the log does not name the patch loop:\n%s", logs.String())
	}
}

// exitOnUnmountView ends Unmount's goroutine with runtime.Goexit.
type exitOnUnmountView struct{}

func (exitOnUnmountView) Mount(*liveview.Socket[exitState], liveview.Params) error { return nil }
func (exitOnUnmountView) Render(s exitState) (*render.Rendered, error)             { return exitTmpl.Execute(s) }
func (exitOnUnmountView) Unmount(*liveview.Socket[exitState])                      { runtime.Goexit() }

// A phx_leave is answered even when the view's Unmount never returns:
// the client waits for that reply before it joins the next view.
func TestGoexitInUnmountStillAnswersTheLeave(t *testing.T) {
	srv, _ := testsupport.NewLogged(t, liveview.Config{})
	srv.Handle("/exit", liveview.View[exitState](exitOnUnmountView{}))
	ts := liveviewtest.NewServer(t, srv)
	v, err := ts.Mount("/exit")
	testsupport.Must(t, err)
	testsupport.Must(t, v.Leave())
	// The connection carries on.
	w, err := ts.Mount("/exit")
	testsupport.Must(t, err)
	if got, _ := w.Text("#n"); got != "0" {
		t.Errorf("a view mounted after the leave shows %q, want 0", got)
	}
}

// A view that crashes and whose Unmount then calls runtime.Goexit still
// tells the client (phx_error), frees its topic, and says why in the log.
func TestGoexitInUnmountAfterACrash(t *testing.T) {
	srv, logs := testsupport.NewLogged(t, liveview.Config{})
	srv.Handle("/exit", liveview.View[exitState](exitOnUnmountView{}))
	ts := liveviewtest.NewServer(t, srv)
	v, err := ts.Mount("/exit")
	testsupport.Must(t, err)
	// The view has no HandleEvent: any event crashes it.
	_, err = v.Conn().Send(v.JoinRef(), v.Topic(), "event", map[string]any{"type": "click", "event": "x", "value": map[string]any{}})
	testsupport.Must(t, err)
	testsupport.Must(t, v.AwaitCrash())
	if !strings.Contains(logs.String(), "unmount: liveview: a callback called runtime.Goexit") {
		t.Errorf("the log does not say Unmount called runtime.Goexit:\n%s", logs.String())
	}
	testsupport.Must(t, v.Rejoin())
	if got, _ := v.Text("#n"); got != "0" {
		t.Errorf("after rejoining: %q, want 0", got)
	}
}
