package e2e

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/e2e/internal/browsertest"
	"github.com/liveview-go/liveview/examples/counter"
	"github.com/liveview-go/liveview/render"
)

// socketGate refuses the socket's transports while closed, as a server
// that is down would: websocket upgrades and long-poll requests alike (the
// client falls back to long-poll when websockets fail). The client keeps
// retrying.
type socketGate struct {
	h      http.Handler
	closed atomic.Bool
}

func (g *socketGate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if g.closed.Load() && (strings.HasSuffix(r.URL.Path, "/websocket") || strings.HasSuffix(r.URL.Path, "/longpoll")) {
		http.Error(w, "down for the test", http.StatusServiceUnavailable)
		return
	}
	g.h.ServeHTTP(w, r)
}

// noticeOf returns, in the page, the reconnect notice the default layout
// shows on the view's container: its text when visible, "" otherwise.
const noticeOf = `(() => {
  const el = document.querySelector("[data-phx-main]");
  const st = getComputedStyle(el, "::before");
  return st.content !== "none" && st.opacity === "1" ? st.content : "";
})()`

func TestDefaultLayoutShowsReconnectNotice(t *testing.T) {
	lv := liveview.NewServer(liveview.Config{})
	counter.Register(lv, "/counter")
	gate := &socketGate{h: lv}
	hs := httptest.NewServer(gate)
	t.Cleanup(func() {
		lv.Close()
		hs.Close()
	})

	p := browsertest.New(t)
	p.Navigate(hs.URL + "/counter")
	p.WaitConnected()
	var notice string
	p.Eval(noticeOf, &notice)
	if notice != "" {
		t.Fatalf("a connected page shows the notice %s", notice)
	}

	// The server goes away and stays away: the notice shows.
	gate.closed.Store(true)
	lv.Disconnect()
	p.WaitTrue(`document.querySelector("[data-phx-main]").classList.contains("phx-client-error")`)
	p.WaitTrue(noticeOf + `.includes("Reconnecting")`)

	// It comes back: the client reconnects and the notice goes.
	gate.closed.Store(false)
	p.WaitConnected()
	p.WaitTrue(noticeOf + ` === ""`)
	p.Click("#inc")
	p.WaitText("#count", "1")
}

// slowState and slowView make a live navigation that lasts until the test
// lets the connected Mount finish.
type slowState struct{ Name string }

type slowView struct {
	name string
	gate chan struct{} // nil: mount at once
}

var slowTmpl = render.Must(render.New("slow").Funcs(liveview.TemplateFuncs).Parse(
	`<p id="name">{{.Name}}</p><a id="go" {{navigate "/slow"}}>slow</a>`))

func (v slowView) Mount(s *liveview.Socket[slowState], _ liveview.Params) error {
	if v.gate != nil && s.Connected() {
		<-v.gate
	}
	s.Assign(func(st *slowState) { st.Name = v.name })
	return nil
}

func (slowView) Render(s slowState) (*render.Rendered, error) { return slowTmpl.Execute(s) }

func TestDefaultLayoutProgressBarDuringLiveNavigation(t *testing.T) {
	gate := make(chan struct{})
	var once sync.Once
	release := func() { once.Do(func() { close(gate) }) }
	_, hs := newApp(t, liveview.Config{}, func(s *liveview.Server) {
		s.Handle("/fast", liveview.View[slowState](slowView{name: "fast"}))
		s.Handle("/slow", liveview.View[slowState](slowView{name: "slow", gate: gate}))
	})
	// Cleanups run last first: this one before the server's Close, which
	// waits for the Mount to end.
	t.Cleanup(release)

	p := browsertest.New(t)
	p.Navigate(hs.URL + "/fast")
	p.WaitConnected()
	p.WaitTrue(`!document.getElementById("lv-progress").classList.contains("lv-active")`)

	p.Click("#go")
	p.WaitTrue(`document.getElementById("lv-progress").classList.contains("lv-active")`)
	var height string
	p.Eval(`getComputedStyle(document.getElementById("lv-progress")).height`, &height)
	if height != "3px" {
		t.Errorf("progress bar height = %s, want 3px", height)
	}
	release()
	p.WaitText("#name", "slow")
	p.WaitTrue(`!document.getElementById("lv-progress").classList.contains("lv-active")`)
	p.NoErrors()
}
