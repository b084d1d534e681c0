package e2e

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/e2e/internal/browsertest"
	"github.com/liveview-go/liveview/render"
)

// nodeState and nodeView show which server rendered the page, count their
// connected mounts and unmounts, and panic on "boom".
type nodeState struct{ Name string }

type nodeView struct {
	name             string
	mounts, unmounts *atomic.Int64
	joined           chan<- struct{} // if not nil, told of each connected mount
}

var nodeTmpl = render.Must(render.New("node").Parse(`<p id="server">{{.Name}}</p><button id="boom" phx-click="boom">boom</button>`))

func (v nodeView) Mount(s *liveview.Socket[nodeState], _ liveview.Params) error {
	if v.name == "broken" {
		return errors.New("the view is broken in this run")
	}
	if s.Connected() {
		v.mounts.Add(1)
		if v.joined != nil {
			v.joined <- struct{}{}
		}
	}
	s.Assign(func(st *nodeState) { st.Name = v.name })
	return nil
}

func (nodeView) Render(s nodeState) (*render.Rendered, error) { return nodeTmpl.Execute(s) }

func (nodeView) HandleEvent(_ *liveview.Socket[nodeState], e liveview.Event) error {
	var xs []int
	_ = xs[len(e.Name)] // out of range: a real runtime panic
	return nil
}

func (v nodeView) Unmount(*liveview.Socket[nodeState]) { v.unmounts.Add(1) }

// node is one run of a server process: a liveview Server behind an
// http.Server on addr, counting page loads.
type node struct {
	lv               *liveview.Server
	hs               *http.Server
	loads            *pageLoads
	mounts, unmounts atomic.Int64
}

var testKey = []byte("e2e signing key, 32 bytes or more!")

func startNode(t *testing.T, ln net.Listener, name string, dev bool) *node {
	t.Helper()
	n := &node{}
	n.lv = liveview.NewServer(liveview.Config{SigningKey: testKey, Dev: dev})
	n.lv.Handle("/", liveview.View[nodeState](nodeView{name: name, mounts: &n.mounts, unmounts: &n.unmounts}))
	n.loads = &pageLoads{h: n.lv}
	n.hs = &http.Server{Handler: n.loads, ReadHeaderTimeout: 10 * time.Second}
	go n.hs.Serve(ln)
	t.Cleanup(func() { n.stop(t) })
	return n
}

// stop shuts the node down as a deployed main does on SIGTERM.
func (n *node) stop(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := n.hs.Shutdown(ctx); err != nil {
		t.Errorf("http.Server.Shutdown: %v", err)
	}
	if err := n.lv.Shutdown(ctx); err != nil {
		t.Errorf("liveview Shutdown: %v", err)
	}
}

// restart runs a first server on a loopback port, loads its page, stops the
// server and starts a second one on the same port, as `go run` after an
// edit does.
func restart(t *testing.T, dev bool) (p *browsertest.Page, a, b *node) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	a = startNode(t, ln, "first", dev)

	p = browsertest.New(t)
	p.Navigate("http://" + addr + "/")
	p.WaitConnected()
	p.WaitText("#server", "first")
	p.Eval(`window.__sameDocument = true`, nil)

	a.stop(t)
	if n := a.unmounts.Load(); n != 1 {
		t.Errorf("the first server unmounted %d views by the end of its Shutdown, want 1", n)
	}
	// The client saw the close and retries; nothing answers for now.
	p.WaitTrue(`!window.liveSocket.isConnected()`)

	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listening again on %s: %v", addr, err)
	}
	b = startNode(t, ln, "second", dev)
	return p, a, b
}

func TestRestartedServerTakesOverOpenPages(t *testing.T) {
	p, _, b := restart(t, false)
	// The page reconnects by itself and its view mounts on the new server,
	// in the same document: no reload outside development mode.
	p.WaitText("#server", "second")
	p.WaitConnected()
	var same bool
	p.Eval(`window.__sameDocument === true`, &same)
	if !same {
		t.Error("the page reloaded, want a rejoin in the same document")
	}
	if n := b.loads.n.Load(); n != 0 {
		t.Errorf("the second server served %d page loads, want 0", n)
	}
	onlyRefusedConnections(t, p)
}

