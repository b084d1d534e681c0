package e2e

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/e2e/internal/browsertest"
	"github.com/liveview-go/liveview/examples/counter"
	"github.com/liveview-go/liveview/examples/site"
	"github.com/liveview-go/liveview/render"
)

// socketCounter counts websocket upgrade requests reaching h.
type socketCounter struct {
	h       http.Handler
	sockets atomic.Int64
}

func (c *socketCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/websocket") {
		c.sockets.Add(1)
	}
	c.h.ServeHTTP(w, r)
}

// waitConsole waits until the page has logged a message containing text.
func waitConsole(t *testing.T, p *browsertest.Page, text string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		for _, m := range p.Console() {
			if strings.Contains(m.Text, text) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 30 s for the page to log %q; it logged: %v", text, p.Console())
		}
		<-tick.C
	}
}

func TestOtherOriginsCannotFrameAView(t *testing.T) {
	lv := liveview.NewServer(liveview.Config{})
	counter.Register(lv, "/counter")
	mux := http.NewServeMux()
	mux.HandleFunc("/frame", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!DOCTYPE html><title>same origin</title><iframe src="/counter"></iframe>`)
	})
	mux.Handle("/", lv)
	app := &socketCounter{h: mux}
	hs := httptest.NewServer(app)
	t.Cleanup(func() {
		lv.Close()
		hs.Close()
	})
	// Another origin: the same host on another port.
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!DOCTYPE html><title>evil</title><iframe src="%s/counter"></iframe>`, hs.URL)
	}))
	t.Cleanup(evil.Close)

	p := browsertest.New(t)
	p.Navigate(evil.URL + "/")
	waitConsole(t, p, "frame-ancestors 'self'")
	// The browser refused to show the page, so no script of it ran.
	if n := app.sockets.Load(); n != 0 {
		t.Errorf("the framed page opened %d websockets, want none", n)
	}

	// A page of the app's own origin may frame it: the view goes live in
	// the frame and counts clicks.
	p.Navigate(hs.URL + "/frame")
	const inFrame = `document.querySelector("iframe").contentDocument`
	p.WaitTrue(inFrame + `?.querySelector("[data-phx-main].phx-connected") != null`)
	p.Eval(inFrame+`.querySelector("#inc").click()`, nil)
	p.WaitTrue(inFrame + `.querySelector("#count").textContent === "1"`)
}

// inlineLayout has an inline script, which the strict policy refuses.
func inlineLayout(w io.Writer, p liveview.Page) error {
	_, err := fmt.Fprintf(w, "<!DOCTYPE html><html><head>%s<script>window.inlineRan = true</script></head><body>%s</body></html>", p.Head(), p.Body)
	return err
}

func TestDefaultLayoutWorksUnderAStrictCSP(t *testing.T) {
	_, hs := newApp(t, liveview.Config{SecurityHeaders: map[string]string{"Content-Security-Policy": site.CSP}}, func(s *liveview.Server) {
		counter.Register(s, "/counter")
	})
	p := browsertest.New(t)
	p.Navigate(hs.URL + "/counter")
	p.WaitConnected()
	p.Click("#inc")
	p.WaitText("#count", "1")
	p.Click("#inc")
	p.WaitText("#count", "2")
	// The layout's style applies and its script runs: the progress bar is
	// styled, and it shows on a page load's start.
	p.WaitTrue(`getComputedStyle(document.getElementById("lv-progress")).position === "fixed"`)
	p.Eval(`window.dispatchEvent(new Event("phx:page-loading-start"))`, nil)
	p.WaitTrue(`document.getElementById("lv-progress").classList.contains("lv-active")`)
	p.NoErrors() // a refused script or style would be a console error

	// The policy is enforced: a layout with an inline script is refused,
	// and the browser says so.
	_, hs2 := newApp(t, liveview.Config{Layout: inlineLayout, SecurityHeaders: map[string]string{"Content-Security-Policy": site.CSP}}, func(s *liveview.Server) {
		counter.Register(s, "/counter")
	})
	q := p.NewTab()
	q.Navigate(hs2.URL + "/counter")
	waitConsole(t, q, "Content Security Policy")
	var ran bool
	q.Eval(`window.inlineRan === true`, &ran)
	if ran {
		t.Error("an inline script ran under the strict policy")
	}
}

// navState and navView count clicks and link to /b.
type navState struct {
	Name  string
	Count int
}

type navView struct{ name string }

var navTmpl = render.Must(render.New("nav").Funcs(liveview.TemplateFuncs).Parse(
	`<p id="name">{{.Name}}</p><p id="count">{{.Count}}</p><button id="inc" phx-click="inc">+</button><a id="to-b" {{navigate "/b"}}>b</a>`))

func (v navView) Mount(s *liveview.Socket[navState], _ liveview.Params) error {
	s.Assign(func(st *navState) { st.Name = v.name })
	return nil
}
func (navView) Render(s navState) (*render.Rendered, error) { return navTmpl.Execute(s) }
func (navView) HandleEvent(s *liveview.Socket[navState], e liveview.Event) error {
	s.Assign(func(st *navState) { st.Count++ })
	return nil
}

func TestRouteBoundTokensNavigateByFullLoad(t *testing.T) {
	for _, bound := range []bool{false, true} {
		_, hs := newApp(t, liveview.Config{RouteBoundTokens: bound}, func(s *liveview.Server) {
			s.Handle("/a", liveview.View[navState](navView{"a"}))
			s.Handle("/b", liveview.View[navState](navView{"b"}))
		})
		p := browsertest.New(t)
		p.Navigate(hs.URL + "/a")
		p.WaitConnected()
		// A full page load forgets this; live navigation keeps it.
		p.Eval(`window.samePage = true`, nil)
		p.Click("#to-b")
		p.WaitAfterNavigation(`location.pathname === "/b" && document.querySelector("#name")?.textContent === "b" && ` +
			`document.querySelector("[data-phx-main]").classList.contains("phx-connected")`)
		var same bool
		p.Eval(`window.samePage === true`, &same)
		if same == bound {
			t.Errorf("RouteBoundTokens %v: navigation from /a to /b kept the page: %v, want %v", bound, same, !bound)
		}
		p.Click("#inc")
		p.WaitText("#count", "1")
	}
}