// onlyRefusedConnections fails the test for any browser error other than
// the connection attempts Chromium logged while no server answered: the
// client retries its websocket and, once it has failed to connect, tries
// long-poll too, so either may be refused.
func onlyRefusedConnections(t *testing.T, p *browsertest.Page) {
	t.Helper()
	for _, m := range p.Errors() {
		if !strings.Contains(m.Text, "WebSocket connection to") && !strings.Contains(m.Text, "net::ERR_CONNECTION_REFUSED") {
			t.Errorf("browser error: %s", m)
		}
	}
}

func TestDevModeReloadsPagesOnRestart(t *testing.T) {
	p, _, b := restart(t, true)
	// The rejoin finds a page from another run: the client reloads it.
	p.WaitAfterNavigation(`window.__sameDocument === undefined && document.querySelector("#server") !== null && document.querySelector("#server").textContent === "second"`)
	p.WaitConnected()
	if n := b.loads.n.Load(); n != 1 {
		t.Errorf("the second server served %d page loads, want 1 (one reload)", n)
	}
	// The reloaded page belongs to this run: it stays.
	p.Click("#boom")
	p.WaitVisible("#lv-dev-error")
	p.WaitConnected()
	if n := b.loads.n.Load(); n != 1 {
		t.Errorf("page loads after a crash = %d, want still 1", n)
	}
}

func TestDevModeOverlayShowsCrashes(t *testing.T) {
	for _, dev := range []bool{true, false} {
		name := "production"
		if dev {
			name = "dev"
		}
		t.Run(name, func(t *testing.T) {
			var mounts, unmounts atomic.Int64
			joined := make(chan struct{}, 100)
			_, hs := newApp(t, liveview.Config{Dev: dev}, func(s *liveview.Server) {
				s.Handle("/", liveview.View[nodeState](nodeView{name: "one", mounts: &mounts, unmounts: &unmounts, joined: joined}))
			})
			p := browsertest.New(t)
			p.Navigate(hs.URL + "/")
			p.WaitConnected()
			<-joined
			p.Click("#boom")
			if dev {
				p.WaitVisible("#lv-dev-error")
				text := p.Text("#lv-dev-error")
				for _, want := range []string{"View failed", "index out of range", "nodeView.HandleEvent", "dev_test.go:"} {
					if !strings.Contains(text, want) {
						t.Errorf("the overlay lacks %q: %s", want, text)
					}
				}
				found := false
				for _, m := range p.Errors() {
					if strings.Contains(m.Text, "liveview: view failed: ") && strings.Contains(m.Text, "index out of range") {
						found = true
					}
				}
				if !found {
					t.Errorf("no console error about the crash; console: %v", p.Console())
				}
				// The view rejoined meanwhile and works; the overlay stays
				// until dismissed.
				p.WaitTrue(`document.querySelector("[data-phx-main]").classList.contains("phx-connected")`)
				p.Click("#lv-dev-error button")
				p.WaitNotPresent("#lv-dev-error")
				return
			}
			// Production: the view rejoins, and nothing of the error shows.
			select {
			case <-joined:
			case <-time.After(30 * time.Second):
				t.Fatal("waited 30 s for the crashed view to rejoin")
			}
			p.WaitConnected()
			var overlay, body string
			p.Eval(`String(document.getElementById("lv-dev-error"))`, &overlay)
			p.Eval(`document.body.innerText`, &body)
			if overlay != "null" || strings.Contains(body, "index out of range") || strings.Contains(body, "dev_test.go") {
				t.Errorf("production mode shows the error in the page: overlay %s, text %q", overlay, body)
			}
			for _, m := range p.Console() {
				if strings.Contains(m.Text, "index out of range") {
					t.Errorf("production mode tells the console about the error: %s", m.Text)
				}
			}
		})
	}
}

func TestDevModeErrorPageReloadsOnRestart(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	a := startNode(t, ln, "broken", true)
	p := browsertest.New(t)
	p.Navigate("http://" + addr + "/")
	p.WaitText("#lv-error", "the view is broken in this run")
	a.stop(t)

	// The fixed code starts: the error page notices and reloads.
	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listening again on %s: %v", addr, err)
	}
	b := startNode(t, ln, "second", true)
	p.WaitAfterNavigation(`document.querySelector("#server") !== null && document.querySelector("#server").textContent === "second"`)
	p.WaitConnected()
	if n := b.loads.n.Load(); n != 1 {
		t.Errorf("the second server served %d page loads, want 1 (one reload)", n)
	}
}
